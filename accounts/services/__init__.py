"""accounts' writes, one module per subject: users (rectification, roles, life cycle, MFA
resets, the flags rights requests set), invitations, organisations, API keys.

Every change here is the only way the app makes it, and each one leaves an audit entry.
``by`` is the acting user, or an integration's API key (accounts.authentication.ApiKeyPrincipal):
a key is no user row, so the "..._by" links stay empty and the audit entry names the key.
"""
