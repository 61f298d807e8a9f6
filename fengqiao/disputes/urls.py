from django.urls import path

from . import views

urlpatterns = [
    path("mediation/", views.mediation_ledger, name="mediation-ledger"),
    path("mediation/new/<int:case_id>/", views.mediation_register, name="mediation-register"),
    path("mediation/<int:record_id>/", views.mediation_detail, name="mediation-detail"),
    path("mediation/<int:record_id>/act/<str:action>/", views.mediation_act, name="mediation-act"),
    path("mediation/<int:record_id>/agreement/<int:party_id>.pdf", views.agreement_pdf, name="mediation-agreement-pdf"),
    path("mediation/venues/", views.venue_schedule, name="venue-schedule"),
    path("book/", views.booking_page, name="booking"),
    path("book/<int:booking_id>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("petitions/", views.petition_ledger, name="petition-ledger"),
    path("petitions/new/", views.petition_register, name="petition-register"),
    path("petitions/hard/", views.hard_cases, name="petition-hard-cases"),
    path("petitions/<int:petition_id>/", views.petition_detail, name="petition-detail"),
    path("petitions/<int:petition_id>/act/<str:action>/", views.petition_act, name="petition-act"),
    path("petitions/<int:petition_id>/notice.pdf", views.petition_notice_pdf, name="petition-notice-pdf"),
    path("whistles/", views.whistle_board, name="whistle-board"),
    path("whistles/log/", views.whistle_log, name="whistle-log"),
    path("whistles/new/", views.whistle_place, name="whistle-place"),
    path("whistles/<int:whistle_id>/", views.whistle_detail, name="whistle-detail"),
    path("whistles/summons/<int:summons_id>/<str:step>/", views.summons_report, name="summons-report"),
    path("labour/", views.labour_ledger, name="labour-ledger"),
    path("labour/cases/<int:case_id>/", views.group_claim, name="group-claim"),
]
