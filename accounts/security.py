"""Suspicious-activity rules: each login attempt, lockout and API-key failure burst is checked."""


def api_key_failure_burst(*, ip_address: str, failures: int) -> None:
    """Called when one IP has failed API-key authentication ``failures`` times in the window."""
