import pytest
from django.urls import reverse

from audit.models import AuditEntry
from datamap import Subject, registry
from datamap.engines import erase_subject, export_subject
from enquiries.models import Enquiry, EnquiryReply
from enquiries.services import enquiry_reply, enquiry_submit
from tests.factories import ClientAdminFactory, DpoFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = reverse("enquiries:new")
QUEUE = reverse("backoffice-enquiries:list")


def public_post(client, **overrides):
    data = {
        "name": "Pat Public",
        "email": "Pat@Example.test",
        "subject": "Pricing",
        "message": "How much for 50 users?",
        **overrides,
    }
    return client.post(FORM, data, REMOTE_ADDR="203.0.113.9")


def an_enquiry(**fields):
    defaults = {
        "name": "Pat Public",
        "email": "pat@example.test",
        "subject": "Pricing",
        "message": "How much for 50 users?",
    }
    return enquiry_submit(**{**defaults, **fields})


# --- The form --------------------------------------------------------------------------------


def test_the_footer_links_to_the_contact_form(client):
    assert FORM in client.get(reverse("privacy")).content.decode()


def test_anyone_can_send_an_enquiry_without_an_account(client):
    page = client.get(FORM)
    assert page.status_code == 200
    assert 'name="email"' in page.content.decode()

    response = public_post(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:sent")
    enquiry = Enquiry.objects.get()
    assert (enquiry.name, enquiry.email) == ("Pat Public", "pat@example.test")
    assert enquiry.status == Enquiry.Status.OPEN
    assert enquiry.user is None


def test_a_logged_in_user_sends_with_the_name_and_address_of_their_account(client):
    user = UserFactory(full_name="Ann Able", email="ann@client.test")
    client.force_login(user)
    page = client.get(FORM).content.decode()
    assert 'name="email"' not in page
    assert "ann@client.test" in page

    response = client.post(
        FORM, {"subject": "Export", "message": "Where is the button?", "email": "x@evil.test"}
    )

    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert (enquiry.user, enquiry.name, enquiry.email) == (user, "Ann Able", "ann@client.test")


def test_an_incomplete_form_is_shown_again_with_its_errors(client):
    response = public_post(client, email="not-an-address", message="")
    assert response.status_code == 400
    assert not Enquiry.objects.exists()


def test_a_bot_filling_the_hidden_field_looks_accepted_but_nothing_is_kept(client):
    response = public_post(client, website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:sent")
    assert not Enquiry.objects.exists()


def test_too_many_enquiries_from_one_ip_are_refused_for_a_while(client, settings):
    settings.ENQUIRY_LIMIT_PER_IP = 2
    assert public_post(client).status_code == 302
    assert public_post(client, email="other@example.test").status_code == 302

    refused = public_post(client, email="third@example.test")

    assert refused.status_code == 429
    assert "several messages" in refused.content.decode()
    assert Enquiry.objects.count() == 2
    # Another IP is not held back.
    other = client.post(
        FORM,
        {"name": "B", "email": "b@example.test", "subject": "s", "message": "m"},
        REMOTE_ADDR="203.0.113.10",
    )
    assert other.status_code == 302


# --- The support queue -----------------------------------------------------------------------


@pytest.mark.parametrize("factory", [UserFactory, ClientAdminFactory])
def test_members_and_client_admins_cannot_open_the_queue(client, verified_client, factory):
    enquiry = an_enquiry()
    verified_client(factory())
    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("backoffice-enquiries:detail", args=[enquiry.pk])).status_code == 403
    reply = client.post(reverse("backoffice-enquiries:reply", args=[enquiry.pk]), {"body": "x"})
    assert reply.status_code == 403
    close = client.post(reverse("backoffice-enquiries:close", args=[enquiry.pk]))
    assert close.status_code == 403
    assert not EnquiryReply.objects.exists()


def test_staff_without_verified_mfa_are_sent_to_their_second_factor_first(client):
    client.force_login(SupportFactory())
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/")


@pytest.mark.parametrize("factory", [SupportFactory, DpoFactory])
def test_support_and_the_dpo_see_the_open_enquiries(client, verified_client, factory):
    an_enquiry(subject="Still open")
    done = an_enquiry(subject="All done")
    done.status = Enquiry.Status.CLOSED
    done.save()
    verified_client(factory())

    page = client.get(QUEUE).content.decode()

    assert "Still open" in page
    assert "All done" not in page
    assert "All done" in client.get(f"{QUEUE}?status=closed").content.decode()


def test_the_queue_query_count_does_not_grow_with_its_rows(
    client, verified_client, django_assert_num_queries
):
    verified_client(SupportFactory())
    an_enquiry()
    # session, user, OTP device, count, one page of enquiries.
    with django_assert_num_queries(5):
        assert client.get(QUEUE).status_code == 200
    for n in range(30):
        an_enquiry(email=f"p{n}@example.test")
    with django_assert_num_queries(5):
        response = client.get(QUEUE)
    assert len(response.context["page"]) == 25
    assert "page=2" in response.content.decode()


def test_viewing_an_enquiry_is_recorded_in_the_audit_trail(client, verified_client):
    support = SupportFactory()
    enquiry = an_enquiry(message="My phone number is 07700 900123")
    verified_client(support)

    page = client.get(reverse("backoffice-enquiries:detail", args=[enquiry.pk]))

    assert "07700 900123" in page.content.decode()
    entry = AuditEntry.objects.get(action="enquiry.view")
    assert (entry.actor, entry.target_id) == (support, str(enquiry.pk))


def test_a_reply_is_kept_and_sent_by_email_once(
    client, verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    support = SupportFactory()
    enquiry = an_enquiry()
    verified_client(support)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice-enquiries:reply", args=[enquiry.pk]),
            {"body": "It is £5 per user per month."},
        )

    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.ANSWERED
    reply = enquiry.replies.get()
    assert (reply.body, reply.sent_by) == ("It is £5 per user per month.", support)
    assert reply.sent_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["pat@example.test"]
    assert f"ENQ-{enquiry.pk}" in mailoutbox[0].subject
    assert "£5 per user" in mailoutbox[0].body
    assert AuditEntry.objects.filter(action="enquiry.reply", actor=support).exists()

    from enquiries.tasks import send_enquiry_reply

    send_enquiry_reply(reply.pk)  # a task run twice sends nothing more
    assert len(mailoutbox) == 1
    page = client.get(reverse("backoffice-enquiries:detail", args=[enquiry.pk])).content
    assert "£5 per user" in page.decode()


def test_an_empty_reply_is_refused(client, verified_client, mailoutbox):
    enquiry = an_enquiry()
    verified_client(SupportFactory())
    response = client.post(reverse("backoffice-enquiries:reply", args=[enquiry.pk]), {"body": ""})
    assert response.status_code == 400
    assert not EnquiryReply.objects.exists()
    assert mailoutbox == []


def test_closing_an_enquiry_takes_it_off_the_open_queue(client, verified_client):
    dpo = DpoFactory()
    enquiry = an_enquiry(subject="Closing this one")
    verified_client(dpo)

    response = client.post(reverse("backoffice-enquiries:close", args=[enquiry.pk]))

    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.closed_by) == (Enquiry.Status.CLOSED, dpo)
    assert "Closing this one" not in client.get(QUEUE).content.decode()
    assert AuditEntry.objects.filter(action="enquiry.close", target_id=str(enquiry.pk)).exists()


