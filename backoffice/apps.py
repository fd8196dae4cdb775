from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Back office"

    def ready(self) -> None:
        # Connects the Celery task signals that record each beat entry's last run.
        from backoffice import receivers  # noqa: F401
