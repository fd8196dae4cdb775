"""Standard letters to requesters: editable templates with ``{placeholder}`` fields."""

import re

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from dsar.models import LetterTemplate, RightsRequest
from dsar.selectors import status_token, verification_token

# As the privacy notice gives them: website, phone and postal address.
ICO = (
    "the Information Commissioner's Office (ICO): online at www.ico.org.uk, by phone on "
    "0303 123 1113, or by post to the Information Commissioner's Office, Wycliffe House, "
    "Water Lane, Wilmslow, SK9 5AF"
)

# The letters the app sends; a data migration seeds them, and the DPO edits them.
DEFAULT_LETTERS = {
    "verification": (
        "Confirm your request {reference}",
        "Hello {name},\n\nWe received your request ({kind}), reference {reference}. To confirm "
        "that this e-mail address is yours, open this link within 24 hours:\n\n{verify_url}\n\n"
        "If you did not make this request, ignore this e-mail.\n\n{dpo_signature}",
    ),
    "acknowledgement": (
        "We have your request {reference}",
        "Hello {name},\n\nThank you: we have your request ({kind}), reference {reference}. We "
        "will answer by {due_on}. You can follow it here:\n\n{status_url}\n\n{dpo_signature}",
    ),
    "complaint_acknowledgement": (
        "We have your complaint {reference}",
        "Hello {name},\n\nThank you for your complaint, reference {reference}, which we "
        "received on {received_on}. Our Data Protection Officer, who you can reach at "
        "{dpo_email}, will look into it, keep you informed of progress and tell you the outcome "
        "without undue delay.\n\nFollow it here: {status_url}\n\nYou also have the right to "
        "complain to {ico}.\n\n{dpo_signature}",
    ),
    "complaint_outcome": (
        "The outcome of your complaint {reference}",
        "Hello {name},\n\nWe have looked into your complaint {reference}, received on "
        "{received_on}, and {decision}.\n\n{message}\n\nIf you are not satisfied with this "
        "outcome, you have the right to complain to {ico}. The ICO oversees the processing of "
        "personal data in the United Kingdom.\n\n{dpo_signature}",
    ),
    "extension": (
        "More time for your request {reference}",
        "Hello {name},\n\nWe need more time to answer your request {reference}, and will now "
        "answer by {due_on}. The reason: {reason}\n\n{dpo_signature}",
    ),
    "clarification": (
        "A question about your request {reference}",
        "Hello {name},\n\n{message}\n\nWhile we wait for your answer the time limit is paused. "
        "Reply here: {status_url}\n\n{dpo_signature}",
    ),
    "message": (
        "A message about your request {reference}",
        "Hello {name},\n\n{message}\n\nSee your request here: {status_url}\n\n{dpo_signature}",
    ),
    "package_ready": (
        "Your data is ready: request {reference}",
        "Hello {name},\n\nThe copy of your data you asked for (request {reference}) is ready. "
        "Open your request page to download it; for your safety we e-mail you a code first. "
        "It can be downloaded until {expires_on}.\n\n{status_url}\n\n{dpo_signature}",
    ),
    "completed": (
        "Your request {reference} is complete",
        "Hello {name},\n\n{message}\n\nIf you are not satisfied with our answer you can "
        "complain to our Data Protection Officer at {dpo_email}, or to {ico}.\n\n"
        "{dpo_signature}",
    ),
    "rejected": (
        "Your request {reference}",
        "Hello {name},\n\nWe cannot act on your request {reference}. The reason: {reason}\n\n"
        "You have the right to complain to {ico}, and to seek to enforce your rights through "
        "the courts.\n\n{dpo_signature}",
    ),
    # Answers, not letters of their own: a request is completed with one as its outcome, and
    # the "completed" letter wraps it with the greeting, the ways to complain and the signature.
    "portability_not_applicable": (
        "Your portability request {reference}",
        "The right to data portability covers personal data you gave us that we process by "
        "automated means on the basis of your consent or of a contract with you. Your account, "
        "usage and support data are processed under our contract with your employer (not a "
        "contract with you) and on our legitimate interests, so the right does not apply to "
        "them. The only data we hold on your consent are your cookie choices and your e-mail "
        "preferences, which you can see and change yourself at any time at {cookies_url} and "
        "{communications_url}. You can still ask for a copy of all your data with an access "
        "request: we send it as machine-readable CSV files.",
    ),
    "consent_withdrawal_not_applicable": (
        "Your request to withdraw consent {reference}",
        "We rely on your consent for two things only, and you can withdraw it yourself at any "
        "time:\n\n"
        "- Cookies: performance and functionality cookies are set only if you allow them. "
        "Change or withdraw your choice on our cookie settings page: {cookies_url}\n"
        "- E-mails you signed up for (newsletters, webinar invitations, product news): switch "
        "any of them off on your e-mail preferences page, {communications_url}, or with the "
        "unsubscribe link in each e-mail.\n\n"
        "Withdrawing consent does not affect what we did before you withdrew it. Everything else "
        "we do with your data relies on our contract with your employer, our legitimate "
        "interests or a legal obligation, not on consent; you can object to the uses that rely "
        "on our legitimate interests, or to direct marketing, at any time.",
    ),
    "restriction_lift_notice": (
        "We will lift the restriction on your data: request {reference}",
        "Hello {name},\n\nAs the law requires, we are telling you before we lift the "
        "restriction of the processing of your data that we put in place for your request "
        "{reference}. The reason: {reason}\n\nOnce it is lifted we use your data again as our "
        "privacy notice describes, including in the usage reports we give your employer, our "
        "aggregated figures and product analytics. If you disagree, reply on your request's "
        "page: {status_url}\n\nYou also have the right to complain to {ico}.\n\n{dpo_signature}",
    ),
}


def verification_url(request: RightsRequest) -> str:
    path = reverse("rights:verify", kwargs={"token": verification_token(request)})
    return f"{settings.SITE_URL}{path}"


def status_url(request: RightsRequest) -> str:
    path = reverse("rights:status", kwargs={"token": status_token(request)})
    return f"{settings.SITE_URL}{path}"


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(text: str, fields: dict[str, str]) -> str:
    # Plain substitution: a template the DPO edits can name fields, never reach attributes.
    return PLACEHOLDER.sub(lambda m: str(fields.get(m.group(1), m.group(0))), text)


def letter_render(key: str, request: RightsRequest, **extra) -> tuple[str, str]:
    """The subject and body of one letter for one request."""
    template = LetterTemplate.objects.filter(key=key).first()
    subject, body = (
        (template.title, template.body) if template is not None else DEFAULT_LETTERS[key]
    )
    fields = dict(
        reference=request.reference,
        name=request.requester_name,
        kind=request.get_kind_display().lower(),
        due_on=request.due_on.strftime("%-d %B %Y") if request.due_on else "(to be set)",
        status_url=status_url(request),
        dpo_email=settings.DPO_EMAIL,
        dpo_signature=f"The Data Protection Officer\n{settings.DPO_EMAIL}",
        ico=ICO,
        received_on=timezone.localtime(request.received_at).strftime("%-d %B %Y"),
        cookies_url=f"{settings.SITE_URL}{reverse('cookies')}",
        communications_url=f"{settings.SITE_URL}{reverse('communications:communications')}",
        **extra,
    )
    return _fill(subject, fields), _fill(body, fields)


def letter_send(key: str, request: RightsRequest, **extra) -> None:
    subject, body = letter_render(key, request, **extra)
    send_mail(subject, body, None, [request.requester_email])
