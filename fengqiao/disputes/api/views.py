"""The dispute API: whistle reports, the whistle board, bookings, the mediation and petition
ledgers. Thin views over the services and selectors; domain errors become 4xx."""

from __future__ import annotations

from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fengqiao.cases import actions as case_actions
from fengqiao.core.errors import NotFound, ValidationFailed
from fengqiao.org.models import User

from .. import access, selectors, services
from ..models import Booking, VenueSession


def _user(request: Request) -> User:
    return cast(User, request.user)


# Whistles ----------------------------------------------------------------------------------------


class SummonsOutput(serializers.Serializer):
    id = serializers.IntegerField(source="summons.pk")
    department = serializers.CharField(source="summons.department.code")
    department_name = serializers.CharField(source="summons.department.name")
    confirmed_at = serializers.DateTimeField(source="summons.confirmed_at", allow_null=True)
    arrived_at = serializers.DateTimeField(source="summons.arrived_at", allow_null=True)
    arrived_by = serializers.CharField(source="summons.arrived_by", allow_null=True)
    latitude = serializers.DecimalField(source="summons.latitude", max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(source="summons.longitude", max_digits=9, decimal_places=6, allow_null=True)
    note = serializers.CharField(source="summons.note")
    state = serializers.CharField()
    late = serializers.BooleanField()
    minutes_to_arrive = serializers.IntegerField(allow_null=True)


class WhistleOutput(serializers.Serializer):
    id = serializers.IntegerField(source="whistle.pk")
    case = serializers.CharField(source="whistle.case.number", allow_null=True, default=None)
    place = serializers.CharField(source="whistle.place")
    unit = serializers.CharField(source="unit_name")
    blown_at = serializers.DateTimeField(source="whistle.blown_at")
    minutes_since = serializers.IntegerField()
    summonses = SummonsOutput(source="rows", many=True)


class WhistleBoardApi(APIView):
    @extend_schema(responses=WhistleOutput(many=True), operation_id="whistles_board")
    def get(self, request: Request) -> Response:
        """The whistles of the last 24 hours with each department's confirmation and arrival."""
        return Response(WhistleOutput(selectors.whistle_board(viewer=_user(request)), many=True).data)


class ArriveInput(serializers.Serializer):
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class SummonsConfirmApi(APIView):
    @extend_schema(request=None, responses=WhistleOutput, operation_id="whistles_summons_confirm")
    def post(self, request: Request, summons_id: int) -> Response:
        summons = access.access_summons_for_report(_user(request), summons_id)
        case_actions.do_confirm_summons(summons.pk, actor=_user(request))
        row = selectors.whistle_detail(viewer=_user(request), whistle_id=summons.whistle_id)
        return Response(WhistleOutput(row).data)


class SummonsArriveApi(APIView):
    @extend_schema(request=ArriveInput, responses=WhistleOutput, operation_id="whistles_summons_arrive")
    def post(self, request: Request, summons_id: int) -> Response:
        serializer = ArriveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        summons = access.access_summons_for_report(_user(request), summons_id)
        case_actions.do_arrive_summons(summons.pk, actor=_user(request), **serializer.validated_data)
        row = selectors.whistle_detail(viewer=_user(request), whistle_id=summons.whistle_id)
        return Response(WhistleOutput(row).data)


# Bookings ---------------------------------------------------------------------------------------


class SlotOutput(serializers.Serializer):
    start = serializers.DateTimeField()
    free = serializers.BooleanField()


class SessionOutput(serializers.Serializer):
    id = serializers.IntegerField(source="session.pk")
    venue = serializers.CharField(source="session.venue.name")
    venue_kind = serializers.CharField(source="session.venue.kind")
    starts_at = serializers.DateTimeField(source="session.starts_at")
    ends_at = serializers.DateTimeField(source="session.ends_at")
    hosts = serializers.CharField(source="session.hosts")
    with_police = serializers.BooleanField(source="session.with_police")
    with_lawyer = serializers.BooleanField(source="session.with_lawyer")
    slots = SlotOutput(many=True)


class SessionListApi(APIView):
    @extend_schema(responses=SessionOutput(many=True), operation_id="venue_sessions_list")
    def get(self, request: Request) -> Response:
        """The coming four weeks' sessions at the caller's venues, with each slot free or taken."""
        return Response(SessionOutput(selectors.upcoming_sessions(viewer=_user(request)), many=True).data)


class BookingInput(serializers.Serializer):
    session = serializers.IntegerField()
    slot = serializers.DateTimeField()
    topic = serializers.CharField(max_length=300)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class BookingOutput(serializers.ModelSerializer):
    venue = serializers.CharField(source="session.venue.name")

    class Meta:
        model = Booking
        fields = ["id", "session", "venue", "slot_start", "topic", "status", "created_at", "cancelled_at"]


class BookingListCreateApi(APIView):
    @extend_schema(responses=BookingOutput(many=True), operation_id="bookings_list")
    def get(self, request: Request) -> Response:
        return Response(BookingOutput(selectors.my_bookings(viewer=_user(request))[:100], many=True).data)

    @extend_schema(request=BookingInput, responses={201: BookingOutput}, operation_id="bookings_create")
    def post(self, request: Request) -> Response:
        """Book a slot; 409 when someone has just taken it."""
        serializer = BookingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = _user(request)
        session = (
            VenueSession.objects.select_related("venue")
            .filter(pk=data["session"], venue__in=selectors.bookable_venues(viewer=user))
            .first()
        )
        if session is None:
            raise ValidationFailed(_("session: no such session that you can book."))
        booking = services.book_slot(
            resident=user,
            session=session,
            slot_start=data["slot"],
            topic=data["topic"],
            phone=data["phone"] or user.phone,
        )
        return Response(BookingOutput(booking).data, status=status.HTTP_201_CREATED)


class BookingCancelApi(APIView):
    @extend_schema(request=None, responses=BookingOutput, operation_id="bookings_cancel")
    def post(self, request: Request, booking_id: int) -> Response:
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update().select_related("session__venue__unit").filter(pk=booking_id).first()
            )
            if booking is None:
                raise NotFound(_("No such booking."))
            services.cancel_booking(actor=_user(request), booking=booking)
        return Response(BookingOutput(booking).data)


