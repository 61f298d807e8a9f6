"""System check: warn when the coming months fall in a year with no holiday calendar."""

import datetime as dt

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.database)
def calendar_coverage(app_configs, **kwargs):
    from . import workcalendar

    now = dt.datetime.now(tz=workcalendar.LOCAL_TZ)
    try:
        missing = workcalendar.uncovered_years(now, now + dt.timedelta(days=90))
    except DatabaseError:  # tables not migrated yet
        return []
    return [
        checks.Warning(
            f"No holiday calendar covers {year}: working-day deadlines in {year} count Monday to "
            "Friday only. Enter the year's holidays and make-up days under Core › Calendar days, "
            "then add the year under Core › Covered calendar years.",
            id="fengqiao.W001",
        )
        for year in missing
    ]
