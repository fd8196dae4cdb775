from django.apps import AppConfig


class CookiesConfig(AppConfig):
    name = "cookies"
    verbose_name = "Cookies and notices"

    def ready(self) -> None:
        from cookies import receivers  # noqa: F401
