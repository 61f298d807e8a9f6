"""Civil Code counting of petition periods on the Chinese calendar (chinese_calendar covers 2026)."""

import datetime as dt

import pytest

from fengqiao.disputes import deadlines

D = dt.date
pytestmark = pytest.mark.django_db  # the work calendar reads its (empty) override table


def test_start_day_is_not_counted():
    # Received Monday 2026-03-02: day 1 is 03-03, day 15 is Tuesday 03-17 (a working day).
    assert deadlines.accept_due(D(2026, 3, 2)) == D(2026, 3, 17)


def test_a_last_day_on_a_weekend_moves_to_monday():
    # 2026-03-06 + 15 = Saturday 03-21 → Monday 03-23.
    assert deadlines.accept_due(D(2026, 3, 6)) == D(2026, 3, 23)


def test_golden_week_moves_the_last_day_past_the_holiday():
    # 2026-09-16 + 15 = 10-01 (National Day); 10-01..10-07 are off, 10-08 is the next working day.
    assert deadlines.accept_due(D(2026, 9, 16)) == D(2026, 10, 8)
    # A period that merely runs through the holiday is not lengthened by it.
    assert deadlines.accept_due(D(2026, 9, 28)) == D(2026, 10, 13)


def test_a_make_up_working_saturday_ends_the_period_there():
    # 2026-10-10 is a Saturday worked in exchange for Golden Week (调休): a working day.
    assert deadlines.period_end(D(2026, 9, 25), 15) == D(2026, 10, 10)


def test_spring_festival():
    # 2026-01-31 + 15 = 02-15, the first day of the Spring Festival break (02-15..02-23).
    assert deadlines.accept_due(D(2026, 1, 31)) == D(2026, 2, 24)
    # 2026-02-14 is a make-up working Saturday: a period ending then ends then.
    assert deadlines.period_end(D(2026, 1, 30), 15) == D(2026, 2, 14)


def test_handling_60_days_and_one_extension_across_holidays():
    accepted = D(2026, 8, 2)
    # 08-02 + 60 = 10-01 → 10-08 (after Golden Week).
    assert deadlines.handling_due(accepted) == D(2026, 10, 8)
    # Extended by 30 days: 60 + 30 = 90 days from acceptance = 10-31 (Saturday) → 11-02.
    assert deadlines.handling_due(accepted, extension_days=30) == D(2026, 11, 2)
    with pytest.raises(ValueError):
        deadlines.handling_due(accepted, extension_days=31)


def test_review_windows_and_past():
    answered = D(2026, 9, 1)
    assert deadlines.request_due(answered) == D(2026, 10, 8)  # 10-01 is a holiday
    assert not deadlines.is_past(D(2026, 10, 8), today=D(2026, 10, 8))  # ends at 24:00 of its last day
    assert deadlines.is_past(D(2026, 10, 8), today=D(2026, 10, 9))
    assert deadlines.days_left(D(2026, 10, 8), today=D(2026, 10, 1)) == 7


def test_an_injected_calendar_makes_the_rule_testable_alone():
    every_day_off_but_fridays = lambda day: day.weekday() == 4  # noqa: E731
    assert deadlines.period_end(D(2026, 3, 2), 1, is_workday=every_day_off_but_fridays) == D(2026, 3, 6)
