"""Schemathesis against the live app: every operation of the OpenAPI schema, anonymous and with
an API key of each scope, answers no 500 and only what the schema documents.

The app runs on pytest-django's ``live_server`` (a threaded WSGI server in this process, on
the test database): the keys this test makes are there for it to read, and the settings
overridden here are the server's. Schemathesis runs as its own command, as a CI job would
run it against a deployed app, with a bounded number of examples per operation.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiScope
from tests.factories import OrganisationFactory, UserFactory, api_key_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.usefixtures("requires_postgres"),
    pytest.mark.django_db(transaction=True),
]

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
MAX_EXAMPLES = 10
SEED = 20261202
# The operations each scope opens. Anonymous callers try every operation; a key tries those of
# its scope (on the others it is refused like an anonymous caller, already tried).
SCOPE_PATHS = {
    ApiScope.USERS: "^/api/v1/users/",
    ApiScope.USAGE_READ: "^/api/v1/usage/report/",
    ApiScope.USAGE_WRITE: "^/api/v1/usage/events/",
    ApiScope.DSAR: "^/api/v1/rights-requests/",
    ApiScope.WEBHOOKS: "^/api/v1/webhooks/",
}


@pytest.fixture
def generous_rates(monkeypatch):
    """The run is one client at machine speed: the public rates would answer 429 to most of
    it (documented, so no failure, but nothing behind them would be tested)."""
    for scope in ("anon", "user", "rights_public"):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/minute")


def run_schemathesis(
    base_url: str, report: Path, headers: dict[str, str], path_regex: str | None
) -> tuple[dict, str]:
    """Run schemathesis; its JSON report (operations, cases, failures) and its output."""
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{base_url}/api/schema/?format=json",
        "--url",
        base_url,
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--phases",
        "examples,coverage,fuzzing",
        "--no-shrink",
        # One worker: hypothesis describing strategies from two threads trips CPython 3.11's
        # "AST constructor recursion depth mismatch".
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    if path_regex:
        command += ["--include-path-regex", path_regex]
    # In the report's folder: schemathesis keeps a cache beside where it runs.
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, cwd=report.parent
    )
    output = completed.stdout + completed.stderr
    assert report.exists(), output[-4000:]
    return json.loads(report.read_text()), output


def test_every_operation_conforms_to_the_schema_for_every_kind_of_caller(
    live_server, tmp_path, generous_rates
):
    organisation = OrganisationFactory(slug="schemathesis")
    UserFactory.create_batch(2, organisation=organisation)
    callers = {"anonymous": ({}, None)}
    for scope in ApiScope:
        _, plain = api_key_for(organisation, scopes=[scope], name=f"schemathesis {scope}")
        callers[scope.value] = ({"Authorization": f"Api-Key {plain}"}, SCOPE_PATHS[scope])

    failed = {}
    for who, (headers, path_regex) in callers.items():
        path = tmp_path / f"{who.replace(':', '-')}.json"
        report, output = run_schemathesis(live_server.url, path, headers, path_regex)
        print(  # a summary for the CI log (pytest -rA or -s shows it)
            f"schemathesis as {who}: {report['operations']['tested']} operations, "
            f"{report['test_cases']['generated']} cases, "
            f"{report['test_cases']['unique_failures']} unique failures, "
            f"{len(report['errors'])} errors"
        )
        if report["failures"] or report["errors"] or not report["complete"]:
            failed[who] = output[-6000:]
    assert not failed, "\n\n".join(f"--- as {who} ---\n{text}" for who, text in failed.items())
