"""Single sign-on per client organisation: SAML 2.0 and OpenID Connect, the organisation's
verified e-mail domains, "SSO required", and first logins that create the account (JIT)."""
