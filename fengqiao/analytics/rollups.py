"""Keeping the rollups current, and rebuilding them.

A case contributes one row key and a vector of 0/1 measures to the daily table at its own unit
and at every unit above it, and the same to the monthly table. The workflow's write path
(`cases.actions._apply`) takes the case's contribution before and after each change and adds
the difference with one upsert per table, in the action's transaction; bulk writers (the ledger
import, the demo loader) rebuild the months they touched instead.

The same contribution is written twice: in Python (`contribution`) for the increments, and as
SQL expressions (`_daily_aggregate`) for the rebuild. `check_consistency` and the tests compare
the two.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import CharField, DateField, F, IntegerField, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from fengqiao.cases.models import Case, MediationResult, Satisfaction, Status
from fengqiao.core import workcalendar
from fengqiao.org.models import Unit, ancestor_paths
from fengqiao.taxonomy.models import Subcategory

from .models import MEASURES, NEVER, DailyRollup, MonthlyRollup, OpenRollup, StatusClass, UnitDayRollup

LOCAL = workcalendar.LOCAL_TZ
# The response limit of interfaces §5: urgent and whistle cases 30 minutes, others 24 hours.
FAST_RESPONSE = dt.timedelta(minutes=30)
NORMAL_RESPONSE = dt.timedelta(hours=24)
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
MEDIATION_ENDED = (MediationResult.SUCCESS, MediationResult.FAILURE)
ANSWERED_STATES = (Status.REPLIED, Status.VISITED)

DAILY_KEY = ("unit_id", "day", "subcategory_id", "category_id", "case_type_id", "status_class", "overdue_day")
DAILY_CONFLICT = ("unit_id", "day", "subcategory_id", "case_type_id", "status_class", "overdue_day")
MONTHLY_KEY = ("unit_id", "month", "category_id")
UNIT_DAY_KEY = ("unit_id", "day")
OPEN_KEY = ("unit_id", "day", "overdue_day")
UNFINISHED = (StatusClass.OPEN, StatusClass.SUSPENDED)

Vector = tuple[int, ...]


def received_span(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants that bound the cases received from `first_day` to `last_day` (local days,
    inclusive): from the first's midnight up to, not including, the midnight after the last."""
    return workcalendar.local_midnight(first_day), workcalendar.local_midnight(last_day + dt.timedelta(days=1))


# What one case contributes -------------------------------------------------------------------


def status_class(status: str) -> str:
    if status == Status.CLOSED:
        return StatusClass.CLOSED
    if status == Status.MERGED:
        return StatusClass.MERGED
    if status == Status.SUSPENDED:
        return StatusClass.SUSPENDED
    return StatusClass.OPEN


def overdue_from(case: Case) -> dt.datetime | None:
    """The instant from which the case counts as "still open past its deadline" for the
    on-time rate, or None if it never will (as it stands now).

    A finished case never does; a suspended case only if it was already late when the clock
    stopped; a case answered (回复) on time is done with its deadline even before the visit.
    """
    if case.deadline is None or case.status in (Status.CLOSED, Status.MERGED):
        return None
    if case.status == Status.SUSPENDED:
        return case.deadline if case.suspended_at and case.suspended_at > case.deadline else None
    if case.status in ANSWERED_STATES and case.replied_at is not None:
        return case.deadline if case.replied_at > case.deadline else None
    return case.deadline


def measures(case: Case) -> Vector:
    closed = case.status == Status.CLOSED
    finished_at = case.replied_at or case.closed_at
    on_time = closed and (case.deadline is None or (finished_at is not None and finished_at <= case.deadline))
    dispatched = case.dispatched_at is not None
    limit = FAST_RESPONSE if (case.urgent or case.whistled) else NORMAL_RESPONSE
    responded = (
        dispatched
        and case.signed_at is not None
        and case.dispatched_at is not None
        and case.signed_at <= case.dispatched_at + limit
    )
    return (
        1,
        int(closed),
        int(on_time),
        int(dispatched),
        int(responded),
        int(case.resolved is not None),
        int(case.resolved is True),
        int(bool(case.satisfaction)),
        int(case.satisfaction in SATISFIED),
        int(case.mediation_result in MEDIATION_ENDED),
        int(case.mediation_result == MediationResult.SUCCESS),
    )


@functools.lru_cache(maxsize=4096)
def _category_of(subcategory_id: int) -> int:
    return Subcategory.objects.filter(pk=subcategory_id).values_list("category_id", flat=True).get()


