import pytest

from retention.defaults import DEFAULT_POLICIES


@pytest.fixture(autouse=True)
def _default_policies(request):
    """The schedule the data migration seeds, put back should a transactional test elsewhere
    have flushed it."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from retention.models import RetentionPolicy

    for default in DEFAULT_POLICIES:
        RetentionPolicy.objects.get_or_create(
            category=default.category,
            defaults={"basis": default.basis, "days": default.days, "action": default.action},
        )
