from django.apps import AppConfig


class DsarConfig(AppConfig):
    name = "dsar"
    verbose_name = "Rights requests"

    def ready(self) -> None:
        # Connects the receivers of account signals (Django's idiom).
        from dsar import receivers  # noqa: F401
