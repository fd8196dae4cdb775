from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    label = "records"
    verbose_name = "Records: disclosures and processing"

    def ready(self) -> None:
        # Connects the signal receivers (usage's disclosed reports); in ready(), once every
        # model is loaded.
        from records import receivers  # noqa: F401
