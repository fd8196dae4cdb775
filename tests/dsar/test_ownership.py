"""Whose rights request is it? The account that filed it from its account page, or an account
the DPO matched to it; a public request is reached through its status link. Never whichever
account has the requester's e-mail address today (issue 12, part 2)."""

import json
import re

import pytest
from django.core import signing
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from dsar.models import Channel, RequestKind, State
from dsar.selectors import status_token
from dsar.services.filing import rights_request_file
from dsar.services.subjects import rights_request_confirm_subject, rights_request_remove_subject
from tests.factories import ClientAdminFactory, DpoFactory

pytestmark = pytest.mark.django_db

STRANGER = "stranger@elsewhere.test"
CONFIRM_LINK = re.compile(r"https?://\S+(/account/email/confirm/[^/\s]+/)")


@pytest.fixture
def strangers_request():
    """A member of the public's access request, its address verified by the link."""
    return rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Sam Stranger",
        requester_email=STRANGER,
        channel=Channel.WEB_FORM,
        description="Everything you hold about me.",
        verified=True,
    )


@pytest.fixture
def attacker(verified_client):
    admin = ClientAdminFactory(email="mallory@client.test")
    client = verified_client(admin, client=APIClient())
    return admin, client


def detail(rights_request) -> str:
    return f"/api/v1/rights-requests/{rights_request.reference}/"


def test_a_client_admin_who_asks_for_a_strangers_address_cannot_reach_their_request(
    attacker, strangers_request, mailoutbox, django_capture_on_commit_callbacks
):
    """GIVEN a stranger's verified public request, WHEN a client admin PATCHes their own
    e-mail to the stranger's address, THEN the address does not change, the link goes to the
    stranger, and the request answers 404 to the admin, on the API and the account page."""
    admin, client = attacker

    with django_capture_on_commit_callbacks(execute=True):
        patched = client.patch(
            f"/api/v1/users/{admin.pk}/",
            json.dumps({"email": STRANGER}),
            content_type="application/json",
        )

    assert patched.status_code == 202
    admin.refresh_from_db()
    assert admin.email == "mallory@client.test"
    links = [m.to for m in mailoutbox if CONFIRM_LINK.search(m.body)]
    assert links == [[STRANGER]]  # the confirmation link reaches only the stranger
    assert client.get(detail(strangers_request)).status_code == 404
    page = client.get(reverse("account-rights:list")).content.decode()
    assert strangers_request.reference not in page
    assert status_token(strangers_request) not in page


def test_even_an_account_that_has_the_requesters_address_now_does_not_own_the_request(
    attacker, strangers_request, client
):
    """The address an account has today grants nothing: only filing from the account or the
    DPO's match does. (Here the address is set as if a confirmation had gone through.)"""
    admin, api = attacker
    User.objects.filter(pk=admin.pk).update(email=STRANGER)

    assert api.get(detail(strangers_request)).status_code == 404
    page = api.get(reverse("account-rights:list")).content.decode()
    assert strangers_request.reference not in page
    # Without the signed status link there is no way to the withdraw step either.
    for guess in (strangers_request.reference, signing.dumps(strangers_request.reference)):
        withdraw = reverse("rights:withdraw", kwargs={"token": guess})
        assert api.post(withdraw).status_code == 404
    strangers_request.refresh_from_db()
    assert strangers_request.state == State.VERIFIED


def test_the_dpos_explicit_match_makes_the_request_the_accounts_until_it_is_undone(
    attacker, strangers_request
):
    admin, client = attacker
    dpo = DpoFactory()

    rights_request_confirm_subject(request=strangers_request, user=admin, by=dpo)
    matched = client.get(detail(strangers_request))
    listed = client.get(reverse("account-rights:list")).content.decode()
    rights_request_remove_subject(request=strangers_request, user=admin, by=dpo)
    unmatched = client.get(detail(strangers_request))

    assert matched.status_code == 200
    assert strangers_request.reference in listed
    assert unmatched.status_code == 404


def test_a_request_filed_from_the_account_page_stays_its_filers_whatever_the_address(
    verified_client, django_capture_on_commit_callbacks
):
    admin = ClientAdminFactory(email="ann@client.test")
    client = verified_client(admin, client=APIClient())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account-rights:list"),
            {"kind": RequestKind.ACCESS, "description": "A copy of my data, please."},
        )
    User.objects.filter(pk=admin.pk).update(email="ann.new@client.test")
    rights_request = admin.rights_requests_filed.get()

    assert client.get(detail(rights_request)).status_code == 200
    assert rights_request.reference in client.get(reverse("account-rights:list")).content.decode()


def test_a_request_the_dpo_logged_is_not_the_dpos_own(verified_client):
    dpo = DpoFactory()
    logged = rights_request_file(
        kind=RequestKind.ERASURE,
        requester_name="Pat Post",
        requester_email="pat@example.test",
        channel=Channel.POST,
        filed_by=dpo,
        verified=True,
    )
    client = verified_client(dpo)

    page = client.get(reverse("account-rights:list")).content.decode()

    assert logged.reference not in page
