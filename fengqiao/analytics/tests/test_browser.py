"""The dashboard and the warning page in Debian's Chromium, on a desktop and on a phone, with
screenshots under test-artifacts/screenshots/ for people to look at."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fengqiao.analytics import early_warning, rollups
from fengqiao.analytics.models import EarlyWarning, WarningRun
from fengqiao.cases.models import Status
from fengqiao.org.models import Department
from fengqiao.taxonomy.loader import install_taxonomy
from fengqiao.taxonomy.models import CaseType, Category, Subcategory
from fengqiao.testing.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def taxonomy(transactional_db):
    """The flush after each live-server test empties the taxonomy the migrations installed."""
    install_taxonomy(
        case_type_model=CaseType, category_model=Category, subcategory_model=Subcategory, department_model=Department
    )


@pytest.fixture
def figures(tree):
    now = timezone.now()
    subcategories = list(Subcategory.objects.order_by("code")[:8])
    for i in range(60):
        CaseFactory(
            unit=[tree["building1"], tree["estate"], tree["lh_estate"]][i % 3],
            subcategory=subcategories[i % len(subcategories)],
            received_at=now - dt.timedelta(days=3 + i * 5),
            status=Status.CLOSED,
            closed_at=now - dt.timedelta(days=2 + i * 5),
            satisfaction="satisfied" if i % 7 else "dissatisfied",
            resolved=bool(i % 5),
        )
    rollups.rebuild()
    month = early_warning.month_add(timezone.localdate().replace(day=1), -1)
    WarningRun.objects.create(month=month)
    return EarlyWarning.objects.create(
        unit=tree["hh"],
        category=Category.objects.get(code="01"),
        month=month,
        count=41,
        baseline=11.2,
        ratio=3.66,
        kind="month_on_month",
        level="red",
        reason="海恒社区：物业管理类诉求41件，是前六个月平均（11.2件）的3.66倍。",
    )


def test_the_dashboard_on_a_desktop_and_on_a_phone(open_as, people, figures, screenshot):
    page = open_as("leader")
    page.goto("/dashboard/")
    expect(page.locator("[data-testid=kpi-cards] .kpi")).to_have_count(8)
    expect(page.locator("svg.chart-lines").first).to_be_visible()
    expect(page.locator("svg.chart-bars").first).to_be_visible()
    assert page.locator("svg.chart").count() >= 5
    screenshot(page, "dashboard-desktop")
    phone = open_as("leader", phone=True)
    phone.goto("/dashboard/")
    expect(phone.locator("svg.chart-lines").first).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(phone, "dashboard-phone")


def test_a_leader_puts_a_warning_on_the_agenda(open_as, people, figures, screenshot):
    page = open_as("leader")
    page.goto(f"/warnings/?month={figures.month:%Y-%m}")
    screenshot(page, "warnings")
    page.locator("[data-action=warning-topic]").click()
    expect(page.locator("[data-testid=warning-status]")).to_have_attribute("data-status", "topic")
