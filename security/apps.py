from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        # Connects the receivers of login, lockout and account signals (Django's idiom).
        from security import receivers  # noqa: F401
