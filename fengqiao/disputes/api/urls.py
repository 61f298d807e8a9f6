from django.urls import path

from . import views

urlpatterns = [
    path("whistles/", views.WhistleBoardApi.as_view(), name="api-whistles"),
    path("whistles/summons/<int:summons_id>/confirm/", views.SummonsConfirmApi.as_view(), name="api-summons-confirm"),
    path("whistles/summons/<int:summons_id>/arrive/", views.SummonsArriveApi.as_view(), name="api-summons-arrive"),
    path("venues/sessions/", views.SessionListApi.as_view(), name="api-venue-sessions"),
    path("bookings/", views.BookingListCreateApi.as_view(), name="api-bookings"),
    path("bookings/<int:booking_id>/cancel/", views.BookingCancelApi.as_view(), name="api-booking-cancel"),
    path("mediations/", views.MediationLedgerApi.as_view(), name="api-mediations"),
    path("petitions/", views.PetitionLedgerApi.as_view(), name="api-petitions"),
]
