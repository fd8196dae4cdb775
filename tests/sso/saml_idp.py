"""A SAML 2.0 identity provider for the tests: pysaml2's Server, with a key pair made in the
test, served over HTTP on 127.0.0.1 in a thread.

GET /metadata      its metadata (what an IdP administrator hands the service provider)
GET /sso           takes our AuthnRequest (HTTP-Redirect binding, its signature checked
                   against our SP metadata) and answers with the usual auto-POST form that
                   carries a signed Response for ``person``
GET /initiate      an IdP-initiated answer (no request), as an IdP's portal sends

The test sets who logs in (``person``) and how the IdP misbehaves: which key signs, which
audience it names, whether it signs at all.
"""

import base64
import html
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs

import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import AUTHN_PASSWORD, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256
from werkzeug.serving import make_server

from sso.keys import key_pair_files


class _Form(HTMLParser):
    """The action and hidden inputs of the auto-POST form, as a browser would read them."""

    def __init__(self):
        super().__init__()
        self.action, self.fields = "", {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = html.unescape(attrs.get("action", ""))
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = html.unescape(attrs.get("value") or "")


def posted_form(page: str) -> tuple[str, dict]:
    form = _Form()
    form.feed(page)
    return form.action, form.fields


class SamlIdp:
    """``host``: the name its login address has in the metadata, where the browser goes
    (``localhost`` makes the POST back to us cross-site); its metadata is fetched from
    127.0.0.1 either way."""

    def __init__(self, directory: Path, host: str = "127.0.0.1"):
        self.directory = directory
        self.key, self.cert = key_pair_files(
            directory / "idp.key", directory / "idp.crt", common_name="Test IdP"
        )
        # A second key the metadata does not publish: what a forger would sign with.
        self.rogue_key, self.rogue_cert = key_pair_files(
            directory / "rogue.key", directory / "rogue.crt", common_name="Rogue IdP"
        )
        self._http = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.base = f"http://127.0.0.1:{self._http.server_port}"
        self.public = f"http://{host}:{self._http.server_port}"
        self.entity_id = f"{self.public}/idp"
        self.sp_metadata = ""
        self.person = {"email": "ada@acme.test", "name": "Ada Lovelace", "roles": []}
        self.sign_with = "idp"  # or "rogue"
        self.sign_response = True
        self.sign_assertion = True
        self.audience = None  # None: the SP's own entity ID
        # Encrypt the assertion to the SP's certificate (from its metadata), as Entra ID and
        # Okta can.
        self.encrypt_assertion = False
        self.requests_seen: list = []
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def start(self) -> "SamlIdp":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    # --- pysaml2 ---------------------------------------------------------------------------

    def _config(self, key: str, cert: str) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "key_file": key,
                "cert_file": cert,
                "metadata": {"inline": self._sp_metadata()} if self.sp_metadata else {},
                "accepted_time_diff": 60,
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.public}/sso", BINDING_HTTP_REDIRECT),
                                (f"{self.public}/sso", BINDING_HTTP_POST),
                            ]
                        },
                        "want_authn_requests_signed": True,
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "policy": {"default": {"lifetime": {"minutes": 5}}},
                    }
                },
            }
        )
        return config

    def _sp_metadata(self) -> list[str]:
        """Our SP's metadata; with ``audience`` set, another SP's too (the IdP knows both, and
        sends the other's assertion to us: a misconfigured or malicious IdP)."""
        documents = [self.sp_metadata]
        if self.audience:
            entity_id, _ = self._sp()
            documents.append(self.sp_metadata.replace(entity_id, self.audience))
        return documents

    def _server(self) -> Server:
        if self.sign_with == "rogue":
            return Server(config=self._config(self.rogue_key, self.rogue_cert))
        return Server(config=self._config(self.key, self.cert))

    def metadata_xml(self) -> str:
        return create_metadata_string(
            None, config=self._config(self.key, self.cert), sign=False
        ).decode()

    def _response(self, *, in_response_to, acs_url: str, sp_entity_id: str) -> str:
        person = self.person
        identity = {"mail": [person["email"]], "displayName": [person["name"]]}
        if person.get("roles"):
            identity["groups"] = list(person["roles"])
        server = self._server()
        response = server.create_authn_response(
            identity,
            in_response_to=in_response_to,
            destination=acs_url,
            sp_entity_id=self.audience or sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=person["email"]),
            authn={"class_ref": AUTHN_PASSWORD, "authn_auth": self.entity_id},
            sign_response=self.sign_response,
            sign_assertion=self.sign_assertion,
            encrypt_assertion=self.encrypt_assertion,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        return base64.b64encode(str(response).encode()).decode()

    def _sp(self) -> tuple[str, str]:
        """Our SP's entity ID and ACS URL, read from the SP metadata the IdP was given."""
        entity_id = re.search(r'entityID="([^"]+)"', self.sp_metadata)[1]
        acs_url = re.search(r'AssertionConsumerService [^>]*Location="([^"]+)"', self.sp_metadata)
        return entity_id, acs_url[1]

    # --- HTTP ------------------------------------------------------------------------------

    def _wsgi(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/metadata":
            return self._answer(start_response, self.metadata_xml(), "application/xml")
        if path == "/sso":
            request = self._server().parse_authn_request(
                query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query.get("SigAlg"),
                signature=query.get("Signature"),
            )
            self.requests_seen.append(request.message)
            entity_id, acs_url = self._sp()
            saml_response = self._response(
                in_response_to=request.message.id, acs_url=acs_url, sp_entity_id=entity_id
            )
            return self._answer(start_response, self._form(acs_url, saml_response), "text/html")
        if path == "/initiate":
            entity_id, acs_url = self._sp()
            saml_response = self._response(
                in_response_to=None, acs_url=acs_url, sp_entity_id=entity_id
            )
            return self._answer(start_response, self._form(acs_url, saml_response), "text/html")
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    @staticmethod
    def _form(action: str, saml_response: str) -> str:
        return (
            f'<form method="post" action="{html.escape(action)}">'
            f'<input type="hidden" name="SAMLResponse" value="{html.escape(saml_response)}">'
            '<input type="submit" value="Continue"></form>'
        )

    @staticmethod
    def _answer(start_response, body: str, content_type: str):
        start_response("200 OK", [("Content-Type", content_type)])
        return [body.encode()]

    # --- What a browser does ---------------------------------------------------------------

    def login_page(self, location: str) -> tuple[str, dict]:
        """Follow our redirect to the IdP; the form it makes the browser POST back."""
        response = requests.get(location, timeout=10)
        response.raise_for_status()
        return posted_form(response.text)

    def initiate(self) -> tuple[str, dict]:
        response = requests.get(f"{self.base}/initiate", timeout=10)
        response.raise_for_status()
        return posted_form(response.text)
