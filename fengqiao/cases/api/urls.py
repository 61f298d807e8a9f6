from django.urls import path

from .views import ACTION_APIS, CaseDetailApi, CaseEventsApi, CaseListCreateApi

urlpatterns = [
    path("cases/", CaseListCreateApi.as_view(), name="api-cases"),
    path("cases/<int:case_id>/", CaseDetailApi.as_view(), name="api-case"),
    path("cases/<int:case_id>/events/", CaseEventsApi.as_view(), name="api-case-events"),
    *[
        path(f"cases/<int:case_id>/actions/{action}/", view.as_view(), name=f"api-case-action-{action}")
        for action, view in ACTION_APIS.items()
    ],
]
