from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, CalendarYear, PersonalDataAccess


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays, make-up working days and local changes; a row wins over the packaged calendar."""

    list_display = ("date", "weekday", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("name",)
    ordering = ("date",)

    @admin.display(description=_("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return date_format(day.date, "l") if day.date else ""


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "note")
    search_fields = ("note",)
    ordering = ("year",)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The audit log of views of unmasked personal data: readable, never editable."""

    list_display = ("accessed_at", "user", "subject", "fields", "purpose")
    list_filter = ("accessed_at", "purpose")
    date_hierarchy = "accessed_at"
    search_fields = ("subject", "user__username", "user__display_name")
    list_select_related = ("user",)
    ordering = ("-accessed_at",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
