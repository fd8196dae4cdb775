"""REST shapes of the users API: one output shape, one strict input serializer per step."""

from django.db import models
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api_selectors import API_USER_FIELDS
from accounts.models import Role, User
from accounts.selectors import email_change_pending
from accounts.services.users import ORGANISATION_ROLES
from common.api import ModelSerializer, StrictSerializer, api_datetime

ROLE_CHOICES = [(role.value, role.label) for role in ORGANISATION_ROLES]


# What the users API shows of a person, in its order.
LISTED_USER_FIELDS = (*API_USER_FIELDS, "pending_email")
_LISTED_DATETIMES = [
    index
    for index, name in enumerate(API_USER_FIELDS)
    if isinstance(User._meta.get_field(name), models.DateTimeField)
]


class UserSerializer(ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    pending_email = serializers.SerializerMethodField(
        help_text=(
            "A new address awaiting confirmation: a link was sent to it, and `email` changes "
            "only when that link is followed (within 24 hours). Null when none is pending."
        )
    )

    class Meta:
        model = User
        # The list shows the same fields, from rows (listed_users).
        fields = list(LISTED_USER_FIELDS)
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_pending_email(self, user: User) -> str | None:
        # Lists annotate it (accounts.selectors.users_with_pending_email): no query per row.
        if hasattr(user, "pending_email"):
            return user.pending_email
        change = email_change_pending(user)
        return change.new_email if change else None


def listed_users(rows) -> list[dict]:
    """Rows of ``accounts.selectors.users_listed_by_api`` in UserSerializer's shape, byte for
    byte, without a serializer and its fields per row (most of a page's CPU at 50 rows).
    Its fields are text, numbers and null, but for the datetimes."""
    time_zone = timezone.get_current_timezone()
    users = []
    for row in rows:
        row = list(row)
        for index in _LISTED_DATETIMES:
            row[index] = api_datetime(row[index], time_zone)
        users.append(dict(zip(LISTED_USER_FIELDS, row, strict=True)))
    return users


class UserCreateInput(StrictSerializer):
    """An invitation: the user gets an e-mail with a one-time link to set a password."""

    email = serializers.EmailField(max_length=254)
    full_name = serializers.CharField(max_length=150)
    job_title = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=ROLE_CHOICES, default=Role.MEMBER)
    organisation = serializers.SlugField(
        required=False,
        help_text=(
            "The organisation's slug. Only DPO and support staff, who belong to no "
            "organisation, need it; everyone else invites into their own organisation."
        ),
    )
    confirm_other_domain = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "True to invite an address outside the organisation's allowed e-mail domains; "
            "without it such an invitation is refused with an error on this field."
        ),
    )


class UserUpdateInput(StrictSerializer):
    """Rectification of a user's details, or a change of role. Every field is optional."""

    email = serializers.EmailField(
        max_length=254,
        required=False,
        help_text=(
            "A new address is not set at once: a confirmation link goes to it, the current "
            "address is told, and the answer is 202 with the address in `pending_email`. It "
            "changes only when the link is followed. The current address withdraws a pending "
            "change."
        ),
    )
    full_name = serializers.CharField(max_length=150, required=False)
    job_title = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=ROLE_CHOICES, required=False)


class UserSuspendInput(StrictSerializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Told to the user by e-mail and kept in the audit trail."
    )


class EmptyInput(StrictSerializer):
    """A step that takes no input: any field sent is refused."""
