from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = "Support enquiries"

    def ready(self) -> None:
        # Connects the receivers of account signals (Django's idiom).
        from enquiries import receivers  # noqa: F401
