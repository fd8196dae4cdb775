"""Listing and filtering (RFC 7644 section 3.4.2): 1-based startIndex, count, totalResults,
itemsPerPage, a most-per-page the ServiceProviderConfig states, attributes asked for, and a
fixed number of queries whatever the page size."""

import pytest
from django.utils import timezone

from accounts.models import User
from scim.models import ScimIdentity
from tests.factories import UserFactory
from tests.scim.conftest import token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve(organisation):
    return [
        UserFactory(organisation=organisation, email=f"person{n:02}@northwind.example")
        for n in range(12)
    ]


def ids(response) -> list[int]:
    return [int(resource["id"]) for resource in response.json()["Resources"]]


def test_pages_follow_start_index_and_count_in_a_stable_order(scim, twelve):
    first = scim.get("/Users", {"startIndex": "1", "count": "5"}).json()
    third = scim.get("/Users", {"startIndex": "11", "count": "5"}).json()

    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (12, 5, 1)
    assert [int(r["id"]) for r in first["Resources"]] == [user.pk for user in twelve[:5]]
    assert (third["itemsPerPage"], third["startIndex"]) == (2, 11)
    assert [int(r["id"]) for r in third["Resources"]] == [user.pk for user in twelve[10:]]


def test_out_of_range_paging_is_read_as_the_rfc_says(scim, twelve, settings):
    settings.SCIM_MAX_RESULTS = 10

    below_one = scim.get("/Users", {"startIndex": "-4", "count": "2"}).json()
    negative = scim.get("/Users", {"count": "-1"}).json()
    too_many = scim.get("/Users", {"count": "1000"}).json()
    past_the_end = scim.get("/Users", {"startIndex": "500"}).json()

    assert below_one["startIndex"] == 1 and below_one["itemsPerPage"] == 2
    assert negative["Resources"] == [] and negative["totalResults"] == 12
    assert too_many["itemsPerPage"] == 10
    assert past_the_end["Resources"] == [] and past_the_end["totalResults"] == 12


def test_the_list_query_count_does_not_depend_on_the_page_size(
    scim_client, organisation, django_assert_num_queries, settings
):
    settings.USAGE_LOGGING_ENABLED = False
    _, plain = token_for(organisation, last_used_at=timezone.now())  # no last-used write
    scim = scim_client(plain)
    people = UserFactory.create_batch(30, organisation=organisation)
    for person in people[::2]:
        ScimIdentity.objects.create(user=person, external_id=f"ext-{person.pk}")

    # 1 the token (with its organisation): remembered after this (accounts.api_key_cache)
    with django_assert_num_queries(3):
        scim.get("/Users", {"count": "1"})
    for count in (1, 10, 30):
        # 1 the count, 2 the page (directory records joined)
        with django_assert_num_queries(2):
            response = scim.get("/Users", {"count": str(count)})
        assert response.json()["itemsPerPage"] == count
    with django_assert_num_queries(2):
        filtered = scim.get("/Users", {"filter": 'externalId sw "ext-"', "count": "30"})
    assert filtered.json()["totalResults"] == 15


def test_filters_compare_as_the_rfc_says(scim, organisation):
    ada = UserFactory(
        organisation=organisation,
        email="ada@northwind.example",
        full_name="Ada Lovelace",
        job_title="Analyst",
    )
    grace = UserFactory(
        organisation=organisation,
        email="grace@northwind.example",
        full_name="Grace Hopper",
        job_title="",
        status=User.Status.SUSPENDED,
    )
    invited = UserFactory(
        organisation=organisation,
        email="new@northwind.example",
        job_title="",
        status=User.Status.INVITED,
    )
    ScimIdentity.objects.create(user=ada, given_name="Ada", family_name="Lovelace")

    def found(text):
        response = scim.get("/Users", {"filter": text})
        assert response.status_code == 200, response.content
        return sorted(ids(response))

    assert found('userName eq "ADA@northwind.example"') == [ada.pk]
    core = "urn:ietf:params:scim:schemas:core:2.0:User"
    assert found(f'{core}:userName eq "ada@northwind.example"') == [ada.pk]
    assert found('emails[type eq "work"].value eq "grace@northwind.example"') == [grace.pk]
    assert found('emails[type eq "work" and value co "grace"]') == [grace.pk]
    assert found('displayName sw "grace"') == [grace.pk]
    assert found('name.familyName eq "Lovelace"') == [ada.pk]
    assert found("title pr") == [ada.pk]
    assert found("not (title pr)") == sorted([grace.pk, invited.pk])
    assert found("active eq false") == [grace.pk]
    assert found('active eq "True"') == sorted([ada.pk, invited.pk])
    assert found(f'id eq "{ada.pk}" or id eq "{grace.pk}"') == sorted([ada.pk, grace.pk])
    assert found('userName ne "ada@northwind.example" and active eq true') == [invited.pk]
    assert found('userName ew "@elsewhere.example"') == []


def test_attributes_and_excluded_attributes_trim_each_resource(scim, organisation):
    UserFactory(organisation=organisation, job_title="Analyst")

    only = scim.get("/Users", {"attributes": "userName,name.givenName"}).json()["Resources"][0]
    without = scim.get("/Users", {"excludedAttributes": "emails,meta,name.formatted"}).json()

    assert set(only) == {"schemas", "id", "userName", "name"}
    assert set(only["name"]) <= {"givenName"}
    resource = without["Resources"][0]
    assert "emails" not in resource and "meta" not in resource
    assert "formatted" not in resource["name"]
    assert resource["title"] == "Analyst"
