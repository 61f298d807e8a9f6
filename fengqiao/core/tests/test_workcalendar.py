"""Working-day arithmetic against the 2026 State Council schedule, overrides and uncovered years.

2026 facts (chinesecalendar): 09-25..27 Mid-Autumn days off, 10-01..07 National Day days off,
make-up working days on Sunday 01-04, Sunday 09-20 and Saturday 10-10. The package stops
at 2026, so 2027 falls back to Monday–Friday unless an administrator enters it.
"""

import datetime as dt

import pytest

from fengqiao.cases.models import Case, Status
from fengqiao.core import workcalendar
from fengqiao.core.models import CalendarDay, CalendarYear
from fengqiao.core.workcalendar import (
    LimitUnit,
    add_working_time,
    compute_deadline,
    extend_for_pause,
    is_workday,
    is_year_covered,
    uncovered_years,
    working_time_between,
)
from fengqiao.taxonomy.models import Subcategory
from fengqiao.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

TZ = workcalendar.LOCAL_TZ
HOUR = dt.timedelta(hours=1)


def at(year, month, day, hour=0, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TZ)


@pytest.fixture(autouse=True)
def fresh_calendar():
    workcalendar.clear_cache()
    yield
    workcalendar.clear_cache()


# The calendar itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 1, 4), True),  # Sunday, make-up working day
        (dt.date(2026, 9, 18), True),  # Friday
        (dt.date(2026, 9, 19), False),  # Saturday
        (dt.date(2026, 9, 20), True),  # Sunday, make-up working day
        (dt.date(2026, 9, 25), False),  # Friday, Mid-Autumn
        (dt.date(2026, 9, 28), True),
        (dt.date(2026, 10, 1), False),
        (dt.date(2026, 10, 7), False),
        (dt.date(2026, 10, 8), True),
        (dt.date(2026, 10, 10), True),  # Saturday, make-up working day
        (dt.date(2026, 10, 11), False),
        (dt.date(2027, 1, 1), True),  # uncovered year: a Friday counts, New Year or not
        (dt.date(2027, 1, 2), False),
    ],
)
def test_is_workday(day, expected):
    assert is_workday(day) is expected


# Working-day limits -------------------------------------------------------------------------


def test_three_working_days_across_national_day_land_on_the_make_up_saturday():
    # 09-30 gives 14 h, 10-08 and 10-09 24 h each, the last 10 h fall on Saturday 10-10.
    assert compute_deadline(at(2026, 9, 30, 10), unit=LimitUnit.WORKDAY, count=3) == at(2026, 10, 10, 10)


def test_one_working_day_from_friday_lands_on_the_make_up_sunday():
    assert compute_deadline(at(2026, 9, 18, 9), unit=LimitUnit.WORKDAY, count=1) == at(2026, 9, 20, 9)


def test_new_year_make_up_sunday():
    # 2025-12-31 gives 12 h; 01-01..03 are off; Sunday 01-04 is a working day.
    assert compute_deadline(at(2025, 12, 31, 12), unit=LimitUnit.WORKDAY, count=1) == at(2026, 1, 4, 12)


def test_ordinary_week_wednesday_to_monday():
    # The module docstring's example: Wednesday 15:00 + 3 working days = Monday 15:00.
    assert compute_deadline(at(2026, 3, 11, 15), unit=LimitUnit.WORKDAY, count=3) == at(2026, 3, 16, 15)


def test_received_on_a_saturday_starts_the_clock_on_monday_and_ends_friday_at_the_last_second():
    received = at(2026, 3, 7, 10, 30)  # ordinary Saturday
    assert add_working_time(received, HOUR) == at(2026, 3, 9, 1)
    assert compute_deadline(received, unit=LimitUnit.WORKDAY, count=5) == at(2026, 3, 13, 23, 59, 59)


def test_received_during_the_holiday_starts_the_clock_when_work_resumes():
    received = at(2026, 10, 3, 16)  # National Day
    assert add_working_time(received, HOUR) == at(2026, 10, 8, 1)
    # 10-08, 10-09, 10-10 (make-up Saturday) then Monday 10-12 and Tuesday 10-13.
    assert compute_deadline(received, unit=LimitUnit.WORKDAY, count=5) == at(2026, 10, 13, 23, 59, 59)


