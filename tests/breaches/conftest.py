from datetime import timedelta

import pytest
from django.utils import timezone

from breaches.services import register as services
from tests.factories import DpoFactory


@pytest.fixture
def dpo(db):
    return DpoFactory(full_name="Priya Shah")


@pytest.fixture
def dpo_client(dpo, verified_client):
    return verified_client(dpo)


@pytest.fixture
def open_breach(dpo):
    """``open_breach(hours_ago=...)``: a breach the company became aware of that long ago."""

    def make(hours_ago: float = 1, **fields):
        fields.setdefault("title", "Report sent to the wrong client")
        fields.setdefault("description", "A usage report went to another client's admin.")
        return services.breach_open(
            by=dpo, aware_at=timezone.now() - timedelta(hours=hours_ago), **fields
        )

    return make
