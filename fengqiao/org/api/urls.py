from django.urls import path

from .views import CaseTypeListApi, DepartmentListApi, SubcategoryListApi, UnitListApi

urlpatterns = [
    path("units/", UnitListApi.as_view(), name="api-units"),
    path("departments/", DepartmentListApi.as_view(), name="api-departments"),
    path("case-types/", CaseTypeListApi.as_view(), name="api-case-types"),
    path("subcategories/", SubcategoryListApi.as_view(), name="api-subcategories"),
]
