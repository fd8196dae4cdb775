"""The users API's list: its fields, and its rows compiled once per process (issue 19).

An integration reads a page of users on every call; building and compiling that queryset cost
several times what PostgreSQL spends answering it, so the list's SQL is compiled once per shape
(common.statements) and its rows are shown without a serializer per row
(accounts.serializers.listed_users).
"""

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.selectors import EVERY_ORGANISATION, users_with_pending_email, visible_organisation
from common.statements import CompiledListing, Listing

# What the users API shows of a person, in its order (accounts.serializers.UserSerializer adds
# the pending address); its list reads these columns only.
API_USER_FIELDS = (
    "id",
    "email",
    "full_name",
    "job_title",
    "organisation",
    "role",
    "status",
    "date_joined",
    "last_login",
    "suspended_at",
    "suspended_reason",
    "terminated_at",
)


def users_matching(users: QuerySet[User], *, search=None, role=None, status=None):
    """``users`` whose name or e-mail contains ``search``, of ``role``, in ``status``: each
    filter applies when given (the console's filter form and the users API)."""
    if search:
        users = users.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if role:
        users = users.filter(role=role)
    if status:
        users = users.filter(status=status)
    return users


# The users API's list, as rows of API_USER_FIELDS (the organisation's slug) and the pending
# address: compiled once per process and shape, as it runs on every page an integration reads.
def _api_user_rows(*, organisation_id=None, search=None, role=None, status=None):
    users = User.objects.all()
    if organisation_id is not None:
        users = users.filter(organisation_id=organisation_id)
    users = users_matching(users, search=search, role=role, status=status)
    columns = ["organisation__slug" if name == "organisation" else name for name in API_USER_FIELDS]
    users = users_with_pending_email(users.order_by("full_name", "email"))
    return users.values_list(*columns, "pending_email")


_API_USER_ROWS = CompiledListing(_api_user_rows)


def users_listed_by_api(actor, *, search="", role="", status="") -> Listing:
    """The users ``actor`` may list through the API (as ``users_visible_to``) that match the
    filters, as row tuples of API_USER_FIELDS and ``pending_email``, for DRF's paginator
    (common.api.ListingPagination): a page and the count are one narrow query."""
    organisation_id = visible_organisation(actor)
    if organisation_id is None:
        return Listing.EMPTY
    if organisation_id == EVERY_ORGANISATION:
        organisation_id = None
    return _API_USER_ROWS.listing(
        organisation_id=organisation_id, search=search, role=role, status=status
    )
