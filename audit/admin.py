"""The audit trail, read-only in the admin for superusers; looking at it is itself recorded."""

from django.contrib import admin

import audit
from audit.models import AuditEntry
from common.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_label", "action", "target_type", "target_label")
    list_filter = ("target_type",)
    search_fields = ("action", "actor_label", "target_label", "target_id")
    date_hierarchy = "created_at"

    def viewed(self, request, obj=None) -> None:
        audit.record(request.user, "admin.view", target=obj, details={"model": "audit.AuditEntry"})
