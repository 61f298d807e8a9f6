from django.contrib import admin

from .models import CaseType, Category, RoutingRule, Subcategory


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


class SubcategoryInline(admin.TabularInline):
    model = Subcategory
    extra = 0
    fields = ("code", "name", "name_en", "department", "limit_unit", "limit_count", "is_active")
    autocomplete_fields = ("department",)
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")
    ordering = ("code",)
    inlines = (SubcategoryInline,)


@admin.register(Subcategory)
class SubcategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "department", "limit_unit", "limit_count", "is_active")
    list_editable = ("department", "limit_unit", "limit_count", "is_active")
    list_filter = ("is_active", "limit_unit", "category", "department")
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("category", "department")
    list_select_related = ("category", "department")
    ordering = ("code",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """The per-unit routing table: in a unit's subtree a subcategory goes to this department."""

    list_display = ("unit", "subcategory", "department")
    list_filter = ("department", "subcategory__category")
    search_fields = ("unit__code", "unit__name", "subcategory__code", "subcategory__name", "department__name")
    autocomplete_fields = ("unit", "subcategory", "department")
    list_select_related = ("unit", "subcategory", "department")
    ordering = ("unit__path", "subcategory__code")
