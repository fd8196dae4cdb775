from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connects the signal receivers; in ready(), once every model is loaded.
        from accounts import receivers  # noqa: F401
