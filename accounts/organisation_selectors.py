"""Organisations as the back office lists them, and the organisation named by every query on a
table sharded by it (docs/scaling.md)."""

from django.db import models
from django.db.models import QuerySet

from accounts.models import Organisation, Role, User

# --- Client organisations (the back office's organisation pages) ---------------------------


def organisations_overview() -> QuerySet[Organisation]:
    """Every organisation with ``user_count`` and ``active_count``: one query for a page."""
    return Organisation.objects.annotate(
        user_count=models.Count("users"),
        active_count=models.Count("users", filter=models.Q(users__status=User.Status.ACTIVE)),
    ).order_by("name", "pk")


def organisation_user_counts(organisation: Organisation) -> list[tuple[str, int]]:
    """(status label, number of users) for every status, zeros included, in life-cycle order."""
    counts = dict(
        User.objects.filter(organisation=organisation)
        .order_by()
        .values_list("status")
        .annotate(n=models.Count("pk"))
    )
    return [(label, counts.get(value, 0)) for value, label in User.Status.choices]


def organisation_client_admins(organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(organisation=organisation, role=Role.CLIENT_ADMIN).order_by(
        "full_name", "email"
    )


# --- Naming the organisation (tables sharded by organisation, docs/scaling.md) -------------


def organisation_ids() -> list[int]:
    """Every organisation's id, closed ones too, in order: what a sweep over usage tables
    sharded by organisation goes through one organisation at a time."""
    return list(Organisation.objects.order_by("pk").values_list("pk", flat=True))


def organisations_of_users(user_ids) -> list[int]:
    """The organisations these accounts belong to (a person belongs to one): one query, so a
    query on a table sharded by organisation can name them."""
    if not user_ids:
        return []
    return sorted(
        User.objects.filter(pk__in=user_ids)
        .exclude(organisation=None)
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )
