from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    label = "records"
    verbose_name = "Records: disclosures and processing"

    def ready(self) -> None:
        # Connects the signal receivers (usage's disclosed reports); in ready(), once every
        # model is loaded.
        from datamap.purposes import register_legal_bases
        from records import receivers  # noqa: F401
        from records.selectors import purpose_legal_bases

        # What a person may object to follows the legal bases in the record the DPO keeps.
        register_legal_bases(purpose_legal_bases)
