from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "usage"
    verbose_name = "Usage"

    def ready(self) -> None:
        # Connects the signal receivers; in ready(), once every model is loaded.
        from usage import receivers  # noqa: F401
