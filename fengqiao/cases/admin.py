"""Cases in the admin: for looking only. A case changes through fengqiao.cases.actions, which
writes the audit trail; the admin must not bypass it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.core.masking import mask_name, mask_phone

from .access import log_personal_data_read
from .models import Case, CaseEvent, Whistle, WhistleSummons


class ReadOnlyAdminMixin:
    """No adding, changing or deleting: superusers and staff with the view permission may look."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    ordering = ("created_at", "id")
    fields = ("created_at", "action", "actor", "from_status", "to_status", "reason", "changes")
    readonly_fields = fields


# Shown on the detail page. For anyone but a superuser the contact's name and phone are masked,
# as the API masks them.
MASKED_FIELDS = {"phone": "masked_phone", "contact_name": "masked_contact_name"}
CASE_FIELDSETS = (
    (
        None,
        {
            "fields": (
                "number",
                "status",
                "unit",
                "case_type",
                "subcategory",
                "department",
                "urgent",
                "whistled",
                "classification_confirmed",
                "version",
            )
        },
    ),
    (_("Appeal"), {"fields": ("text", "address", "channel", "contact_name", "phone", "reporter", "created_by")}),
    (
        _("Timeline"),
        {
            "fields": (
                "received_at",
                "deadline",
                "dispatched_at",
                "signed_at",
                "suspended_at",
                "suspended_until",
                "replied_at",
                "visited_at",
                "closed_at",
                "updated_at",
            )
        },
    ),
    (
        _("Outcome"),
        {
            "fields": (
                "result",
                "reply_message",
                "satisfaction",
                "resolved",
                "mediation_result",
                "merged_into",
                "reopen_count",
                "suspension_reason",
            )
        },
    ),
)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "unit",
        "case_type",
        "subcategory",
        "department",
        "status",
        "urgent",
        "received_at",
        "deadline",
        "masked_phone",
    )
    list_filter = ("status", "urgent", "department")
    search_fields = ("number", "text")
    date_hierarchy = "received_at"
    list_select_related = ("unit", "case_type", "subcategory", "department")
    ordering = ("-received_at",)
    inlines = (CaseEventInline,)

    @admin.display(description=_("phone"))
    def masked_phone(self, case: Case) -> str:
        return mask_phone(case.phone)

    @admin.display(description=_("contact name"))
    def masked_contact_name(self, case: Case) -> str:
        return mask_name(case.contact_name)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return CASE_FIELDSETS
        return tuple(
            (name, {**options, "fields": tuple(MASKED_FIELDS.get(f, f) for f in options["fields"])})
            for name, options in CASE_FIELDSETS
        )

    def get_readonly_fields(self, request, obj=None):
        return tuple(field for _name, options in self.get_fieldsets(request, obj) for field in options["fields"])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and request.user.is_superuser and response.status_code == 200:
            case = self.get_object(request, object_id)
            if case is not None:
                log_personal_data_read(request.user, case, purpose="admin case detail")
        return response


class WhistleSummonsInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WhistleSummons
    extra = 0
    can_delete = False
    fields = ("department", "confirmed_at", "arrived_at")
    readonly_fields = fields


@admin.register(Whistle)
class WhistleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("place", "case", "blown_by", "blown_at")
    list_filter = ("blown_at",)
    date_hierarchy = "blown_at"
    search_fields = ("place", "note", "case__number")
    list_select_related = ("case", "blown_by")
    fields = ("case", "place", "note", "blown_by", "blown_at")
    readonly_fields = fields
    inlines = (WhistleSummonsInline,)
