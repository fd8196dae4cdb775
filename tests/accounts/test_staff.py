"""Staff accounts (issue 14): the first DPO from create_staff, colleagues invited and off-boarded
at /backoffice/staff/, and off-boarding returning a person's open cases to the queues."""

import re
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import Invitation, Role, User
from accounts.services.staff import (
    LAST_DPO,
    NOT_INVITED,
    ONLY_THE_DPO,
    staff_invite,
    staff_offboard,
    staff_reinvite,
)
from audit.models import AuditEntry
from dsar.models import Channel, RequestEvent, RequestKind
from dsar.services.filing import rights_request_file
from dsar.services.steps import rights_request_assign, rights_request_complete
from enquiries.models import Enquiry
from enquiries.services import enquiry_assign, enquiry_close, enquiry_submit
from security.models import Investigation
from tests.conftest import otp_device_for
from tests.factories import (
    TEST_PASSWORD,
    ClientAdminFactory,
    DpoFactory,
    InvestigationFactory,
    StaffUserFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STAFF = "/backoffice/staff/"
INVITE = "/backoffice/staff/invite/"
LINK = re.compile(r"https?://\S+/accounts/invitation/\S+")


def offboard_url(person) -> str:
    return f"/backoffice/staff/{person.pk}/offboard/"


def reinvite_url(person) -> str:
    return f"/backoffice/staff/{person.pk}/reinvite/"


def actions(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def superuser(**fields):
    return StaffUserFactory(is_superuser=True, **fields)


def create_staff(*args) -> str:
    out = StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


# --- create_staff ------------------------------------------------------------------------


def test_create_staff_invites_the_first_dpo_and_prints_a_link_that_opens_the_invitation(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = create_staff("--email", " Dana@Example.TEST ", "--role", "dpo", "--name", "Dana")

    dana = User.objects.get(email="dana@example.test")
    assert (dana.role, dana.status, dana.organisation, dana.full_name) == (
        Role.DPO,
        User.Status.INVITED,
        None,
        "Dana",
    )
    assert not dana.has_usable_password()
    link = LINK.search(output).group(0)
    assert "Dana <dana@example.test> is invited as data protection officer." in output
    page = client.get(link.split("testserver", 1)[-1].removeprefix("http://localhost:8000"))
    assert page.status_code == 200
    assert "Choose a password" in page.content.decode()
    # The link was e-mailed too.
    assert [mail.to for mail in mailoutbox] == [["dana@example.test"]]
    entry = actions("staff.invite")[0]
    assert (entry.actor_id, entry.actor_label, entry.details) == (None, "system", {"role": "dpo"})


def test_create_staff_names_support_after_the_address_when_no_name_is_given():
    create_staff("--email", "sam@example.test", "--role", "support")
    sam = User.objects.get(email="sam@example.test")
    assert (sam.full_name, sam.role) == ("sam", Role.SUPPORT)


def test_create_staff_again_issues_a_fresh_link_and_the_old_one_stops_working(client):
    first = LINK.search(create_staff("--email", "dana@example.test", "--role", "dpo")).group(0)

    second = LINK.search(create_staff("--email", "dana@example.test", "--again")).group(0)

    assert first != second
    path = lambda link: "/" + link.split("/", 3)[3]  # noqa: E731
    assert "Choose a password" not in client.get(path(first)).content.decode()
    assert "Choose a password" in client.get(path(second)).content.decode()
    assert Invitation.objects.filter(user__email="dana@example.test").count() == 2
    assert actions("staff.reinvite")[0].actor_label == "system"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "x@example.test", "--role", "admin"], "--role must be one of: dpo, support."),
        (["--email", "x@example.test"], "--role must be one of: dpo, support."),
        (["--email", "not-an-address", "--role", "dpo"], "Enter a valid email address."),
        (["--email", "", "--role", "dpo"], "This field cannot be blank."),
    ],
)
def test_create_staff_refuses_bad_input_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        create_staff(*args)
    assert not User.objects.exists()


