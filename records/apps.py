from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    label = "records"
    verbose_name = "Records: disclosures and processing"

    def ready(self) -> None:
        from records import receivers  # noqa: F401
