"""Workspaces (issue 15): where each person lands after login, and the navigation they see.

A client admin lands in the console, the DPO and support in the back office, everyone else on
their account page; a safe ``next`` still wins. The header holds no navigation until the second
factor is given; each workspace has one navigation with the current page marked.
"""

import re

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import (
    TEST_PASSWORD,
    ClientAdminFactory,
    DpoFactory,
    InvestigationFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/mfa/verify/"
ENROL = "/accounts/mfa/enrol/"

# The sections of the back office that are the DPO's alone (common.decorators.dpo_required).
DPO_ONLY = ("breaches", "disclosures", "processing", "audit", "retention", "cookies")

WORKSPACES = [
    pytest.param(ClientAdminFactory, "/console/", id="client admin"),
    pytest.param(DpoFactory, "/backoffice/", id="dpo"),
    pytest.param(SupportFactory, "/backoffice/", id="support"),
    pytest.param(UserFactory, "/account/", id="member"),
]


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def log_in(client, user, **extra):
    return client.post(LOGIN, {"username": user.email, "password": TEST_PASSWORD, **extra})


def header(response) -> str:
    page = response.content.decode()
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def nav(response, label: str) -> str:
    page = response.content.decode()
    start = page.index(f'aria-label="{label}"')
    return page[start : page.index("</nav>", start)]


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a [^>]*?href="([^"]+)"[^>]*>([^<]+)</a>', html)


def current(html: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)</a>', html)


# --- Landing ------------------------------------------------------------------------


@pytest.mark.parametrize(("factory", "workspace"), WORKSPACES)
def test_each_role_lands_in_its_workspace_after_the_second_factor(client, factory, workspace):
    user = factory()
    device = with_device(user)

    assert log_in(client, user)["Location"] == VERIFY
    response = client.post(VERIFY, {"token": code_for(device)})

    assert response["Location"] == workspace
    assert client.get(workspace).status_code == 200


def test_a_member_without_two_step_login_lands_on_their_account_page(client):
    assert log_in(client, UserFactory())["Location"] == "/account/"


def test_a_client_admin_who_enrols_at_first_login_continues_to_the_console(client):
    admin = ClientAdminFactory()
    assert log_in(client, admin)["Location"] == ENROL
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=admin, confirmed=False)

    page = client.post(ENROL, {"token": code_for(device)}).content.decode()

    assert 'href="/console/">I have saved my codes' in page
    assert client.get("/console/").status_code == 200


@pytest.mark.parametrize(("factory", "workspace"), WORKSPACES)
def test_the_home_page_sends_a_signed_in_person_to_their_workspace(
    verified_client, factory, workspace
):
    assert verified_client(factory()).get("/")["Location"] == workspace


def test_a_safe_next_still_wins_over_the_workspace(client):
    dpo = DpoFactory()
    device = with_device(dpo)

    response = log_in(client, dpo, next="/account/security/")
    assert response["Location"] == VERIFY + "?next=%2Faccount%2Fsecurity%2F"
    response = client.post(VERIFY, {"token": code_for(device), "next": "/account/security/"})

    assert response["Location"] == "/account/security/"


def test_a_safe_next_wins_for_someone_without_a_second_factor(client):
    response = log_in(client, UserFactory(), next="/account/rights/")
    assert response["Location"] == "/account/rights/"


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/account/"])
def test_an_off_site_next_is_ignored(client, elsewhere):
    support = SupportFactory()
    device = with_device(support)

    response = log_in(client, support, next=elsewhere)
    assert response["Location"] == VERIFY
    response = client.post(VERIFY, {"token": code_for(device), "next": elsewhere})

    assert response["Location"] == "/backoffice/"
    assert log_in(Client(), UserFactory(), next=elsewhere)["Location"] == "/account/"


# --- The header before and after the second factor ----------------------------------


def test_no_navigation_before_the_second_factor_only_the_brand_and_log_out(client):
    dpo = DpoFactory()
    device = with_device(dpo)
    log_in(client, dpo)

    before = header(client.get(VERIFY))

    assert 'aria-label="Main"' not in before
    assert [href for href, _ in links(before)] == ["/"]  # the brand
    assert "Log out" in before
    client.post(VERIFY, {"token": code_for(device)})
    after = header(client.get("/backoffice/"))
    assert ("/backoffice/", "Back office") in links(after)
    assert ("/account/", "My account") in links(after)


