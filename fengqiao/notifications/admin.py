from django.contrib import admin

from fengqiao.cases.admin import ReadOnlyAdminMixin

from .models import DeadlineReminder, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "verb", "message", "created_at", "read_at")
    list_filter = ("verb", ("read_at", admin.EmptyFieldListFilter), "created_at")
    date_hierarchy = "created_at"
    search_fields = ("recipient__username", "recipient__display_name", "message")
    autocomplete_fields = ("recipient", "case")
    list_select_related = ("recipient",)


@admin.register(DeadlineReminder)
class DeadlineReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "kind", "deadline", "sent_at")
    list_filter = ("kind",)
    date_hierarchy = "sent_at"
    list_select_related = ("case",)