def test_working_time_ending_at_midnight_is_that_days_last_second():
    assert add_working_time(at(2026, 9, 30, 15), dt.timedelta(hours=9)) == at(2026, 9, 30, 23, 59, 59)
    assert add_working_time(at(2026, 9, 30, 15), dt.timedelta(hours=9, seconds=1)) == at(2026, 10, 8, 0, 0, 1)


def test_zero_working_time_returns_the_start():
    assert add_working_time(at(2026, 10, 2, 12), dt.timedelta(0)) == at(2026, 10, 2, 12)


def test_result_is_in_shanghai_time_whatever_the_start_zone():
    start_utc = dt.datetime(2026, 9, 30, 2, tzinfo=dt.UTC)  # 10:00 in Shanghai
    deadline = compute_deadline(start_utc, unit=LimitUnit.WORKDAY, count=3)
    assert deadline == at(2026, 10, 10, 10)
    assert deadline.utcoffset() == dt.timedelta(hours=8)


# Hour and calendar-day limits ---------------------------------------------------------------


def test_hour_limit_ignores_holidays():
    assert compute_deadline(at(2026, 9, 30, 10), unit=LimitUnit.HOUR, count=24) == at(2026, 10, 1, 10)
    assert compute_deadline(at(2026, 10, 1, 23), unit=LimitUnit.HOUR, count=2) == at(2026, 10, 2, 1)


def test_calendar_day_limit_ignores_holidays():
    assert compute_deadline(at(2026, 9, 30, 10), unit=LimitUnit.DAY, count=30) == at(2026, 10, 30, 10)
    assert compute_deadline(at(2026, 9, 30, 10), unit=LimitUnit.DAY, count=3) == at(2026, 10, 3, 10)


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="fortnight"):
        compute_deadline(at(2026, 9, 30, 10), unit="fortnight", count=1)


# Working time between two instants -----------------------------------------------------------


def test_working_time_between_across_national_day():
    # 09-30 10:00..24:00 (14 h) + 10-08 00:00..10:00 (10 h); the holiday week counts nothing.
    assert working_time_between(at(2026, 9, 30, 10), at(2026, 10, 8, 10)) == dt.timedelta(hours=24)


def test_working_time_between_inside_the_holiday_is_zero():
    assert working_time_between(at(2026, 10, 1), at(2026, 10, 8)) == dt.timedelta(0)


def test_working_time_between_counts_the_make_up_saturday():
    assert working_time_between(at(2026, 10, 9, 12), at(2026, 10, 12, 6)) == dt.timedelta(hours=12 + 24 + 6)


def test_working_time_between_reversed_is_zero():
    assert working_time_between(at(2026, 10, 8, 10), at(2026, 9, 30, 10)) == dt.timedelta(0)


def test_working_time_between_inverts_add_working_time():
    start = at(2026, 9, 24, 17, 45)
    end = add_working_time(start, dt.timedelta(days=4, hours=3))
    assert end == at(2026, 10, 8, 20, 45)  # 09-24, 09-28, 09-29, 09-30 then 10-08
    assert working_time_between(start, end) == dt.timedelta(days=4, hours=3)


# Suspension ------------------------------------------------------------------------------------


def test_pause_over_national_day_moves_a_working_day_deadline_by_working_time_only():
    # Received 09-29 10:00 with 5 working days: due Monday 10-12 10:00.
    deadline = compute_deadline(at(2026, 9, 29, 10), unit=LimitUnit.WORKDAY, count=5)
    assert deadline == at(2026, 10, 12, 10)
    # Suspended 09-30 10:00 until 10-08 10:00: eight calendar days, 24 h of working time.
    extended = extend_for_pause(
        deadline, unit=LimitUnit.WORKDAY, paused_from=at(2026, 9, 30, 10), paused_to=at(2026, 10, 8, 10)
    )
    assert extended == at(2026, 10, 13, 10)


