"""Find models that look as if they hold personal data, so none escapes the data map."""

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models

from datamap.registry import registry

PERSON_NAME_FIELDS = {"name", "full_name", "first_name", "last_name", "display_name", "username"}


def personal_data_signals(model: type[models.Model]) -> list[str]:
    """Why this model looks personal: e-mails, IP addresses, names, free text, links to a user."""
    signals = []
    for field in model._meta.concrete_fields:
        name = field.name.lower()
        if isinstance(field, models.EmailField) or "email" in name:
            signals.append(f"{field.name}: e-mail address")
        elif isinstance(field, models.GenericIPAddressField) or name in {"ip", "ip_address"}:
            signals.append(f"{field.name}: IP address")
        elif name in PERSON_NAME_FIELDS or name.endswith("_name"):
            signals.append(f"{field.name}: a name")
        elif isinstance(field, models.TextField):
            signals.append(f"{field.name}: free text")
        elif (
            field.is_relation
            and field.related_model is not None
            and field.related_model._meta.label == settings.AUTH_USER_MODEL
        ):
            signals.append(f"{field.name}: link to a user")
    return signals


def unmapped_personal_models(candidates=None) -> dict[str, list[str]]:
    """Models with personal-data signals and neither a data-map entry nor a written exemption."""
    unmapped = {}
    for model in candidates if candidates is not None else apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        signals = personal_data_signals(model)
        if not signals:
            continue
        if registry.entries_for_model(model) or registry.exemption_reason(model):
            continue
        unmapped[model._meta.label] = signals
    return unmapped


def check_every_personal_model_is_mapped(app_configs=None, **kwargs):
    return [
        checks.Warning(
            f"{label} holds personal data ({'; '.join(signals)}) but has no data-map entry.",
            hint="Declare it in its app's personal_data.py, or exempt it with a reason.",
            id="datamap.W001",
        )
        for label, signals in unmapped_personal_models().items()
    ]