def test_no_navigation_while_an_enrolment_the_role_requires_is_pending(client):
    log_in(client, ClientAdminFactory())

    page = header(client.get(ENROL))

    assert 'aria-label="Main"' not in page
    assert "/console/" not in page
    assert "/account/" not in page


def test_a_member_who_needs_no_second_factor_has_the_navigation_at_once(client):
    log_in(client, UserFactory())
    assert ("/account/", "My account") in links(header(client.get("/account/")))


def test_the_header_marks_the_workspace_of_a_sub_page(verified_client):
    page = header(verified_client(DpoFactory()).get("/backoffice/staff/invite/"))
    assert 'href="/backoffice/" aria-current="true">Back office' in page
    assert 'href="/account/">My account' in page


# --- The back office navigation -----------------------------------------------------


def test_the_back_office_navigation_is_grouped_into_queues_registers_and_settings(
    verified_client,
):
    menu = nav(verified_client(DpoFactory()).get("/backoffice/"), "Back office")

    labels = re.findall(r'<p class="backoffice-menu-label"[^>]*>([^<]+)</p>', menu)
    assert labels == ["Queues", "Registers", "Settings"]
    queues = menu[menu.index(">Queues<") : menu.index(">Registers<")]
    assert [label for _, label in links(queues)] == [
        "Rights requests",
        "Complaints",
        "Investigations",
        "Enquiries",
    ]
    assert current(menu) == ["Dashboard"]


@pytest.mark.parametrize(
    ("path", "marked"),
    [
        ("/backoffice/staff/invite/", "Staff"),
        ("/backoffice/requests/?state=open", "Rights requests"),
        ("/backoffice/retention/", "Retention"),
    ],
)
def test_a_back_office_sub_page_marks_its_section(verified_client, path, marked):
    response = verified_client(DpoFactory()).get(path)
    assert response.status_code == 200
    menu = nav(response, "Back office")
    assert current(menu) == [marked]
    assert f'Back office menu<span class="backoffice-menu-here">: {marked}</span>' in menu


def test_an_investigation_marks_investigations(verified_client):
    investigation = InvestigationFactory()
    response = verified_client(SupportFactory()).get(
        f"/backoffice/investigations/{investigation.pk}/"
    )
    assert current(nav(response, "Back office")) == ["Investigations"]


def test_supports_navigation_has_no_dpo_only_link_and_every_link_opens(verified_client):
    client = verified_client(SupportFactory())
    hrefs = [href for href, _ in links(nav(client.get("/backoffice/"), "Back office"))]

    assert not [href for href in hrefs if href.split("/")[2] in DPO_ONLY]
    assert {"/backoffice/requests/", "/backoffice/people/", "/backoffice/staff/"} <= set(hrefs)
    for href in hrefs:
        assert client.get(href).status_code == 200, href


def test_the_dpos_navigation_holds_every_section_and_every_link_opens(verified_client):
    client = verified_client(DpoFactory())
    hrefs = [href for href, _ in links(nav(client.get("/backoffice/"), "Back office"))]

    assert {href.split("/")[2] for href in hrefs} >= set(DPO_ONLY)
    assert len(hrefs) == 18  # with complaints, processors, recipients told and the self-check
    for href in hrefs:
        assert client.get(href).status_code == 200, href


# --- The console and the account pages ----------------------------------------------


def test_a_console_user_page_marks_users(verified_client):
    admin = ClientAdminFactory()
    person = UserFactory(organisation=admin.organisation)

    response = verified_client(admin).get(f"/console/users/{person.pk}/")

    assert current(nav(response, "Console")) == ["Users"]
    assert 'href="/console/" aria-current="true">Console' in header(response)


@pytest.mark.parametrize(
    ("path", "marked"),
    [
        ("/account/", "Overview"),
        ("/account/rights/", "Rights requests"),
        ("/account/communications/", "E-mail preferences"),
        ("/account/security/", "Security"),
    ],
)
def test_every_account_page_links_communications_security_and_rights(verified_client, path, marked):
    response = verified_client(UserFactory()).get(path)
    assert response.status_code == 200
    menu = nav(response, "My account")

    assert links(menu) == [
        ("/account/", "Overview"),
        ("/account/rights/", "Rights requests"),
        ("/account/communications/", "E-mail preferences"),
        ("/account/security/", "Security"),
    ]
    assert current(menu) == [marked]