@pytest.mark.parametrize("existing", [UserFactory, SupportFactory], ids=["member", "staff"])
def test_create_staff_refuses_a_taken_address_without_saying_whose_it_is(existing):
    taken = existing(email="taken@example.test")

    with pytest.raises(CommandError) as refused:
        create_staff("--email", "TAKEN@example.test", "--role", "dpo")

    assert str(refused.value) == (
        "An account already uses this e-mail address. "
        "To send a staff member's link again, add --again."
    )
    assert taken.full_name not in str(refused.value)
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "make", [lambda: None, lambda: SupportFactory(email="dana@example.test"), UserFactory]
)
def test_create_staff_again_refuses_anyone_who_is_not_staff_awaiting_an_invitation(make):
    person = make()
    email = person.email if person else "dana@example.test"
    if person is not None and person.role not in (Role.DPO, Role.SUPPORT):
        person.status = User.Status.INVITED
        person.save()

    with pytest.raises(CommandError, match="No staff member with this e-mail address is awaiting"):
        create_staff("--email", email, "--again")
    assert not Invitation.objects.exists()


# --- The services' rules ------------------------------------------------------------------


@pytest.mark.parametrize("make_actor", [SupportFactory, ClientAdminFactory, UserFactory])
def test_only_the_dpo_or_a_superuser_invites_staff(make_actor):
    with pytest.raises(PermissionDenied, match=re.escape(ONLY_THE_DPO)):
        staff_invite(email="new@example.test", full_name="New", role="support", by=make_actor())
    assert not User.objects.filter(email="new@example.test").exists()


def test_a_superuser_with_the_support_role_invites_and_off_boards():
    boss = superuser(role=Role.SUPPORT)
    DpoFactory()
    colleague = staff_invite(email="n@example.test", full_name="Nia", role="dpo", by=boss)
    staff_offboard(user=colleague, by=boss)
    colleague.refresh_from_db()
    assert colleague.status == User.Status.TERMINATED


def test_staff_are_dpo_or_support_only():
    with pytest.raises(ValidationError) as refused:
        staff_invite(email="n@example.test", full_name="N", role=Role.CLIENT_ADMIN, by=DpoFactory())
    assert refused.value.message_dict == {
        "role": ["Staff are data protection officers or support."]
    }


def test_staff_reinvite_applies_only_to_a_staff_member_still_invited():
    dpo = DpoFactory()
    with pytest.raises(ValidationError, match=re.escape(NOT_INVITED)):
        staff_reinvite(user=SupportFactory(), by=dpo)
    with pytest.raises(PermissionDenied, match=re.escape("This is not a staff account.")):
        staff_reinvite(user=UserFactory(status=User.Status.INVITED), by=dpo)


@pytest.mark.parametrize("make_actor", [SupportFactory, ClientAdminFactory])
def test_support_and_client_admins_cannot_off_board_staff(make_actor):
    DpoFactory()
    colleague = SupportFactory()
    with pytest.raises(PermissionDenied, match=re.escape(ONLY_THE_DPO)):
        staff_offboard(user=colleague, by=make_actor())
    colleague.refresh_from_db()
    assert colleague.status == User.Status.ACTIVE


def test_nobody_off_boards_themselves():
    dpo, _other = DpoFactory(), DpoFactory()
    with pytest.raises(PermissionDenied, match="You cannot off-board yourself"):
        staff_offboard(user=dpo, by=dpo)


def test_the_last_active_dpo_cannot_be_off_boarded():
    dpo = DpoFactory()
    # An invited or suspended DPO is no DPO at work: it does not count.
    DpoFactory(status=User.Status.INVITED)
    DpoFactory(status=User.Status.SUSPENDED)

    with pytest.raises(ValidationError) as refused:
        staff_offboard(user=dpo, by=superuser(role=Role.SUPPORT))

    assert refused.value.messages == [LAST_DPO]
    dpo.refresh_from_db()
    assert dpo.status == User.Status.ACTIVE
    assert not actions("staff.offboard")


def test_a_dpo_off_boards_another_dpo_when_one_remains():
    dpo, leaving = DpoFactory(), DpoFactory()
    staff_offboard(user=leaving, by=dpo)
    leaving.refresh_from_db()
    assert leaving.status == User.Status.TERMINATED


def test_only_a_superuser_off_boards_a_superuser():
    DpoFactory()
    root = superuser()
    with pytest.raises(
        PermissionDenied, match=re.escape("Only a superuser off-boards a superuser.")
    ):
        staff_offboard(user=root, by=DpoFactory())
    staff_offboard(user=root, by=superuser())


