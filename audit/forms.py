"""The audit-trail viewer's filters."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from audit import labels
from audit.models import AuditEntry


def _first_id(*, order: str, **bound) -> int | None:
    return (
        AuditEntry.objects.filter(**bound)
        .order_by(order, order.replace("created_at", "id"))
        .values_list("id", flat=True)
        .first()
    )


class AuditFilterForm(forms.Form):
    """Every filter is answered by an index: actor (actor_id), action (action, and its
    pattern index for a prefix), target (target_type, target_id), date (created_at)."""

    actor = forms.CharField(
        label="Actor",
        required=False,
        max_length=254,
        help_text="The e-mail address of the person who acted, or “system”.",
    )
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *labels.action_choices()],
        help_text="One action, or any action of a kind.",
    )
    target_type = forms.ChoiceField(
        label="Kind of record",
        required=False,
        choices=[("", "Any kind"), *labels.target_choices()],
    )
    target_id = forms.CharField(
        label="Record number",
        required=False,
        max_length=64,
        help_text="The number of one record of that kind.",
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date comes before the start date.")
        return data

    @property
    def filters(self) -> dict:
        """The valid, non-empty filters (an invalid form filters nothing)."""
        if not (self.is_bound and self.is_valid()):
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.filters
        if actor := data.get("actor"):
            if actor.lower() == "system":
                entries = entries.filter(actor__isnull=True, actor_label="system")
            else:
                users = get_user_model().objects.filter(email__iexact=actor)
                entries = entries.filter(actor_id__in=list(users.values_list("pk", flat=True)))
        if action := data.get("action"):
            lookup = "action__startswith" if action.endswith(".") else "action"
            entries = entries.filter(**{lookup: action})
        if target_type := data.get("target_type"):
            entries = entries.filter(target_type=target_type)
        if target_id := data.get("target_id"):
            entries = entries.filter(target_id=target_id)
        tz = timezone.get_current_timezone()
        # Entries are appended under the chain's lock with the time taken inside it, so ids
        # follow time: a date bound becomes an id bound, found on the created_at index, and
        # the page is a range of the primary key. (Filtering created_at while walking the
        # primary key backwards read most of a million rows for an old month.)
        if start := data.get("date_from"):
            since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
            first = _first_id(created_at__gte=since, order="created_at")
            entries = entries.filter(created_at__gte=since, id__gte=first or 0)
            if first is None:
                entries = entries.none()
        if end := data.get("date_to"):
            until = datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            last = _first_id(created_at__lt=until, order="-created_at")
            entries = entries.filter(created_at__lt=until, id__lte=last or 0)
            if last is None:
                entries = entries.none()
        return entries

    def described(self) -> dict:
        """The filters for the "audit.view" entry: which were used, and the values of those
        that name no one (an actor's e-mail or a target's id would be personal data)."""
        data = self.filters
        shown = {}
        for name, value in data.items():
            if name in ("actor", "target_id"):
                shown[name] = "(set)"
            else:
                shown[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return shown


class VerifyChainForm(forms.Form):
    """The "Verify chain" button: nothing to fill in, only the CSRF token."""
