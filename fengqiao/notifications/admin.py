from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "verb", "message", "created_at", "read_at")
    list_filter = ("verb", ("read_at", admin.EmptyFieldListFilter), "created_at")
    date_hierarchy = "created_at"
    search_fields = ("recipient__username", "recipient__display_name", "message")
    autocomplete_fields = ("recipient", "case")
    list_select_related = ("recipient",)
