"""The KPI, ranking and warning endpoints: figures within the viewer's units, readable 400s,
and the leaders' decisions on a warning."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from fengqiao.analytics import rollups
from fengqiao.analytics.models import EarlyWarning, WarningRun, WarningStatus
from fengqiao.cases.models import Case
from fengqiao.deliberation.models import Topic
from fengqiao.taxonomy.models import Category
from fengqiao.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def period(**extra) -> dict:
    return {"from": str(TODAY - dt.timedelta(days=30)), "to": str(TODAY), **extra}


@pytest.fixture
def some_cases(tree):
    for i in range(4):
        CaseFactory(
            unit=tree["hh"],
            received_at=timezone.now() - dt.timedelta(days=2),
            satisfaction="satisfied" if i else "dissatisfied",
        )
    CaseFactory(unit=tree["lh"], received_at=timezone.now() - dt.timedelta(days=2), satisfaction="satisfied")
    rollups.rebuild()


def test_kpis_of_the_viewers_own_unit_by_default(people, some_cases):
    response = api(people["clerk"]).get("/api/v1/kpis/", period())
    assert response.status_code == 200
    data = response.json()
    assert data["unit"] == "HF-JK-FR-HH"
    assert data["received"] == 4
    assert data["satisfaction_rate"] == 0.75
    assert data["counts"]["satisfaction_rate"] == {"numerator": 3, "denominator": 4}


def test_a_leader_of_the_street_sees_both_communities(people, some_cases):
    data = api(people["leader"]).get("/api/v1/kpis/", period()).json()
    assert (data["unit"], data["received"]) == ("HF-JK-FR", 5)


def test_kpis_of_a_unit_outside_ones_scope_are_refused(people, some_cases):
    response = api(people["clerk"]).get("/api/v1/kpis/", period(unit="HF-JK-FR-LH"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"from": "2026-02-30", "to": "2026-03-01"}, 400, "YYYY-MM-DD"),
        ({"to": "2026-03-01"}, 400, "from"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, 400, "2026-03-02"),
        ({"from": "2026-03-01", "to": "2026-03-02", "unit": "NOWHERE"}, 404, "NOWHERE"),
    ],
)
def test_bad_kpi_requests_get_a_readable_reason(people, params, status, words):
    response = api(people["clerk"]).get("/api/v1/kpis/", params)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_kpis_need_a_signed_in_user(tree):
    assert APIClient().get("/api/v1/kpis/", period()).status_code in (401, 403)


def test_ranking_of_the_communities_under_the_street(people, some_cases):
    response = api(people["leader"]).get("/api/v1/kpis/ranking/", period(metric="satisfaction_rate", min_cases=2))
    data = response.json()
    assert [(row["rank"], row["unit"], row["numerator"], row["denominator"]) for row in data["results"]] == [
        (1, "HF-JK-FR-HH", 3, 4),
        (None, "HF-JK-FR-LH", 1, 1),  # one case is too few to be ranked
    ]
    assert api(people["leader"]).get("/api/v1/kpis/ranking/", period(metric="speed")).status_code == 400


def test_the_warning_list_is_computed_on_first_request_and_scoped(people, warning, tree):
    EarlyWarning.objects.create(
        unit=tree["lh"],
        category=Category.objects.get(code="02"),
        month=dt.date(2026, 8, 1),
        count=30,
        baseline=10,
        ratio=3.0,
        kind="trend",
        level="yellow",
        reason="临湖",
    )
    data = api(people["clerk"]).get("/api/v1/warnings/", {"month": "2026-08"}).json()
    assert [(item["unit"], item["category"], item["level"], item["ratio"]) for item in data] == [
        ("HF-JK-FR-HH", "01", "red", 3.08)
    ]
    assert len(api(people["leader"]).get("/api/v1/warnings/", {"month": "2026-08"}).json()) == 2
    assert api(people["clerk"]).get("/api/v1/warnings/", {"month": "2026/08"}).status_code == 400
    # A month nobody computed yet is computed on the spot (nothing stands out in an empty city).
    assert api(people["clerk"]).get("/api/v1/warnings/", {"month": "2026-07"}).json() == []
    assert WarningRun.objects.filter(month=dt.date(2026, 7, 1)).exists()


def test_a_leader_turns_a_warning_into_a_deliberation_topic(people, warning):
    response = api(people["leader"]).post(f"/api/v1/warnings/{warning.pk}/topic/", {"note": "请下月议事会讨论"})
    assert response.status_code == 200, response.json()
    warning.refresh_from_db()
    assert warning.status == WarningStatus.TOPIC and warning.handled_by == people["leader"]
    topic = Topic.objects.get(pk=warning.topic_id)
    assert topic.unit == warning.unit and "激增" in topic.description and topic.source == "warning"
    again = api(people["leader"]).post(f"/api/v1/warnings/{warning.pk}/task/", {"instruction": "查原因"})
    assert again.status_code == 409


def test_a_leader_turns_a_warning_into_a_supervised_task(people, warning):
    response = api(people["leader"]).post(f"/api/v1/warnings/{warning.pk}/task/", {"instruction": "请物业公司说明原因"})
    assert response.status_code == 200
    task = Case.objects.get(number=response.json()["task"])
    assert task.unit == warning.unit and task.channel == "assigned" and "请物业公司说明原因" in task.text
    assert api(people["leader"]).post(f"/api/v1/warnings/{warning.pk}/acknowledge/").status_code == 409


def test_only_leaders_decide_and_others_do_not_see_foreign_warnings(people, warning):
    assert api(people["clerk"]).post(f"/api/v1/warnings/{warning.pk}/acknowledge/").status_code == 403
    assert api(people["other_clerk"]).post(f"/api/v1/warnings/{warning.pk}/acknowledge/").status_code == 404
    assert api(people["leader"]).post(f"/api/v1/warnings/{warning.pk}/task/", {}).status_code == 400
    ok = api(people["leader"]).post(f"/api/v1/warnings/{warning.pk}/acknowledge/", {"note": "已知悉"})
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
