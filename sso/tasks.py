from celery import shared_task

from sso.services.connections import sso_metadata_refresh_all


@shared_task
def refresh_saml_metadata() -> int:
    """Nightly: IdPs roll their signing certificates over through their metadata."""
    return sso_metadata_refresh_all()
