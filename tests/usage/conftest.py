import pytest

from usage.buffer import buffer_drain
from usage.models import UsageEvent


@pytest.fixture
def stored_events():
    """The events written so far, after draining the buffer as the beat task would."""

    def read(**filters):
        buffer_drain()
        return list(UsageEvent.objects.filter(**filters).order_by("id"))

    return read
