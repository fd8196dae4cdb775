"""Read-only admin for superusers: organisations, users and group companies, each view audited."""

from django.contrib import admin

import audit
from accounts.models import GroupCompany, Organisation, User
from common.admin import ReadOnlyAdmin


class AuditedReadOnlyAdmin(ReadOnlyAdmin):
    def viewed(self, request, obj=None) -> None:
        audit.record(
            request.user,
            "admin.view",
            target=obj,
            details={"model": self.model._meta.label} if obj is None else None,
        )


@admin.register(Organisation)
class OrganisationAdmin(AuditedReadOnlyAdmin):
    list_display = ("name", "slug", "status", "mfa_required", "created_at")
    list_filter = ("status", "mfa_required")
    search_fields = ("name", "slug")


@admin.register(User)
class UserAdmin(AuditedReadOnlyAdmin):
    list_display = ("email", "full_name", "organisation", "role", "status", "last_login")
    list_filter = ("role", "status", "is_superuser")
    list_select_related = ("organisation",)
    search_fields = ("email", "full_name", "organisation__name")
    # Never the password hash, even read-only.
    exclude = ("password",)


@admin.register(GroupCompany)
class GroupCompanyAdmin(AuditedReadOnlyAdmin):
    list_display = (
        "organisation",
        "member",
        "relationship",
        "requested_on",
        "recorded_at",
        "ended_at",
    )
    list_select_related = ("organisation", "member")
    search_fields = ("organisation__name", "member__name")
