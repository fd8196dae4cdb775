"""Moving subscriptions and marketing sends from accounts to communications keeps every row."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from communications.models import CommunicationPreferences, MarketingDelivery, MarketingSend

pytestmark = [pytest.mark.usefixtures("requires_postgres"), pytest.mark.django_db(transaction=True)]

# The release before the move: accounts owned the models and communications did not exist.
BEFORE_THE_MOVE = [("accounts", "0004_email_changes"), ("communications", None)]
MOVED = ("communicationpreferences", "marketingsend", "marketingdelivery")


def content_type_ids(app_label: str) -> dict[str, int]:
    rows = ContentType.objects.filter(app_label=app_label, model__in=MOVED)
    return dict(rows.values_list("model", "pk"))


def seed_before_the_move(executor: MigrationExecutor) -> dict:
    """Rows written through the models as accounts had them, with the values to find again."""
    old = executor.loader.project_state([("accounts", "0004_email_changes")]).apps
    organisation = old.get_model("accounts", "Organisation").objects.create(
        name="Acme Analytics Ltd", slug="acme-moved"
    )
    User = old.get_model("accounts", "User")
    reader, objector = (
        User.objects.create(
            email=email, full_name=name, organisation=organisation, role="member", password="!"
        )
        for email, name in [("reader@acme.example", "Rea Der"), ("no@acme.example", "Ob Jector")]
    )
    objected_at = timezone.now()
    Preferences = old.get_model("accounts", "CommunicationPreferences")
    Preferences.objects.create(user=reader, newsletter=True, product_updates=True)
    Preferences.objects.create(user=objector, marketing_objection_at=objected_at)
    send = old.get_model("accounts", "MarketingSend").objects.create(
        key="a" * 64, topic="newsletter", subject="Spring news"
    )
    old.get_model("accounts", "MarketingDelivery").objects.create(send=send, user=reader)
    return {"reader": reader.pk, "objector": objector.pk, "send": send.pk, "at": objected_at}


def test_the_move_keeps_every_subscription_send_and_delivery():
    """GIVEN a database at the last migrations before the move, with preferences, a send and a
    delivery written through accounts' models
    WHEN every migration up to the newest runs
    THEN communications' models find each row with its values, in the same tables, and the
    models' content types (so their permissions) are the same rows under the new label."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    content_types = content_type_ids("communications")
    assert set(content_types) == set(MOVED)
    executor.migrate(BEFORE_THE_MOVE)
    assert content_type_ids("accounts") == content_types
    seeded = seed_before_the_move(executor)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    ContentType.objects.clear_cache()

    reader = CommunicationPreferences.objects.get(user_id=seeded["reader"])
    assert (reader.newsletter, reader.webinars, reader.product_updates) == (True, False, True)
    assert reader.marketing_objection_at is None
    objector = CommunicationPreferences.objects.get(user_id=seeded["objector"])
    assert objector.marketing_objection_at == seeded["at"]
    assert CommunicationPreferences.objects.count() == 2
    send = MarketingSend.objects.get()
    assert (send.pk, send.key, send.topic, send.subject) == (
        seeded["send"],
        "a" * 64,
        "newsletter",
        "Spring news",
    )
    delivery = MarketingDelivery.objects.select_related("send").get()
    assert (delivery.send.pk, delivery.user_id) == (seeded["send"], seeded["reader"])
    assert [model._meta.db_table for model in (CommunicationPreferences, MarketingSend)] == [
        "accounts_communicationpreferences",
        "accounts_marketingsend",
    ]
    assert content_type_ids("communications") == content_types
    assert content_type_ids("accounts") == {}
    assert not MigrationExecutor(connection).migration_plan(latest)
