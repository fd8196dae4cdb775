"""sso's writes: connections (connections.py), claimed domains (domains.py), logins
(logins.py, saml_logins.py, oidc_logins.py) and replay protection (replay.py)."""
