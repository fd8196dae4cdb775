"""Client organisations: staff create them, set their e-mail domains, close them at the
contract's end (every account ended, keys revoked, admins told, retention from the closure,
legal holds still win) and reopen them while their data is still held."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, Organisation, OrganisationAPIKey, Role, User
from accounts.services.invitations import user_invite, user_reinvite
from accounts.services.organisations import (
    organisation_close,
    organisation_create,
    organisation_reopen,
    organisation_set_email_domains,
)
from accounts.services.users import InvalidTransition, user_suspend, user_terminate
from audit.models import AuditEntry
from communications.models import CommunicationPreferences
from communications.selectors import may_send_marketing
from retention.models import RetentionPolicy
from retention.services import schedule
from retention.services.purge import purge_category
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
    api_key_for,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)


def close(organisation, by, **overrides):
    arguments = {"reason": "Contract ended", "effective_on": timezone.localdate(), **overrides}
    return organisation_close(organisation=organisation, by=by, **arguments)


# --- Creating -----------------------------------------------------------------------------


def test_staff_create_an_organisation_and_its_first_admin_gets_the_usual_link(
    mailoutbox, django_capture_on_commit_callbacks
):
    support = SupportFactory()
    with django_capture_on_commit_callbacks(execute=True):
        organisation, invitation = organisation_create(
            name="  Northwind   Traders ",
            admin_email="Ops@Northwind.example",
            admin_name="Nora Wind",
            mfa_required=True,
            by=support,
        )
    assert organisation.name == "Northwind Traders"
    assert organisation.slug == "northwind-traders"
    assert organisation.mfa_required
    admin = invitation.user
    assert (admin.email, admin.full_name, admin.role, admin.status) == (
        "ops@northwind.example",
        "Nora Wind",
        Role.CLIENT_ADMIN,
        User.Status.INVITED,
    )
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(hours=72)
    assert mailoutbox[0].to == ["ops@northwind.example"]
    assert "/accounts/invitation/" in mailoutbox[0].body
    create = AuditEntry.objects.get(action="organisation.create")
    assert create.actor == support and create.target_id == str(organisation.pk)
    assert AuditEntry.objects.filter(action="user.invite", target_id=str(admin.pk)).exists()


def test_a_second_organisation_of_a_similar_name_gets_its_own_slug():
    dpo = DpoFactory()
    first, _ = organisation_create(name="Acme", admin_email="a@acme.example", by=dpo)
    OrganisationFactory(name="Other", slug="acme-2")
    second, _ = organisation_create(name="Acme!", admin_email="b@acme.example", by=dpo)
    assert (first.slug, second.slug) == ("acme", "acme-3")


def test_the_system_creates_organisations_and_the_trail_says_so():
    _, invitation = organisation_create(
        name="Command Line Ltd", admin_email="first@cli.example", by=None
    )
    entry = AuditEntry.objects.get(action="organisation.create")
    assert entry.actor is None and entry.actor_label == "system"
    assert invitation.invited_by is None
    assert invitation.user.full_name == "first"  # no name given: the address's local part


@pytest.mark.parametrize(
    ("name", "email", "field", "message"),
    [
        ("   ", "ok@example.test", "name", "Give the organisation's name."),
        ("Fine Ltd", "not-an-address", "admin_email", "Enter a valid e-mail address."),
        ("Taken Ltd", "TAKEN@example.test", "admin_email", "already exists"),
        ("existing ltd", "new@example.test", "name", "already exists"),
    ],
)
def test_bad_input_creates_nothing(name, email, field, message):
    UserFactory(email="taken@example.test")
    OrganisationFactory(name="Existing Ltd")
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as error:
        organisation_create(name=name, admin_email=email, by=DpoFactory())
    assert message in " ".join(error.value.message_dict[field])
    assert Organisation.objects.count() == before


def test_client_admins_and_members_cannot_create_organisations():
    for actor in (ClientAdminFactory(), UserFactory()):
        with pytest.raises(PermissionDenied):
            organisation_create(name="Sneaky Ltd", admin_email="s@sneaky.example", by=actor)
    assert not Organisation.objects.filter(name="Sneaky Ltd").exists()


# --- E-mail domains ----------------------------------------------------------------------


def test_staff_set_the_domains_lower_cased_without_duplicates_and_audited():
    organisation = OrganisationFactory()
    organisation_set_email_domains(
        organisation=organisation,
        domains=["Example.CO.UK", "@group.example", "example.co.uk", " "],
        by=SupportFactory(),
    )
    organisation.refresh_from_db()
    assert organisation.allowed_email_domains == ["example.co.uk", "group.example"]
    entry = AuditEntry.objects.get(action="organisation.email_domains")
    assert entry.details == {"from": [], "to": ["example.co.uk", "group.example"]}


@pytest.mark.parametrize("bad", ["not a domain", "localhost", "exa_mple.com", "-bad.example"])
def test_a_domain_that_is_not_one_is_refused(bad):
    organisation = OrganisationFactory()
    with pytest.raises(ValidationError) as error:
        organisation_set_email_domains(organisation=organisation, domains=[bad], by=DpoFactory())
    assert "domains" in error.value.message_dict
    organisation.refresh_from_db()
    assert organisation.allowed_email_domains == []


def test_a_client_admin_cannot_set_the_domains():
    admin = ClientAdminFactory()
    with pytest.raises(PermissionDenied):
        organisation_set_email_domains(
            organisation=admin.organisation, domains=["x.example"], by=admin
        )


# --- Closing ------------------------------------------------------------------------------


def test_closing_ends_every_account_revokes_keys_and_tells_the_client_admins(
    mailoutbox, django_capture_on_commit_callbacks, verified_client
):
    dpo = DpoFactory()
    admin = ClientAdminFactory(email="admin@client.example")
    organisation = admin.organisation
    member = UserFactory(organisation=organisation, email="member@client.example")
    invited = UserFactory(organisation=organisation, status=User.Status.INVITED)
    user_invite(organisation=organisation, email="late@client.example", full_name="Late", by=admin)
    other = UserFactory()  # another organisation's user is untouched
    CommunicationPreferences.objects.create(user=member, product_updates=True)
    assert may_send_marketing(member, "product_updates")
    key, _ = api_key_for(organisation)
    browser = verified_client(member, client=Client())
    session_key = browser.session.session_key
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        close(organisation, dpo, reason="Contract not renewed")

    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.CLOSED
    assert organisation.closure_reason == "Contract not renewed"
    assert organisation.closed_by == dpo
    ended = User.objects.filter(organisation=organisation)
    assert set(ended.values_list("status", flat=True)) == {User.Status.TERMINATED}
    # The retention clock of every account the closure ended runs from the closing moment.
    assert set(ended.values_list("terminated_at", flat=True)) == {organisation.closed_at}
    assert User.objects.get(pk=other.pk).status == User.Status.ACTIVE
    assert not Session.objects.filter(session_key=session_key).exists()
    assert browser.get("/account/").status_code == 302  # logged out
    assert not Invitation.objects.filter(user__organisation=organisation, revoked_at=None).exists()
    assert OrganisationAPIKey.objects.get(pk=key.pk).revoked
    assert not may_send_marketing(member, "product_updates")
    assert [mail.to for mail in mailoutbox] == [["admin@client.example"]]
    assert "has been closed" in mailoutbox[0].subject
    assert organisation.name in mailoutbox[0].body
    entry = AuditEntry.objects.get(action="organisation.close")
    assert entry.details["accounts_ended"] == 4
    assert entry.details["api_keys_revoked"] == 1
    assert AuditEntry.objects.filter(action="user.terminate").count() == 4
    assert invited.pk in ended.values_list("pk", flat=True)


def test_an_account_ended_before_the_closure_keeps_its_own_clock():
    dpo = DpoFactory()
    organisation = OrganisationFactory()
    with time_machine.travel(NOW - datetime.timedelta(days=30), tick=False):
        left = UserFactory(organisation=organisation)
        ended_at = timezone.now()
        user_terminate(user=left, by=dpo)
    with time_machine.travel(NOW, tick=False):
        close(organisation, dpo)
    left.refresh_from_db()
    assert left.terminated_at == ended_at


@pytest.mark.parametrize(
    ("reason", "effective_on", "field", "message"),
    [
        ("", TODAY, "reason", "Give the reason"),
        ("Ended", None, "effective_on", "Give the date"),
        ("Ended", TODAY + datetime.timedelta(days=1), "effective_on", "cannot be in the future"),
    ],
)
def test_a_closure_needs_a_reason_and_a_date_not_in_the_future(
    reason, effective_on, field, message
):
    with time_machine.travel(NOW, tick=False):
        member = UserFactory()
        with pytest.raises(ValidationError) as error:
            organisation_close(
                organisation=member.organisation,
                reason=reason,
                effective_on=effective_on,
                by=DpoFactory(),
            )
    assert message in " ".join(error.value.message_dict[field])
    member.refresh_from_db()
    assert member.status == User.Status.ACTIVE
    assert member.organisation.status == Organisation.Status.ACTIVE


def test_only_staff_close_and_a_closed_organisation_is_not_closed_twice():
    admin = ClientAdminFactory()
    with pytest.raises(PermissionDenied):
        close(admin.organisation, admin)
    close(admin.organisation, SupportFactory())
    with pytest.raises(InvalidTransition, match="already closed"):
        close(admin.organisation, DpoFactory())


def test_a_closed_organisation_refuses_invitations_and_reinvitations():
    dpo = DpoFactory()
    organisation = OrganisationFactory(name="Gone Ltd")
    close(organisation, dpo)
    with pytest.raises(InvalidTransition, match="Gone Ltd is closed: it takes no invitations"):
        user_invite(organisation=organisation, email="new@gone.example", full_name="N", by=dpo)
    # Even an invited account (put back by hand, say) gets no new link.
    stray = UserFactory(organisation=organisation, status=User.Status.INVITED)
    with pytest.raises(InvalidTransition, match="takes no invitations"):
        user_reinvite(user=stray, by=dpo)
    assert not User.objects.filter(email="new@gone.example").exists()


# --- Retention after closure ------------------------------------------------------------------


def test_retention_runs_from_the_closure_and_a_legal_hold_still_wins():
    """GIVEN an organisation closed longer ago than the account retention period, one of its
    people under a legal hold WHEN the account purge runs THEN the others are erased and the
    held person's data survives; reopening is then refused with a clear message."""
    dpo = DpoFactory()
    days = RetentionPolicy.objects.get(category="account").days
    organisation = OrganisationFactory(name="Closed Long Ago Ltd")
    with time_machine.travel(NOW - datetime.timedelta(days=days + 5), tick=False):
        gone = UserFactory(organisation=organisation, email="gone@closed.example")
        held = UserFactory(organisation=organisation, email="held@closed.example")
        close(organisation, dpo)
    schedule.legal_hold_place(user=held, reason="Employment tribunal claim", by=dpo)

    with time_machine.travel(NOW - datetime.timedelta(days=10), tick=False):
        purge_category(category="account")
    assert User.objects.get(pk=gone.pk).email == "gone@closed.example"  # not yet due

    with time_machine.travel(NOW, tick=False):
        purge_category(category="account")
    assert User.objects.get(pk=gone.pk).email.endswith("@erased.invalid")
    assert User.objects.get(pk=held.pk).email == "held@closed.example"

    with pytest.raises(InvalidTransition) as error:
        organisation_reopen(organisation=organisation, by=dpo)
    assert "cannot be reopened: its data has been erased by the retention purge" in str(error.value)
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.CLOSED


