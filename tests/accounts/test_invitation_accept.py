"""Accepting an invitation: set a password, log in, enrol MFA where required; dead links explain."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.html import escape

from accounts.email_links import invitation_token
from accounts.models import Role, User
from accounts.services.invitations import user_invite, user_reinvite
from security.models import UserSession
from tests.factories import ClientAdminFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase"


def invite(organisation=None, role=Role.MEMBER, email="new.person@example.test"):
    admin = ClientAdminFactory(organisation=organisation or OrganisationFactory())
    user = user_invite(
        organisation=admin.organisation, email=email, full_name="New Person", by=admin, role=role
    )
    return user, admin


def link_for(user) -> str:
    return f"/accounts/invitation/{invitation_token(user.invitations.get(revoked_at=None))}/"


def accept(client, url, password=PASSWORD, again=None):
    return client.post(url, {"new_password1": password, "new_password2": again or password})


def test_the_emailed_link_opens_a_set_password_page(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, admin = invite()
    url = re.search(r"/accounts/invitation/\S+/", mailoutbox[0].body).group()

    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Welcome, New Person" in html
    assert f"{escape(admin.full_name)} invited you" in html  # a name can hold an apostrophe
    assert "Choose a password" in html


def test_a_member_sets_a_password_and_is_logged_in(client):
    user, _ = invite()

    response = accept(client, link_for(user))

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE
    assert user.check_password(PASSWORD)
    assert client.get("/account/").status_code == 200
    assert UserSession.objects.filter(user=user, ended_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "organisation_requires, role",
    [(False, Role.CLIENT_ADMIN), (True, Role.MEMBER)],
    ids=["client-admin", "member-of-mfa-organisation"],
)
def test_a_user_who_needs_mfa_goes_straight_to_enrolment(client, organisation_requires, role):
    user, _ = invite(
        organisation=OrganisationFactory(mfa_required=organisation_requires), role=role
    )

    response = accept(client, link_for(user))

    assert response["Location"] == "/accounts/mfa/enrol/"
    assert client.get("/account/")["Location"].startswith("/accounts/mfa/enrol/")
    assert "Set up two-step login" in client.get("/accounts/mfa/enrol/").content.decode()


def test_the_password_must_pass_the_validators(client):
    user, _ = invite()
    url = link_for(user)

    response = accept(client, url, password="password")

    assert response.status_code == 200
    assert "too common" in response.content.decode()
    user.refresh_from_db()
    assert user.status == User.Status.INVITED
    # The link still works for a better password.
    assert accept(client, url).status_code == 302


def test_a_link_used_once_explains_that_it_has_been_used(client):
    user, _ = invite()
    url = link_for(user)
    accept(client, url)
    client.post("/accounts/logout/")

    second = client.get(url)
    replay = accept(client, url, password="another long passphrase")

    assert second.status_code == replay.status_code == 410
    assert "already been used" in second.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_link_expires_after_72_hours(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        user, _ = invite()
        url = link_for(user)
    with time_machine.travel(start + timedelta(hours=71, minutes=59), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(start + timedelta(hours=72), tick=False):
        response = client.get(url)
        refused = accept(client, url)
    assert response.status_code == refused.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    user.refresh_from_db()
    assert user.status == User.Status.INVITED


def test_an_older_link_stops_working_when_a_new_one_is_sent(client):
    user, admin = invite()
    old_url = link_for(user)
    user_reinvite(user=user, by=admin)

    response = client.get(old_url)

    assert response.status_code == 410
    assert "only the newest one sent to you works" in response.content.decode()
    assert client.get(link_for(user)).status_code == 200


def test_a_tampered_link_is_not_valid(client):
    user, _ = invite()
    token = invitation_token(user.invitations.get())
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = client.get(f"/accounts/invitation/{tampered}/")
    forged = client.post(
        f"/accounts/invitation/{tampered}/",
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    assert response.status_code == forged.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.status == User.Status.INVITED


def test_the_invitation_page_is_not_cached(client):
    user, _ = invite()
    response = client.get(link_for(user))
    assert "no-store" in response["Cache-Control"]
