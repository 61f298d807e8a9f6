"""Reads of cases, always through the viewer's visibility."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from fengqiao.core.errors import ValidationFailed
from fengqiao.org.models import Unit, User

from .access import visible_cases
from .models import CLOCK_RUNNING, Case, CaseEvent, Status

LIST_RELATED = ("unit", "case_type", "subcategory", "subcategory__category", "department", "merged_into")


def overdue_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    running = Q(status__in=CLOCK_RUNNING, deadline__lt=now)
    paused = Q(status=Status.SUSPENDED, deadline__isnull=False, deadline__lt=F("suspended_at"))
    return running | paused


def _parse_instant(value: str, *, end: bool) -> dt.datetime:
    # A plain date first: parse_datetime also accepts "YYYY-MM-DD" (as midnight), which would
    # make received_before=<day> exclude that day. Out-of-range values raise ValueError.
    try:
        day = parse_date(value)
        parsed = None if day else parse_datetime(value)
    except ValueError:
        day = parsed = None
    if day is not None:
        parsed = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time())
    elif parsed is None:
        raise ValidationFailed(_("“%(value)s” is not a date (YYYY-MM-DD) or an ISO 8601 time.") % {"value": value})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def case_list(*, viewer: User, filters: dict | None = None) -> QuerySet[Case]:
    """The viewer's cases, filtered. Filters (all optional, as strings from a query string):
    status (comma list), unit (code: its whole subtree), subcategory, category, department
    (codes), case_type, overdue (true/false), urgent, received_after, received_before, q."""
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    queryset = visible_cases(viewer).select_related(*LIST_RELATED)
    if "status" in filters:
        statuses = [s.strip() for s in str(filters["status"]).split(",") if s.strip()]
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise ValidationFailed(
                _("Unknown status: %(unknown)s. Known: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(Status.values)}
            )
        queryset = queryset.filter(status__in=statuses)
    if "unit" in filters:
        unit = Unit.objects.filter(code=filters["unit"]).first()
        if unit is None:
            raise ValidationFailed(_("Unknown unit code “%(code)s”.") % {"code": filters["unit"]})
        queryset = queryset.filter(unit__path__startswith=unit.path)
    for key, lookup in (
        ("subcategory", "subcategory__code"),
        ("category", "subcategory__category__code"),
        ("department", "department__code"),
        ("case_type", "case_type__code"),
        ("channel", "channel"),
    ):
        if key in filters:
            queryset = queryset.filter(**{lookup: filters[key]})
    for key in ("overdue", "urgent"):
        if key in filters:
            value = str(filters[key]).lower()
            if value not in ("true", "false", "1", "0", "yes", "no"):
                raise ValidationFailed(_("%(name)s must be true or false.") % {"name": key})
            wanted = value in ("true", "1", "yes")
            if key == "overdue":
                queryset = queryset.filter(overdue_q()) if wanted else queryset.exclude(overdue_q())
            else:
                queryset = queryset.filter(urgent=wanted)
    if "received_after" in filters:
        queryset = queryset.filter(received_at__gte=_parse_instant(filters["received_after"], end=False))
    if "received_before" in filters:
        queryset = queryset.filter(received_at__lt=_parse_instant(filters["received_before"], end=True))
    if "q" in filters:
        term = str(filters["q"]).strip()
        queryset = queryset.filter(Q(text__icontains=term) | Q(number__icontains=term) | Q(address__icontains=term))
    return queryset


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("created_at", "id")


def intake_queue(*, viewer: User) -> QuerySet[Case]:
    """The clerk's queue: new and returned cases, most urgent first, then by due time."""
    return case_list(viewer=viewer, filters={"status": "received,returned"}).order_by(
        "-urgent", F("deadline").asc(nulls_last=True), "received_at"
    )
