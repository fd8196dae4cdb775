"""Independent checks over real HTTP: the app served on loopback (pytest-django's live
server), called by the python-scim project's libraries. scim2-tester checks the discovery
endpoints against RFC 7643/7644; scim2-client runs a provisioning round trip and validates
every answer against its own models of the RFC's resources, lists and errors.

scim2-tester's own CRUD checks are not run: they create users with random userNames, which
PrivacyDesk refuses (a userName is the person's e-mail address).
"""

import pytest
from django.core import mail
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import Error, ListResponse, PatchOp, PatchOperation, SearchRequest
from scim2_tester import check_server
from scim2_tester.utils import Status

from accounts.models import User
from tests.factories import OrganisationFactory
from tests.scim.conftest import token_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_rfc_checker_and_a_scim_client_library_agree_with_the_service(live_server):
    _, plain = token_for(OrganisationFactory(slug="northwind"))
    http = Client(
        base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {plain}"}
    )
    scim = SyncSCIMClient(http)

    checks = check_server(scim, include_tags={"discovery", "misc"})

    failed = {Status.DEVIATION, Status.ERROR, Status.CRITICAL}
    assert [(check.title, check.reason) for check in checks if check.status in failed] == []
    assert sum(check.status == Status.SUCCESS for check in checks) >= 20

    scim.discover()
    user_model = scim.get_resource_model("User")
    created = scim.create(
        user_model(user_name="ada@northwind.example", display_name="Ada Lovelace", active=True)
    )
    assert created.id and created.meta.version.startswith('W/"')
    assert User.objects.get(pk=int(created.id)).status == User.Status.INVITED
    assert [message.to for message in mail.outbox] == [["ada@northwind.example"]]

    found = scim.query(
        user_model, query_parameters=SearchRequest(filter='userName eq "ADA@northwind.example"')
    )
    searched = scim.search(user_model, SearchRequest(filter='displayName sw "Ada"'))
    for listing in (found, searched):
        assert isinstance(listing, ListResponse)
        assert [resource.id for resource in listing.resources] == [created.id]

    read = scim.query(user_model, created.id)
    read.title = "Countess"
    replaced = scim.replace(read)
    assert replaced.title == "Countess"

    patch = PatchOp[user_model](
        operations=[PatchOperation(op="replace", path="active", value=False)]
    )
    patched = scim.modify(user_model, created.id, patch)
    assert patched.active is False
    assert User.objects.get(pk=int(created.id)).status == User.Status.SUSPENDED

    assert scim.delete(user_model, created.id) is None
    gone = scim.query(user_model, created.id, raise_scim_errors=False)
    assert isinstance(gone, Error)
    assert gone.status == 404
