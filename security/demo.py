"""Demo investigations for the embedded mode, made once each through the services a real
login and a real DPO use."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from security.models import Investigation
from security.services.evidence import Event
from security.services.investigations import investigation_record_outcome
from security.services.rules import investigation_raise


def investigations_demo_seed(*, dpo: User) -> None:
    """One open investigation whose rule held a member's account, and one closed one.

    Each is made once, through the same services a real login and a real DPO use; a
    demo in which someone has since worked them is left as it is.
    """
    now = timezone.now()
    held = User.objects.get(email="jack.murphy@acme.example")
    if not Investigation.objects.filter(user=held, rule="many_ips_in_hour").exists():
        browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0"
        investigation_raise(
            rule="many_ips_in_hour",
            summary="Successful logins from 4 IP addresses within 60 minutes",
            evidence=[
                Event(now - timedelta(minutes=50 - 15 * n), ip, "login_succeeded", browser)
                for n, ip in enumerate(
                    ["203.0.113.10", "198.51.100.23", "192.0.2.77", "203.0.113.201"]
                )
            ],
            user=held,
            ip_address="203.0.113.201",
            suspend_reason="successful logins from many places within an hour",
        )
    cleared = User.objects.get(email="isla.robinson@acme.example")
    if not Investigation.objects.filter(user=cleared, rule="lockout").exists():
        investigation = investigation_raise(
            rule="lockout",
            summary="Logins to this account were locked out after repeated failures from "
            "198.51.100.4",
            evidence=[
                Event(now - timedelta(days=3, minutes=5 - n), "198.51.100.4", "login_failed")
                for n in range(5)
            ]
            + [Event(now - timedelta(days=3), "198.51.100.4", "locked_out")],
            user=cleared,
            ip_address="198.51.100.4",
        )
        investigation_record_outcome(
            investigation=investigation,
            outcome=Investigation.Outcome.CLEARED,
            reason="The user had forgotten a recently changed password; confirmed by phone.",
            by=dpo,
        )
