"""Django's admin as a read-only window for superusers, for support work in an emergency.

Every change goes through a service, which checks its rules and writes the audit trail; the
admin would bypass both, so nothing here adds, changes or deletes. The admin site itself asks
for a verified second factor (config/urls.py mounts django-otp's OTPAdminSite).
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows a model's rows to superusers; no add, change or delete, no bulk actions.

    ``viewed`` is called after each list and each row shown: an app's admin puts it on the
    audit trail (common imports no app, so not here).
    """

    actions = None
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_readonly_fields(self, request, obj=None):
        fields = self.model._meta.get_fields()
        return [
            field.name
            for field in fields
            if field.concrete and not field.auto_created and field.name not in (self.exclude or ())
        ]

    def viewed(self, request, obj=None) -> None:
        """Called after the list (``obj`` None) or one row was shown."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            self.viewed(request)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            self.viewed(request, self.get_object(request, object_id))
        return response
