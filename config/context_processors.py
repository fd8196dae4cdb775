from dataclasses import dataclass

from django.urls import reverse

from common.decorators import is_otp_verified
from common.roles import STAFF_ROLES, Role
from security.services import mfa


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def _workspaces(user) -> list[tuple[str, str]]:
    links = [("My account", reverse("account:home"))]
    if user.role == Role.CLIENT_ADMIN and user.organisation_id:
        links.append(("Console", reverse("console:users")))
    if user.role in STAFF_ROLES:
        links.append(("Back office", reverse("backoffice:dashboard")))
    if user.is_superuser:
        links.append(("Django admin", reverse("admin:index")))
    return links


def navigation(request):
    """The header's links: the workspaces the signed-in person's role may open.

    Someone who has given their password but still owes the second step (or an enrolment their
    role requires) is not signed in yet as far as the navigation goes: no links until then.
    The link of the workspace the page belongs to is marked current, on its sub-pages too.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        links = [("Your data rights", reverse("rights:new"))]
    elif is_otp_verified(user) or (hasattr(request, "session") and not mfa.second_step(request)):
        links = _workspaces(user)
    else:
        links = []
    path = request.path
    return {"nav_links": [NavLink(label, url, path.startswith(url)) for label, url in links]}