# Ledgers --------------------------------------------------------------------------------------------


class MediationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    unit = serializers.CharField(source="unit.code")
    status = serializers.CharField()
    is_public = serializers.BooleanField()
    registered_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    performance_due = serializers.DateField(allow_null=True)
    performance_status = serializers.CharField()
    court_confirmation_until = serializers.DateField(allow_null=True)


class MediationLedgerApi(APIView):
    @extend_schema(operation_id="mediations_ledger", responses={200: MediationOutput(many=True)})
    def get(self, request: Request) -> Response:
        """The mediation ledger (no personal data) with the success rate = agreements / (agreements
        + terminations)."""
        records, stats = selectors.mediation_ledger(viewer=_user(request))
        return Response(
            {
                "registered": stats.registered,
                "success": stats.success,
                "failure": stats.failure,
                "refused": stats.refused,
                "open": stats.open,
                "success_rate": stats.success_rate,
                "results": MediationOutput(records[:500], many=True).data,
            }
        )


class PetitionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    subject = serializers.CharField()
    status = serializers.CharField()
    is_hard = serializers.BooleanField()
    responsible_leader = serializers.CharField(allow_null=True)
    received_on = serializers.DateField()
    accept_due = serializers.DateField()
    decided_on = serializers.DateField(allow_null=True)
    handling_due = serializers.DateField(allow_null=True)
    extension_days = serializers.IntegerField()
    answered_on = serializers.DateField(allow_null=True)
    review_due = serializers.DateField(allow_null=True)
    second_review_due = serializers.DateField(allow_null=True)
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, petition) -> bool:
        return selectors.petition_flags(petition, today=self.context["today"]).any


class PetitionLedgerApi(APIView):
    @extend_schema(responses=PetitionOutput(many=True), operation_id="petitions_ledger")
    def get(self, request: Request) -> Response:
        """The petition ledger (no personal data), newest first; `?status=` and `?hard=1` filter it."""
        petitions = selectors.petition_ledger(viewer=_user(request), filters=request.query_params.dict())[:500]
        return Response(PetitionOutput(petitions, many=True, context={"today": timezone.localdate()}).data)
