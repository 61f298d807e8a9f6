"""Reference data for clients: units, departments and the taxonomy (read-only)."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.generics import ListAPIView

from fengqiao.org.models import Department, Unit
from fengqiao.taxonomy.models import CaseType, Subcategory


class UnitOutput(serializers.ModelSerializer):
    # The stubs see this clash with Field.parent; DRF's metaclass takes declared fields off the class.
    parent: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "level", "parent"]


class DepartmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en"]


class CaseTypeOutput(serializers.ModelSerializer):
    class Meta:
        model = CaseType
        fields = ["code", "name", "name_en"]


class SubcategoryOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    department = serializers.CharField(source="department.code")

    class Meta:
        model = Subcategory
        fields = ["code", "name", "name_en", "category", "category_name", "department", "limit_unit", "limit_count"]


class UnitListApi(ListAPIView):
    """All units (the tree is public reference data; cases are not). Filter by level or parent."""

    serializer_class = UnitOutput
    filterset_fields = {"level": ["exact"], "parent__code": ["exact"], "code": ["exact", "startswith"]}

    def get_queryset(self):
        return Unit.objects.select_related("parent").order_by("path")


class DepartmentListApi(ListAPIView):
    serializer_class = DepartmentOutput
    queryset = Department.objects.filter(is_active=True).order_by("code")


class CaseTypeListApi(ListAPIView):
    serializer_class = CaseTypeOutput
    queryset = CaseType.objects.order_by("id")


class SubcategoryListApi(ListAPIView):
    serializer_class = SubcategoryOutput
    filterset_fields = {"category__code": ["exact"], "department__code": ["exact"]}

    def get_queryset(self):
        return Subcategory.objects.filter(is_active=True).select_related("category", "department").order_by("code")
