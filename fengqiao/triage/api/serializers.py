from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fengqiao.org.models import Department, User
from fengqiao.taxonomy.models import CaseType, Subcategory

from ..models import TriageSuggestion


class AlternativeOutput(serializers.Serializer):
    subcategory = serializers.CharField()
    confidence = serializers.FloatField()


class TriageOutput(serializers.ModelSerializer):
    """The `triage` block of a case: what the model suggested, why, and what the clerk did."""

    subcategory: serializers.SlugRelatedField[Subcategory] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    category = serializers.SerializerMethodField()
    case_type: serializers.SlugRelatedField[CaseType] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    duplicate_of = serializers.SerializerMethodField(help_text="Number of the earlier case reporting the same incident")
    alternatives = AlternativeOutput(many=True, read_only=True)
    explanation = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The words that drove the choice"
    )
    danger_words = serializers.ListField(child=serializers.CharField(), read_only=True)
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TriageSuggestion
        fields = [
            "subcategory",
            "category",
            "case_type",
            "department",
            "urgent",
            "urgent_probability",
            "duplicate_of",
            "confidence",
            "case_type_confidence",
            "alternatives",
            "explanation",
            "danger_words",
            "model_version",
            "created_at",
            "decision",
            "decided_by",
            "decided_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_category(self, suggestion: TriageSuggestion) -> str:
        return suggestion.subcategory.category.code

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_duplicate_of(self, suggestion: TriageSuggestion):
        return suggestion.duplicate_of.number if suggestion.duplicate_of is not None else None


class TriageInput(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TriagePreviewOutput(serializers.Serializer):
    subcategory = serializers.CharField()
    category = serializers.CharField()
    department = serializers.CharField(help_text="The taxonomy's default department")
    case_type = serializers.CharField()
    urgent = serializers.BooleanField()
    urgent_probability = serializers.FloatField()
    confidence = serializers.FloatField()
    case_type_confidence = serializers.FloatField()
    alternatives = AlternativeOutput(many=True)
    explanation = serializers.ListField(child=serializers.CharField())
    danger_words = serializers.ListField(child=serializers.CharField())
    model_version = serializers.CharField()
