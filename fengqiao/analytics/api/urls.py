from django.urls import path

from .views import KpiApi, KpiRankingApi, WarningAcknowledgeApi, WarningListApi, WarningTaskApi, WarningTopicApi

urlpatterns = [
    path("kpis/", KpiApi.as_view(), name="api-kpis"),
    path("kpis/ranking/", KpiRankingApi.as_view(), name="api-kpi-ranking"),
    path("warnings/", WarningListApi.as_view(), name="api-warnings"),
    path("warnings/<int:warning_id>/acknowledge/", WarningAcknowledgeApi.as_view(), name="api-warning-acknowledge"),
    path("warnings/<int:warning_id>/topic/", WarningTopicApi.as_view(), name="api-warning-topic"),
    path("warnings/<int:warning_id>/task/", WarningTaskApi.as_view(), name="api-warning-task"),
]
