from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # The test dataset (datamap, which imports no app) asks who a purpose must leave out.
        from accounts.selectors import users_not_processable
        from datamap.purposes import register_not_processable

        register_not_processable(users_not_processable)
