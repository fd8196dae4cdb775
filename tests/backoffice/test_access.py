"""Who may open each back-office page (issue 8).

GIVEN every URL under /backoffice/, read from the URL resolver (a new page is walked as soon
as it is routed, and fails here until its section is classified below)
WHEN an anonymous visitor, a member, a client admin, a support agent and the DPO (each with
two-step login verified) request it with the method it accepts
THEN the anonymous visitor is sent to the login page; members and client admins get 403;
support gets 403 outside requests, investigations, people, enquiries, usage figures and the
dashboard; the DPO is refused nowhere; and nobody gets a server error.

Ids in the URLs name nothing that exists: the role check comes before any lookup, so a
support agent gets 403 on a DPO page whether or not the object exists (a 404 there would
leak which ids exist).
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts.models import Organisation, User
from tests.factories import (
    TEST_PASSWORD,
    ClientAdminFactory,
    DpoFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The first path segment under /backoffice/ ("" is the dashboard).
SUPPORT_SECTIONS = {"", "requests", "investigations", "people", "enquiries", "usage"}
DPO_ONLY_SECTIONS = {"breaches", "disclosures", "processing", "retention", "audit", "cookies"}
# DPO-only pages inside a section support works in: the wording of the standard letters.
DPO_ONLY_ROUTES = {"requests:letter_edit"}
# Client organisations (issue 14): DPO and support onboard, close and reopen them.
SUPPORT_SECTIONS.add("organisations")

# Staff accounts (issue 14): support sees the list; inviting, a new link and off-boarding are
# the DPO's (or a superuser's, see test_a_superuser_acts_on_the_staff_pages).
SUPPORT_SECTIONS |= {"staff"}
# Complaints (issue 16): their own queue, worked by DPO and support like the rights requests.
SUPPORT_SECTIONS |= {"complaints"}
DPO_ONLY_ROUTES |= {"staff:invite", "staff:reinvite", "staff:offboard"}
# Group companies (issue 16): support reads them on the organisation's page; the DPO records
# and ends them.
DPO_ONLY_ROUTES |= {"organisations:group-company-new", "organisations:group-company-end"}

# The processor register (issue 16): support reads it; adding and editing are the DPO's.
SUPPORT_SECTIONS |= {"processors"}
DPO_ONLY_ROUTES |= {"processors:new", "processors:edit"}

# The security self-check (issue 16): support reads the results; running it is the DPO's.
SUPPORT_SECTIONS |= {"security"}
DPO_ONLY_ROUTES |= {"security-check:run"}

# Recipients told of rights requests (issue 17, Article 19): the DPO's alone.
DPO_ONLY_SECTIONS |= {"recipients"}

FILLERS = {"int": "987654", "slug": "no-such-thing", "str": "RR-2099-999999", "path": "none"}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _concrete(route: str) -> str:
    def fill(match: re.Match) -> str:
        converter = match.group(1) or "str"
        return FILLERS.get(converter, FILLERS["str"])

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def backoffice_urls() -> list[str]:
    routes = {route for route, _ in _walk(get_resolver().url_patterns)}
    return sorted(_concrete(route) for route in routes if route.startswith("backoffice/"))


def section(url: str) -> str:
    return url.removeprefix("/backoffice/").split("/", 1)[0]


def support_may_open(url: str) -> bool:
    return section(url) in SUPPORT_SECTIONS and resolve(url).view_name not in DPO_ONLY_ROUTES


URLS = backoffice_urls()


def test_every_back_office_section_is_classified():
    sections = {section(url) for url in URLS}
    assert sections, "no back-office URL found"
    assert sections <= SUPPORT_SECTIONS | DPO_ONLY_SECTIONS, sections - (
        SUPPORT_SECTIONS | DPO_ONLY_SECTIONS
    )
    # The walk sees the pages of every part of issue 8 (and the dashboard).
    assert {"", "requests", "investigations", "people", "retention", "audit"} <= sections


@pytest.fixture
def clients(verified_client):
    def verified(factory):
        return verified_client(factory(), client=Client())

    return {
        "member": verified(UserFactory),
        "client_admin": verified(ClientAdminFactory),
        "support": verified(SupportFactory),
        "dpo": verified(DpoFactory),
    }


def _request(client: Client, url: str, method: str):
    return client.post(url) if method == "post" else client.get(url)


def _method(dpo: Client, url: str) -> str:
    """GET where the page answers it; POST for an action that only takes POST."""
    return "post" if dpo.get(url).status_code == 405 else "get"


@pytest.mark.parametrize("url", URLS)
def test_each_back_office_url_keeps_to_the_role_rules(url, clients):
    method = _method(clients["dpo"], url)

    anonymous = _request(Client(), url, method)
    assert anonymous.status_code == 302, (url, anonymous.status_code)
    assert anonymous["Location"].startswith("/accounts/login/"), url

    for role in ("member", "client_admin"):
        response = _request(clients[role], url, method)
        assert response.status_code == 403, (url, role, response.status_code)

    support = _request(clients["support"], url, method)
    if support_may_open(url):
        assert support.status_code not in (403, 405) and support.status_code < 500, (
            url,
            support.status_code,
        )
    else:
        assert support.status_code == 403, (url, support.status_code)

    dpo = _request(clients["dpo"], url, method)
    assert dpo.status_code not in (403, 405) and dpo.status_code < 500, (url, dpo.status_code)


LIST_PAGES = [url for url in URLS if "987654" not in url and "RR-2099" not in url]


@pytest.mark.parametrize("url", [url for url in LIST_PAGES if support_may_open(url)])
def test_support_and_the_dpo_open_each_of_supports_pages(url, clients):
    if _method(clients["dpo"], url) == "post":
        pytest.skip("an action, not a page")
    for role in ("support", "dpo"):
        response = clients[role].get(url)
        assert response.status_code in (200, 404), (url, role, response.status_code)


@pytest.mark.parametrize("url", [url for url in URLS if section(url) == "staff"])
def test_a_superuser_acts_on_the_staff_pages(url, verified_client):
    """A superuser may hold the support role; the staff pages let them act as the DPO does."""
    superuser = verified_client(SupportFactory(is_superuser=True), client=Client())
    method = "post" if superuser.get(url).status_code == 405 else "get"
    response = _request(superuser, url, method)
    assert response.status_code not in (403, 405) and response.status_code < 500, (
        url,
        response.status_code,
    )


def test_organisations_are_acted_on_by_staff_and_superusers_never_by_their_own_users(
    verified_client,
):
    """GIVEN an open organisation WHEN its own member and client admin post its close form
    THEN each gets 403 and it stays open; a superuser opens its pages."""
    admin = ClientAdminFactory()
    organisation = admin.organisation
    member = UserFactory(organisation=organisation)
    for user in (admin, member):
        response = verified_client(user, client=Client()).post(
            f"/backoffice/organisations/{organisation.pk}/close/",
            {"reason": "Contract ended", "effective_on": "2026-01-01", "password": TEST_PASSWORD},
        )
        assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE

    superuser = User.objects.create_superuser("root@example.test", TEST_PASSWORD)
    root = verified_client(superuser, client=Client())
    assert root.get("/backoffice/organisations/").status_code == 200
    assert root.get(f"/backoffice/organisations/{organisation.pk}/").status_code == 200
