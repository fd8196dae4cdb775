from django.apps import AppConfig
from django.core import checks
from django.utils.module_loading import autodiscover_modules


class DatamapConfig(AppConfig):
    name = "datamap"
    verbose_name = "Data map"

    def ready(self) -> None:
        autodiscover_modules("personal_data")
        # In ready(): the detector reads the models, which are loaded only now.
        from datamap.detect import check_every_personal_model_is_mapped

        checks.register(check_every_personal_model_is_mapped)