def test_pause_over_national_day_moves_an_hour_deadline_by_the_wall_clock():
    deadline = compute_deadline(at(2026, 9, 30, 9), unit=LimitUnit.HOUR, count=24)
    assert deadline == at(2026, 10, 1, 9)
    extended = extend_for_pause(
        deadline, unit=LimitUnit.HOUR, paused_from=at(2026, 9, 30, 10), paused_to=at(2026, 10, 8, 10)
    )
    assert extended == at(2026, 10, 9, 9)


def test_pause_over_national_day_moves_a_calendar_day_deadline_by_the_wall_clock():
    deadline = compute_deadline(at(2026, 9, 30, 9), unit=LimitUnit.DAY, count=30)
    extended = extend_for_pause(
        deadline, unit=LimitUnit.DAY, paused_from=at(2026, 9, 30, 10), paused_to=at(2026, 10, 8, 10)
    )
    assert extended == at(2026, 11, 7, 9)


def test_pause_wholly_inside_the_holiday_does_not_move_a_working_day_deadline():
    deadline = at(2026, 10, 12, 10)
    extended = extend_for_pause(
        deadline, unit=LimitUnit.WORKDAY, paused_from=at(2026, 10, 2), paused_to=at(2026, 10, 6)
    )
    assert extended == deadline


def test_pause_of_one_working_day_keeps_an_end_of_day_deadline_at_the_last_second():
    deadline = at(2026, 3, 13, 23, 59, 59)  # Friday
    extended = extend_for_pause(
        deadline, unit=LimitUnit.WORKDAY, paused_from=at(2026, 3, 10), paused_to=at(2026, 3, 11)
    )
    assert extended == at(2026, 3, 16, 23, 59, 59)  # Monday


def test_pause_of_part_of_a_day_extends_an_end_of_day_deadline_from_the_end_of_that_day():
    # "Friday 23:59:59" stands for the end of Friday's working time, so ten more working
    # hours end on Monday at 10:00, not a second earlier.
    deadline = compute_deadline(at(2026, 3, 7, 10), unit=LimitUnit.WORKDAY, count=5)
    assert deadline == at(2026, 3, 13, 23, 59, 59)
    extended = extend_for_pause(
        deadline, unit=LimitUnit.WORKDAY, paused_from=at(2026, 3, 10, 8), paused_to=at(2026, 3, 10, 18)
    )
    assert extended == at(2026, 3, 16, 10)
    # Same instant stored in UTC, as it comes back from the database.
    extended = extend_for_pause(
        deadline.astimezone(dt.UTC),
        unit=LimitUnit.WORKDAY,
        paused_from=at(2026, 3, 10, 8),
        paused_to=at(2026, 3, 10, 18),
    )
    assert extended == at(2026, 3, 16, 10)


def test_empty_or_reversed_pause_changes_nothing():
    deadline = at(2026, 10, 12, 10)
    for unit in LimitUnit.ALL:
        assert extend_for_pause(deadline, unit=unit, paused_from=at(2026, 9, 30), paused_to=at(2026, 9, 30)) == deadline
        assert extend_for_pause(deadline, unit=unit, paused_from=at(2026, 9, 30), paused_to=at(2026, 9, 29)) == deadline


# Overrides from the CalendarDay table ------------------------------------------------------------


def test_typhoon_day_off_on_a_normal_tuesday_moves_the_deadline():
    received = at(2026, 7, 13, 9)  # Monday
    assert compute_deadline(received, unit=LimitUnit.WORKDAY, count=1) == at(2026, 7, 14, 9)
    CalendarDay.objects.create(date=dt.date(2026, 7, 14), is_workday=False, name="台风停工")
    assert is_workday(dt.date(2026, 7, 14)) is False
    assert compute_deadline(received, unit=LimitUnit.WORKDAY, count=1) == at(2026, 7, 15, 9)
    assert working_time_between(at(2026, 7, 13), at(2026, 7, 16)) == dt.timedelta(days=2)


def test_override_can_make_a_package_holiday_a_working_day():
    CalendarDay.objects.create(date=dt.date(2026, 10, 7), is_workday=True, name="本地调整")
    assert compute_deadline(at(2026, 9, 30, 10), unit=LimitUnit.WORKDAY, count=1) == at(2026, 10, 7, 10)


