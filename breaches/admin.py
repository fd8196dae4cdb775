from django.contrib import admin

from breaches.models import Breach, BreachAlert, BreachEvent


class BreachEventInline(admin.TabularInline):
    model = BreachEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "reason", "recipient", "phase", "at", "by")


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    """Read-only: the register is kept in the back office, where every step is audited."""

    list_display = ("__str__", "status", "aware_at", "ico_decision", "ico_reported_at")
    list_filter = ("status", "ico_decision", "people_decision")
    inlines = [BreachEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BreachAlert)
class BreachAlertAdmin(admin.ModelAdmin):
    list_display = ("breach", "threshold", "sent_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
