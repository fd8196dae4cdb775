"""The e-mail domains an organisation claims for single sign-on.

Its client admin (or staff for them) claims a domain; staff verify it, having confirmed with
the client that the domain is theirs (a confirmation by a person: no DNS record is checked).
Only a verified domain routes logins to the organisation's IdP and lets that IdP vouch for
addresses in it, and a domain is verified for one organisation at most.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

import audit
from accounts.models import Organisation
from accounts.selectors import actor_is_staff
from accounts.services.organisations import email_domains_clean
from sso.models import DomainClaim
from sso.selectors import connection_of, verified_domains_of
from sso.services.connections import require_sso_admin

MAX_CLAIMS = 20
TAKEN = "This domain is already verified for another organisation."


def _details(domain: str) -> dict:
    # Written as people write an e-mail domain ("addresses @acme.example"), so that the audit
    # trail's pages never show it as if it were a dotted code.
    return {"domain": f"@{domain}"}


def domain_claim_add(*, organisation: Organisation, domain: str, by) -> DomainClaim:
    require_sso_admin(by, organisation)
    try:
        cleaned = email_domains_clean([domain or ""])
    except ValidationError as error:
        raise ValidationError({"domain": error.message_dict["domains"]}) from None
    if not cleaned:
        raise ValidationError({"domain": "Give a domain, such as example.co.uk."})
    domain = cleaned[0]
    claims = DomainClaim.objects.filter(organisation=organisation)
    if claims.filter(domain=domain).exists():
        raise ValidationError({"domain": "Your organisation has already claimed this domain."})
    if claims.count() >= MAX_CLAIMS:
        raise ValidationError({"domain": f"An organisation claims at most {MAX_CLAIMS} domains."})
    if DomainClaim.objects.filter(domain=domain, verified_at__isnull=False).exists():
        raise ValidationError({"domain": TAKEN})
    claim = DomainClaim(organisation=organisation, domain=domain, claimed_by=by)
    claim.full_clean(validate_constraints=False)
    with transaction.atomic():
        claim.save()
        audit.record(
            by,
            "sso.domain_claim",
            target=organisation,
            details=_details(domain),
        )
    return claim


def domain_claim_verify(*, claim: DomainClaim, by) -> DomainClaim:
    """Staff confirm the domain is the organisation's: from now on it routes to its IdP."""
    if not actor_is_staff(by):
        raise PermissionDenied("Only PrivacyDesk staff verify a domain.")
    if claim.is_verified:
        return claim
    try:
        with transaction.atomic():
            claim.verified_at = timezone.now()
            claim.verified_by = by
            claim.save(update_fields=["verified_at", "verified_by"])
            audit.record(
                by,
                "sso.domain_verify",
                target=claim.organisation,
                details=_details(claim.domain),
            )
    except IntegrityError:
        claim.verified_at = claim.verified_by = None
        raise ValidationError(TAKEN) from None
    return claim


def domain_claim_remove(*, claim: DomainClaim, by) -> None:
    """Withdraw a claim (the client admin, or staff rejecting it): the domain no longer routes
    to the organisation's IdP."""
    require_sso_admin(by, claim.organisation)
    connection = connection_of(claim.organisation_id)
    if (
        claim.is_verified
        and connection is not None
        and connection.sso_required
        and verified_domains_of(claim.organisation_id) == {claim.domain}
    ):
        raise ValidationError(
            "This is the organisation's last verified domain and single sign-on is required: "
            "stop requiring it first, or nobody could log in."
        )
    with transaction.atomic():
        details = {**_details(claim.domain), "was_verified": claim.is_verified}
        claim.delete()
        audit.record(by, "sso.domain_remove", target=claim.organisation, details=details)
