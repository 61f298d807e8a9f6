from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("my/", views.my_cases, name="my-cases"),
    path("my/new/", views.submit_case, name="submit-case"),
    path("my/data.json", views.my_data, name="my-data"),
    path("work/", views.workbench, name="workbench"),
    path("work/record/", views.record_case, name="record-case"),
    path("work/dispatch/", views.workbench_dispatch, name="workbench-dispatch"),
    path("inbox/", views.inbox, name="inbox"),
    path("review/", views.review, name="review"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/act/<str:action>/", views.case_act, name="case-act"),
    path("cases/<int:case_id>/decline-suspension/", views.decline_suspension, name="decline-suspension"),
    path("ledger/", views.ledger_view, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger-export"),
]
