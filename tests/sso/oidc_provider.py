"""An OpenID Connect provider for the tests: oidc-provider-mock (authlib's authorization
server in Flask) on 127.0.0.1 in a thread, requiring a nonce, with two additions made through
Flask's request hooks:

- PKCE (RFC 7636): the mock does not check it, so each code is bound here to the S256
  challenge of its authorization request, and the token request must carry the verifier;
- misbehaviour on demand: ``tamper`` rewrites the ID token's claims and signs it again with the
  provider's own key, ``sign_with_foreign_key`` signs it with a key the provider never
  published (under the published key's ID).
"""

import threading
from urllib.parse import parse_qs, urlsplit

import flask
import oidc_provider_mock
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


class OidcProvider:
    def __init__(self):
        self.app = oidc_provider_mock.app(require_nonce=True)
        self.app.before_request(self._pkce_check)
        self.app.after_request(self._after)
        self._http = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._http.server_port}"
        self.tamper = None  # a function of the claims, returning the claims to sign instead
        self.sign_with_foreign_key = False
        self.challenges: dict[str, tuple[str, str]] = {}
        self.token_requests: list[dict] = []
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def start(self) -> "OidcProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    # --- Hooks ---------------------------------------------------------------------------

    def _pkce_check(self):
        request = flask.request
        if request.path != "/oauth2/token" or request.form.get("grant_type") != (
            "authorization_code"
        ):
            return None
        self.token_requests.append(dict(request.form))
        challenge, method = self.challenges.pop(request.form.get("code", ""), ("", ""))
        verifier = request.form.get("code_verifier", "")
        if not (
            method == "S256" and verifier and create_s256_code_challenge(verifier) == challenge
        ):
            return flask.jsonify(error="invalid_grant", error_description="PKCE failed"), 400
        return None

    def _after(self, response):
        request = flask.request
        if request.path == "/oauth2/authorize" and response.status_code == 302:
            code = parse_qs(urlsplit(response.headers["Location"]).query).get("code", [""])[0]
            if code:
                self.challenges[code] = (
                    request.args.get("code_challenge", ""),
                    request.args.get("code_challenge_method", ""),
                )
        misbehaving = self.tamper is not None or self.sign_with_foreign_key
        if request.path == "/oauth2/token" and response.status_code == 200 and misbehaving:
            body = response.get_json()
            body["id_token"] = self._resign(body["id_token"])
            response.set_data(flask.json.dumps(body))
        return response

    def _resign(self, id_token: str) -> str:
        own = RSAKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True))
        header = jws.extract_compact(id_token.encode()).protected
        claims = jwt.decode(id_token, own).claims
        if self.tamper is not None:
            claims = self.tamper(dict(claims))
        key = RSAKey.generate_key(2048) if self.sign_with_foreign_key else own
        return jwt.encode({"alg": header["alg"], "kid": header.get("kid") or own.kid}, claims, key)

    # --- What a browser and an IdP administrator do ------------------------------------------

    def set_person(self, sub: str, **claims) -> None:
        requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10).raise_for_status()

    def log_in(self, location: str, sub: str) -> str:
        """At the authorization page our redirect opened, log in as ``sub``: the address the
        provider sends the browser back to."""
        response = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]
