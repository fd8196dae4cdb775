"""The account life-cycle services: who may do what, what changes, what is audited and sent."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.email_links import invitation_token
from accounts.models import Invitation, Role, User
from accounts.services.invitations import (
    invitation_accept,
    invitation_from_token,
    user_invite,
    user_reinvite,
)
from accounts.services.users import (
    EmailTaken,
    InvalidTransition,
    user_change_role,
    user_reactivate,
    user_rectify,
    user_suspend,
    user_terminate,
)
from audit.models import AuditEntry
from tests.factories import ClientAdminFactory, DpoFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def actions_on(user):
    return list(
        AuditEntry.objects.filter(target_id=str(user.pk), target_type="accounts.User")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_client_admin_invites_into_their_own_organisation(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = ClientAdminFactory()
    with django_capture_on_commit_callbacks(execute=True):
        user = user_invite(
            organisation=admin.organisation,
            email=" New.Person@Example.TEST ",
            full_name="New Person",
            by=admin,
        )
    assert user.email == "new.person@example.test"
    assert user.status == User.Status.INVITED
    assert not user.has_usable_password()
    assert actions_on(user) == ["user.invite"]
    assert mailoutbox[0].to == ["new.person@example.test"]
    assert "/accounts/invitation/" in mailoutbox[0].body


def test_a_client_admin_cannot_invite_into_another_organisation():
    admin = ClientAdminFactory()
    with pytest.raises(PermissionDenied):
        user_invite(
            organisation=OrganisationFactory(), email="x@example.test", full_name="X", by=admin
        )


def test_inviting_an_email_that_exists_in_any_case_is_refused():
    admin = ClientAdminFactory()
    UserFactory(email="taken@example.test")
    with pytest.raises(EmailTaken):
        user_invite(
            organisation=admin.organisation, email="TAKEN@example.test", full_name="T", by=admin
        )


def test_an_organisation_user_cannot_be_invited_as_staff():
    admin = ClientAdminFactory()
    with pytest.raises(ValidationError):
        user_invite(
            organisation=admin.organisation,
            email="x@example.test",
            full_name="X",
            role=Role.DPO,
            by=admin,
        )


def test_an_invitation_link_works_once_and_for_72_hours():
    admin = ClientAdminFactory()
    user = user_invite(
        organisation=admin.organisation, email="x@example.test", full_name="X", by=admin
    )
    token = invitation_token(user.invitations.get())
    invitation, problem = invitation_from_token(token)
    assert problem == ""

    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        assert invitation_from_token(token)[1] == "expired"

    invitation_accept(invitation=invitation, password="a long unusual passphrase 42")
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE
    assert user.check_password("a long unusual passphrase 42")
    assert invitation_from_token(token)[1] == "used"
    with pytest.raises(InvalidTransition):
        invitation_accept(invitation=invitation, password="another long passphrase 43")


def test_a_tampered_invitation_link_is_invalid():
    assert invitation_from_token("not-a-token") == (None, "invalid")


def test_a_weak_password_is_refused_when_accepting():
    admin = ClientAdminFactory()
    user = user_invite(
        organisation=admin.organisation, email="x@example.test", full_name="X", by=admin
    )
    with pytest.raises(ValidationError):
        invitation_accept(invitation=user.invitations.get(), password="password")
    user.refresh_from_db()
    assert user.status == User.Status.INVITED


def test_a_new_invitation_voids_the_old_link():
    admin = ClientAdminFactory()
    user = user_invite(
        organisation=admin.organisation, email="x@example.test", full_name="X", by=admin
    )
    old_token = invitation_token(user.invitations.get())
    user_reinvite(user=user, by=admin)
    assert invitation_from_token(old_token)[1] == "expired"
    assert Invitation.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_suspension_needs_a_reason_and_is_audited_and_sent(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = ClientAdminFactory()
    member = UserFactory(organisation=admin.organisation)
    with pytest.raises(ValidationError):
        user_suspend(user=member, reason="  ", by=admin)
    with django_capture_on_commit_callbacks(execute=True):
        user_suspend(user=member, reason="Left the project", by=admin)
    member.refresh_from_db()
    assert member.status == User.Status.SUSPENDED
    assert member.suspended_by == admin
    assert not member.is_active
    assert "Left the project" in mailoutbox[0].body
    assert actions_on(member) == ["user.suspend"]


def test_reactivate_and_terminate_follow_the_life_cycle():
    admin = ClientAdminFactory()
    member = UserFactory(organisation=admin.organisation)
    with pytest.raises(InvalidTransition):
        user_reactivate(user=member, by=admin)
    user_suspend(user=member, reason="Investigating", by=admin)
    user_reactivate(user=member, by=admin)
    user_terminate(user=member, by=admin)
    member.refresh_from_db()
    assert member.status == User.Status.TERMINATED
    assert member.terminated_at is not None
    with pytest.raises(InvalidTransition):
        user_suspend(user=member, reason="again", by=admin)
    assert actions_on(member) == ["user.suspend", "user.reactivate", "user.terminate"]


def test_a_client_admin_cannot_act_on_another_organisations_users_or_themselves():
    admin = ClientAdminFactory()
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        user_suspend(user=outsider, reason="x", by=admin)
    with pytest.raises(PermissionDenied):
        user_terminate(user=admin, by=admin)
    outsider.refresh_from_db()
    assert outsider.status == User.Status.ACTIVE


def test_a_member_cannot_manage_anyone():
    member = UserFactory()
    colleague = UserFactory(organisation=member.organisation)
    with pytest.raises(PermissionDenied):
        user_suspend(user=colleague, reason="x", by=member)


def test_the_dpo_can_manage_users_of_any_organisation():
    member = UserFactory()
    user_suspend(user=member, reason="Suspicious activity", by=DpoFactory())
    member.refresh_from_db()
    assert member.status == User.Status.SUSPENDED


def test_rectification_changes_the_fields_and_audits_only_their_names():
    admin = ClientAdminFactory()
    member = UserFactory(organisation=admin.organisation, full_name="Jon Smith")
    user_rectify(user=member, by=admin, full_name="John Smith", job_title="Lead")
    member.refresh_from_db()
    assert (member.full_name, member.job_title) == ("John Smith", "Lead")
    entry = AuditEntry.objects.get(action="user.rectify")
    assert entry.details == {"fields": ["full_name", "job_title"]}
    assert "John" not in str(entry.details)


def test_rectification_never_changes_the_email_address():
    admin = ClientAdminFactory()
    member = UserFactory(organisation=admin.organisation, email="jon@example.test")
    with pytest.raises(ValidationError) as refused:
        user_rectify(user=member, by=admin, email="other@example.test")
    assert "email" in refused.value.message_dict
    member.refresh_from_db()
    assert member.email == "jon@example.test"


def test_role_changes_stay_within_organisation_roles():
    admin = ClientAdminFactory()
    member = UserFactory(organisation=admin.organisation)
    user_change_role(user=member, role=Role.CLIENT_ADMIN, by=admin)
    member.refresh_from_db()
    assert member.role == Role.CLIENT_ADMIN
    assert member.mfa_required
    with pytest.raises(ValidationError):
        user_change_role(user=member, role=Role.DPO, by=admin)
    entry = AuditEntry.objects.get(action="user.role_change")
    assert entry.details == {"from": "member", "to": "client_admin"}


def test_support_cannot_reset_mfa_but_the_dpo_and_the_client_admin_can():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.services.users import user_reset_mfa
    from tests.factories import SupportFactory

    admin = ClientAdminFactory()
    member = UserFactory(organisation=admin.organisation)
    TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    with pytest.raises(PermissionDenied):
        user_reset_mfa(user=member, by=SupportFactory())
    assert TOTPDevice.objects.filter(user=member).exists()
    user_reset_mfa(user=member, by=DpoFactory())
    assert not TOTPDevice.objects.filter(user=member).exists()
    user_reset_mfa(user=member, by=admin)  # nothing left to remove, still allowed
