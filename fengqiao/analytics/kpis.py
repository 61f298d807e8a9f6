"""The KPIs of interfaces §5, read from the rollups.

Cohort: cases received in [date_from, date_to] (Asia/Shanghai dates) in a unit's subtree.
Whole months come from the monthly rollup and the days at either end from the unit-day rollup,
so a report reads a few hundred rows however many cases there are. The one figure that depends
on the clock, "still open past the deadline", comes from the open-case rollup's overdue day,
and for deadlines falling earlier today from a count of the open cases due today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import OPEN_STATES, Case, Status
from fengqiao.core import workcalendar
from fengqiao.org.models import Unit, path_codes

from . import rollups
from .models import MEASURES, DailyRollup, MonthlyRollup, OpenRollup, UnitDayRollup

# (key, Chinese-first label, numerator measure, denominator measure); the on-time rate's
# denominator is computed, not stored.
RATES = (
    ("on_time_rate", _("On-time completion rate"), "closed_on_time", None),
    ("response_rate", _("Response rate"), "responded", "dispatched"),
    ("resolution_rate", _("Resolution rate"), "resolved", "answered"),
    ("satisfaction_rate", _("Satisfaction rate"), "satisfied", "rated"),
    ("mediation_success_rate", _("Mediation success rate"), "mediation_success", "mediation_ended"),
)
RATE_KEYS = tuple(key for key, *_ in RATES)
RATE_LABELS = {key: label for key, label, *_ in RATES}


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        """As the pages show it: two decimals (180/184 → 97.83%), a dash when undefined."""
        value = self.value
        return "—" if value is None else f"{value * 100:.2f}%"


@dataclass
class KpiReport:
    unit: Unit | None
    date_from: dt.date
    date_to: dt.date
    totals: dict[str, int]
    open_overdue: int
    rates: dict[str, Rate] = field(init=False)

    def __post_init__(self) -> None:
        totals = self.totals
        self.rates = {}
        for key, _label, numerator, denominator in RATES:
            if denominator is None:
                self.rates[key] = Rate(totals["closed_on_time"], totals["closed"] + self.open_overdue)
            else:
                self.rates[key] = Rate(totals[numerator], totals[denominator])

    @property
    def received(self) -> int:
        return self.totals["received"]

    @property
    def closed(self) -> int:
        return self.totals["closed"]

    def as_dict(self) -> dict[str, Any]:
        """The JSON of the command and the API: rates as fractions (None when undefined), and
        each rate's numerator and denominator under "counts"."""
        return {
            "unit": self.unit.code if self.unit else None,
            "unit_name": self.unit.name if self.unit else None,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "received": self.received,
            "closed": self.closed,
            "open_past_deadline": self.open_overdue,
            **{key: rate.value for key, rate in self.rates.items()},
            "counts": {
                key: {"numerator": rate.numerator, "denominator": rate.denominator} for key, rate in self.rates.items()
            },
        }


def _zero() -> dict[str, int]:
    return dict.fromkeys(MEASURES, 0)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def split_period(date_from: dt.date, date_to: dt.date) -> tuple[list[tuple[dt.date, dt.date]], list[dt.date]]:
    """The day ranges the daily table answers for, and the whole months the monthly one does."""
    edges: list[tuple[dt.date, dt.date]] = []
    months: list[dt.date] = []
    start = date_from
    while start <= date_to:
        month_end = _next_month(start) - dt.timedelta(days=1)
        end = min(month_end, date_to)
        if start.day == 1 and end == month_end:
            months.append(start)
        else:
            edges.append((start, end))
        start = end + dt.timedelta(days=1)
    return edges, months


