from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, PartyOrganisation, RoleAssignment, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "depth")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    ordering = ("path",)
    readonly_fields = ("path", "depth")
    fields = ("code", "name", "level", "parent", "latitude", "longitude", "path", "depth")
    list_select_related = ("parent",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en")
    ordering = ("code",)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "unit", "department", "on_duty")
    autocomplete_fields = ("unit", "department")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]  # stubs say Optional; Django's UserAdmin sets a tuple
        (_("Fengqiao"), {"fields": ("display_name", "phone", "id_number", "home_unit")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Fengqiao"), {"classes": ("wide",), "fields": ("display_name", "phone", "home_unit")}),
    )
    list_display = ("username", "display_name", "home_unit", "email", "is_staff", "is_active")
    list_select_related = ("home_unit",)
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    autocomplete_fields = ("home_unit",)
    inlines = (RoleAssignmentInline,)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "department", "on_duty")
    list_filter = ("role", "department", "on_duty")
    search_fields = ("user__username", "user__display_name", "unit__code", "unit__name")
    autocomplete_fields = ("user", "unit", "department")
    list_select_related = ("user", "unit", "department")


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "unit", "parent", "secretary")
    list_filter = ("kind",)
    search_fields = ("name", "unit__code", "unit__name")
    autocomplete_fields = ("unit", "parent", "secretary")
    list_select_related = ("unit", "parent", "secretary")
