"""What each kind of right does once a request is verified, and the DPO's executors.

Each executor reads the data map; none keeps its own list of where personal data lives.
"""

from dsar.models import RightsRequest


def on_verified(request: RightsRequest) -> None:
    """Steps that follow verification at once, whatever the DPO does next."""
    from dsar.executors import immediate

    immediate.run(request)
