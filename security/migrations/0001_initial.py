"""Security's models, moved from accounts with their tables and rows (issue 13).

The tables keep their names (``db_table`` = accounts_…): this migration only tells Django's
state that the models now live here; the database is not touched. accounts 0005 removes them
from accounts' state. The content types follow, so anything that points at them (the admin's
log, permissions) keeps pointing at the same rows.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ["backupcodedevice", "backupcode", "investigation", "investigationnote", "usersession"]


def content_types_follow(apps, schema_editor, *, old: str, new: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    # A content type already made under the new label (a database migrated back and forth)
    # stays; the old one is left for remove_stale_contenttypes.
    existing = set(content_types.filter(app_label=new).values_list("model", flat=True))
    content_types.filter(app_label=old, model__in=set(MOVED) - existing).update(app_label=new)


def forwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="accounts", new="security")


def backwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="security", new="accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_email_changes"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='BackupCodeDevice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                        ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                        ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                        ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                        ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'backup code set',
                        'db_table': 'accounts_backupcodedevice',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='BackupCode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code_hash', models.CharField(max_length=64)),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='security.backupcodedevice')),
                    ],
                    options={
                        'db_table': 'accounts_backupcode',
                    },
                ),
                migrations.CreateModel(
                    name='Investigation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rule', models.CharField(max_length=64)),
                        ('severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High')], max_length=8)),
                        ('summary', models.CharField(max_length=255)),
                        ('evidence', models.JSONField(blank=True, default=list)),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=8)),
                        ('account_suspended', models.BooleanField(default=False, help_text='The rule suspended the account as a provisional step.')),
                        ('opened_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('review_due_at', models.DateTimeField(blank=True, null=True)),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                        ('outcome', models.CharField(blank=True, choices=[('cleared', 'Cleared, account reactivated'), ('confirmed_suspended', 'Confirmed, account kept suspended'), ('confirmed_terminated', 'Confirmed, account terminated'), ('escalated_breach', 'Escalated to a breach')], max_length=24)),
                        ('outcome_reason', models.TextField(blank=True)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.organisation')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='investigations', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_investigation',
                        'ordering': ['-opened_at'],
                    },
                ),
                migrations.CreateModel(
                    name='InvestigationNote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField()),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('investigation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='security.investigation')),
                    ],
                    options={
                        'db_table': 'accounts_investigationnote',
                        'ordering': ['created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='UserSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('session_key', models.CharField(max_length=40, unique=True)),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                        ('device', models.CharField(blank=True, help_text='Browser and system.', max_length=120)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('last_seen_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('ended_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='browser_sessions', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_usersession',
                        'ordering': ['-last_seen_at'],
                    },
                ),
                migrations.AddIndex(
                    model_name='investigation',
                    index=models.Index(fields=['status', 'opened_at'], name='accounts_in_status_67b4b5_idx'),
                ),
                migrations.AddIndex(
                    model_name='usersession',
                    index=models.Index(fields=['user', 'ended_at'], name='accounts_us_user_id_d88300_idx'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