def test_staff_offboard_refuses_a_client_account():
    with pytest.raises(PermissionDenied, match=re.escape("This is not a staff account.")):
        staff_offboard(user=ClientAdminFactory(), by=DpoFactory())


def test_an_invited_colleague_is_off_boarded_and_their_link_stops_working(client):
    dpo = DpoFactory()
    invited = staff_invite(email="n@example.test", full_name="Nia", role="support", by=dpo)

    staff_offboard(user=invited, by=dpo)

    assert invited.invitations.get().revoked_at is not None
    with pytest.raises(
        ValidationError, match=re.escape("A terminated account cannot be terminated.")
    ):
        staff_offboard(user=invited, by=dpo)


# --- Off-boarding returns the open cases -----------------------------------------------------


def a_request(*, assignee, by):
    request = rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Ann Able",
        requester_email="ann@example.test",
        channel=Channel.EMAIL,
        filed_by=by,
        verified=True,
    )
    return rights_request_assign(request=request, assignee=assignee, by=by)


def an_enquiry(*, assignee, by):
    enquiry = enquiry_submit(
        name="Pat", email="pat@example.test", subject="Pricing", message="How much?"
    )
    return enquiry_assign(enquiry=enquiry, assignee=assignee, by=by)


def test_off_boarding_returns_open_cases_to_the_queues_and_leaves_closed_ones_alone(
    verified_client,
):
    """GIVEN a support agent with open and closed cases in all three queues, logged in
    WHEN the DPO off-boards them
    THEN the account is terminated and logged out, the open cases have no assignee (each with
    an audit entry, and a step on the request's timeline), the closed ones still name them."""
    dpo, leaving, colleague = (
        DpoFactory(),
        SupportFactory(full_name="Lee Leaving"),
        SupportFactory(),
    )
    open_request = a_request(assignee=leaving, by=dpo)
    done_request = rights_request_complete(
        request=a_request(assignee=leaving, by=dpo), outcome="Sent.", by=dpo
    )
    others_request = a_request(assignee=colleague, by=dpo)
    open_investigation = InvestigationFactory(assignee=leaving)
    closed_investigation = InvestigationFactory(
        assignee=leaving, status=Investigation.Status.CLOSED
    )
    open_enquiry = an_enquiry(assignee=leaving, by=dpo)
    closed_enquiry = enquiry_close(enquiry=an_enquiry(assignee=leaving, by=dpo), by=dpo)
    session = verified_client(leaving, client=Client())
    assert session.get("/backoffice/").status_code == 200

    staff_offboard(user=leaving, by=dpo)

    leaving.refresh_from_db()
    assert leaving.status == User.Status.TERMINATED
    assert leaving.terminated_by == dpo
    assert session.get("/backoffice/")["Location"].startswith("/accounts/login/")
    for case in (open_request, open_investigation, open_enquiry):
        case.refresh_from_db()
        assert case.assignee_id is None, case
    for case in (done_request, closed_investigation, closed_enquiry):
        case.refresh_from_db()
        assert case.assignee_id == leaving.pk, case
    others_request.refresh_from_db()
    assert others_request.assignee_id == colleague.pk
    assert [e.target_id for e in actions("rights_request.return_to_queue")] == [
        str(open_request.pk)
    ]
    assert [e.target_id for e in actions("investigation.return_to_queue")] == [
        str(open_investigation.pk)
    ]
    assert [e.target_id for e in actions("enquiry.return_to_queue")] == [str(open_enquiry.pk)]
    assert all(
        e.actor_id == dpo.pk for e in AuditEntry.objects.filter(action__endswith="return_to_queue")
    )
    assert RequestEvent.objects.filter(
        request=open_request, body="Returned to the queue: Lee Leaving left the team."
    ).exists()
    offboard = actions("staff.offboard")[0]
    assert (offboard.actor_id, offboard.target_id) == (dpo.pk, str(leaving.pk))
    assert actions("user.terminate")[0].target_id == str(leaving.pk)


def test_a_refused_off_boarding_returns_nothing():
    dpo = DpoFactory()
    enquiry = an_enquiry(assignee=dpo, by=dpo)
    with pytest.raises(ValidationError):
        staff_offboard(user=dpo, by=superuser(role=Role.SUPPORT))
    enquiry.refresh_from_db()
    assert enquiry.assignee_id == dpo.pk
    assert not actions("enquiry.return_to_queue")


