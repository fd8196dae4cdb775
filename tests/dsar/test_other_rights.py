"""Rectification, restriction, objections, portability and consent withdrawal."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.selectors import may_process
from accounts.selectors import objected_purposes as objected_purposes_of
from audit.models import AuditEntry
from communications.models import CommunicationPreferences
from communications.selectors import may_send_marketing
from communications.services import communication_preferences_update
from datamap.purposes import Purpose
from dsar.models import (
    Channel,
    RectificationItem,
    RequestEvent,
    RequestKind,
    RequestSubject,
    RightsRequest,
    State,
)
from dsar.selectors import verification_token
from dsar.services.filing import rights_request_file, rights_request_verify
from dsar.services.letters import DEFAULT_LETTERS
from dsar.services.steps import rights_request_complete
from dsar.services.subjects import rights_request_confirm_subject
from recipients.models import Event, Notice
from recipients.services import notice_confirm_by_hand
from tests.factories import DpoFactory, SupportFactory, UserFactory
from usage.models import DailyUserUsage
from usage.selectors import usage_report

pytestmark = pytest.mark.django_db


def file_matched(kind, user, dpo, **fields):
    request = rights_request_file(
        kind=kind,
        requester_name=user.full_name,
        requester_email=user.email,
        channel=Channel.EMAIL,
        description="Please act on my request.",
        filed_by=dpo,
        verified=True,
        **fields,
    )
    rights_request_confirm_subject(request=request, user=user, by=dpo)
    return request


def url(name, request, **kwargs):
    return reverse(f"executors:{name}", kwargs={"reference": request.reference, **kwargs})


# --- Rectification ----------------------------------------------------------------------------


def test_rectification_applies_approved_values_only(client, verified_client):
    dpo = DpoFactory()
    user = UserFactory(full_name="Ann Abel", job_title="Clerk")
    request = file_matched(RequestKind.RECTIFICATION, user, dpo)
    name = RectificationItem.objects.create(
        request=request, field="full_name", proposed_value="Ann Able"
    )
    title = RectificationItem.objects.create(
        request=request, field="job_title", proposed_value="CEO"
    )
    verified_client(dpo)

    client.post(url("rectification", request, item_id=name.pk), {"decision": "approve"})
    refused = client.post(url("rectification", request, item_id=title.pk), {"decision": "reject"})
    assert refused.status_code == 302
    title.refresh_from_db()
    assert title.decision == RectificationItem.Decision.PENDING  # a rejection needs a reason
    client.post(
        url("rectification", request, item_id=title.pk),
        {"decision": "reject", "reason": "Your contract says Clerk."},
    )

    user.refresh_from_db()
    assert (user.full_name, user.job_title) == ("Ann Able", "Clerk")
    name.refresh_from_db()
    title.refresh_from_db()
    assert name.decision == RectificationItem.Decision.APPROVED
    assert title.decision == RectificationItem.Decision.REJECTED
    assert title.decision_reason == "Your contract says Clerk."
    assert AuditEntry.objects.filter(action="user.rectify", target_id=str(user.pk)).exists()
    visible = RequestEvent.objects.filter(request=request, visible_to_requester=True)
    assert visible.filter(body__contains="refused: Your contract says Clerk.").exists()
    # Deciding twice is refused.
    client.post(url("rectification", request, item_id=title.pk), {"decision": "approve"})
    user.refresh_from_db()
    assert user.job_title == "Clerk"


def test_an_approved_email_correction_only_sends_a_link_to_the_new_address(
    client, verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    dpo = DpoFactory()
    user = UserFactory(email="ann@old.test")
    request = file_matched(RequestKind.RECTIFICATION, user, dpo)
    item = RectificationItem.objects.create(
        request=request, field="email", proposed_value="ann@new.test"
    )
    verified_client(dpo)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("rectification", request, item_id=item.pk), {"decision": "approve"})

    user.refresh_from_db()
    item.refresh_from_db()
    assert user.email == "ann@old.test"
    assert item.decision == RectificationItem.Decision.APPROVED
    assert "ann@new.test" in {m.to[0] for m in mailoutbox}
    assert user.email_changes.get().new_email == "ann@new.test"
    assert AuditEntry.objects.filter(
        action="user.email_change_request", target_id=str(user.pk)
    ).exists()


def test_the_panel_lists_the_proposed_corrections(client, verified_client):
    dpo = DpoFactory()
    user = UserFactory()
    request = file_matched(RequestKind.RECTIFICATION, user, dpo)
    item = RectificationItem.objects.create(
        request=request, field="job_title", proposed_value="Analyst"
    )
    verified_client(dpo)
    page = client.get(reverse("requests:detail", kwargs={"reference": request.reference}))
    assert page.status_code == 200
    assert b"Analyst" in page.content
    assert url("rectification", request, item_id=item.pk).encode() in page.content


# --- Restriction ------------------------------------------------------------------------------


def test_restriction_removes_the_person_from_usage_reports_and_lifting_restores_them(
    client, verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    dpo = DpoFactory()
    ann = UserFactory(full_name="Ann Able")
    bob = UserFactory(full_name="Bob Baker", organisation=ann.organisation)
    day = datetime.date(2026, 11, 2)
    for person in (ann, bob):
        DailyUserUsage.objects.create(
            date=day,
            organisation=ann.organisation,
            user=person,
            event_count=3,
            total_duration_ms=30,
        )
    request = file_matched(RequestKind.RESTRICTION, ann, dpo)

    def people():
        report = usage_report(organisation=ann.organisation, start=day, end=day, group_by="user")
        return sorted(report.user_ids)

    assert people() == sorted([ann.pk, bob.pk])
    verified_client(dpo)
    client.post(url("restriction", request, action="apply"))
    assert people() == [bob.pk]
    ann.refresh_from_db()
    assert ann.processing_restricted_at is not None

    # Article 18(3): not lifted before the person is told.
    refused = client.post(url("restriction", request, action="lift"), follow=True)
    assert b"Tell the person the restriction will be lifted" in refused.content
    assert people() == [bob.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("restriction", request, action="notify"),
            {"reason": "We checked your data: it is accurate."},
        )
    notice = mailoutbox[-1]
    assert notice.to == [ann.email]
    assert "before we lift the restriction" in notice.body
    assert "We checked your data: it is accurate." in notice.body
    assert people() == [bob.pk]  # told, not yet lifted

    client.post(url("restriction", request, action="lift"))
    assert people() == sorted([ann.pk, bob.pk])
    steps = RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.ACTION)
    told = steps.get(body__startswith="We told you that we will lift the restriction")
    assert told.visible_to_requester
    lifted = steps.get(body__startswith="Restriction of processing lifted")
    assert (told.at, told.pk) < (lifted.at, lifted.pk)
    assert steps.filter(body__startswith="Processing restricted").exists()
    assert steps.filter(body__startswith="Restriction of processing lifted").exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"rights_request.restriction_apply", "rights_request.restriction_lift"} <= actions


def test_restriction_needs_a_matched_account(client, verified_client):
    dpo = DpoFactory()
    request = rights_request_file(
        kind=RequestKind.RESTRICTION,
        requester_name="Nobody",
        requester_email="nobody@example.test",
        channel=Channel.EMAIL,
        filed_by=dpo,
        verified=True,
    )
    verified_client(dpo)
    response = client.post(url("restriction", request, action="apply"), follow=True)
    assert b"Match the request to an account first" in response.content


# --- Objection to legitimate interests ------------------------------------------------------


def test_an_upheld_objection_stops_the_uses_chosen_and_the_letter_says_what_continues(
    client, verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    dpo = DpoFactory()
    user = UserFactory()
    request = file_matched(
        RequestKind.OBJECTION,
        user,
        dpo,
        objection_purposes=[Purpose.USAGE, Purpose.ANALYTICS, Purpose.SECURITY],
    )
    verified_client(dpo)
    page = client.get(url("objection", request))
    # Security monitoring is not offered to stop: the page says it continues, and why.
    assert b"Security monitoring continues" in page.content
    assert b'value="security"' not in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("objection", request),
            {"stop": ["usage"], "reasons": "Aggregates are needed to size the service."},
        )
    assert response.status_code == 302
    assert objected_purposes_of(user) == [Purpose.USAGE]
    assert not may_process(user, Purpose.USAGE)
    assert may_process(user, Purpose.ANALYTICS)
    assert may_process(user, Purpose.SECURITY)
    user.refresh_from_db()
    assert user.processing_restricted_at is None
    request.refresh_from_db()
    assert request.state == State.COMPLETED
    letter = mailoutbox[-1].body
    assert "upheld your objection and stopped" in letter
    assert "usage reports we give your employer leave you out" in letter
    assert "Aggregates are needed to size the service." in letter
    assert "Security monitoring continues" in letter
    # What never relied on legitimate interests continues, and the letter says on what basis.
    assert "Rights requests (legal obligation)" in letter
    assert "Cookies (consent)" in letter


def test_an_objection_can_be_upheld_with_a_restriction_too(
    client, verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    """GIVEN an objection the DPO upholds with a restriction, THEN the restriction goes through
    the one restriction service, so the recipients of the person's data are told (Article 19);
    the request completes with the prepared answer once they have confirmed."""
    dpo = DpoFactory()
    user = UserFactory()
    request = file_matched(RequestKind.OBJECTION, user, dpo, objection_purposes=["analytics"])
    verified_client(dpo)
    response = client.post(url("objection", request), {"stop": ["analytics"], "restrict": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert objected_purposes_of(user) == [Purpose.ANALYTICS]
    assert user.processing_restricted_at is not None

    told = Notice.objects.filter(request_reference=request.reference, event=Event.RESTRICTED)
    assert told.exists() and all(n.subject_id == user.pk for n in told)
    request.refresh_from_db()
    assert request.state != State.COMPLETED  # the recipients confirm first
    assert "We have also restricted the processing of your data" in request.outcome
    page = client.get(reverse("requests:detail", kwargs={"reference": request.reference}))
    assert "We have also restricted the processing of your data" in page.content.decode()

    for notice in told:
        notice_confirm_by_hand(notice=notice, note="Confirmed by e-mail.", by=dpo)
    with django_capture_on_commit_callbacks(execute=True):
        rights_request_complete(request=request, outcome=request.outcome, by=dpo)
    request.refresh_from_db()
    assert request.state == State.COMPLETED
    assert "upheld your objection and stopped" in mailoutbox[-1].body
    assert "processing restricted. Confirmed on" in mailoutbox[-1].body


def test_compelling_grounds_need_reasons_and_leave_the_person_in_reports(client, verified_client):
    dpo = DpoFactory()
    user = UserFactory()
    request = file_matched(RequestKind.OBJECTION, user, dpo, objection_purposes=["usage"])
    verified_client(dpo)
    refused = client.post(url("objection", request), {"reasons": ""})
    assert refused.status_code == 400
    client.post(url("objection", request), {"reasons": "Fraud prevention needs these logs."})
    request.refresh_from_db()
    assert request.state == State.COMPLETED
    assert "Fraud prevention needs these logs." in request.outcome
    assert "compelling legitimate grounds" in request.outcome
    assert objected_purposes_of(user) == []


def test_an_objection_logged_without_purposes_is_reassessed_for_every_legitimate_interest(
    client, verified_client
):
    dpo = DpoFactory()
    user = UserFactory()
    request = file_matched(RequestKind.OBJECTION, user, dpo)
    verified_client(dpo)
    page = client.get(url("objection", request)).content.decode()
    for purpose in (Purpose.USAGE, Purpose.ANALYTICS):
        assert f'value="{purpose.value}"' in page
    # Marketing rests on consent (the topics a person ticked): nothing to reassess there.
    assert 'value="marketing"' not in page
    client.post(url("objection", request), {"stop": ["usage", "analytics"]})
    assert objected_purposes_of(user) == [Purpose.USAGE, Purpose.ANALYTICS]


# --- Objection to direct marketing ---------------------------------------------------------


def test_a_marketing_objection_is_honoured_at_once_on_verification(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ann@example.test")
    communication_preferences_update(
        user=user, newsletter=True, webinars=True, product_updates=False
    )
    assert may_send_marketing(user, "newsletter")
    with django_capture_on_commit_callbacks(execute=True):
        request = rights_request_file(
            kind=RequestKind.MARKETING_OBJECTION,
            requester_name="Ann",
            requester_email="Ann@Example.test",
            channel=Channel.WEB_FORM,
        )
    with django_capture_on_commit_callbacks(execute=True):
        _verified, problem = rights_request_verify(token=verification_token(request))
    assert problem == ""

    request.refresh_from_db()
    assert request.state == State.COMPLETED
    assert "stopped every marketing e-mail" in request.outcome
    assert not may_send_marketing(user, "newsletter")
    preferences = CommunicationPreferences.objects.get(user=user)
    assert preferences.marketing_objection_at is not None
    completed = request.events.get(kind=RequestEvent.Kind.TRANSITION, to_state=State.COMPLETED)
    assert completed.actor_label == "system"
    assert AuditEntry.objects.filter(action="communications.marketing_objection").exists()
    assert any("stopped every marketing e-mail" in mail.body for mail in mailoutbox)


def test_a_marketing_objection_from_an_unknown_address_still_completes():
    request = rights_request_file(
        kind=RequestKind.MARKETING_OBJECTION,
        requester_name="Zed",
        requester_email="zed@example.test",
        channel=Channel.ACCOUNT,
        verified=True,
    )
    request.refresh_from_db()
    assert request.state == State.COMPLETED
    assert not User.objects.filter(email="zed@example.test").exists()


# --- Portability and consent withdrawal ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        (RequestKind.PORTABILITY, "portability_not_applicable"),
        (RequestKind.CONSENT_WITHDRAWAL, "consent_withdrawal_not_applicable"),
    ],
)
def test_portability_and_consent_withdrawal_are_answered_with_their_letter(
    client, verified_client, django_capture_on_commit_callbacks, kind, key
):
    user = UserFactory()
    request = file_matched(kind, user, SupportFactory())
    # Support prepares; answering is the DPO's decision.
    verified_client(SupportFactory())
    assert client.post(url("not_applicable", request)).status_code == 403
    verified_client(DpoFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("not_applicable", request))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == State.COMPLETED
    assert DEFAULT_LETTERS[key][1][:60] in request.outcome
    # One letter: the completion letter's greeting and signature, around the answer.
    letter = mail.outbox[-1].body
    assert letter.count("Hello ") == 1
    assert letter.count("The Data Protection Officer") == 1
    assert DEFAULT_LETTERS[key][1][:60] in letter


def test_an_access_request_cannot_be_answered_with_a_not_applicable_letter(client, verified_client):
    dpo = DpoFactory()
    request = file_matched(RequestKind.ACCESS, UserFactory(), dpo)
    verified_client(dpo)
    assert client.post(url("not_applicable", request)).status_code == 403
    request.refresh_from_db()
    assert request.state == State.VERIFIED


def test_portability_can_be_fulfilled_with_the_package(
    client, verified_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    dpo = DpoFactory()
    request = file_matched(RequestKind.PORTABILITY, UserFactory(), dpo)
    verified_client(dpo)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("build_package", request))
    package = request.packages.get()
    assert package.expires_at > timezone.now()
    assert RequestSubject.objects.filter(request=request).exists()
    assert RightsRequest.objects.get(pk=request.pk).is_open


@pytest.mark.parametrize("kind", [k for k in RequestKind.values if k != "marketing_objection"])
def test_the_request_page_shows_the_panel_for_every_kind_of_right(client, verified_client, kind):
    dpo = DpoFactory()
    request = file_matched(kind, UserFactory(), dpo)
    verified_client(dpo)
    page = client.get(reverse("requests:detail", kwargs={"reference": request.reference}))
    assert page.status_code == 200
    assert b"executor-panel" in page.content