def test_a_recently_closed_organisation_is_not_purged():
    dpo = DpoFactory()
    days = RetentionPolicy.objects.get(category="account").days
    with time_machine.travel(NOW - datetime.timedelta(days=days - 5), tick=False):
        member = UserFactory()
        close(member.organisation, dpo)
    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="account")
    assert run.counts == {}
    assert User.objects.get(pk=member.pk).email == member.email


# --- Reopening ----------------------------------------------------------------------------


def test_reopening_restores_the_accounts_and_invites_the_client_admins_again(
    mailoutbox, django_capture_on_commit_callbacks
):
    dpo = DpoFactory()
    admin = ClientAdminFactory(email="admin@back.example")
    organisation = admin.organisation
    member = UserFactory(organisation=organisation)
    suspended = UserFactory(organisation=organisation)
    user_suspend(user=suspended, reason="Left the team", by=admin)
    close(organisation, dpo)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        organisation_reopen(organisation=organisation, by=dpo)

    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE
    assert organisation.closed_at is None and organisation.closure_reason == ""
    statuses = dict(User.objects.filter(organisation=organisation).values_list("pk", "status"))
    assert statuses == {
        admin.pk: User.Status.INVITED,
        member.pk: User.Status.INVITED,
        suspended.pk: User.Status.SUSPENDED,
    }
    admin.refresh_from_db()
    assert admin.terminated_at is None
    assert not admin.has_usable_password()  # the old password no longer works
    assert [mail.to for mail in mailoutbox] == [["admin@back.example"]]
    assert "/accounts/invitation/" in mailoutbox[0].body
    assert Invitation.objects.filter(user=admin, revoked_at=None, accepted_at=None).count() == 1
    assert not Invitation.objects.filter(user=member, revoked_at=None).exists()
    assert AuditEntry.objects.filter(action="organisation.reopen").count() == 1
    assert AuditEntry.objects.filter(action="user.restore").count() == 3
    # Members come back through a new link their admin (or staff) sends.
    member.refresh_from_db()
    assert user_reinvite(user=member, by=dpo).is_usable


def test_an_open_organisation_is_not_reopened_and_only_staff_reopen():
    admin = ClientAdminFactory()
    with pytest.raises(InvalidTransition, match="is not closed"):
        organisation_reopen(organisation=admin.organisation, by=DpoFactory())
    close(admin.organisation, DpoFactory())
    with pytest.raises(PermissionDenied):
        organisation_reopen(organisation=admin.organisation, by=UserFactory())
