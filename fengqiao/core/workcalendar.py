"""Working-day arithmetic with the Chinese holiday calendar.

Time limits come in three units (taxonomy.json): clock hours, calendar days and working
days. Working days follow the State Council schedule including make-up working days
(调休): the chinesecalendar package for the years it covers, the CalendarDay table for
later years and local changes. A working-day limit is measured in *working time*: the
clock runs only on working days, so a case received on Wednesday at 15:00 with three
working days is due on Monday at 15:00, and one received on a Saturday starts its clock on
Monday at 00:00. A suspended case's deadline moves by the working time the pause used.

A year that neither source covers falls back to Monday–Friday; `uncovered_years` lets the
pages and the system check warn about it.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.timedelta(days=1)
_LAST_SECOND = dt.time(23, 59, 59)
_CACHE_SECONDS = 300


class LimitUnit:
    HOUR = "hour"
    DAY = "day"
    WORKDAY = "workday"
    ALL = (HOUR, DAY, WORKDAY)


@dataclass(frozen=True)
class _Overrides:
    days: dict[dt.date, bool]
    entered_years: frozenset[int]
    loaded_at: float


_overrides: _Overrides | None = None


def clear_cache() -> None:
    global _overrides
    _overrides = None


def _load() -> _Overrides:
    global _overrides
    if _overrides is None or time.monotonic() - _overrides.loaded_at > _CACHE_SECONDS:
        from .models import CalendarDay, CalendarYear

        days = dict(CalendarDay.objects.values_list("date", "is_workday"))
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        _overrides = _Overrides(days=days, entered_years=years, loaded_at=time.monotonic())
    return _overrides


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_year_covered(year: int) -> bool:
    return package_covers(year) or year in _load().entered_years


def is_workday(day: dt.date) -> bool:
    overrides = _load()
    if day in overrides.days:
        return overrides.days[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def uncovered_years(start: dt.datetime, end: dt.datetime) -> list[int]:
    """Years between two instants whose holidays nobody has entered."""
    first, last = sorted((start.astimezone(LOCAL_TZ).year, end.astimezone(LOCAL_TZ).year))
    return [year for year in range(first, last + 1) if not is_year_covered(year)]


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a day in Asia/Shanghai."""
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


def add_working_time(start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """The instant at which `amount` of working time has passed since `start`.

    When the amount runs out exactly at the end of a working day the result is that
    day's last second, so that a deadline reads "by 10月9日 23:59:59" rather than the
    midnight that opens the next (perhaps non-working) day.
    """
    if amount <= dt.timedelta(0):
        return start
    current = start.astimezone(LOCAL_TZ)
    remaining = amount
    for _ in range(3660):  # ten years of days: a bound, never reached by a real limit
        day = current.date()
        next_midnight = local_midnight(day + DAY)
        if is_workday(day):
            available = next_midnight - current
            if remaining < available:
                return current + remaining
            if remaining == available:
                return next_midnight - dt.timedelta(seconds=1)
            remaining -= available
        current = next_midnight
    raise ValueError("working time beyond ten years")


def working_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """How much working time lies between two instants (zero if end is not after start)."""
    total = dt.timedelta(0)
    current = start.astimezone(LOCAL_TZ)
    end = end.astimezone(LOCAL_TZ)
    while current < end:
        next_midnight = local_midnight(current.date() + DAY)
        stop = min(next_midnight, end)
        if is_workday(current.date()):
            total += stop - current
        current = stop
    return total


def compute_deadline(start: dt.datetime, *, unit: str, count: int) -> dt.datetime:
    if unit == LimitUnit.HOUR:
        return start + dt.timedelta(hours=count)
    if unit == LimitUnit.DAY:
        return start + dt.timedelta(days=count)
    if unit == LimitUnit.WORKDAY:
        return add_working_time(start, dt.timedelta(days=count))
    raise ValueError(f"unknown time-limit unit {unit!r}")


def extend_for_pause(
    deadline: dt.datetime, *, unit: str, paused_from: dt.datetime, paused_to: dt.datetime
) -> dt.datetime:
    """Move a deadline by the time a suspension used, measured the way the limit is."""
    if paused_to <= paused_from:
        return deadline
    if unit == LimitUnit.WORKDAY:
        used = working_time_between(paused_from, paused_to)
        if used <= dt.timedelta(0):
            return deadline
        local = deadline.astimezone(LOCAL_TZ)
        if local.time() == _LAST_SECOND:
            # "by 23:59:59" stands for the end of that working day (see add_working_time);
            # count the extra working time from that end, not from one second before it.
            local += dt.timedelta(seconds=1)
        return add_working_time(local, used)
    return deadline + (paused_to - paused_from)


def limit_duration(*, unit: str, count: int) -> dt.timedelta:
    """The nominal length of a limit, used to decide when a case is 'due soon'."""
    if unit == LimitUnit.HOUR:
        return dt.timedelta(hours=count)
    return dt.timedelta(days=count)