def sums(
    unit_ids: list[int], date_from: dt.date, date_to: dt.date, *, by: str = "unit_id", measures=MEASURES
) -> dict[int, dict[str, int]]:
    """The measures of the cases received in the period, summed per `by` ("unit_id" or
    "category_id"): whole months from the monthly table, the days at the ends from the unit-day
    table (per unit) or the daily one (per category)."""
    totals: dict[int, dict[str, int]] = defaultdict(_zero)
    edges, months = split_period(date_from, date_to)
    aggregates = {name: Sum(name) for name in measures}
    parts: list[QuerySet] = []
    if months:
        parts.append(MonthlyRollup.objects.filter(unit_id__in=unit_ids, month__in=months))
    if edges:
        days = Q()
        for start, end in edges:
            days |= Q(day__gte=start, day__lte=end)
        # Per unit, one row a day; per category, the finer daily rows.
        edge_rows = UnitDayRollup if by == "unit_id" else DailyRollup
        parts.append(edge_rows.objects.filter(days, unit_id__in=unit_ids))
    for queryset in parts:
        for row in queryset.values(by).annotate(**aggregates).order_by():
            values: dict[str, Any] = dict(row)
            target = totals[values[by]]
            for name in measures:
                target[name] += values[name] or 0
    return totals


def _open_overdue(
    units: list[Unit], date_from: dt.date, date_to: dt.date, now: dt.datetime, *, by: str = "unit"
) -> dict[Any, int]:
    """Cohort cases open past their deadline at `now`, per unit id (`by="unit"`, each unit its
    subtree) or per month of receipt over all `units` (`by="month"`): whole overdue days from
    the open-case rollup, and the cases whose deadline fell earlier today."""
    today = timezone.localtime(now).date()
    counts: dict[Any, int] = defaultdict(int)
    rows = OpenRollup.objects.filter(
        unit_id__in=[unit.pk for unit in units], day__gte=date_from, day__lte=date_to, overdue_day__lt=today
    )
    if by == "month":
        rows = rows.annotate(group=TruncMonth("day", output_field=DateField()))
    else:
        rows = rows.annotate(group=F("unit_id"))
    for row in rows.values("group").annotate(n=Sum("received")).order_by():
        counts[row["group"]] += row["n"]
    if by == "month":
        for month, n in _overdue_since_midnight(units, date_from, date_to, now, by="month"):
            counts[month] += n
        return counts
    by_code = {unit.code: unit.pk for unit in units}
    for path, n in _overdue_since_midnight(units, date_from, date_to, now, by="unit__path"):
        for code in path_codes(path):
            if code in by_code:
                counts[by_code[code]] += n
    return counts


def _overdue_since_midnight(
    units: list[Unit], date_from: dt.date, date_to: dt.date, now: dt.datetime, *, by: str
) -> list[tuple[Any, int]]:
    """The cohort's open cases that became overdue earlier today (the rollup's overdue day
    cannot tell them from those due later today), counted in SQL through the deadline index,
    grouped `by` "unit__path" or "month" (of receipt). `rollups.overdue_from` as a condition:
    a suspended case only if it was late when suspended, an answered one only if answered late
    or with no answer time."""
    start_of_today = workcalendar.local_midnight(timezone.localtime(now).date())
    start, end = rollups.received_span(date_from, date_to)
    cases = Case.objects.filter(
        status__in=OPEN_STATES,
        deadline__gte=start_of_today,
        deadline__lt=now,
        received_at__gte=start,
        received_at__lt=end,
    ).exclude(
        Q(status=Status.SUSPENDED) & (Q(suspended_at__isnull=True) | Q(suspended_at__lte=F("deadline")))
        | Q(status__in=rollups.ANSWERED_STATES, replied_at__isnull=False, replied_at__lte=F("deadline"))
    )
    if not all(unit.parent_id is None for unit in units):
        subtree = Q()
        for unit in units:
            subtree |= Q(path__startswith=unit.path)
        cases = cases.filter(unit_id__in=Unit.objects.filter(subtree).values("id"))
    if by == "month":
        grouped = cases.annotate(month=TruncMonth("received_at", tzinfo=rollups.LOCAL, output_field=DateField()))
        return list(grouped.values_list("month").annotate(n=Count("id")).order_by())
    return list(cases.values_list("unit__path").annotate(n=Count("id")).order_by())