def test_working_saturday_in_2027_moves_the_deadline():
    received = at(2027, 1, 1, 10)  # Friday; 2027 is uncovered, so this counts as a working day
    assert compute_deadline(received, unit=LimitUnit.WORKDAY, count=1) == at(2027, 1, 4, 10)
    CalendarDay.objects.create(date=dt.date(2027, 1, 2), is_workday=True, name="调休上班")
    assert compute_deadline(received, unit=LimitUnit.WORKDAY, count=1) == at(2027, 1, 2, 10)


def test_deleting_an_override_restores_the_package_calendar():
    day = CalendarDay.objects.create(date=dt.date(2026, 7, 14), is_workday=False, name="台风停工")
    assert is_workday(dt.date(2026, 7, 14)) is False
    day.delete()
    assert is_workday(dt.date(2026, 7, 14)) is True


# Years nobody has entered ---------------------------------------------------------------------


def test_2027_is_uncovered_until_an_administrator_enters_it():
    assert is_year_covered(2026) is True
    assert is_year_covered(2027) is False
    assert uncovered_years(at(2026, 12, 28), at(2027, 1, 8)) == [2027]
    assert uncovered_years(at(2027, 1, 8), at(2026, 12, 28)) == [2027]
    assert uncovered_years(at(2026, 1, 1), at(2026, 12, 31)) == []

    CalendarYear.objects.create(year=2027, note="国办发明电〔2026〕")

    assert is_year_covered(2027) is True
    assert uncovered_years(at(2026, 12, 28), at(2027, 1, 8)) == []
    assert uncovered_years(at(2026, 12, 28), at(2028, 1, 8)) == [2028]


def test_uncovered_years_reads_the_year_in_shanghai_time():
    # 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Shanghai.
    instant = dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC)
    assert uncovered_years(instant, instant) == [2027]


def test_deadline_in_2027_falls_back_to_monday_to_friday():
    # Monday 2026-12-28 10:00 + 5 working days: 12-28..12-31 are 2026 working days (14 + 3 × 24 h),
    # then Friday 2027-01-01 counts (New Year is unknown) and the last 10 h fall on Monday 01-04.
    assert compute_deadline(at(2026, 12, 28, 10), unit=LimitUnit.WORKDAY, count=5) == at(2027, 1, 4, 10)
    # A whole 2027 week: Monday to Friday, the weekend skipped.
    assert compute_deadline(at(2027, 3, 6, 12), unit=LimitUnit.WORKDAY, count=5) == at(2027, 3, 12, 23, 59, 59)


# Case deadlines --------------------------------------------------------------------------------


def make_case(tree, received_at, *, code="01.02", urgent=False, **fields):
    subcategory = Subcategory.objects.get(code=code)
    deadline = Case(subcategory=subcategory, urgent=urgent, received_at=received_at).compute_deadline()
    return CaseFactory(
        unit=tree["hh"], subcategory=subcategory, urgent=urgent, received_at=received_at, deadline=deadline, **fields
    )


def test_case_deadline_follows_its_subcategory(tree):
    assert make_case(tree, at(2026, 9, 30, 10), code="01.02").deadline == at(2026, 10, 13, 10)  # 5 working days
    assert make_case(tree, at(2026, 9, 30, 10), code="01.01").deadline == at(2026, 10, 1, 10)  # 24 clock hours
    assert make_case(tree, at(2026, 9, 30, 10), code="14.01").deadline == at(2026, 10, 30, 10)  # 30 calendar days
    assert make_case(tree, at(2026, 10, 1, 10), urgent=True).deadline == at(2026, 10, 1, 12)  # urgent: 2 hours


def test_deadline_calendar_warning_names_the_uncovered_year(tree):
    case = make_case(tree, at(2026, 12, 28, 10))
    assert case.deadline == at(2027, 1, 4, 10)
    assert "2027" in case.deadline_calendar_warning
    assert "2026" not in case.deadline_calendar_warning

    CalendarYear.objects.create(year=2027)
    assert case.deadline_calendar_warning == ""


