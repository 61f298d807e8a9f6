from django.urls import path

from .views import TriagePreviewApi

urlpatterns = [
    path("triage/", TriagePreviewApi.as_view(), name="api-triage"),
]
