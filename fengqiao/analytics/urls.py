from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard/export.xlsx", views.dashboard_export, name="dashboard-export"),
    path("warnings/", views.warnings_view, name="warnings"),
    path("warnings/<int:warning_id>/<str:action>/", views.warning_act, name="warning-act"),
]
