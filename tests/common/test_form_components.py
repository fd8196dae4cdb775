"""The shared form include (templates/includes/form.html), seen through real forms: an error
summary at the top that links each error to its field, tick boxes beside their labels, groups
of choices in a fieldset with a legend, help text tied to its input."""

import re
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.forms import ApiKeyForm
from tests.factories import ClientAdminFactory, UserFactory

pytestmark = pytest.mark.django_db

API_KEYS = reverse("console:api-keys")


class _Ids(HTMLParser):
    """Every element's attributes by its id, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict] = {}
        self.order: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = {"tag": tag, **attrs}
            self.order.append(attrs["id"])


def ids(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


def summary(html: str) -> str:
    found = re.search(r'<div class="form-errors" role="alert".*?</div>', html, re.S)
    assert found, "no error summary"
    return found[0]


@pytest.fixture
def admin_client(verified_client):
    return verified_client(ClientAdminFactory())


def test_an_invalid_post_opens_with_a_summary_linking_each_error_to_its_field(admin_client):
    response = admin_client.post(API_KEYS, {"name": ""})
    html = response.content.decode()

    assert response.status_code == 400
    box = summary(html)
    assert "There is a problem" in box
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box)
    assert [target for target, _ in links] == ["id_name", "id_scopes_0"]
    page = ids(html)
    # Each link lands on a field of the form, and the summary comes before every field.
    assert page.by_id["id_name"]["tag"] == "input"
    assert page.by_id["id_scopes_0"]["type"] == "checkbox"
    assert page.order.index("form-errors") < page.order.index("id_name")


def test_a_non_field_error_is_in_the_summary_too():
    form = ApiKeyForm({"name": "Key", "scopes": ["users"]})
    form.is_valid()
    form.add_error(None, "This organisation already has ten keys.")

    box = summary(render_to_string("includes/form.html", {"form": form}))

    assert "<li>This organisation already has ten keys.</li>" in box


def test_a_valid_form_has_no_summary(admin_client):
    html = admin_client.get(API_KEYS).content.decode()

    assert "There is a problem" not in html
    assert 'class="form-errors"' not in html


def test_a_group_of_tick_boxes_is_a_fieldset_whose_legend_is_the_question(admin_client):
    html = admin_client.post(API_KEYS, {"name": ""}).content.decode()

    fieldset = re.search(r"<fieldset[^>]*>.*?</fieldset>", html, re.S)[0]
    assert re.search(r"<legend>Scopes", fieldset)
    assert 'id="id_scopes_0"' in fieldset
    # The help and the error are read with the group.
    opening = re.match(r"<fieldset[^>]*>", fieldset)[0]
    assert 'aria-describedby="id_scopes_helptext id_scopes_error"' in opening
    assert 'id="id_scopes_helptext"' in fieldset and 'id="id_scopes_error"' in fieldset


def test_help_text_and_errors_are_tied_to_their_input(admin_client):
    page = ids(admin_client.post(API_KEYS, {"name": ""}).content.decode())

    name = page.by_id["id_name"]
    assert name["aria-describedby"] == "id_name_helptext id_name_error"
    assert name["aria-invalid"] == "true"
    assert "What the key is for" in admin_client.get(API_KEYS).content.decode()
    assert "id_name_helptext" in page.by_id


def test_a_tick_box_comes_before_its_label_in_the_organisation_settings(admin_client):
    html = admin_client.get(reverse("console:settings")).content.decode()

    field = re.search(r'<div class="field field-check">.*?</div>', html, re.S)[0]
    box = field.index('id="id_mfa_required"')
    label = field.index('<label for="id_mfa_required">')
    assert box < label
    page = ids(html)
    assert page.by_id["id_mfa_required"]["aria-describedby"] == "id_mfa_required_helptext"


def test_each_e_mail_preference_is_a_tick_box_before_its_label(verified_client):
    client = verified_client(UserFactory())

    html = client.get(reverse("communications:communications")).content.decode()

    fields = re.findall(r'<div class="field field-check">.*?</div>', html, re.S)
    assert len(fields) == 3
    for field in fields:
        assert re.search(r'<input type="checkbox"[^>]*>\s*<label for=', field)
