"""Drop the cached cookie catalogue when django-cookie-consent's groups or cookies change.

Cache invalidation only: no business rule runs here. Groups and cookies are edited in the
Django admin (django-cookie-consent's own), which calls no service of ours.
"""

from cookie_consent.models import Cookie, CookieGroup
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cookies.catalogue import catalogue_forget


@receiver([post_save, post_delete], sender=CookieGroup)
@receiver([post_save, post_delete], sender=Cookie)
def _forget_catalogue(**kwargs) -> None:
    catalogue_forget()
