from django.contrib import admin

from .models import Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "source", "status", "proposed_by", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["title", "description", "unit__name"]
    raw_id_fields = ["unit", "proposed_by"]
