"""吹哨报到: each summoned department confirms and records its arrival; within 30 minutes is
on time; the board and the log show who came, when and what was done."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from fengqiao.cases import actions
from fengqiao.cases.models import CaseEvent, Whistle, WhistleSummons
from fengqiao.core.errors import Conflict
from fengqiao.disputes import selectors, services
from fengqiao.org.models import Department, Role
from fengqiao.testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler_d04(tree):
    return grant(
        UserFactory(username="chengguan", display_name="城管王"),
        Role.HANDLER,
        tree["hh"],
        Department.objects.get(code="D04"),
    )


@pytest.fixture
def whistle(people, tree, d12, handler_d04):
    """A whistle on a case summoning D04 (城管) and D12 (市政), blown at T0."""
    case, _ = actions.do_create_case(
        actor=people["gridworker"], unit=tree["building1"], text="井盖缺失，有人掉进去的危险"
    )
    t0 = timezone.now() - dt.timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=t0):
        actions.perform_action(
            actor=people["gridworker"],
            case_id=case.pk,
            action="whistle",
            data={"departments": ["D04", "D12"], "place": "海恒家园东门", "note": "井盖缺失"},
        )
    w = Whistle.objects.get(case=case)
    Whistle.objects.filter(pk=w.pk).update(blown_at=t0)  # the default blew it at the real now
    w.refresh_from_db()
    return w


def summons(whistle, code):
    return WhistleSummons.objects.get(whistle=whistle, department__code=code)


def test_one_on_time_one_late(whistle, people, handler_d04):
    t0 = whistle.blown_at
    on_time, late = summons(whistle, "D04"), summons(whistle, "D12")
    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(minutes=2)):
        actions.do_confirm_summons(on_time.pk, actor=handler_d04)
    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(minutes=18)):
        actions.do_arrive_summons(
            on_time.pk, actor=handler_d04, latitude=Decimal("31.761000"), longitude=Decimal("117.226000"), note="已围挡"
        )
    # Live, 35 minutes after the whistle: D12 has neither confirmed nor arrived and is late already.
    board = selectors.whistle_board(viewer=people["clerk"], now=t0 + dt.timedelta(minutes=35))
    rows = {row.summons.department.code: row for row in board[0].rows}
    assert (rows["D04"].state, rows["D04"].late, rows["D04"].minutes_to_arrive) == ("arrived", False, 18)
    assert (rows["D12"].state, rows["D12"].late) == ("waiting", True)

    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(minutes=47)):
        actions.do_arrive_summons(late.pk, actor=people["handler_d12"], note="补装井盖")
    late.refresh_from_db()
    assert late.confirmed_at == late.arrived_at and late.arrived_by == people["handler_d12"]  # arriving confirms
    log = selectors.whistle_log(viewer=people["clerk"])
    rows = {row.summons.department.code: row for row in log[0].rows}
    assert (rows["D12"].state, rows["D12"].late, rows["D12"].minutes_to_arrive) == ("arrived_late", True, 47)
    assert rows["D04"].summons.latitude == Decimal("31.761000") and rows["D04"].summons.note == "已围挡"

    events = list(
        CaseEvent.objects.filter(case=whistle.case).values_list("action", "data__department", "data__minutes")
    )
    assert ("case.whistle_confirm", "D04", 2) in events
    assert ("case.whistle_arrive", "D04", 18) in events and ("case.whistle_arrive", "D12", 47) in events
    with pytest.raises(Conflict):
        actions.do_arrive_summons(late.pk, actor=people["handler_d12"])


def test_only_the_summoned_department_reports(client, whistle, people, handler_d04):
    client.force_login(people["handler"])  # D02: not summoned, does not even see the whistle
    response = client.post(f"/api/v1/whistles/summons/{summons(whistle, 'D04').pk}/confirm/")
    assert response.status_code == 404
    client.force_login(people["clerk"])  # sees it, may not report for a department
    response = client.post(f"/api/v1/whistles/summons/{summons(whistle, 'D04').pk}/confirm/")
    assert response.status_code == 403
    client.force_login(handler_d04)
    response = client.post(
        f"/api/v1/whistles/summons/{summons(whistle, 'D04').pk}/arrive/",
        {"latitude": "31.7610", "longitude": "117.2260", "note": "到场"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    d04 = next(item for item in body["summonses"] if item["department"] == "D04")
    assert d04["arrived_at"] and d04["latitude"] == "31.761000" and d04["late"] is True  # 60 minutes after T0
    assert client.post(f"/api/v1/whistles/summons/{summons(whistle, 'D04').pk}/arrive/").status_code == 409
    assert client.get(reverse("whistle-board")).status_code == 200


def test_handler_page_confirm_and_arrive(client, whistle, handler_d04):
    client.force_login(handler_d04)
    page = client.get(reverse("whistle-detail", args=[whistle.pk])).content.decode()
    assert 'data-action="confirm"' in page and page.count('data-action="arrive"') == 1  # only their own department
    item = summons(whistle, "D04")
    client.post(reverse("summons-report", args=[item.pk, "confirm"]))
    client.post(
        reverse("summons-report", args=[item.pk, "arrive"]), {"note": "已处置", "latitude": "", "longitude": ""}
    )
    item.refresh_from_db()
    assert item.confirmed_at and item.arrived_at and item.note == "已处置" and item.latitude is None


def test_a_whistle_on_a_place(people, tree, d12):
    whistle = services.blow_place_whistle(
        actor=people["gridworker"], unit=tree["hh"], place="南艳湖路口", departments=[d12], note="围挡倒塌"
    )
    assert whistle.case is None and whistle.unit == tree["hh"]
    assert people["handler_d12"].notifications.filter(verb="whistle").count() == 1
    assert [row.whistle.pk for row in selectors.whistle_board(viewer=people["handler_d12"])] == [whistle.pk]
    assert selectors.whistle_board(viewer=people["other_clerk"]) == []
    actions.do_arrive_summons(summons(whistle, "D12").pk, actor=people["handler_d12"], note="已处置")
    assert not CaseEvent.objects.filter(action="case.whistle_arrive").exists()  # no case, no case event
