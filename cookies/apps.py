from django.apps import AppConfig


class CookiesConfig(AppConfig):
    name = "cookies"
    verbose_name = "Cookies and notices"

    def ready(self) -> None:
        # Connects the signal receivers; in ready(), once every model is loaded.
        from cookies import receivers  # noqa: F401
