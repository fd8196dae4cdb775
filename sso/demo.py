"""Demo: the first client's single sign-on, set up but off, its domain awaiting staff's
verification, so that the console and the back office show the pages (a demo has no IdP)."""

from accounts.models import Organisation, User
from common.roles import Role
from sso.models import SsoConnection
from sso.selectors import email_domain
from sso.services.connections import sso_connection_save
from sso.services.domains import domain_claim_add


def sso_demo_seed(*, organisation: Organisation) -> None:
    if SsoConnection.objects.filter(organisation=organisation).exists():
        return
    admin = (
        organisation.users.filter(role=Role.CLIENT_ADMIN, status=User.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if admin is None:
        return
    sso_connection_save(
        organisation=organisation, by=admin, protocol=SsoConnection.Protocol.SAML, enabled=False
    )
    domain_claim_add(organisation=organisation, domain=email_domain(admin.email), by=admin)
