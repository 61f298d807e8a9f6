from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fengqiao.core.masking import mask_name, mask_phone
from fengqiao.org import access as org_access
from fengqiao.org.models import Department, Unit
from fengqiao.taxonomy.models import CaseType, Subcategory
from fengqiao.triage import services as triage
from fengqiao.triage.api.serializers import TriageOutput

from .. import access
from ..models import Case, CaseEvent


class CaseCreateInput(serializers.Serializer):
    text = serializers.CharField(max_length=4000, help_text=_("The resident's words"))
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("Unit code; residents default to their home unit"),
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    case_type = serializers.SlugRelatedField(slug_field="code", queryset=CaseType.objects.all(), required=False)
    subcategory = serializers.SlugRelatedField(
        slug_field="code", queryset=Subcategory.objects.filter(is_active=True), required=False
    )
    channel = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.RegexField(r"^[0-9+\- ]{0,20}$", required=False, allow_blank=True, default="")
    urgent = serializers.BooleanField(required=False, default=False)
    idempotency_key = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CaseOutput(serializers.ModelSerializer):
    """A case as the caller may see it: the reporter's phone and name are masked for roles
    that do not need them (and in every list)."""

    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    case_type: serializers.SlugRelatedField[CaseType] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    subcategory: serializers.SlugRelatedField[Subcategory] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    category = serializers.SerializerMethodField()
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    overdue = serializers.SerializerMethodField()
    due_soon = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()
    contact_name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text=_("Actions the caller may take now"))
    triage = serializers.SerializerMethodField(
        help_text=_("The triage model's suggestion (staff, single case only; null in lists)")
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "status",
            "version",
            "case_type",
            "category",
            "subcategory",
            "department",
            "deadline",
            "overdue",
            "due_soon",
            "urgent",
            "unit",
            "unit_name",
            "received_at",
            "channel",
            "text",
            "address",
            "contact_name",
            "phone",
            "result",
            "reply_message",
            "satisfaction",
            "resolved",
            "merged_into",
            "reopen_count",
            "replied_at",
            "closed_at",
            "actions",
            "triage",
        ]

    def _unmasked(self, case: Case) -> bool:
        return bool(self.context.get("unmask")) and access.can_see_personal_data(self.context["request"].user, case)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_category(self, case: Case):
        return case.subcategory.category.code if case.subcategory is not None else None

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, case: Case) -> bool:
        return case.is_overdue(self.context.get("now"))

    @extend_schema_field(serializers.BooleanField())
    def get_due_soon(self, case: Case) -> bool:
        return case.is_due_soon(self.context.get("now"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_merged_into(self, case: Case):
        return case.merged_into.number if case.merged_into is not None else None

    def get_contact_name(self, case: Case) -> str:
        return case.contact_name if self._unmasked(case) else mask_name(case.contact_name)

    def get_phone(self, case: Case) -> str:
        return case.phone if self._unmasked(case) else mask_phone(case.phone)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, case: Case) -> list[str]:
        return access.available_actions(self.context["request"].user, case)

    @extend_schema_field(TriageOutput(allow_null=True))
    def get_triage(self, case: Case):
        user = self.context["request"].user
        if isinstance(self.parent, serializers.ListSerializer):
            return None  # one query per case is too many for a list
        if not (user.is_superuser or org_access.is_staff_member(user)):
            return None
        suggestion = triage.latest_suggestion(case)
        return TriageOutput(suggestion).data if suggestion is not None else None


class CaseEventOutput(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "action",
            "actor",
            "created_at",
            "request_id",
            "from_status",
            "to_status",
            "changes",
            "reason",
            "data",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event: CaseEvent):
        return event.actor.username if event.actor is not None else None
