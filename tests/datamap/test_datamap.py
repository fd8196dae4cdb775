import pytest
from django.db import models
from django.test.utils import isolate_apps

import audit
from accounts.models import User
from datamap import Subject, registry
from datamap.detect import personal_data_signals, unmapped_personal_models
from datamap.engines import erase_subject, export_subject
from tests.factories import DpoFactory, UserFactory


def test_every_model_with_personal_data_has_an_entry_or_a_written_exemption():
    assert unmapped_personal_models() == {}


@isolate_apps("tests")
def test_the_detector_flags_a_new_model_with_personal_data_and_no_entry():
    class SupportEnquiry(models.Model):
        sender = models.EmailField()
        body = models.TextField()

        class Meta:
            app_label = "tests"

    class Counter(models.Model):
        total = models.IntegerField()

        class Meta:
            app_label = "tests"

    unmapped = unmapped_personal_models([SupportEnquiry, Counter])
    assert list(unmapped) == ["tests.SupportEnquiry"]
    assert unmapped["tests.SupportEnquiry"] == ["sender: e-mail address", "body: free text"]


@isolate_apps("tests")
def test_the_detector_sees_ip_addresses_names_and_links_to_users():
    class Visit(models.Model):
        ip_address = models.GenericIPAddressField()
        display_name = models.CharField(max_length=10)
        user = models.ForeignKey(User, on_delete=models.CASCADE)

        class Meta:
            app_label = "tests"

    assert personal_data_signals(Visit) == [
        "ip_address: IP address",
        "display_name: a name",
        "user: link to a user",
    ]


def test_every_entry_points_at_a_real_model_and_real_fields():
    for entry in registry.entries():
        model = entry.model_class
        # values() resolves every export field, following relations, or raises FieldError.
        model._default_manager.none().values(*entry.export_fields)
        assert entry.retention_category
        if entry.retention_field:
            model._default_manager.none().values(entry.retention_field)


def test_exemptions_carry_a_reason():
    assert registry.exemptions()
    assert all(len(reason) > 20 for reason in registry.exemptions().values())


@pytest.mark.django_db
def test_export_gives_the_subjects_rows_and_nobody_elses():
    alice = UserFactory(full_name="Alice Example")
    UserFactory(full_name="Bob Other")
    sections = {s.entry.name: s for s in export_subject(Subject.of(user_ids=[alice.pk]))}
    assert [row["full_name"] for row in sections["accounts.contact"].rows] == ["Alice Example"]
    login = sections["accounts.login"]
    assert "password" not in login.entry.export_fields
    assert "password hash" in login.entry.export_note


@pytest.mark.django_db
def test_erasure_anonymises_the_account_and_keeps_the_audit_trails_events_without_the_person():
    dpo = DpoFactory()
    alice = UserFactory(full_name="Alice Example", email="alice@example.test")
    bob = UserFactory(full_name="Bob Other")
    viewed = audit.record(dpo, "user.view", target=alice)

    outcomes = {
        o.entry.name: o
        for o in erase_subject(Subject.of(user_ids=[alice.pk], emails=[alice.email]))
    }

    alice.refresh_from_db()
    assert alice.full_name == "Erased user"
    assert alice.email == f"erased-{alice.pk}@erased.invalid"
    assert not alice.has_usable_password()
    assert outcomes["accounts.contact"].action == "anonymised"
    assert outcomes["audit.trail"].action == "anonymised"
    assert outcomes["audit.trail"].rows == 1
    viewed.refresh_from_db()
    assert (viewed.action, viewed.target_id, viewed.target_label) == (
        "user.view",
        str(alice.pk),
        "",
    )
    bob.refresh_from_db()
    assert bob.full_name == "Bob Other"


@pytest.mark.django_db
def test_an_erasure_dry_run_counts_without_changing_anything():
    alice = UserFactory(full_name="Alice Example")
    outcomes = erase_subject(Subject.of(user_ids=[alice.pk]), dry_run=True)
    assert {o.entry.name: o.rows for o in outcomes}["accounts.contact"] == 1
    alice.refresh_from_db()
    assert alice.full_name == "Alice Example"


@pytest.mark.django_db
def test_an_exception_keeps_an_entry_from_erasure():
    alice = UserFactory(full_name="Alice Example")
    outcomes = erase_subject(
        Subject.of(user_ids=[alice.pk]),
        exception_for=lambda entry: "legal hold" if entry.model == "accounts.User" else None,
    )
    alice.refresh_from_db()
    assert alice.full_name == "Alice Example"
    assert {o.entry.name: o.action for o in outcomes}["accounts.contact"] == "kept"
