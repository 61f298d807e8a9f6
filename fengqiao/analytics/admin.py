"""Warnings can be read (and their status corrected) in the admin; the rollups are shown for
inspection only: they change through the actions and `rebuild`, never by hand."""

from django.contrib import admin

from fengqiao.cases.admin import ReadOnlyAdminMixin

from .models import DailyRollup, EarlyWarning, MonthlyRollup, OpenRollup, UnitDayRollup, WarningRun


@admin.register(EarlyWarning)
class EarlyWarningAdmin(admin.ModelAdmin):
    list_display = ["month", "unit", "category", "level", "kind", "count", "baseline", "ratio", "status"]
    list_filter = ["level", "kind", "status", "month"]
    search_fields = ["unit__name", "unit__code", "reason"]
    raw_id_fields = ["unit", "handled_by", "task", "topic"]
    readonly_fields = [
        "unit",
        "category",
        "month",
        "count",
        "baseline",
        "ratio",
        "kind",
        "level",
        "reason",
        "computed_at",
    ]


@admin.register(WarningRun)
class WarningRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["month", "computed_at", "cells", "duration_ms"]


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "unit_id", "subcategory_id", "case_type_id", "status_class", "overdue_day", "received"]
    list_filter = ["status_class"]
    date_hierarchy = "day"
    show_full_result_count = False


@admin.register(MonthlyRollup)
class MonthlyRollupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["month", "unit_id", "category_id", "received", "closed", "closed_on_time"]
    show_full_result_count = False


@admin.register(UnitDayRollup)
class UnitDayRollupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "unit_id", "received", "closed", "closed_on_time"]
    date_hierarchy = "day"
    show_full_result_count = False


@admin.register(OpenRollup)
class OpenRollupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "unit_id", "overdue_day", "received"]
    date_hierarchy = "day"
    show_full_result_count = False