@functools.lru_cache(maxsize=4096)
def _unit_chain(unit_id: int, path: str) -> tuple[int, ...]:
    """The ids of the unit and every unit above it. Keyed by the path too, so that a move
    (which changes the path) never reads a stale chain."""
    return tuple(Unit.objects.filter(path__in=ancestor_paths(path)).values_list("id", flat=True))


@dataclass(frozen=True)
class Contribution:
    units: tuple[int, ...]
    day: dt.date
    subcategory_id: int
    category_id: int
    case_type_id: int
    status_class: str
    overdue_day: dt.date
    vector: Vector

    def _rows(self, key: tuple, sign: int) -> dict[tuple, Vector]:
        """The case's row with this key after the unit, at its unit and every unit above."""
        vector = tuple(sign * n for n in self.vector)
        return {(unit_id, *key): vector for unit_id in self.units}

    def daily_rows(self, sign: int = 1) -> dict[tuple, Vector]:
        key = (self.day, self.subcategory_id, self.category_id, self.case_type_id, self.status_class, self.overdue_day)
        return self._rows(key, sign)

    def unit_day_rows(self, sign: int = 1) -> dict[tuple, Vector]:
        return self._rows((self.day,), sign)

    def open_rows(self, sign: int = 1) -> dict[tuple, Vector]:
        return self._rows((self.day, self.overdue_day), sign) if self.status_class in UNFINISHED else {}

    def monthly_rows(self, sign: int = 1) -> dict[tuple, Vector]:
        return self._rows((self.day.replace(day=1), self.category_id), sign)


# Each rollup table: its model, key, unique key (for the upsert) and a case's rows in it.
TABLES = (
    (DailyRollup, DAILY_KEY, DAILY_CONFLICT, Contribution.daily_rows),
    (UnitDayRollup, UNIT_DAY_KEY, UNIT_DAY_KEY, Contribution.unit_day_rows),
    (OpenRollup, OPEN_KEY, OPEN_KEY, Contribution.open_rows),
    (MonthlyRollup, MONTHLY_KEY, MONTHLY_KEY, Contribution.monthly_rows),
)


def contribution(case: Case, *, unit_path: str | None = None) -> Contribution:
    """What `case`, as it stands in memory, adds to the rollups."""
    if unit_path is None:
        unit_path = Unit.objects.filter(pk=case.unit_id).values_list("path", flat=True).get()
    due = overdue_from(case)
    subcategory_id = case.subcategory_id or 0
    return Contribution(
        units=_unit_chain(case.unit_id, unit_path),
        day=case.received_at.astimezone(LOCAL).date(),
        subcategory_id=subcategory_id,
        category_id=_category_of(subcategory_id) if subcategory_id else 0,
        case_type_id=case.case_type_id,
        status_class=status_class(case.status),
        overdue_day=due.astimezone(LOCAL).date() if due else NEVER,
        vector=measures(case),
    )


def _unit_path(case: Case) -> str:
    """The path of the case's unit, from the loaded unit when it is the right one."""
    unit = case._state.fields_cache.get("unit")
    if unit is not None and unit.pk == case.unit_id:
        return unit.path
    return Unit.objects.filter(pk=case.unit_id).values_list("path", flat=True).get()


def before(case: Case) -> Contribution:
    """Call before changing a case; hand the result to `after`."""
    return contribution(case, unit_path=_unit_path(case))


def after(case: Case, previous: Contribution | None) -> None:
    """Add the difference between the case's contribution now and `previous` (None for a new
    case) to the rollups."""
    current = contribution(case, unit_path=_unit_path(case))
    if previous == current:
        return
    for model, key, conflict, rows in TABLES:
        _upsert(model, key, conflict, _merge(rows(current, 1), rows(previous, -1) if previous else {}))


def _merge(*parts: dict[tuple, Vector]) -> dict[tuple, Vector]:
    total: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    for part in parts:
        for key, vector in part.items():
            row = total[key]
            for i, n in enumerate(vector):
                row[i] += n
    return {key: tuple(row) for key, row in total.items() if any(row)}


def _upsert(model, key: Sequence[str], conflict: Sequence[str], rows: dict[tuple, Vector]) -> None:
    """Add each vector to its row, creating rows as needed: one statement. Rows go in key order
    so that two transactions touching the same rows lock them in the same order."""
    if not rows:
        return
    table = model._meta.db_table
    columns = (*key, *MEASURES)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list = []
    for row_key in sorted(rows):
        params.extend(row_key)
        params.extend(rows[row_key])
    sets = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in MEASURES)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholder] * len(rows))} "
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {sets}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# Rebuilding from the case table -----------------------------------------------------------------


