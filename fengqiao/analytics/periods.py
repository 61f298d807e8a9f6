"""Reading the period and unit a KPI or warning request names, with readable errors."""

from __future__ import annotations

import datetime as dt

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from fengqiao.core.errors import NotFound, ValidationFailed
from fengqiao.org.models import Unit


def parse_day(value: str | None, *, name: str) -> dt.date:
    if not value:
        raise ValidationFailed(_("“%(name)s” is required (YYYY-MM-DD).") % {"name": name})
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            _("“%(name)s” must be a date written YYYY-MM-DD, not “%(value)s”.") % {"name": name, "value": value}
        ) from None


def parse_period(date_from: str | None, date_to: str | None) -> tuple[dt.date, dt.date]:
    start = parse_day(date_from, name="from")
    end = parse_day(date_to, name="to")
    if start > end:
        raise ValidationFailed(_("The period starts (%(from)s) after it ends (%(to)s).") % {"from": start, "to": end})
    return start, end


def parse_month(value: str | None) -> dt.date:
    """ "2026-08" → 2026-08-01."""
    if not value:
        raise ValidationFailed(_("“month” is required (YYYY-MM)."))
    try:
        year, month = value.strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(value)
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(_("“month” must be written YYYY-MM, not “%(value)s”.") % {"value": value}) from None


def find_unit(code: str) -> Unit:
    unit = Unit.objects.annotate(lower_code=Lower("code")).filter(lower_code=code.strip().lower()).first()
    if unit is None:
        raise NotFound(_("No unit has the code “%(code)s”.") % {"code": code})
    return unit