def monthly_reports(
    unit: Unit | None, *, months: list[dt.date], date_to: dt.date, now: dt.datetime | None = None
) -> list[tuple[dt.date, KpiReport]]:
    """One report per month (the last one up to `date_to`) in four queries, for trends."""
    now = now or timezone.now()
    units = [unit] if unit else list(Unit.objects.filter(parent__isnull=True))
    ids = [u.pk for u in units]
    totals: dict[dt.date, dict[str, int]] = defaultdict(_zero)
    aggregates = {name: Sum(name) for name in MEASURES}
    last = months[-1]
    last_end = _next_month(last) - dt.timedelta(days=1)
    whole = months if date_to >= last_end else months[:-1]
    for row in MonthlyRollup.objects.filter(unit_id__in=ids, month__in=whole).values("month").annotate(**aggregates):
        values: dict[str, Any] = dict(row)
        for name in MEASURES:
            totals[values["month"]][name] += values[name] or 0
    if last not in whole:
        partial = UnitDayRollup.objects.filter(unit_id__in=ids, day__gte=last, day__lte=date_to).aggregate(**aggregates)
        for name in MEASURES:
            totals[last][name] += partial[name] or 0
    overdue = _open_overdue(units, months[0], date_to, now, by="month")
    return [
        (
            month,
            KpiReport(
                unit=unit,
                date_from=month,
                date_to=min(_next_month(month) - dt.timedelta(days=1), date_to),
                totals=totals[month],
                open_overdue=overdue.get(month, 0),
            ),
        )
        for month in months
    ]


def reports(
    units: Iterable[Unit], *, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> dict[int, KpiReport]:
    """One report per unit (its whole subtree), keyed by unit id."""
    units = list(units)
    now = now or timezone.now()
    ids = [unit.pk for unit in units]
    totals = sums(ids, date_from, date_to) if ids else {}
    overdue = _open_overdue(units, date_from, date_to, now) if ids else {}
    return {
        unit.pk: KpiReport(
            unit=unit,
            date_from=date_from,
            date_to=date_to,
            totals=totals.get(unit.pk, _zero()),
            open_overdue=overdue.get(unit.pk, 0),
        )
        for unit in units
    }


def report(unit: Unit | None, *, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None) -> KpiReport:
    """The KPIs of one unit's subtree, or of everything (all top-level units) for None."""
    if unit is not None:
        return reports([unit], date_from=date_from, date_to=date_to, now=now)[unit.pk]
    roots = list(Unit.objects.filter(parent__isnull=True))
    parts = reports(roots, date_from=date_from, date_to=date_to, now=now).values()
    totals = _zero()
    for part in parts:
        for name in MEASURES:
            totals[name] += part.totals[name]
    return KpiReport(
        unit=None,
        date_from=date_from,
        date_to=date_to,
        totals=totals,
        open_overdue=sum(part.open_overdue for part in parts),
    )


@dataclass(frozen=True)
class RankingRow:
    rank: int | None  # None: too few cases to be ranked
    report: KpiReport
    rate: Rate


DEFAULT_MIN_CASES = 30


def ranking(
    units: Iterable[Unit],
    *,
    metric: str,
    date_from: dt.date,
    date_to: dt.date,
    min_cases: int = DEFAULT_MIN_CASES,
    now: dt.datetime | None = None,
) -> list[RankingRow]:
    """Units ordered by a rate, best first; a unit whose rate rests on fewer than `min_cases`
    cases (its denominator) is listed after the ranked ones, unranked, so that three cases
    cannot top the table. Ties share a rank."""
    if metric not in RATE_KEYS:
        raise ValueError(metric)
    rows = [
        (item, item.rates[metric]) for item in reports(units, date_from=date_from, date_to=date_to, now=now).values()
    ]
    ranked = sorted(
        (pair for pair in rows if pair[1].denominator >= min_cases and pair[1].denominator > 0),
        key=lambda pair: (-(pair[1].value or 0), -pair[1].denominator, pair[0].unit.code if pair[0].unit else ""),
    )
    unranked = sorted(
        (pair for pair in rows if not (pair[1].denominator >= min_cases and pair[1].denominator > 0)),
        key=lambda pair: (-pair[1].denominator, pair[0].unit.code if pair[0].unit else ""),
    )
    result: list[RankingRow] = []
    previous: tuple[float | None, int] | None = None
    for position, (item, rate) in enumerate(ranked, start=1):
        rank = result[-1].rank if previous is not None and previous[0] == rate.value else position
        result.append(RankingRow(rank=rank, report=item, rate=rate))
        previous = (rate.value, position)
    result.extend(RankingRow(rank=None, report=item, rate=rate) for item, rate in unranked)
    return result
