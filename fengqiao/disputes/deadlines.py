"""Petition time limits in calendar days, counted as the Civil Code counts them.

民法典 art. 201: a period in days starts the day after the event (the start day is not
counted). Art. 203: when the last day is a statutory day off, the period ends on the first
day after it, and it ends at 24:00 of its last day. "Day off" follows the work calendar
(fengqiao.core.workcalendar): public holidays and weekends are off, make-up working days
(调休) are working days, so a period that ends on a make-up Saturday ends there.

Pure functions of dates; the only outside input is the calendar's `is_workday`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fengqiao.core import workcalendar

ACCEPT_DAYS = 15  # 信访工作条例 art. 31: decide on acceptance and tell the petitioner in writing
HANDLE_DAYS = 60  # art. 35: handle within 60 days from acceptance
MAX_EXTENSION_DAYS = 30  # art. 35: one extension of at most 30 days
REVIEW_REQUEST_DAYS = 30  # art. 35/36: ask for a review (复查) or second review (复核) within 30 days
REVIEW_DAYS = 30  # the reviewing body answers within 30 days

DAY = dt.timedelta(days=1)


def period_end(
    start: dt.date, days: int, *, is_workday: Callable[[dt.date], bool] = workcalendar.is_workday
) -> dt.date:
    """The last day of a period of `days` calendar days that starts on `start`.

    The start day is not counted; a last day that is not a working day moves to the next
    working day.
    """
    if days < 1:
        raise ValueError("a period has at least one day")
    end = start + dt.timedelta(days=days)
    for _ in range(60):  # the longest run of days off (Spring Festival plus a weekend) is far shorter
        if is_workday(end):
            return end
        end += DAY
    raise ValueError(f"no working day within 60 days after {end}")


def local_date(moment: dt.datetime | dt.date) -> dt.date:
    """The Asia/Shanghai calendar date of an instant (a date is returned as it is)."""
    if isinstance(moment, dt.datetime):
        return moment.astimezone(workcalendar.LOCAL_TZ).date()
    return moment


def is_past(due: dt.date | None, *, today: dt.date) -> bool:
    """A period ends at 24:00 of its last day: it is past only from the next day on."""
    return due is not None and today > due


def days_left(due: dt.date, *, today: dt.date) -> int:
    """Calendar days from today to the last day (0 on the last day, negative when past)."""
    return (due - today).days


def accept_due(received_on: dt.date) -> dt.date:
    return period_end(received_on, ACCEPT_DAYS)


def handling_due(accepted_on: dt.date, *, extension_days: int = 0) -> dt.date:
    """60 days from acceptance; an approved extension lengthens the same period, so the
    extended limit is 60 + N days counted from acceptance (not N days from a last day that
    a holiday had already moved)."""
    if not 0 <= extension_days <= MAX_EXTENSION_DAYS:
        raise ValueError(f"an extension is 1 to {MAX_EXTENSION_DAYS} days")
    return period_end(accepted_on, HANDLE_DAYS + extension_days)


def request_due(answered_on: dt.date) -> dt.date:
    """The last day to ask for a review (or second review) of an opinion received on `answered_on`."""
    return period_end(answered_on, REVIEW_REQUEST_DAYS)


def review_due(requested_on: dt.date) -> dt.date:
    return period_end(requested_on, REVIEW_DAYS)