# --- The back-office pages -------------------------------------------------------------------


def test_the_staff_list_shows_each_colleague_and_is_audited(client, verified_client):
    dpo = DpoFactory(full_name="Dee Pio", email="dee@example.test")
    verified_client(dpo)
    SupportFactory(full_name="Sam Support", email="sam@example.test")
    SupportFactory(full_name="Ivy Invited", status=User.Status.INVITED)
    SupportFactory(full_name="Tom Gone", status=User.Status.TERMINATED)
    UserFactory(full_name="Clara Client")

    page = client.get(STAFF).content.decode()

    for shown in ("Dee Pio", "dee@example.test", "Sam Support", "Ivy Invited", "Support"):
        assert shown in page
    assert "Data protection officer" in page
    assert "Tom Gone" not in page and "Clara Client" not in page
    # Dee is verified with an authenticator; Sam has none.
    assert "Enrolled" in page and "Not enrolled" in page
    assert "Never" in page
    assert "Invite a colleague" in page
    assert reinvite_url(User.objects.get(full_name="Ivy Invited")) in page
    assert offboard_url(User.objects.get(full_name="Sam Support")) in page
    assert offboard_url(dpo) not in page
    assert "Tom Gone" in client.get(f"{STAFF}?status=terminated").content.decode()
    assert actions("staff.list_view")[0].actor_id == dpo.pk


def test_support_sees_the_list_without_the_buttons(client, verified_client):
    verified_client(SupportFactory())
    colleague = SupportFactory(full_name="Sam Support")

    page = client.get(STAFF).content.decode()

    assert "Sam Support" in page
    assert "Invite a colleague" not in page
    assert offboard_url(colleague) not in page


def test_the_staff_list_query_count_does_not_grow_with_its_rows(
    client, verified_client, django_assert_num_queries
):
    verified_client(DpoFactory())
    # session, user, OTP device, count, one page of staff (MFA as an EXISTS), and the audit
    # entry: the savepoint, its lock, the chain head, the insert, the savepoint's release.
    with django_assert_num_queries(10):
        assert client.get(STAFF).status_code == 200
    for n in range(30):
        SupportFactory(email=f"s{n}@example.test", status=User.Status.INVITED)
    with django_assert_num_queries(10):
        response = client.get(STAFF)
    assert len(response.context["page"]) == 25
    assert "page=2" in response.content.decode()


def test_the_dpo_invites_a_colleague_with_their_password(
    client, verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    dpo = DpoFactory()
    verified_client(dpo)
    form = client.get(INVITE)
    assert form.status_code == 200
    assert actions("staff.invite_view")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INVITE,
            {
                "full_name": "Nia New",
                "email": "Nia@Example.test",
                "role": "support",
                "password": TEST_PASSWORD,
            },
            follow=True,
        )

    nia = User.objects.get(email="nia@example.test")
    assert (nia.role, nia.status, nia.organisation_id) == (Role.SUPPORT, "invited", None)
    assert response.redirect_chain[-1][0] == STAFF
    assert "Nia New is invited as support: the link was e-mailed to nia@example.test." in (
        response.content.decode()
    )
    assert [mail.to for mail in mailoutbox] == [["nia@example.test"]]
    entry = actions("staff.invite")[0]
    assert (entry.actor_id, entry.target_id) == (dpo.pk, str(nia.pk))


@pytest.mark.parametrize(
    ("posted", "field", "error"),
    [
        ({"password": ""}, "password", "This field is required."),
        ({"password": "not my password"}, "password", "That is not your password."),
        ({"email": "nope"}, "email", "Enter a valid email address."),
        ({"email": "taken@example.test"}, "email", "An account already uses this e-mail address."),
        ({"role": "client_admin"}, "role", "Select a valid choice."),
        ({"full_name": "  "}, "full_name", "This field is required."),
    ],
)
def test_a_bad_invitation_shows_the_error_on_its_field(
    client, verified_client, posted, field, error
):
    verified_client(DpoFactory())
    UserFactory(email="taken@example.test")
    data = {"full_name": "N", "email": "n@example.test", "role": "dpo", "password": TEST_PASSWORD}

    response = client.post(INVITE, {**data, **posted})

    assert response.status_code == 400
    assert error in " ".join(response.context["form"].errors[field])
    assert not User.objects.filter(email="n@example.test").exists()
    assert not actions("staff.invite")


