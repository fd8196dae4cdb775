"""The letters per right say what is true: consent is relied on for cookies and the e-mails
people sign up for, withdrawn on the pages the letter links; portability does not apply, and
the letter says why. The migration updates letters the DPO never edited and keeps the rest."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dsar.models import Channel, LetterTemplate, RequestKind
from dsar.services.filing import rights_request_file
from dsar.services.letters import DEFAULT_LETTERS, letter_render
from tests.factories import DpoFactory

pytestmark = pytest.mark.django_db

MIGRATION = "dsar.migrations.0007_objection_purposes_and_truthful_letters"


def request_of(kind):
    return rights_request_file(
        kind=kind,
        requester_name="Ann Able",
        requester_email="ann@example.test",
        channel=Channel.EMAIL,
        verified=True,
    )


def test_the_consent_letter_says_cookies_and_newsletters_rely_on_consent_and_links_both_pages(
    settings,
):
    _subject, body = letter_render(
        "consent_withdrawal_not_applicable", request_of(RequestKind.CONSENT_WITHDRAWAL)
    )
    assert "We rely on your consent for two things only" in body
    assert "Cookies" in body and "newsletters" in body
    assert f"{settings.SITE_URL}/cookies/" in body
    assert f"{settings.SITE_URL}/account/communications/" in body
    # The contradiction it replaced.
    assert "do not rely on your consent" not in body
    assert "no consent to withdraw" not in body


def test_the_portability_letter_says_why_the_right_does_not_apply(settings):
    _subject, body = letter_render(
        "portability_not_applicable", request_of(RequestKind.PORTABILITY)
    )
    assert "automated means on the basis of your consent or of a contract with you" in body
    assert "contract with your employer (not a contract with you)" in body
    assert "cookie choices and your e-mail preferences" in body
    assert "access request" in body


def test_the_consent_withdrawal_panel_no_longer_says_consent_is_never_relied_on(
    client, verified_client
):
    request = request_of(RequestKind.CONSENT_WITHDRAWAL)
    verified_client(DpoFactory())
    page = client.get(f"/backoffice/requests/{request.reference}/").content.decode()
    assert "We do not rely on consent" not in page
    assert "Only cookies and marketing e-mails rely on consent" in page


@pytest.mark.usefixtures("requires_postgres")
@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_unedited_letters_keeps_edited_ones_and_adds_the_notice():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = [("dsar", "0004_package_ready_letter")]
    executor.migrate(before)
    module = importlib.import_module(MIGRATION)
    old = executor.loader.project_state(before).apps.get_model("dsar", "LetterTemplate")
    old.objects.filter(key="consent_withdrawal_not_applicable").update(
        body=module.OLD["consent_withdrawal_not_applicable"]
    )
    old.objects.filter(key="portability_not_applicable").update(body="Edited by the DPO.")
    old.objects.filter(key="restriction_lift_notice").delete()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    letters = dict(LetterTemplate.objects.values_list("key", "body"))
    assert (
        letters["consent_withdrawal_not_applicable"]
        == (DEFAULT_LETTERS["consent_withdrawal_not_applicable"][1])
    )
    assert letters["portability_not_applicable"] == "Edited by the DPO."
    assert letters["restriction_lift_notice"] == DEFAULT_LETTERS["restriction_lift_notice"][1]
