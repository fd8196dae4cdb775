"""manage.py create_organisation: the organisation, its first client admin's invitation link
printed and mailed, the system named in the audit trail, and clean errors for bad input."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import Invitation, Organisation, Role, User
from accounts.services.invitations import invitation_from_token
from audit.models import AuditEntry
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("create_organisation", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_organisation_and_prints_the_invitation_link(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        out = run(
            "--name", "Fabrikam Ltd", "--admin-email", "IT@Fabrikam.example",
            "--admin-name", "Fay Brik", "--mfa-required",
        )  # fmt: skip
    organisation = Organisation.objects.get(name="Fabrikam Ltd")
    assert organisation.mfa_required
    assert f"Organisation {organisation.pk}: Fabrikam Ltd (fabrikam-ltd)" in out
    assert "Two-step login is required of every user." in out
    invitation = Invitation.objects.get(user__email="it@fabrikam.example")
    # The printed link is a working one for this invitation (its signature is time-stamped).
    link = out.strip().splitlines()[-1]
    assert link.startswith(f"{settings.SITE_URL}/accounts/invitation/")
    assert invitation_from_token(link.rstrip("/").rsplit("/", 1)[1]) == (invitation, "")
    admin = invitation.user
    assert (admin.role, admin.status, admin.full_name) == (
        Role.CLIENT_ADMIN,
        User.Status.INVITED,
        "Fay Brik",
    )
    assert [mail.to for mail in mailoutbox] == [["it@fabrikam.example"]]
    entry = AuditEntry.objects.get(action="organisation.create")
    assert entry.actor is None and entry.actor_label == "system"


def test_without_mfa_required_it_says_nothing_of_it():
    out = run("--name", "Plain Ltd", "--admin-email", "a@plain.example")
    assert "Two-step login" not in out
    assert not Organisation.objects.get(name="Plain Ltd").mfa_required


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "New Ltd", "--admin-email", "taken@example.test"], "already exists"),
        (["--name", "   ", "--admin-email", "a@new.example"], "Give the organisation's name."),
        (["--name", "New Ltd", "--admin-email", "not an address"], "valid e-mail address"),
        (["--name", "Existing Ltd", "--admin-email", "a@new.example"], "name already exists"),
    ],
)
def test_bad_input_is_a_clean_error_and_creates_nothing(args, message):
    UserFactory(email="taken@example.test")
    OrganisationFactory(name="Existing Ltd")
    before = Organisation.objects.count()
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert Organisation.objects.count() == before