def test_no_deadline_calendar_warning_inside_a_covered_year(tree):
    assert make_case(tree, at(2026, 9, 30, 10)).deadline_calendar_warning == ""


def test_no_deadline_calendar_warning_for_clock_limits(tree):
    # Hours and calendar days do not depend on the holiday calendar.
    assert make_case(tree, at(2026, 12, 31, 23), code="01.01").deadline_calendar_warning == ""
    assert make_case(tree, at(2026, 12, 28, 10), code="14.01").deadline_calendar_warning == ""
    assert make_case(tree, at(2026, 12, 31, 23), urgent=True).deadline_calendar_warning == ""


def test_no_deadline_calendar_warning_without_a_deadline(tree):
    case = CaseFactory(unit=tree["hh"], subcategory=None, received_at=at(2027, 3, 1), deadline=None)
    assert case.deadline_calendar_warning == ""
    assert case.is_overdue(at(2030, 1, 1)) is False
    assert case.is_due_soon(at(2030, 1, 1)) is False


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.RETURNED])
def test_running_case_past_its_deadline_is_overdue(tree, status):
    # 09-30 (14 h), 10-08, 10-09, 10-10 (make-up Saturday), 10-12, and 10 h of 10-13.
    case = make_case(tree, at(2026, 9, 30, 10), status=status)
    assert case.deadline == at(2026, 10, 13, 10)
    assert case.is_overdue(at(2026, 10, 13, 10)) is False
    assert case.is_overdue(at(2026, 10, 13, 10, 0, 1)) is True
    assert case.is_due_soon(at(2026, 10, 13, 10, 0, 1)) is False


def test_running_case_in_handling_past_its_deadline_is_overdue(tree, d02):
    for status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.UNDER_REVIEW):
        case = make_case(tree, at(2026, 9, 30, 10), status=status, department=d02)
        assert case.is_overdue(at(2026, 10, 13, 11)) is True, status


def test_due_soon_window_is_a_share_of_the_limit(tree, settings):
    settings.FENGQIAO_DUE_SOON_SHARE = 0.2
    case = make_case(tree, at(2026, 9, 30, 10))  # 5 working days, due 10-13 10:00: window 24 h
    assert case.is_due_soon(at(2026, 10, 12, 9, 59, 59)) is False
    assert case.is_due_soon(at(2026, 10, 12, 10)) is True
    assert case.is_due_soon(at(2026, 10, 13, 10)) is True
    assert case.is_overdue(at(2026, 10, 13, 10)) is False


def test_due_soon_window_is_at_least_an_hour(tree, settings):
    settings.FENGQIAO_DUE_SOON_SHARE = 0.2
    case = make_case(tree, at(2026, 10, 1, 10), urgent=True)  # due 12:00; 20 % of 2 h is 24 min
    assert case.is_due_soon(at(2026, 10, 1, 10, 59, 59)) is False
    assert case.is_due_soon(at(2026, 10, 1, 11)) is True


def test_suspended_case_is_judged_at_its_suspension(tree):
    due = at(2026, 10, 13, 10)
    suspended_before = make_case(tree, at(2026, 9, 30, 10), status=Status.SUSPENDED, suspended_at=at(2026, 10, 9, 10))
    assert suspended_before.deadline == due
    assert suspended_before.is_overdue(at(2026, 12, 1)) is False
    assert suspended_before.is_due_soon(at(2026, 12, 1)) is False

    suspended_after = make_case(tree, at(2026, 9, 30, 10), status=Status.SUSPENDED, suspended_at=at(2026, 10, 13, 11))
    assert suspended_after.is_overdue(at(2026, 12, 1)) is True
    assert suspended_after.is_due_soon(at(2026, 12, 1)) is False


@pytest.mark.parametrize("status", [Status.CLOSED, Status.REPLIED, Status.VISITED])
def test_finished_or_answered_case_is_never_overdue(tree, status):
    case = make_case(tree, at(2026, 9, 30, 10), status=status, closed_at=at(2026, 10, 20), replied_at=at(2026, 10, 20))
    assert case.is_overdue(at(2027, 1, 1)) is False
    assert case.is_due_soon(at(2026, 10, 13, 9)) is False
    assert case.finished_late() is True
