"""Changing an e-mail address: asked for by the user, their client admin, the API or a rights
request, and made only when someone follows the link sent to the new address."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.email_links import email_change_token
from accounts.models import EmailChange, User
from accounts.services.email_changes import (
    EmailChangeRefused,
    user_email_change_confirm,
    user_email_change_request,
)
from accounts.services.users import user_terminate
from audit.models import AuditEntry
from tests.factories import ClientAdminFactory, DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://\S+/account/email/confirm/[^/\s]+/")


@pytest.fixture
def admin():
    return ClientAdminFactory(full_name="Carol Admin")


@pytest.fixture
def member(admin):
    return UserFactory(organisation=admin.organisation, full_name="Dan Member", email="dan@a.test")


def request_change(member, admin, capture, new_email="dan@new.test"):
    with capture(execute=True):
        return user_email_change_request(user=member, new_email=new_email, by=admin)


def confirm_path(mail) -> str:
    url = CONFIRM_LINK.search(mail.body).group(0)
    return url[url.index("/account/") :]


def test_a_change_mails_a_link_to_the_new_address_and_tells_the_old_one_changing_nothing(
    member, admin, mailoutbox, django_capture_on_commit_callbacks
):
    change = request_change(member, admin, django_capture_on_commit_callbacks)

    member.refresh_from_db()
    assert member.email == "dan@a.test"
    to_new, to_old = sorted(mailoutbox, key=lambda m: m.to != ["dan@new.test"])
    assert to_new.to == ["dan@new.test"]
    assert CONFIRM_LINK.search(to_new.body)
    assert "Carol Admin asked" in to_new.body
    assert to_old.to == ["dan@a.test"]
    assert "dan@new.test" in to_old.body
    assert not CONFIRM_LINK.search(to_old.body)
    assert (change.old_email, change.new_email, change.requested_by) == (
        "dan@a.test",
        "dan@new.test",
        admin,
    )
    entry = AuditEntry.objects.get(action="user.email_change_request")
    assert entry.target_id == str(member.pk)
    assert "dan@new.test" not in str(entry.details)


def test_following_the_link_asks_first_then_changes_the_address_and_tells_both_addresses(
    client, member, admin, mailoutbox, django_capture_on_commit_callbacks
):
    request_change(member, admin, django_capture_on_commit_callbacks)
    path = confirm_path(next(m for m in mailoutbox if m.to == ["dan@new.test"]))
    mailoutbox.clear()

    page = client.get(path)
    member.refresh_from_db()
    assert page.status_code == 200
    assert b"Confirm dan@new.test" in page.content
    assert member.email == "dan@a.test"  # a mail scanner opening the link changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(path)

    member.refresh_from_db()
    assert done.status_code == 200
    assert b"Your e-mail address is changed" in done.content
    assert member.email == "dan@new.test"
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["dan@a.test"], "Your PrivacyDesk e-mail address was changed"),
        (["dan@new.test"], "This is now your PrivacyDesk e-mail address"),
    ]
    assert AuditEntry.objects.filter(
        action="user.email_change_confirm", target_id=str(member.pk)
    ).exists()


def test_a_used_link_changes_nothing_more_and_says_so(
    client, member, admin, django_capture_on_commit_callbacks
):
    change = request_change(member, admin, django_capture_on_commit_callbacks)
    path = reverse("account:email_confirm", kwargs={"token": email_change_token(change)})
    client.post(path)
    # Changed back since (by a later confirmed change, say): replaying the link does nothing.
    User.objects.filter(pk=member.pk).update(email="dan@a.test")

    again = client.post(path)

    assert again.status_code == 200
    assert b"already been used" in again.content
    member.refresh_from_db()
    assert member.email == "dan@a.test"


def test_an_expired_link_changes_nothing(client, member, admin, django_capture_on_commit_callbacks):
    change = request_change(member, admin, django_capture_on_commit_callbacks)
    path = reverse("account:email_confirm", kwargs={"token": email_change_token(change)})

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        shown = client.get(path)
        posted = client.post(path)

    assert shown.status_code == posted.status_code == 410
    assert b"This link has expired" in posted.content
    member.refresh_from_db()
    assert member.email == "dan@a.test"


def test_a_newer_request_makes_the_older_link_expire(
    member, admin, django_capture_on_commit_callbacks
):
    first = request_change(member, admin, django_capture_on_commit_callbacks)
    request_change(member, admin, django_capture_on_commit_callbacks, new_email="dan@b.test")

    with pytest.raises(EmailChangeRefused) as refused:
        user_email_change_confirm(token=email_change_token(first))

    assert refused.value.reason == "expired"
    member.refresh_from_db()
    assert member.email == "dan@a.test"


def test_asking_for_the_current_address_withdraws_a_pending_change(
    member, admin, django_capture_on_commit_callbacks
):
    change = request_change(member, admin, django_capture_on_commit_callbacks)

    assert user_email_change_request(user=member, new_email="DAN@a.test", by=admin) is None

    change.refresh_from_db()
    assert change.cancelled_at is not None


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "bm9uY2U:1tZ3:forged",  # the shape of a signed value, with a made-up signature
    ],
)
def test_a_tampered_link_is_refused_and_changes_nothing(
    client, member, admin, django_capture_on_commit_callbacks, token
):
    change = request_change(member, admin, django_capture_on_commit_callbacks)
    real = email_change_token(change)
    tampered = real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB")

    for attempt in (token, tampered):
        response = client.post(reverse("account:email_confirm", kwargs={"token": attempt}))
        assert response.status_code == 404
        assert b"This link is not valid" in response.content
    member.refresh_from_db()
    assert member.email == "dan@a.test"


def test_confirming_an_address_another_account_took_meanwhile_fails_cleanly(
    client, member, admin, django_capture_on_commit_callbacks
):
    change = request_change(member, admin, django_capture_on_commit_callbacks)
    UserFactory(email="dan@new.test")  # invited elsewhere after the change was asked for
    path = reverse("account:email_confirm", kwargs={"token": email_change_token(change)})

    response = client.post(path)

    assert response.status_code == 409
    assert b"Another account uses this e-mail address" in response.content
    member.refresh_from_db()
    assert member.email == "dan@a.test"
    change.refresh_from_db()
    assert change.confirmed_at is None


def test_a_link_for_an_account_terminated_since_changes_nothing(
    member, admin, django_capture_on_commit_callbacks
):
    change = request_change(member, admin, django_capture_on_commit_callbacks)
    user_terminate(user=member, by=admin)

    with pytest.raises(EmailChangeRefused) as refused:
        user_email_change_confirm(token=email_change_token(change))

    assert refused.value.reason == "expired"
    member.refresh_from_db()
    assert member.email == "dan@a.test"


def test_a_request_for_a_taken_address_looks_like_any_other(
    member, admin, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@a.test")

    change = request_change(member, admin, django_capture_on_commit_callbacks, "taken@a.test")

    assert change is not None
    assert sorted(m.to[0] for m in mailoutbox) == ["dan@a.test", "taken@a.test"]
    with pytest.raises(EmailChangeRefused) as refused:
        user_email_change_confirm(token=email_change_token(change))
    assert refused.value.reason == "taken"


def test_an_account_is_sent_at_most_five_links_a_day(
    member, admin, mailoutbox, django_capture_on_commit_callbacks
):
    for n in range(5):
        request_change(member, admin, django_capture_on_commit_callbacks, f"dan{n}@new.test")
    mailoutbox.clear()

    with pytest.raises(ValidationError) as refused:
        request_change(member, admin, django_capture_on_commit_callbacks, "dan5@new.test")

    assert "Too many" in str(refused.value)
    assert mailoutbox == []
    assert not EmailChange.objects.filter(new_email="dan5@new.test").exists()
    other = UserFactory(organisation=admin.organisation)
    assert request_change(other, admin, django_capture_on_commit_callbacks, "dan5@new.test")


def test_only_the_users_managers_or_the_user_may_ask(member, admin):
    stranger_admin = ClientAdminFactory()  # of another organisation
    colleague = UserFactory(organisation=admin.organisation)

    for outsider in (stranger_admin, colleague):
        with pytest.raises(PermissionDenied):
            user_email_change_request(user=member, new_email="x@a.test", by=outsider)
    with pytest.raises(ValidationError):
        user_email_change_request(user=member, new_email="not an address", by=member)
    assert not EmailChange.objects.exists()


# --- The console -------------------------------------------------------------------------------


def test_the_console_saves_details_at_once_but_only_asks_for_a_new_address(
    client, verified_client, member, admin, mailoutbox, django_capture_on_commit_callbacks
):
    verified_client(admin)
    edit = reverse("console:user-edit", kwargs={"pk": member.pk})
    assert client.get(edit).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit, {"full_name": "Daniel Member", "job_title": "Lead", "email": "Dan@New.test"}
        )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.job_title, member.email) == (
        "Daniel Member",
        "Lead",
        "dan@a.test",
    )
    assert sorted(m.to[0] for m in mailoutbox) == ["dan@a.test", "dan@new.test"]
    detail = client.get(reverse("console:user", kwargs={"pk": member.pk})).content.decode()
    assert "A confirmation link was sent to dan@new.test" in detail
    assert "Change to dan@new.test awaiting confirmation" in detail

    path = confirm_path(next(m for m in mailoutbox if m.to == ["dan@new.test"]))
    client.post(path)
    member.refresh_from_db()
    assert member.email == "dan@new.test"


def test_the_console_does_not_edit_the_admins_own_account(client, verified_client, admin):
    verified_client(admin)

    response = client.get(reverse("console:user-edit", kwargs={"pk": admin.pk}))

    assert response.status_code == 404


def test_the_back_office_shows_a_pending_change_on_the_persons_page(
    client, verified_client, member, admin, django_capture_on_commit_callbacks
):
    request_change(member, admin, django_capture_on_commit_callbacks)
    verified_client(DpoFactory())

    page = client.get(reverse("people:person", kwargs={"pk": member.pk})).content.decode()

    assert "Change to dan@new.test asked for on" in page


# --- One way only --------------------------------------------------------------------------------

PROJECT = Path(__file__).resolve().parents[2]
ASSIGNS_EMAIL = re.compile(r"\.email\s*=(?!=)|\.update\([^)]*\bemail\s*=")
# The model normalises the address it is given; the service is the one place that changes it.
MAY_ASSIGN = {"accounts/models.py", "accounts/services/email_changes.py"}


def test_only_the_email_change_service_assigns_an_accounts_address():
    """A new path (a form, SCIM, a command) that sets ``user.email`` must ask the service."""
    assigning = set()
    for path in PROJECT.rglob("*.py"):
        relative = path.relative_to(PROJECT).as_posix()
        if relative.split("/")[0] in {".venv", "tests", "bench"} or "/migrations/" in relative:
            continue
        if ASSIGNS_EMAIL.search(path.read_text()):
            assigning.add(relative)
    assert assigning == MAY_ASSIGN
