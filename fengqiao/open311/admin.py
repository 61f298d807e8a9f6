"""Open311 in the admin: API keys (made here or with `manage.py open311_key`, revoked with an
action; the key itself is shown once), jurisdictions, service attributes, and the requests
apps filed (read-only, personal data masked)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from fengqiao.core.masking import mask_name, mask_phone

from . import actions
from .models import ApiKey, Jurisdiction, Open311Request, ServiceAttribute
from .privacy import mask_email


class ActiveKeyFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at", "is_active")
    list_filter = (ActiveKeyFilter,)
    search_fields = ("name", "prefix")
    fields = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, key: ApiKey) -> bool:
        return key.is_active

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = actions.do_create_api_key(name=obj.name)
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = key.pk, key.prefix, key.key_hash, key.created_at
        obj._state.adding = False
        messages.warning(
            request,
            _("The key for “%(name)s” is %(key)s — copy it now: it is not shown again.")
            % {"name": key.name, "key": raw},
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoke instead: the requests an app filed keep naming the key that filed them.
        return False

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = actions.do_revoke_api_keys(keys=queryset)
        self.message_user(request, _("%(count)s key(s) revoked.") % {"count": count}, messages.SUCCESS)


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction_id", "name", "unit")
    search_fields = ("jurisdiction_id", "name", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ("subcategory", "order", "code", "datatype", "required", "variable", "description")
    list_filter = ("datatype", "required", "variable")
    search_fields = ("code", "description", "subcategory__code", "subcategory__name")
    autocomplete_fields = ("subcategory",)
    ordering = ("subcategory__code", "order")


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    """Read-only: a request changes through its case. Names, e-mail, phone and ids are masked."""

    list_display = ("case", "created_at", "api_key", "jurisdiction", "located_by", "address_string")
    list_select_related = ("case", "api_key", "jurisdiction")
    list_filter = ("located_by", "jurisdiction", "api_key")
    search_fields = ("case__number", "address_string")
    fields = (
        "case",
        "token",
        "created_at",
        "api_key",
        "jurisdiction",
        "lat",
        "long",
        "address_string",
        "address_id",
        "located_by",
        "media_url",
        "attributes",
        "masked_name",
        "masked_email",
        "masked_phone",
        "masked_ids",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("name"))
    def masked_name(self, request: Open311Request) -> str:
        return " ".join(mask_name(part) for part in (request.first_name, request.last_name) if part)

    @admin.display(description=_("e-mail"))
    def masked_email(self, request: Open311Request) -> str:
        return mask_email(request.email) if request.email else ""

    @admin.display(description=_("phone"))
    def masked_phone(self, request: Open311Request) -> str:
        return mask_phone(request.case.phone)

    @admin.display(description=_("device and account ids"))
    def masked_ids(self, request: Open311Request) -> str:
        return " / ".join(value[:3] + "***" for value in (request.device_id, request.account_id) if value)