def test_an_unknown_enquiry_is_a_404(client, verified_client):
    verified_client(SupportFactory())
    assert client.get(reverse("backoffice-enquiries:detail", args=[999999])).status_code == 404


# --- The data map ----------------------------------------------------------------------------


def test_enquiries_are_in_the_data_map_with_a_retention_policy():
    from retention.models import RetentionPolicy

    entry = registry.entry("enquiries.enquiries")
    assert entry.category == "enquiry"
    assert entry.retention_category == "enquiries"
    assert RetentionPolicy.objects.filter(category="enquiries").exists()


def test_an_access_export_holds_the_subjects_enquiries_and_replies_only():
    user = UserFactory(email="ann@client.test")
    mine = an_enquiry(user=user, subject="Mine")
    public = an_enquiry(email="ann@client.test", subject="Sent before I had an account")
    an_enquiry(email="someone@else.test", subject="Not mine")
    enquiry_reply(enquiry=mine, body="Here is our answer", by=SupportFactory())

    sections = export_subject(Subject.of(user_ids=[user.pk], emails=[user.email]))

    by_name = {section.entry.name: section for section in sections}
    subjects = {row["subject"] for row in by_name["enquiries.enquiries"].rows}
    assert subjects == {"Mine", public.subject}
    assert [row["body"] for row in by_name["enquiries.replies"].rows] == ["Here is our answer"]


def test_erasure_deletes_the_subjects_enquiries_and_replies_and_no_one_elses():
    user = UserFactory(email="ann@client.test")
    mine = an_enquiry(user=user)
    enquiry_reply(enquiry=mine, body="Answer", by=SupportFactory())
    other = an_enquiry(email="someone@else.test")

    outcomes = erase_subject(Subject.of(user_ids=[user.pk], emails=[user.email]))

    done = {o.entry.name: (o.action, o.rows) for o in outcomes}
    assert done["enquiries.enquiries"] == ("deleted", 1)
    assert done["enquiries.replies"] == ("deleted", 1)
    assert list(Enquiry.objects.all()) == [other]
    assert not EnquiryReply.objects.exists()
