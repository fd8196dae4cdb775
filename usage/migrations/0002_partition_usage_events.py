"""On PostgreSQL, make usage_usageevent a table partitioned by month of occurred_at.

The model keeps ``id`` as its primary key for Django; the table's real key is
(id, occurred_at), as PostgreSQL requires the partition key in every unique constraint.
A default partition catches rows outside the monthly ones; a beat task creates months ahead.
"""

import datetime

from django.db import migrations
from django.utils import timezone

PARTITIONED = """
DROP TABLE usage_usageevent;
CREATE TABLE usage_usageevent (
    id bigserial NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    organisation_id bigint NOT NULL,
    user_id bigint NULL,
    session_hash varchar(64) NOT NULL,
    ip_address inet NULL,
    user_agent_family varchar(60) NOT NULL,
    action varchar(60) NOT NULL,
    feature varchar(100) NOT NULL,
    path varchar(300) NOT NULL,
    status_code smallint NULL CHECK (status_code >= 0),
    duration_ms integer NULL CHECK (duration_ms >= 0),
    purpose varchar(60) NOT NULL,
    event_id varchar(100) NOT NULL,
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX usage_event_org_time ON usage_usageevent (organisation_id, occurred_at);
CREATE INDEX usage_event_user_time ON usage_usageevent (user_id, occurred_at);
CREATE TABLE usage_usageevent_default PARTITION OF usage_usageevent DEFAULT;
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PARTITIONED, params=None)
    month = timezone.now().date().replace(day=1)
    for _ in range(4):
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        name = f"usage_usageevent_y{month.year}m{month.month:02d}"
        schema_editor.execute(
            f"CREATE TABLE {name} PARTITION OF usage_usageevent "
            f"FOR VALUES FROM ('{month} 00:00:00+00') TO ('{following} 00:00:00+00')",
            params=None,
        )
        month = following


class Migration(migrations.Migration):
    dependencies = [("usage", "0001_initial")]

    # Irreversible on PostgreSQL only in shape: reversing 0001 drops the table either way.
    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
