"""An invitation outside the organisation's allowed e-mail domains asks for a confirmation:
the service refuses it unconfirmed, the console shows an "Invite anyway" checkbox, the API
answers 400 naming ``confirm_other_domain``. No domains set means any address is fine."""

import json

import pytest
from django.core.exceptions import ValidationError

from accounts.models import ApiScope, User
from accounts.services.invitations import user_invite
from tests.factories import ClientAdminFactory, DpoFactory, OrganisationFactory, api_key_for

pytestmark = pytest.mark.django_db

INVITE = "/console/users/invite/"
USERS_API = "/api/v1/users/"


@pytest.fixture
def organisation():
    return OrganisationFactory(
        name="Acme Ltd", slug="acme", allowed_email_domains=["acme.example", "acme-group.example"]
    )


@pytest.fixture
def console(verified_client, organisation):
    return verified_client(ClientAdminFactory(organisation=organisation))


def invite(organisation, email, **extra):
    return user_invite(
        organisation=organisation, email=email, full_name="New Person", by=DpoFactory(), **extra
    )


def test_an_address_in_an_allowed_domain_is_invited_at_once(organisation):
    assert invite(organisation, "New@ACME-group.example").status == User.Status.INVITED


def test_an_address_outside_the_domains_needs_a_confirmation(organisation):
    with pytest.raises(ValidationError) as error:
        invite(organisation, "someone@gmail.example")
    message = error.value.message_dict["confirm_other_domain"][0]
    assert "gmail.example is not one of Acme Ltd's e-mail domains" in message
    assert "acme.example" in message
    assert not User.objects.filter(email="someone@gmail.example").exists()

    assert invite(organisation, "someone@gmail.example", confirm_other_domain=True)


def test_an_organisation_without_domains_takes_any_address():
    assert invite(OrganisationFactory(), "anyone@anywhere.example")


def test_a_subdomain_is_another_domain(organisation):
    with pytest.raises(ValidationError):
        invite(organisation, "x@mail.acme.example")


def test_the_console_asks_to_invite_anyway_and_invites_once_ticked(
    console, mailoutbox, django_capture_on_commit_callbacks
):
    form = {"email": "friend@gmail.example", "full_name": "A Friend", "role": "member"}
    page = console.get(INVITE).content.decode()
    assert "Invite anyway" not in page

    refused = console.post(INVITE, form)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Invite anyway" in text
    assert 'type="checkbox" name="confirm_other_domain"' in text
    assert "gmail.example is not one of Acme Ltd&#x27;s e-mail domains" in text
    assert not User.objects.filter(email="friend@gmail.example").exists()

    with django_capture_on_commit_callbacks(execute=True):
        accepted = console.post(INVITE, {**form, "confirm_other_domain": "on"}, follow=True)
    assert "Invitation sent to friend@gmail.example" in accepted.content.decode()
    assert [mail.to for mail in mailoutbox] == [["friend@gmail.example"]]


def test_the_api_answers_400_naming_the_confirmation_field(client, organisation):
    _, plain = api_key_for(organisation, scopes=[ApiScope.USERS])
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}
    body = {"email": "temp@gmail.example", "full_name": "Temp Worker"}

    refused = client.post(USERS_API, json.dumps(body), content_type="application/json", **headers)
    assert refused.status_code == 400
    fields = refused.json()["error"]["fields"]
    assert "gmail.example is not one of" in fields["confirm_other_domain"][0]

    body["confirm_other_domain"] = True
    created = client.post(USERS_API, json.dumps(body), content_type="application/json", **headers)
    assert created.status_code == 201
    assert created.json()["email"] == "temp@gmail.example"


def test_the_api_refuses_an_invitation_to_a_closed_organisation_with_a_conflict(
    client, verified_client, organisation
):
    organisation.status = "closed"
    organisation.save()
    staff = verified_client(DpoFactory())
    response = staff.post(
        USERS_API,
        json.dumps({"email": "x@acme.example", "full_name": "X", "organisation": "acme"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "Acme Ltd is closed: it takes no invitations" in response.json()["error"]["message"]


def test_a_malformed_address_gets_the_address_error_not_the_domain_one(organisation):
    with pytest.raises(ValidationError) as error:
        invite(organisation, "no-at-sign")
    assert set(error.value.message_dict) == {"email"}
