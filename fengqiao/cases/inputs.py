"""Validation of action bodies, shared by the API and the pages: one place that says what
each action accepts, with readable errors (400)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from fengqiao.core.api import _flatten
from fengqiao.core.errors import ValidationFailed
from fengqiao.org.models import Department, User
from fengqiao.taxonomy.models import CaseType, Subcategory

from .models import Case, Satisfaction


class _CodeField(serializers.SlugRelatedField):
    """A reference by code that reports an unknown code in plain words."""

    default_error_messages = {
        "does_not_exist": _("Unknown code “{value}”."),
        "invalid": _("Invalid value."),
    }


class AcceptInput(serializers.Serializer):
    case_type = _CodeField(slug_field="code", queryset=CaseType.objects.all(), required=False)
    subcategory = _CodeField(slug_field="code", queryset=Subcategory.objects.filter(is_active=True), required=False)
    urgent = serializers.BooleanField(required=False)


class MessageInput(serializers.Serializer):
    message = serializers.CharField(max_length=4000)


class DispatchInput(serializers.Serializer):
    department = _CodeField(slug_field="code", queryset=Department.objects.filter(is_active=True))
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EmptyInput(serializers.Serializer):
    pass


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=4000)


class ResultInput(serializers.Serializer):
    result = serializers.CharField(max_length=4000)


class VisitInput(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    resolved = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SuspendInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    until = serializers.DateField(required=False, allow_null=True, default=None)


class MergeInput(serializers.Serializer):
    into = serializers.CharField(help_text=_("id or number of the case to merge into"))


class WhistleInput(serializers.Serializer):
    departments = serializers.ListField(
        child=_CodeField(slug_field="code", queryset=Department.objects.filter(is_active=True)), min_length=1
    )
    place = serializers.CharField(max_length=300)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


ACTION_INPUTS: dict[str, type[serializers.Serializer]] = {
    "accept": AcceptInput,
    "answer": MessageInput,
    "dispatch": DispatchInput,
    "sign": EmptyInput,
    "return": ReasonInput,
    "handle": NoteInput,
    "submit_review": ResultInput,
    "reject": ReasonInput,
    "reply": MessageInput,
    "visit": VisitInput,
    "close": EmptyInput,
    "reopen": ReasonInput,
    "suspend": SuspendInput,
    "resume": EmptyInput,
    "merge": MergeInput,
    "whistle": WhistleInput,
}


def parse_action_input(action: str, data: Mapping[str, Any] | list[Any] | None, *, actor: User, case: Case) -> dict:
    serializer = ACTION_INPUTS[action](data=data if data is not None else {})
    if not serializer.is_valid():
        raise ValidationFailed(_flatten(serializer.errors))
    arguments = dict(serializer.validated_data)
    if action == "merge":
        arguments["into"] = _merge_target(actor, arguments["into"].strip())
    return arguments


def _merge_target(actor: User, reference: str) -> Case:
    from .access import visible_cases

    candidates = visible_cases(actor).filter(number=reference)
    if reference.isdigit():
        candidates = candidates | visible_cases(actor).filter(pk=int(reference))
    target = candidates.first()
    if target is None:
        raise ValidationFailed(_("into: no case “%(reference)s” that you can see.") % {"reference": reference})
    return target
