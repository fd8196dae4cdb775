from django.apps import AppConfig


class RecipientsConfig(AppConfig):
    name = "recipients"
    label = "recipients"
    verbose_name = "Recipients told of rights requests (Article 19)"
