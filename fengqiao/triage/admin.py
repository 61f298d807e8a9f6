"""Triage suggestions in the admin: for looking only (they are written at intake and when a
clerk decides)."""

from django.contrib import admin

from fengqiao.cases.admin import ReadOnlyAdminMixin

from .models import TriageSuggestion


@admin.register(TriageSuggestion)
class TriageSuggestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "subcategory", "confidence", "urgent", "duplicate_of", "decision", "created_at")
    list_filter = ("decision", "urgent", "subcategory__category")
    search_fields = ("case__number",)
    list_select_related = ("case", "subcategory", "duplicate_of")
    raw_id_fields = ("case", "duplicate_of")
