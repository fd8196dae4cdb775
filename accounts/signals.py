"""Signals accounts sends for the apps built on it; accounts imports none of those apps.

Security keeps the session rows and the suspicious-activity rules, and imports accounts; so
where an account event needs security to act, accounts sends a signal here and security
receives it (security/receivers.py).

``user_sessions_must_end`` (``user``): the account was suspended, terminated or had its
two-step login reset; every browser session of ``user`` ends now, in the sender's transaction.

``api_key_failures_reached_limit`` (``ip_address``, ``failures``): one client IP failed API-key
authentication ``API_KEY_FAILURE_LIMIT`` times in its window; sent once per window. Counting
and the 429 stay with key authentication (accounts/authentication.py); what the burst means,
an investigation, is security's.

``staff_assignments_must_return`` (``user``, ``by``): the staff member ``user`` was
off-boarded by ``by``; every open case assigned to them goes back to its queue, in the
sender's transaction. Rights requests (dsar), investigations (security) and enquiries
(enquiries) each receive it and call their own service, which unassigns and audits.
"""

from django.dispatch import Signal

user_sessions_must_end = Signal()
api_key_failures_reached_limit = Signal()
staff_assignments_must_return = Signal()