def _flag(condition: Q) -> When_:
    return When_(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def measure_conditions() -> dict[str, Q]:
    """Each measure as a condition on a case row: `measures` in SQL."""
    on_time = Q(status=Status.CLOSED) & (
        Q(deadline__isnull=True)
        | Q(replied_at__isnull=False, replied_at__lte=F("deadline"))
        | Q(replied_at__isnull=True, closed_at__isnull=False, closed_at__lte=F("deadline"))
    )
    fast = Q(urgent=True) | Q(whistled=True)
    responded = Q(dispatched_at__isnull=False, signed_at__isnull=False) & (
        (fast & Q(signed_at__lte=F("dispatched_at") + FAST_RESPONSE))
        | (~fast & Q(signed_at__lte=F("dispatched_at") + NORMAL_RESPONSE))
    )
    return {
        "received": Q(pk__isnull=False),
        "closed": Q(status=Status.CLOSED),
        "closed_on_time": on_time,
        "dispatched": Q(dispatched_at__isnull=False),
        "responded": responded,
        "answered": Q(resolved__isnull=False),
        "resolved": Q(resolved=True),
        "rated": ~Q(satisfaction=""),
        "satisfied": Q(satisfaction__in=SATISFIED),
        "mediation_ended": Q(mediation_result__in=MEDIATION_ENDED),
        "mediation_success": Q(mediation_result=MediationResult.SUCCESS),
    }


def _daily_aggregate(cases: QuerySet[Case]) -> QuerySet:
    """The case table grouped into daily rows at each case's own unit: `contribution` in SQL."""
    finished = (Status.CLOSED, Status.MERGED)
    deadline_day = TruncDate("deadline", tzinfo=LOCAL)
    overdue_day = When_(
        When(Q(status__in=finished) | Q(deadline__isnull=True), then=Value(NEVER)),
        When(Q(status=Status.SUSPENDED, suspended_at__gt=F("deadline")), then=deadline_day),
        When(status=Status.SUSPENDED, then=Value(NEVER)),
        When(Q(status__in=ANSWERED_STATES, replied_at__gt=F("deadline")), then=deadline_day),
        When(Q(status__in=ANSWERED_STATES, replied_at__isnull=False), then=Value(NEVER)),
        default=deadline_day,
        output_field=DateField(),
    )
    klass = When_(
        When(status=Status.CLOSED, then=Value(StatusClass.CLOSED.value)),
        When(status=Status.MERGED, then=Value(StatusClass.MERGED.value)),
        When(status=Status.SUSPENDED, then=Value(StatusClass.SUSPENDED.value)),
        default=Value(StatusClass.OPEN.value),
        output_field=CharField(),
    )
    return (
        cases.annotate(
            r_day=TruncDate("received_at", tzinfo=LOCAL),
            r_subcategory=Coalesce("subcategory_id", Value(0)),
            r_category=Coalesce("subcategory__category_id", Value(0)),
            r_class=klass,
            r_overdue=overdue_day,
        )
        .values("unit_id", "r_day", "r_subcategory", "r_category", "case_type_id", "r_class", "r_overdue")
        .annotate(**{f"m_{name}": Sum(_flag(condition)) for name, condition in measure_conditions().items()})
        .order_by()
    )


def _insert_select(table: str, columns: Sequence[str], select_columns: Sequence[str], queryset: QuerySet) -> None:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(select_columns)} FROM ({sql}) AS aggregate WHERE 1 = 1",
            params,
        )


def _roll_up_the_tree(first_day: dt.date, last_day: dt.date) -> None:
    """Add each unit's daily rows to its parent's, from the deepest units up."""
    table = DailyRollup._meta.db_table
    unit_table = Unit._meta.db_table
    sets = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in MEASURES)
    depths = list(Unit.objects.order_by("-depth").values_list("depth", flat=True).distinct())
    key_rest = DAILY_KEY[1:]
    for depth in depths:
        if depth == 0:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(DAILY_KEY)}, {', '.join(MEASURES)}) "
                f"SELECT u.parent_id, {', '.join('r.' + c for c in key_rest)}, "
                f"{', '.join(f'SUM(r.{m})' for m in MEASURES)} "
                f"FROM {table} r JOIN {unit_table} u ON u.id = r.unit_id "
                f"WHERE u.depth = %s AND u.parent_id IS NOT NULL AND r.day >= %s AND r.day <= %s "
                f"GROUP BY u.parent_id, {', '.join('r.' + c for c in key_rest)} "
                f"ON CONFLICT ({', '.join(DAILY_CONFLICT)}) DO UPDATE SET {sets}",
                [depth, first_day, last_day],
            )