def test_the_dpo_sends_an_invitation_again_from_the_list(client, verified_client):
    dpo = DpoFactory()
    verified_client(dpo)
    invited = staff_invite(email="n@example.test", full_name="Nia", role="support", by=dpo)
    first = invited.invitations.get()

    response = client.post(reinvite_url(invited), follow=True)

    assert "A new invitation link was e-mailed to n@example.test." in response.content.decode()
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert invited.invitations.count() == 2
    assert actions("staff.reinvite")[0].actor_id == dpo.pk


def test_sending_an_active_colleague_an_invitation_is_refused_with_a_message(
    client, verified_client
):
    verified_client(DpoFactory())
    response = client.post(reinvite_url(SupportFactory()), follow=True)
    assert NOT_INVITED in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_dpo_off_boards_a_colleague_after_giving_their_password(client, verified_client):
    dpo = DpoFactory()
    verified_client(dpo)
    leaving = SupportFactory(full_name="Lee Leaving")
    an_enquiry(assignee=leaving, by=dpo)

    page = client.get(offboard_url(leaving))
    assert page.status_code == 200
    assert "1 enquiry" in page.content.decode()
    assert "0 rights requests" in page.content.decode()
    assert actions("staff.offboard_view")[0].target_id == str(leaving.pk)

    wrong = client.post(offboard_url(leaving), {"password": "wrong password here"})
    assert wrong.status_code == 400
    assert "That is not your password." in wrong.content.decode()
    leaving.refresh_from_db()
    assert leaving.status == User.Status.ACTIVE

    done = client.post(offboard_url(leaving), {"password": TEST_PASSWORD}, follow=True)

    assert done.redirect_chain[-1][0] == STAFF
    assert "Lee Leaving is off-boarded" in done.content.decode()
    leaving.refresh_from_db()
    assert leaving.status == User.Status.TERMINATED
    assert not Enquiry.objects.filter(assignee=leaving).exists()


def test_the_page_says_why_the_last_dpo_cannot_be_off_boarded(client, verified_client):
    boss = superuser(role=Role.SUPPORT)
    verified_client(boss)
    dpo = DpoFactory()

    response = client.post(offboard_url(dpo), {"password": TEST_PASSWORD})

    assert response.status_code == 400
    assert LAST_DPO in response.content.decode()
    dpo.refresh_from_db()
    assert dpo.status == User.Status.ACTIVE


def test_a_client_account_is_not_found_on_the_staff_pages(client, verified_client):
    verified_client(DpoFactory())
    member = UserFactory()
    assert client.get(offboard_url(member)).status_code == 404
    assert client.post(reinvite_url(member)).status_code == 404


@pytest.mark.parametrize("url", [INVITE, "/backoffice/staff/1/offboard/"])
def test_support_is_refused_the_invitation_and_off_boarding_pages(client, verified_client, url):
    verified_client(SupportFactory())
    DpoFactory()
    assert client.get(url).status_code == 403
    response = client.post(url, {"full_name": "N", "email": "n@example.test", "role": "dpo"})
    assert response.status_code == 403
    assert not User.objects.filter(email="n@example.test").exists()


@pytest.mark.parametrize("make_user", [ClientAdminFactory, UserFactory])
def test_client_admins_and_members_are_refused_the_staff_list(client, verified_client, make_user):
    verified_client(make_user())
    assert client.get(STAFF).status_code == 403


@pytest.mark.parametrize("make_user", [DpoFactory, SupportFactory, superuser])
@pytest.mark.parametrize("url", [STAFF, INVITE])
def test_staff_must_enrol_mfa_before_the_staff_pages(client, make_user, url):
    """Logged in with the password alone (no authenticator yet): sent to enrolment."""
    person = make_user()
    response = client.post(
        "/accounts/login/", {"username": person.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/enrol/")


def test_staff_with_an_authenticator_must_verify_it_before_the_staff_pages(client):
    dpo = DpoFactory()
    otp_device_for(dpo)
    client.post("/accounts/login/", {"username": dpo.email, "password": TEST_PASSWORD})

    response = client.get(STAFF)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/verify/")
    assert not actions("staff.list_view")
