"""The evidence an investigation keeps: one line per event, read from the request axes saw."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from common.client_ip import client_ip

# Keep an open investigation's evidence bounded: a lockout repeats at every attempt while an
# attacker keeps trying, and nobody reads the ten-thousandth identical line.
EVIDENCE_LIMIT = 200

EVENT_LABELS = {
    "login_failed": "Failed login",
    "login_succeeded": "Successful login",
    "locked_out": "Locked out",
    "api_key_failures": "Failed API-key authentications",
    "password_spraying": "Password spray (e-mail addresses tried); the IP's logins refused",
}


@dataclass(frozen=True)
class Event:
    """One line of evidence: what happened, when, from where."""

    time: datetime
    ip: str | None
    event: str
    user_agent: str = ""
    count: int | None = None

    def as_evidence(self) -> dict:
        item = {"time": self.time.isoformat(), "ip": self.ip, "event": self.event}
        if self.user_agent:
            item["user_agent"] = self.user_agent[:255]
        if self.count is not None:
            item["count"] = self.count
        return item


def _evidence_key(item: dict) -> tuple:
    return (item.get("time"), item.get("ip"), item.get("event"))


def merge_evidence(existing: list, new: list[Event]) -> list:
    """Old and new evidence, each event once, oldest first, the newest ``EVIDENCE_LIMIT``."""
    merged = {_evidence_key(item): item for item in existing}
    for event in new:
        item = event.as_evidence()
        merged.setdefault(_evidence_key(item), item)
    ordered = sorted(merged.values(), key=lambda item: item.get("time") or "")
    return ordered[-EVIDENCE_LIMIT:]


# --- Reading the request (axes annotates it; a request axes did not see falls back) ---------


def request_ip(request) -> str | None:
    ip = getattr(request, "axes_ip_address", None)
    if ip is None and request is not None:
        ip = client_ip(request)
    return ip or None


def request_time(request) -> datetime:
    return getattr(request, "axes_attempt_time", None) or timezone.now()


def request_user_agent(request) -> str:
    agent = getattr(request, "axes_user_agent", None)
    if agent is None and request is not None:
        agent = request.META.get("HTTP_USER_AGENT", "")
    return (agent or "")[:255]
