from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        # Connects the receivers (Django's idiom).
        from sso import receivers  # noqa: F401
