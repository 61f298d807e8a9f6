"""servicerequestupdates.{fmt} (FixMyStreet's extension): the public steps of each case, so
an app can follow what happened to the requests it filed."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from fengqiao.cases.actions import perform_action
from fengqiao.cases.models import CaseEvent

from .conftest import W3C_SHANGHAI, errors, parse, records, url
from .test_post_request import LIFT, created_case, post

pytestmark = pytest.mark.django_db

FORMATS = ["xml", "json"]
UPDATE_FIELDS = ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"]


def updates(client, fmt="json", **params) -> list[dict]:
    response = client.get(
        url(f"servicerequestupdates.{fmt}") + (f"?{urlencode(params)}" if params else ""), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200, response.content.decode()
    return records(response, root="service_request_updates", item="request_update")


@pytest.fixture
def followed_case(client, tree, people, api_key):
    """A lift request, dispatched, signed, sent for review, answered, visited and closed."""
    case = created_case(post(client, api_key=api_key, **LIFT, address_string="海恒家园"))
    clerk, handler, reviewer = people["clerk"], people["handler"], people["reviewer"]
    perform_action(actor=clerk, case_id=case.pk, action="dispatch", data={"department": "D02"})
    perform_action(actor=handler, case_id=case.pk, action="sign", data={})
    perform_action(actor=handler, case_id=case.pk, action="submit_review", data={"result": "更换了曳引机"})
    perform_action(actor=reviewer, case_id=case.pk, action="reply", data={"message": "电梯已修复，感谢反映。"})
    perform_action(actor=clerk, case_id=case.pk, action="visit", data={"satisfaction": "satisfied", "resolved": True})
    return case


@pytest.mark.parametrize("fmt", FORMATS)
def test_updates_follow_the_public_steps(client, followed_case, fmt):
    rows = updates(client, fmt)

    assert all(list(row) == UPDATE_FIELDS for row in rows)
    assert all(row["service_request_id"] == followed_case.number for row in rows)
    assert [(row["status"], row["description"]) for row in rows] == [
        ("open", "Dispatched: 物业服务企业"),
        ("open", "In progress"),
        ("open", "电梯已修复，感谢反映。"),
        ("open", "Visited"),
        ("closed", "Closed"),
    ]
    assert len({row["update_id"] for row in rows}) == 5
    assert all(W3C_SHANGHAI.match(row["updated_datetime"]) for row in rows)
    assert all(row["media_url"] == "" for row in rows)
    # The handler's internal result and the review are not published.
    assert "曳引机" not in str(rows)


def test_update_ids_and_times_come_from_the_audit_trail(client, followed_case):
    events = CaseEvent.objects.filter(case=followed_case, action__in=["case.dispatch", "case.close"]).order_by("id")
    rows = updates(client)
    assert [rows[0]["update_id"], rows[-1]["update_id"]] == [str(event.pk) for event in events]
    assert rows[0]["updated_datetime"] == timezone.localtime(events[0].created_at).replace(microsecond=0).isoformat()


def test_a_window_selects_updates_by_their_time(client, followed_case):
    dispatch = CaseEvent.objects.get(case=followed_case, action="case.dispatch")
    CaseEvent.objects.filter(pk=dispatch.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    CaseEvent.objects.filter(case=followed_case, action="case.sign").update(
        created_at=timezone.now() - dt.timedelta(days=100)
    )
    since_yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert [row["description"] for row in updates(client, start_date=since_yesterday)] == [
        "电梯已修复，感谢反映。",
        "Visited",
        "Closed",
    ]
    # The default window is the last 90 days: the step 100 days ago is left out.
    assert "In progress" not in [row["description"] for row in updates(client)]
    ten_days = timezone.now() - dt.timedelta(days=10, hours=1)
    rows = updates(client, start_date=ten_days.isoformat(), end_date=(ten_days + dt.timedelta(hours=2)).isoformat())
    assert [row["update_id"] for row in rows] == [str(dispatch.pk)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_window_is_an_empty_list(client, tree, fmt):
    response = client.get(url(f"servicerequestupdates.{fmt}"))
    body = parse(response)
    if fmt == "xml":
        assert (body.tag, len(body)) == ("service_request_updates", 0)
    else:
        assert body == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_window_is_400(client, tree, fmt):
    response = client.get(
        url(f"servicerequestupdates.{fmt}") + "?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"
    )
    assert response.status_code == 400
    assert "90 days" in errors(response, fmt)[0][1]


def test_updates_page_like_requests(client, followed_case):
    rows = updates(client)
    assert updates(client, page_size="2", page="2") == rows[2:4]
