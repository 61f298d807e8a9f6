"""Nightly analytics work, run by `manage.py scheduler` (see FENGQIAO_SCHEDULE)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import early_warning, rollups


def nightly_warnings(now: dt.datetime) -> str:
    """The warnings of the month so far, and of last month (final once it has ended)."""
    today = timezone.localtime(now).date()
    this_month = today.replace(day=1)
    months = [early_warning.month_add(this_month, -1), this_month]
    counts = [len(early_warning.run(month, today=today)) for month in months]
    return ", ".join(f"{month:%Y-%m}: {n}" for month, n in zip(months, counts, strict=True))


def prune_rollups(now: dt.datetime) -> str:
    return f"{rollups.prune()} empty rollup rows removed"
