"""Intake helpers shared by the public form, the account page and the API."""

from django.conf import settings
from django.urls import reverse

from dsar.models import RightsRequest
from dsar.services import verification_token


def verification_url(request: RightsRequest) -> str:
    path = reverse("rights:verify", kwargs={"token": verification_token(request)})
    return f"{settings.SITE_URL}{path}"