def _sum_daily_into(
    model, key: Sequence[str], first_day: dt.date, last_day: dt.date, *, only: Q | None = None, **computed
) -> None:
    """Fill a coarser table from the daily rows of the days given: group by `key` (columns of
    the daily table, or expressions named in `computed`) and sum every measure."""
    rows = (
        DailyRollup.objects.filter(only or Q(), day__gte=first_day, day__lte=last_day)
        .annotate(**computed)
        .values(*key)
        .annotate(**{f"m_{name}": Sum(name) for name in MEASURES})
        .order_by()
    )
    _insert_select(model._meta.db_table, (*key, *MEASURES), (*key, *(f"m_{m}" for m in MEASURES)), rows)


def _month_bounds(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    start = first.replace(day=1)
    following = (last.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


@transaction.atomic
def rebuild(*, first_day: dt.date | None = None, last_day: dt.date | None = None) -> int:
    """Recompute the rollups from the case table, for the whole months between the two days
    (everything when no day is given). Returns the number of cases counted."""
    cases = Case.objects.all()
    if first_day is None or last_day is None:
        for model, *_rest in TABLES:
            model.objects.all().delete()
        bounds = Case.objects.order_by().aggregate(first=Min("received_at"), last=Max("received_at"))
        if bounds["first"] is None:
            return 0
        first_day = bounds["first"].astimezone(LOCAL).date()
        last_day = bounds["last"].astimezone(LOCAL).date()
    first_day, last_day = _month_bounds(first_day, last_day)
    DailyRollup.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    UnitDayRollup.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    OpenRollup.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    MonthlyRollup.objects.filter(month__gte=first_day, month__lte=last_day).delete()
    start, end = received_span(first_day, last_day)
    in_range = cases.filter(received_at__gte=start, received_at__lt=end)
    _insert_select(
        DailyRollup._meta.db_table,
        (*DAILY_KEY, *MEASURES),
        (
            "unit_id",
            "r_day",
            "r_subcategory",
            "r_category",
            "case_type_id",
            "r_class",
            "r_overdue",
            *(f"m_{m}" for m in MEASURES),
        ),
        _daily_aggregate(in_range),
    )
    _roll_up_the_tree(first_day, last_day)
    _sum_daily_into(UnitDayRollup, UNIT_DAY_KEY, first_day, last_day)
    _sum_daily_into(OpenRollup, OPEN_KEY, first_day, last_day, only=Q(status_class__in=UNFINISHED))
    _sum_daily_into(MonthlyRollup, MONTHLY_KEY, first_day, last_day, month=TruncMonth("day", output_field=DateField()))
    return in_range.count()


def rebuild_for_days(days: Iterable[dt.date]) -> None:
    """Rebuild the months that contain these days (after a bulk write)."""
    days = list(days)
    if days:
        rebuild(first_day=min(days), last_day=max(days))


# A unit moved to another parent ------------------------------------------------------------------


def move_unit(*, unit_id: int, old_path: str, new_path: str) -> None:
    """The unit's own rows hold its whole subtree: take them away from the units it left and
    add them to the units it joined."""
    old_above = set(ancestor_paths(old_path)) - {old_path}
    new_above = set(ancestor_paths(new_path)) - {new_path}
    left = list(Unit.objects.filter(path__in=old_above - new_above).values_list("id", flat=True))
    joined = list(Unit.objects.filter(path__in=new_above - old_above).values_list("id", flat=True))
    for model, key, conflict, _rows in TABLES:
        table = model._meta.db_table
        sets = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in MEASURES)
        for target, sign in [(t, -1) for t in left] + [(t, 1) for t in joined]:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(key)}, {', '.join(MEASURES)}) "
                    f"SELECT %s, {', '.join(key[1:])}, {', '.join(f'%s * {m}' for m in MEASURES)} "
                    f"FROM {table} WHERE unit_id = %s "
                    f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {sets}",
                    [target, *([sign] * len(MEASURES)), unit_id],
                )
    _unit_chain.cache_clear()


# Checking ----------------------------------------------------------------------------------------


def snapshot() -> dict[str, dict[tuple, Vector]]:
    """Every rollup table as {key: measures}, leaving out all-zero rows (what a decrement
    leaves), keyed by the table's model name."""
    tables: dict[str, dict[tuple, Vector]] = {}
    for model, key, _conflict, _rows in TABLES:
        width = len(key)
        tables[model.__name__] = {
            tuple(row[:width]): tuple(row[width:])
            for row in model.objects.values_list(*key, *MEASURES)
            if any(row[width:])
        }
    return tables


def prune() -> int:
    """Delete rows whose measures are all zero (left when every case of a key moved on)."""
    zero = Q(**{name: 0 for name in MEASURES})
    return sum(model.objects.filter(zero).delete()[0] for model, *_rest in TABLES)
