from django.urls import path

from . import views

urlpatterns = [
    path("triage/acceptance/", views.acceptance, name="triage-acceptance"),
    path("triage/cases/<int:case_id>/accept/", views.accept_suggestion, name="triage-accept"),
    path("triage/cases/<int:case_id>/merge/", views.merge_duplicate, name="triage-merge"),
]
