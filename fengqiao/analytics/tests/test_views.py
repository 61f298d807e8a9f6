"""The dashboard and warning pages as staff see them, and the Excel export of the dashboard."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fengqiao.analytics import rollups
from fengqiao.analytics.models import WarningStatus
from fengqiao.cases.models import Status
from fengqiao.taxonomy.models import Subcategory
from fengqiao.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(tree):
    now = timezone.now()
    lift = Subcategory.objects.get(code="01.01")
    for i in range(6):
        CaseFactory(unit=tree["estate"], received_at=now - dt.timedelta(days=3 + i), satisfaction="satisfied")
    CaseFactory(unit=tree["lh_estate"], subcategory=lift, received_at=now - dt.timedelta(days=2))
    CaseFactory(
        unit=tree["hh"],
        received_at=now - dt.timedelta(days=9),
        deadline=now - dt.timedelta(days=1),
        status=Status.DISPATCHED,
        department_id=1,
        dispatched_at=now - dt.timedelta(days=8),
    )
    rollups.rebuild()
    return tree


def test_the_dashboard_shows_the_rates_charts_and_tables(client, people, city):
    client.force_login(people["leader"])
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "芙蓉街道" in page  # the leader's street is the default unit
    assert "100.00%" in page  # six of six rated cases satisfied
    assert page.count("<svg") >= 4
    assert "海恒社区" in page and "临湖社区" in page  # the communities below, ranked
    assert "物业管理" in page  # volume by category
    assert "海恒家园" in page  # the busiest estate among the hotspots


def test_the_dashboard_of_a_community_outside_ones_units_is_not_found(client, people, city):
    client.force_login(people["clerk"])
    assert client.get(reverse("dashboard"), {"unit": "HF-JK-FR-LH"}).status_code == 404
    assert client.get(reverse("dashboard"), {"unit": "HF-JK-FR-HH"}).status_code == 200


def test_a_bad_period_sends_back_with_a_message(client, people, city):
    client.force_login(people["clerk"])
    response = client.get(reverse("dashboard"), {"from": "2026-13-01", "to": "2026-12-01"}, follow=True)
    assert "YYYY-MM-DD" in response.content.decode()


def test_residents_do_not_see_the_dashboard(client, people, city):
    client.force_login(people["resident1"])
    assert client.get(reverse("dashboard")).status_code == 403


def test_the_excel_export_holds_every_table(client, people, city):
    client.force_login(people["leader"])
    response = client.get(reverse("dashboard-export"), {"unit": "HF-JK-FR"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 7
    kpis = workbook[workbook.sheetnames[0]]
    rows = {row[0]: row[1:] for row in kpis.iter_rows(min_row=2, values_only=True)}
    assert rows["满意率"] == ("100.00%", 6, 6)
    by_unit = workbook[workbook.sheetnames[3]]
    assert {row[1] for row in by_unit.iter_rows(min_row=2, values_only=True)} == {"海恒社区", "临湖社区"}


def test_a_leader_puts_a_warning_on_the_agenda_from_the_page(client, people, warning):
    client.force_login(people["leader"])
    page = client.get(reverse("warnings"), {"month": "2026-08"}).content.decode()
    assert "诉求激增" in page and "level-red" in page
    response = client.post(reverse("warning-act", args=[warning.pk, "topic"]), {"title": "物业服务议题"}, follow=True)
    assert response.status_code == 200
    warning.refresh_from_db()
    assert warning.status == WarningStatus.TOPIC and warning.topic.title == "物业服务议题"


def test_a_clerk_sees_the_warning_but_may_not_act_on_it(client, people, warning):
    client.force_login(people["clerk"])
    page = client.get(reverse("warnings"), {"month": "2026-08"}).content.decode()
    assert "诉求激增" in page and "warning-act" not in page and f"/warnings/{warning.pk}/task/" not in page
    assert client.post(reverse("warning-act", args=[warning.pk, "acknowledge"])).status_code == 403


def test_whistle_arrivals_within_thirty_minutes_are_counted(people, city, d02, d12):
    from fengqiao.analytics import dashboard
    from fengqiao.cases.models import Whistle, WhistleSummons

    blown = timezone.now() - dt.timedelta(days=1)
    whistle = Whistle.objects.create(
        place="海恒家园3栋", blown_by=people["gridworker"], blown_at=blown, unit=city["estate"]
    )
    WhistleSummons.objects.create(whistle=whistle, department=d02, arrived_at=blown + dt.timedelta(minutes=12))
    WhistleSummons.objects.create(whistle=whistle, department=d12, arrived_at=blown + dt.timedelta(minutes=41))
    today = timezone.localdate()
    rate = dashboard.whistle_arrivals(city["hh"], today - dt.timedelta(days=3), today)
    assert (rate.numerator, rate.denominator) == (1, 2)
    assert dashboard.whistle_arrivals(city["lh"], today - dt.timedelta(days=3), today).denominator == 0
