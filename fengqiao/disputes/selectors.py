"""Reads for the dispute pages and the API: each takes the viewer and returns only what the
viewer may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from fengqiao.cases.models import Case, Whistle, WhistleSummons
from fengqiao.core.masking import mask_id_number, mask_name, mask_phone
from fengqiao.org.models import User

from . import access, deadlines
from .models import (
    Booking,
    BookingStatus,
    MediationParty,
    MediationRecord,
    MediationStatus,
    Petition,
    PetitionProgress,
    Venue,
    VenueSession,
)

WHISTLE_TARGET = dt.timedelta(minutes=30)
BOARD_WINDOW = dt.timedelta(hours=24)


# Mediation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyView:
    """A party as the viewer may see them: masked unless their role needs the data."""

    pk: int
    role: str
    role_label: str
    name: str
    phone: str
    id_number: str
    address: str
    consent: str
    consent_label: str
    signed_at: dt.datetime | None


def party_views(parties: list[MediationParty], *, unmasked: bool) -> list[PartyView]:
    return [
        PartyView(
            pk=party.pk,
            role=party.role,
            role_label=str(party.get_role_display()),
            name=party.name if unmasked else mask_name(party.name),
            phone=party.phone if unmasked else mask_phone(party.phone),
            id_number=party.id_number if unmasked else mask_id_number(party.id_number),
            address=party.address if unmasked else "",
            consent=party.consent,
            consent_label=str(party.get_consent_display()),
            signed_at=party.signed_at,
        )
        for party in parties
    ]


@dataclass(frozen=True)
class MediationStats:
    registered: int
    success: int
    failure: int
    refused: int
    open: int

    @property
    def ended(self) -> int:
        return self.success + self.failure

    @property
    def success_rate(self) -> float | None:
        """调解成功率 = successful / ended (success or failure), as interfaces.md §5 defines it."""
        return self.success / self.ended if self.ended else None

    @property
    def success_percent(self) -> str:
        """As the pages show rates: a percentage with two decimals (180/184 → 97.83%)."""
        rate = self.success_rate
        return "—" if rate is None else f"{rate * 100:.2f}%"


def mediation_ledger(
    *, viewer: User, registered_from: dt.date | None = None, registered_to: dt.date | None = None
) -> tuple[QuerySet[MediationRecord], MediationStats]:
    queryset = access.visible_mediations(viewer).prefetch_related("mediators")
    if registered_from:
        queryset = queryset.filter(registered_at__date__gte=registered_from)
    if registered_to:
        queryset = queryset.filter(registered_at__date__lte=registered_to)
    counts = {status: 0 for status in MediationStatus.values}
    for status in queryset.values_list("status", flat=True):
        counts[status] += 1
    stats = MediationStats(
        registered=sum(counts.values()),
        success=counts[MediationStatus.AGREEMENT],
        failure=counts[MediationStatus.TERMINATED],
        refused=counts[MediationStatus.REFUSED],
        open=counts[MediationStatus.CONSENT] + counts[MediationStatus.MEDIATING],
    )
    return queryset.order_by("-registered_at"), stats


def disputes_without_mediation(*, viewer: User) -> QuerySet[Case]:
    """Open dispute cases of the viewer's units that have no mediation record yet."""
    from fengqiao.cases.access import visible_cases
    from fengqiao.cases.models import OPEN_STATES

    return (
        visible_cases(viewer)
        .filter(case_type__code="dispute", mediation__isnull=True, status__in=OPEN_STATES)
        .select_related("unit")
        .order_by("-received_at")
    )


def performance_due(*, viewer: User, today: dt.date) -> QuerySet[MediationRecord]:
    """Agreements whose performance date has come and that nobody has checked yet."""
    return access.visible_mediations(viewer).filter(
        status=MediationStatus.AGREEMENT, performance_due__lte=today, performance_checked_at__isnull=True
    )


# Whistles ----------------------------------------------------------------------------------------


@dataclass
class SummonsRow:
    summons: WhistleSummons
    state: str  # arrived, arrived_late, confirmed, waiting
    late: bool
    minutes_to_arrive: int | None


@dataclass
class WhistleRow:
    whistle: Whistle
    unit_name: str
    minutes_since: int
    rows: list[SummonsRow] = field(default_factory=list)

    @property
    def all_arrived(self) -> bool:
        return all(row.summons.arrived_at for row in self.rows)


