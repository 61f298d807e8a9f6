"""A stored warning for the page and API tests: 海恒社区's property cases tripled in August."""

import datetime as dt

import pytest

from fengqiao.analytics.models import EarlyWarning, WarningRun
from fengqiao.taxonomy.models import Category


@pytest.fixture
def warning(tree):
    WarningRun.objects.create(month=dt.date(2026, 8, 1))
    return EarlyWarning.objects.create(
        unit=tree["hh"],
        category=Category.objects.get(code="01"),
        month=dt.date(2026, 8, 1),
        count=57,
        baseline=18.5,
        ratio=3.08,
        kind="month_on_month",
        level="red",
        reason="海恒社区“物业管理”类诉求激增",
    )
