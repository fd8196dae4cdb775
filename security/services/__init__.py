"""security's writes, one module per subject: login rules and investigations, two-step login,
sessions, passwords, lockout notices. Reads are in security/selectors.py."""