def summons_row(summons: WhistleSummons, *, blown_at: dt.datetime, now: dt.datetime) -> SummonsRow:
    """Arrival within 30 minutes of the whistle is on time; a department not there after 30
    minutes is late already."""
    if summons.arrived_at is not None:
        taken = summons.arrived_at - blown_at
        late = taken > WHISTLE_TARGET
        return SummonsRow(summons, "arrived_late" if late else "arrived", late, int(taken.total_seconds() // 60))
    late = now - blown_at > WHISTLE_TARGET
    return SummonsRow(summons, "confirmed" if summons.confirmed_at else "waiting", late, None)


def whistle_rows(whistles, *, now: dt.datetime) -> list[WhistleRow]:
    result = []
    for whistle in whistles:
        unit = access.whistle_unit(whistle)
        row = WhistleRow(
            whistle=whistle,
            unit_name=unit.name if unit else "",
            minutes_since=int((now - whistle.blown_at).total_seconds() // 60),
        )
        row.rows = [summons_row(s, blown_at=whistle.blown_at, now=now) for s in whistle.summonses.all()]
        result.append(row)
    return result


def _with_summonses(queryset: QuerySet[Whistle]) -> QuerySet[Whistle]:
    return queryset.prefetch_related(
        Prefetch(
            "summonses",
            queryset=WhistleSummons.objects.select_related("department", "arrived_by", "confirmed_by").order_by(
                "department__code"
            ),
        )
    )


def whistle_board(*, viewer: User, now: dt.datetime | None = None) -> list[WhistleRow]:
    """The live board: whistles of the last 24 hours, newest first."""
    now = now or timezone.now()
    queryset = access.visible_whistles(viewer).filter(blown_at__gte=now - BOARD_WINDOW).order_by("-blown_at")
    return whistle_rows(_with_summonses(queryset)[:100], now=now)


def whistle_log(*, viewer: User, now: dt.datetime | None = None, limit: int = 500) -> list[WhistleRow]:
    now = now or timezone.now()
    queryset = access.visible_whistles(viewer).order_by("-blown_at")
    return whistle_rows(_with_summonses(queryset)[:limit], now=now)


def whistle_detail(*, viewer: User, whistle_id, now: dt.datetime | None = None) -> WhistleRow:
    whistle = access.access_whistle(viewer, whistle_id)
    return whistle_rows(_with_summonses(Whistle.objects.filter(pk=whistle.pk)), now=now or timezone.now())[0]


# Venues and bookings ------------------------------------------------------------------------------


@dataclass
class SlotView:
    start: dt.datetime
    free: bool


@dataclass
class SessionView:
    session: VenueSession
    slots: list[SlotView]

    @property
    def free_count(self) -> int:
        return sum(slot.free for slot in self.slots)


def bookable_venues(*, viewer: User) -> QuerySet[Venue]:
    """A resident's venues: those of the units above their home; staff see their units' venues."""
    from fengqiao.org import access as org_access
    from fengqiao.org.models import ancestor_paths

    venues = Venue.objects.filter(is_active=True).select_related("unit")
    if viewer.is_superuser:
        return venues
    if org_access.is_staff_member(viewer):
        return venues.filter(org_access.unit_scope_q(viewer, org_access.STAFF_ROLES))
    if viewer.home_unit is None:
        return venues.none()
    return venues.filter(unit__path__in=ancestor_paths(viewer.home_unit.path))


def upcoming_sessions(
    *, viewer: User, now: dt.datetime | None = None, days: int = 28, venue_id: int | None = None
) -> list[SessionView]:
    """The coming sessions at the viewer's venues with each slot's state; one query for the
    sessions and one for their live bookings."""
    now = now or timezone.now()
    sessions = VenueSession.objects.filter(
        venue__in=bookable_venues(viewer=viewer), ends_at__gt=now, starts_at__lt=now + dt.timedelta(days=days)
    ).select_related("venue")
    if venue_id is not None:
        sessions = sessions.filter(venue_id=venue_id)
    sessions_list = list(sessions.order_by("starts_at"))
    taken = set(
        Booking.objects.filter(session__in=sessions_list, status=BookingStatus.BOOKED).values_list(
            "session_id", "slot_start"
        )
    )
    return [
        SessionView(
            session=session,
            slots=[
                SlotView(start=start, free=(session.pk, start) not in taken and start > now)
                for start in session.slot_starts()
            ],
        )
        for session in sessions_list
    ]


def my_bookings(*, viewer: User) -> QuerySet[Booking]:
    return Booking.objects.filter(resident=viewer).select_related("session__venue").order_by("-slot_start")


def venue_bookings(*, viewer: User, now: dt.datetime | None = None) -> QuerySet[Booking]:
    """Staff: the live bookings at their venues from today on."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            session__venue__in=bookable_venues(viewer=viewer), status=BookingStatus.BOOKED, slot_start__gte=now
        )
        .select_related("session__venue", "resident")
        .order_by("slot_start")
    )


# Petitions ----------------------------------------------------------------------------------------


@dataclass
class PetitionFlags:
    accept_late: bool
    handling_late: bool
    review_late: bool

    @property
    def any(self) -> bool:
        return self.accept_late or self.handling_late or self.review_late


def petition_flags(petition: Petition, *, today: dt.date) -> PetitionFlags:
    """Which statutory limit an open petition has run past (periods end at 24:00 of the last day)."""
    status = petition.status
    return PetitionFlags(
        accept_late=status == "registered" and deadlines.is_past(petition.accept_due, today=today),
        handling_late=status == "handling" and deadlines.is_past(petition.handling_due, today=today),
        review_late=(status == "review" and deadlines.is_past(petition.review_due, today=today))
        or (status == "second_review" and deadlines.is_past(petition.second_review_due, today=today)),
    )


def petition_ledger(*, viewer: User, filters: dict | None = None) -> QuerySet[Petition]:
    filters = filters or {}
    queryset = access.visible_petitions(viewer)
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("hard"):
        queryset = queryset.filter(is_hard=True)
    return queryset.order_by("-received_on", "-id")


def hard_cases_for_month(*, viewer: User, month: dt.date) -> list[tuple[Petition, list[PetitionProgress]]]:
    """一月一调度: the hard petitions still open, or closed during the month, with the progress
    notes written during that month, for the monthly review meeting."""
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    petitions = list(
        access.visible_petitions(viewer)
        .filter(is_hard=True, received_on__lt=end)
        .exclude(closed_on__lt=start)
        .order_by("received_on")
    )
    notes: dict[int, list[PetitionProgress]] = {petition.pk: [] for petition in petitions}
    for note in (
        PetitionProgress.objects.filter(
            petition__in=petitions,
            created_at__date__gte=start,
            created_at__date__lt=end,
        )
        .select_related("author")
        .order_by("created_at")
    ):
        notes[note.petition_id].append(note)
    return [(petition, notes[petition.pk]) for petition in petitions]
