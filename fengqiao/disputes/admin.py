"""Venues and their weekend sessions are kept here; mediation records and petitions are read
here but changed through the pages (their services check roles and time limits)."""

from django.contrib import admin

from .models import (
    Booking,
    MediationParty,
    MediationRecord,
    MediationSession,
    Petition,
    PetitionProgress,
    Venue,
    VenueSession,
)


class VenueSessionInline(admin.TabularInline):
    model = VenueSession
    extra = 1
    fields = ["starts_at", "ends_at", "slot_minutes", "hosts", "with_police", "with_lawyer"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    inlines = [VenueSessionInline]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["slot_start", "session", "resident", "status"]
    list_filter = ["status"]
    readonly_fields = ["session", "slot_start", "resident", "topic", "status", "created_at", "cancelled_at"]
    exclude = ["phone"]

    def has_add_permission(self, request):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read here, changed through the pages."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MediationRecord)
class MediationRecordAdmin(ReadOnlyAdmin):
    list_display = ["case", "unit", "status", "registered_at", "ended_at"]
    list_filter = ["status"]


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "unit", "status", "is_hard", "responsible_leader"]
    list_filter = ["status", "is_hard"]
    search_fields = ["number", "subject"]
    exclude = ["phone", "id_number"]


@admin.register(VenueSession)
class VenueSessionAdmin(admin.ModelAdmin):
    list_display = ["venue", "starts_at", "ends_at", "slot_minutes", "with_police", "with_lawyer"]
    list_filter = ["with_police", "with_lawyer"]


@admin.register(MediationParty)
class MediationPartyAdmin(ReadOnlyAdmin):
    # Phones and ID numbers stay on the mediation page, where reads are logged.
    list_display = ["record", "role", "consent", "signed_at"]
    exclude = ["name", "phone", "id_number", "address"]


@admin.register(MediationSession)
class MediationSessionAdmin(ReadOnlyAdmin):
    list_display = ["record", "held_at", "place", "recorded_by"]


@admin.register(PetitionProgress)
class PetitionProgressAdmin(ReadOnlyAdmin):
    list_display = ["petition", "created_at", "kind", "author"]
