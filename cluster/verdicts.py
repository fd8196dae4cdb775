"""A drill's outcome, and the run's progress lines."""

import sys
import time
from dataclasses import dataclass, field

STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.0f}s] {message}", flush=True)


@dataclass
class Verdict:
    drill: str
    passed: bool = True
    checks: list[tuple[bool, str]] = field(default_factory=list)
    # Heavy reads while the drill ran: (statements on the replica, on the primary).
    heavy_reads: tuple[int, int] = (0, 0)

    def check(self, ok: bool, text: str) -> bool:
        self.checks.append((ok, text))
        self.passed = self.passed and ok
        say(f"  {'ok  ' if ok else 'FAIL'} {text}")
        return ok


def wait_for(condition, seconds: float, every: float = 0.5):
    """``condition()``'s first truthy value within ``seconds``, else None."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(every)


def fail(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(1)
