"""Django's admin (issue 14): organisations, users, group companies and the audit trail,
read-only, for superusers whose second factor is verified; every look is on the audit trail."""

import datetime

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django_otp.admin import OTPAdminSite

import audit
from accounts.models import GroupCompany
from audit.models import AuditEntry
from tests.conftest import otp_device_for
from tests.factories import (
    TEST_PASSWORD,
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    StaffUserFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LISTS = {
    "organisation": "/admin/accounts/organisation/",
    "user": "/admin/accounts/user/",
    "groupcompany": "/admin/accounts/groupcompany/",
    "auditentry": "/admin/audit/auditentry/",
}

# What each list shows of the row made below.
SHOWN = {
    "organisation": "Acme Widgets",
    "user": "mia@acme.test",
    "groupcompany": "Other Group",
    "auditentry": "demo.something",
}


@pytest.fixture
def rows():
    acme = OrganisationFactory(name="Acme Widgets")
    other = OrganisationFactory(name="Other Group")
    member = UserFactory(organisation=acme, full_name="Mia Member", email="mia@acme.test")
    group = GroupCompany.objects.create(
        organisation=acme, member=other, requested_on=datetime.date(2026, 1, 5)
    )
    entry = audit.record(None, "demo.something", target=member)
    return {
        "organisation": acme,
        "user": member,
        "groupcompany": group,
        "auditentry": entry,
    }


@pytest.fixture
def root(verified_client):
    return verified_client(StaffUserFactory(is_superuser=True), client=Client())


def change_url(model: str, obj) -> str:
    return f"{LISTS[model]}{obj.pk}/change/"


@pytest.mark.parametrize("model", LISTS)
def test_a_verified_superuser_reads_each_list_and_row(root, rows, model):
    listing = root.get(LISTS[model])
    assert listing.status_code == 200
    assert SHOWN[model] in listing.content.decode()
    assert change_url(model, rows[model]) in listing.content.decode()

    detail = root.get(change_url(model, rows[model]))
    assert detail.status_code == 200
    assert detail.context["has_change_permission"] is False


@pytest.mark.parametrize("model", LISTS)
def test_nothing_can_be_added_changed_or_deleted(root, rows, model):
    obj = rows[model]
    page = root.get(LISTS[model]).content.decode()
    assert f'href="{LISTS[model]}add/"' not in page
    assert 'name="action"' not in page  # no "delete selected" bulk action
    detail = root.get(change_url(model, obj)).content.decode()
    assert 'name="_save"' not in detail
    assert f"{LISTS[model]}{obj.pk}/delete/" not in detail

    assert root.get(f"{LISTS[model]}add/").status_code == 403
    assert root.post(f"{LISTS[model]}add/", {}).status_code == 403
    assert root.post(f"{LISTS[model]}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert root.post(change_url(model, obj), {}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_a_user_row_never_shows_the_password_hash(root, rows):
    page = root.get(change_url("user", rows["user"])).content.decode()
    assert "mia@acme.test" in page
    assert rows["user"].password not in page
    assert "md5$" not in page


def test_the_user_list_searches_by_name_and_e_mail(root, rows):
    UserFactory(full_name="Zed Other", email="zed@elsewhere.test")
    page = root.get(LISTS["user"], {"q": "acme.test"}).content.decode()
    assert "mia@acme.test" in page
    assert "zed@elsewhere.test" not in page


def test_each_look_is_on_the_audit_trail(root, rows):
    root.get(LISTS["user"])
    root.get(change_url("user", rows["user"]))

    looks = AuditEntry.objects.filter(action="admin.view").order_by("id")
    assert [(e.target_type, e.target_id) for e in looks] == [
        ("", ""),
        ("accounts.User", str(rows["user"].pk)),
    ]
    assert looks[0].details == {"model": "accounts.User"}
    assert all(e.actor_label.endswith("@example.test") for e in looks)


@pytest.mark.parametrize("make_user", [DpoFactory, SupportFactory, ClientAdminFactory])
def test_verified_staff_and_client_admins_who_are_not_superusers_are_refused(
    verified_client, rows, make_user
):
    client = verified_client(make_user(), client=Client())
    for url in LISTS.values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")
    assert not AuditEntry.objects.filter(action="admin.view").exists()


def test_a_superuser_who_has_not_passed_the_second_step_is_refused(rows):
    root = StaffUserFactory(is_superuser=True)
    otp_device_for(root)
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"username": root.email, "password": TEST_PASSWORD}
        ).status_code
        == 302
    )

    for url in [*LISTS.values(), change_url("user", rows["user"])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "mia@acme.test" not in response.content.decode()
    assert not AuditEntry.objects.filter(action="admin.view").exists()


def test_the_otp_admin_site_itself_refuses_an_unverified_superuser(rows):
    """Even past the MFA middleware (say it were reordered), the admin site asks for the
    verified second factor: django-otp's OTPAdminSite, not Django's plain one."""
    request = RequestFactory().get(LISTS["user"])
    request.user = StaffUserFactory(is_superuser=True)
    request.user.is_verified = lambda: False
    assert isinstance(admin.site, OTPAdminSite)
    assert admin.site.has_permission(request) is False
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request) is True


def test_anonymous_visitors_are_sent_to_log_in(rows):
    response = Client().get(LISTS["user"])
    assert response.status_code == 302
    assert "login" in response["Location"]
