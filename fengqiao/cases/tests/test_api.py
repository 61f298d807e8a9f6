"""The REST contract under /api/v1/ (interfaces.md §4): creating cases, listing and filtering,
detail with ETag, actions with If-Match and their status codes, the audit trail, tokens, the
OpenAPI schema and its page, query counts, and the reference endpoints."""

import datetime as dt
import io
import json
import re

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from fengqiao.cases.actions import perform_action
from fengqiao.cases.models import Case
from fengqiao.cases.workflow import TRANSITIONS
from fengqiao.org.models import User
from fengqiao.taxonomy.models import CaseType, Subcategory
from fengqiao.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

CREATE_FIELDS = {
    "id",
    "number",
    "status",
    "version",
    "case_type",
    "subcategory",
    "department",
    "deadline",
    "overdue",
    "unit",
    "received_at",
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_action(client: APIClient, case: Case, action: str, body: dict | None = None, **headers):
    return client.post(f"/api/v1/cases/{case.pk}/actions/{action}/", body or {}, format="json", **headers)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.data["results"]}


def hh_case(tree, people, **fields) -> Case:
    fields.setdefault("unit", tree["building1"])
    fields.setdefault("reporter", people["resident1"])
    return CaseFactory(**fields)


# Creating a case -----------------------------------------------------------------------------


def test_create_returns_201_with_the_documented_fields(tree, people):
    """POST /api/v1/cases/ answers 201 with at least the documented fields, the ETag carrying
    the version; a resident's case belongs to the home unit and starts in 受理."""
    response = api(people["resident1"]).post(
        "/api/v1/cases/",
        {"text": "楼道灯坏了一个星期", "subcategory": "01.02", "address": "1栋2单元", "channel": "online"},
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.data
    assert set(data) >= CREATE_FIELDS
    case = Case.objects.get(pk=data["id"])
    assert data["number"] == case.number
    assert data["status"] == "received"
    assert data["version"] == 1
    assert data["case_type"] == "help"
    assert data["subcategory"] == "01.02"
    assert data["department"] is None
    assert data["deadline"] is not None
    assert dt.datetime.fromisoformat(data["deadline"]) == case.deadline
    assert data["overdue"] is False
    assert data["unit"] == "HF-JK-FR-HH-E1-B1"
    assert dt.datetime.fromisoformat(data["received_at"]) == case.received_at
    assert response["ETag"] == '"1"'
    assert case.address == "1栋2单元"
    assert case.phone == "13812345678"  # the resident's own phone, when none is given


def test_create_without_a_subcategory_has_no_deadline_yet(tree, people):
    """An unclassified appeal waits for the clerk: no deadline, never overdue."""
    response = api(people["resident1"]).post("/api/v1/cases/", {"text": "想咨询一下"}, format="json")
    assert response.status_code == 201
    assert response.data["deadline"] is None
    assert response.data["subcategory"] is None
    assert response.data["overdue"] is False


def test_idempotent_repeat_with_the_body_key(tree, people):
    """A repeat with the same idempotency_key returns the first case with 200, no second case."""
    client = api(people["resident1"])
    body = {"text": "楼道灯坏了", "idempotency_key": "req-0001"}
    first = client.post("/api/v1/cases/", body, format="json")
    again = client.post("/api/v1/cases/", body, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.data["id"] == first.data["id"]
    assert again.data["number"] == first.data["number"]
    assert Case.objects.count() == 1


def test_idempotent_repeat_with_the_header_key(tree, people):
    """The Idempotency-Key header works the same way, even when the repeated body differs."""
    client = api(people["resident1"])
    first = client.post("/api/v1/cases/", {"text": "楼道灯坏了"}, format="json", HTTP_IDEMPOTENCY_KEY="hdr-42")
    again = client.post("/api/v1/cases/", {"text": "楼道灯坏了!"}, format="json", HTTP_IDEMPOTENCY_KEY="hdr-42")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.data["id"] == first.data["id"]
    assert Case.objects.count() == 1
    assert Case.objects.get().text == "楼道灯坏了"


def test_idempotency_keys_are_per_caller(tree, people):
    """Two residents using the same key record two cases; no key means no deduplication."""
    body = {"text": "电梯停了", "idempotency_key": "same"}
    one = api(people["resident1"]).post("/api/v1/cases/", body, format="json")
    two = api(people["resident2"]).post("/api/v1/cases/", body, format="json")
    assert (one.status_code, two.status_code) == (201, 201)
    assert one.data["id"] != two.data["id"]

    client = api(people["resident1"])
    assert client.post("/api/v1/cases/", {"text": "电梯停了"}, format="json").status_code == 201
    assert client.post("/api/v1/cases/", {"text": "电梯停了"}, format="json").status_code == 201
    assert Case.objects.count() == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({}, "text"),
        ({"text": "路灯不亮", "subcategory": "99.99"}, "subcategory"),
        ({"text": "路灯不亮", "unit": "NO-SUCH-UNIT"}, "unit"),
        ({"text": "路灯不亮", "phone": "call me maybe"}, "phone"),
        ({"text": "路灯不亮", "case_type": "gossip"}, "case_type"),
    ],
)
def test_bad_input_is_a_400_with_a_readable_detail(tree, people, body, field):
    """Bad input answers 400 with a `detail` sentence naming the field, and records nothing."""
    response = api(people["resident1"]).post("/api/v1/cases/", body, format="json")

    assert response.status_code == 400
    assert isinstance(response.data["detail"], str)
    assert field in response.data["detail"]
    assert field in response.data["errors"]
    assert not Case.objects.exists()


# Listing and filtering ---------------------------------------------------------------------


def test_list_is_paginated(tree, people):
    """The list carries count, next, previous and results; page_size picks the page length."""
    for _ in range(5):
        hh_case(tree, people)
    client = api(people["clerk"])

    first = client.get("/api/v1/cases/", {"page_size": 2})
    assert first.status_code == 200
    assert first.data["count"] == 5
    assert len(first.data["results"]) == 2
    assert first.data["previous"] is None
    assert "page=2" in first.data["next"]

    last = client.get("/api/v1/cases/", {"page_size": 2, "page": 3})
    assert len(last.data["results"]) == 1
    assert last.data["next"] is None

    everything = client.get("/api/v1/cases/")
    assert len(everything.data["results"]) == 5
    seen = ids(first) | ids(client.get("/api/v1/cases/", {"page_size": 2, "page": 2})) | ids(last)
    assert seen == ids(everything)


def test_list_is_newest_first(tree, people):
    """Cases are listed by time received, newest first."""
    now = timezone.now()
    old = hh_case(tree, people, received_at=now - dt.timedelta(days=3))
    new = hh_case(tree, people, received_at=now - dt.timedelta(hours=1))
    rows = api(people["clerk"]).get("/api/v1/cases/").data["results"]
    assert [row["id"] for row in rows] == [new.pk, old.pk]


@pytest.fixture
def ledger(tree, people, d02, d12):
    """Three 海恒 cases with distinct attributes, and one in 临湖 the clerk cannot see."""
    now = timezone.now()
    return {
        # 01.02 (category 01), dispatched to D02, received two days ago: on time.
        "lamp": hh_case(
            tree,
            people,
            status="dispatched",
            department=d02,
            received_at=now - dt.timedelta(days=2),
            text="楼道灯坏了",
            address="1栋2单元",
        ),
        # 02.01 (category 02), still in 受理 after forty days: overdue; urgent, a consultation.
        "rubbish": hh_case(
            tree,
            people,
            unit=tree["building2"],
            subcategory=Subcategory.objects.get(code="02.01"),
            case_type=CaseType.objects.get(code="consult"),
            received_at=now - dt.timedelta(days=40),
            urgent=True,
            text="垃圾没人清运",
        ),
        # Closed long after its deadline: finished, so not overdue.
        "road": hh_case(
            tree,
            people,
            unit=tree["estate"],
            subcategory=Subcategory.objects.get(code="01.04"),
            status="closed",
            department=d12,
            closed_at=now,
            received_at=now - dt.timedelta(days=30),
            text="小区道路破损",
        ),
        "elsewhere": CaseFactory(unit=tree["lh_estate"], text="垃圾没人清运"),
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"lamp", "rubbish", "road"}),
        ({"status": "received"}, {"rubbish"}),
        ({"status": "received,dispatched"}, {"lamp", "rubbish"}),
        ({"status": "closed, merged"}, {"road"}),
        ({"unit": "HF-JK-FR-HH-E1-B1"}, {"lamp"}),
        ({"unit": "HF-JK-FR-HH-E1"}, {"lamp", "rubbish", "road"}),
        ({"unit": "HF-JK-FR-LH"}, set()),
        ({"subcategory": "02.01"}, {"rubbish"}),
        ({"category": "01"}, {"lamp", "road"}),
        ({"department": "D02"}, {"lamp"}),
        ({"department": "D12"}, {"road"}),
        ({"case_type": "consult"}, {"rubbish"}),
        ({"urgent": "true"}, {"rubbish"}),
        ({"overdue": "true"}, {"rubbish"}),
        ({"overdue": "false"}, {"lamp", "road"}),
        ({"q": "垃圾"}, {"rubbish"}),
        ({"q": "2单元"}, {"lamp"}),
        ({"status": "dispatched", "department": "D12"}, set()),
    ],
)
def test_list_filters(people, ledger, filters, expected):
    """Each filter narrows the caller's visible cases (never widens them to another community)."""
    response = api(people["clerk"]).get("/api/v1/cases/", filters)
    assert ids(response) == {ledger[name].pk for name in expected}


def test_list_filter_by_number(people, ledger):
    """Free text also matches the case number."""
    assert ids(api(people["clerk"]).get("/api/v1/cases/", {"q": ledger["lamp"].number})) == {ledger["lamp"].pk}


def test_list_filter_by_time_received(people, ledger):
    """received_after is inclusive; received_before with a date includes that whole day; ISO
    8601 times with an offset work too."""
    client = api(people["clerk"])
    road_day = timezone.localdate(ledger["road"].received_at).isoformat()
    lamp_time = ledger["lamp"].received_at

    assert ids(client.get("/api/v1/cases/", {"received_after": road_day})) == {ledger["lamp"].pk, ledger["road"].pk}
    assert ids(client.get("/api/v1/cases/", {"received_before": road_day})) == {
        ledger["rubbish"].pk,
        ledger["road"].pk,
    }
    assert ids(client.get("/api/v1/cases/", {"received_after": road_day, "received_before": road_day})) == {
        ledger["road"].pk
    }
    after = timezone.localtime(lamp_time - dt.timedelta(minutes=1)).isoformat()
    assert ids(client.get("/api/v1/cases/", {"received_after": after})) == {ledger["lamp"].pk}


@pytest.mark.parametrize(
    ("filters", "word"),
    [
        ({"status": "received,bogus"}, "bogus"),
        ({"unit": "NO-SUCH-UNIT"}, "NO-SUCH-UNIT"),
        ({"overdue": "maybe"}, "overdue"),
        ({"received_after": "last tuesday"}, "last tuesday"),
        ({"received_before": "2026-02-30"}, "2026-02-30"),
        ({"received_after": "2026-10-28T25:00"}, "2026-10-28T25:00"),
    ],
)
def test_bad_list_filters_are_a_400(people, ledger, filters, word):
    """An unknown status, unit code, a non-boolean or a non-date answers 400 naming the culprit."""
    response = api(people["clerk"]).get("/api/v1/cases/", filters)
    assert response.status_code == 400
    assert word in response.data["detail"]


def test_a_suspended_case_past_its_deadline_at_suspension_is_overdue(tree, people, d02):
    """The clock of a suspended case stopped at suspension: it is overdue if it was by then."""
    now = timezone.now()
    late = hh_case(
        tree,
        people,
        status="suspended",
        department=d02,
        status_before_suspension="in_progress",
        received_at=now - dt.timedelta(days=30),
        suspended_at=now - dt.timedelta(days=1),
    )
    paused_in_time = hh_case(
        tree,
        people,
        status="suspended",
        department=d02,
        status_before_suspension="in_progress",
        received_at=now - dt.timedelta(days=30),
        suspended_at=now - dt.timedelta(days=29),
    )
    client = api(people["clerk"])
    assert ids(client.get("/api/v1/cases/", {"overdue": "true"})) == {late.pk}
    assert ids(client.get("/api/v1/cases/", {"overdue": "false"})) == {paused_in_time.pk}
    assert client.get(f"/api/v1/cases/{late.pk}/").data["overdue"] is True


# Detail, ETag and If-Match -------------------------------------------------------------------


def test_detail_etag_is_the_version(tree, people):
    """GET detail carries ETag "<version>", which follows every action."""
    case = hh_case(tree, people)
    client = api(people["clerk"])
    response = client.get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.data["version"] == 1

    action = post_action(client, case, "accept", {"urgent": True})
    assert action["ETag"] == '"2"'
    assert client.get(f"/api/v1/cases/{case.pk}/")["ETag"] == '"2"'


def test_if_match_with_a_stale_version_is_a_409(tree, people):
    """An If-Match that is not the current version answers 409 and changes nothing; the
    current version (plain, quoted or weak) is accepted."""
    case = hh_case(tree, people)
    client = api(people["clerk"])
    post_action(client, case, "accept", {})  # now version 2

    stale = post_action(client, case, "dispatch", {"department": "D02"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert "detail" in stale.data
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.version) == ("received", 2)

    current = post_action(client, case, "dispatch", {"department": "D02"}, HTTP_IF_MATCH='"2"')
    assert current.status_code == 200
    assert current.data["status"] == "dispatched"
    assert current.data["version"] == 3

    handler = api(people["handler"])
    assert post_action(handler, case, "sign", HTTP_IF_MATCH="3").status_code == 200
    assert post_action(handler, case, "handle", {"note": "进展"}, HTTP_IF_MATCH='W/"4"').status_code == 200


def test_if_match_that_is_not_a_version_is_a_400(tree, people):
    """If-Match must carry a version number."""
    case = hh_case(tree, people)
    response = post_action(api(people["clerk"]), case, "accept", HTTP_IF_MATCH='"abc"')
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).version == 1


# Action status codes ---------------------------------------------------------------------------


def test_unknown_action_url_is_a_404(tree, people):
    """Only the documented actions have URLs."""
    case = hh_case(tree, people)
    assert post_action(api(people["clerk"]), case, "teleport").status_code == 404
    assert post_action(api(people["clerk"]), case, "suspend_request").status_code == 404


def test_an_action_on_an_invisible_or_missing_case_is_a_404(tree, people):
    """Another community's clerk, and a case id that does not exist, both get 404."""
    case = hh_case(tree, people)
    response = post_action(api(people["other_clerk"]), case, "accept")
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).version == 1
    assert api(people["clerk"]).post("/api/v1/cases/999999/actions/accept/", {}).status_code == 404
    assert api(people["other_clerk"]).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api(people["other_clerk"]).get(f"/api/v1/cases/{case.pk}/events/").status_code == 404


def test_a_wrong_role_is_a_403(tree, people):
    """The reviewer sees the case but may not dispatch it."""
    case = hh_case(tree, people)
    response = post_action(api(people["reviewer"]), case, "dispatch", {"department": "D02"})
    assert response.status_code == 403
    assert response.data["detail"]


def test_a_wrong_state_is_a_409(tree, people):
    """Closing a case still in 受理 is a conflict."""
    case = hh_case(tree, people)
    response = post_action(api(people["clerk"]), case, "close")
    assert response.status_code == 409
    assert response.data["detail"]


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("dispatch", {"department": "D99"}, "department"),
        ("dispatch", {}, "department"),
        ("accept", {"subcategory": "99.99"}, "subcategory"),
        ("merge", {"into": "no-such-case"}, "into"),
        ("whistle", {"departments": ["D02"]}, "place"),
    ],
)
def test_a_bad_body_is_a_400(tree, people, action, body, field):
    """A body the action cannot use answers 400 with the field named in `detail`."""
    case = hh_case(tree, people)
    response = post_action(api(people["clerk"]), case, action, body)
    assert response.status_code == 400
    assert field in response.data["detail"]
    assert Case.objects.get(pk=case.pk).version == 1


@pytest.mark.parametrize(
    "body",
    [{"satisfaction": "ecstatic", "resolved": True}, {"resolved": True}, {"satisfaction": "satisfied"}],
)
def test_a_visit_with_a_bad_verdict_is_a_400(tree, people, body):
    """visit needs one of the three satisfaction values and a resolved flag."""
    case = hh_case(tree, people)
    perform_action(actor=people["clerk"], case_id=case.pk, action="answer", data={"message": "已答复"})
    response = post_action(api(people["resident1"]), case, "visit", body)
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == "replied"


def test_the_checks_come_in_the_documented_order(tree, people):
    """404 before 403, 403 before a stale version, a stale version before the state, the state
    before the body."""
    case = hh_case(tree, people)
    clerk = api(people["clerk"])
    # Invisible, wrong role and wrong state: 404.
    assert post_action(api(people["other_reviewer"]), case, "close").status_code == 404
    # Wrong role and wrong state: 403.
    assert post_action(api(people["reviewer"]), case, "close").status_code == 403
    # Stale version and a state that allows the action, with a bad body: 409.
    assert post_action(clerk, case, "dispatch", {"department": "D99"}, HTTP_IF_MATCH='"7"').status_code == 409
    # Wrong state with a bad body: 409.
    response = post_action(clerk, case, "reopen", {})
    assert response.status_code == 409
    # Right state with a bad body: 400.
    assert post_action(clerk, case, "answer", {}).status_code == 400


# The audit trail -------------------------------------------------------------------------------


def test_events_are_oldest_first_one_per_action(tree, people):
    """GET events lists the trail oldest first, one event per action, with actor usernames,
    status changes and old/new values."""
    created = api(people["resident1"]).post("/api/v1/cases/", {"text": "楼道灯坏了"}, format="json")
    case = Case.objects.get(pk=created.data["id"])
    clerk, handler = api(people["clerk"]), api(people["handler"])
    post_action(clerk, case, "accept", {"subcategory": "01.02"})
    post_action(clerk, case, "dispatch", {"department": "D02"})
    post_action(handler, case, "sign")
    post_action(handler, case, "handle", {"note": "已联系电工"})

    response = clerk.get(f"/api/v1/cases/{case.pk}/events/")
    assert response.status_code == 200
    assert response.data["count"] == 5
    events = response.data["results"]
    assert [e["action"] for e in events] == [
        "case.create",
        "case.accept",
        "case.dispatch",
        "case.sign",
        "case.handle",
    ]
    times = [dt.datetime.fromisoformat(e["created_at"]) for e in events]
    assert times == sorted(times)
    assert [e["actor"] for e in events] == ["resident1", "clerk", "clerk", "handler", "handler"]
    assert events[2]["from_status"] == "received"
    assert events[2]["to_status"] == "dispatched"
    assert events[2]["changes"]["department"] == [None, "D02"]
    assert events[4]["reason"] == "已联系电工"
    assert len({e["request_id"] for e in events}) == 5  # one request each


def test_events_of_a_request_share_its_request_id(tree, people):
    """A satisfied visit writes two events (visit, system close) in one request: same id."""
    case = hh_case(tree, people)
    perform_action(actor=people["clerk"], case_id=case.pk, action="answer", data={"message": "已答复"})
    post_action(api(people["resident1"]), case, "visit", {"satisfaction": "satisfied", "resolved": True})
    visit, close = api(people["clerk"]).get(f"/api/v1/cases/{case.pk}/events/").data["results"][-2:]
    assert (visit["action"], close["action"]) == ("case.visit", "case.close")
    assert close["actor"] is None
    assert visit["request_id"] == close["request_id"]


# Tokens ----------------------------------------------------------------------------------------


def test_issue_token_and_authenticate_with_it(tree, people):
    """issue_token prints a key; `Authorization: Token <key>` then authenticates as that user.
    Asking again prints the same key."""
    hh_case(tree, people)
    out = io.StringIO()
    call_command("issue_token", "clerk", stdout=out)
    key = out.getvalue().strip()
    assert re.fullmatch(r"[0-9a-f]{40}", key)

    client = APIClient()
    assert client.get("/api/v1/cases/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/cases/")
    assert response.status_code == 200
    assert response.data["count"] == 1

    again = io.StringIO()
    call_command("issue_token", "clerk", stdout=again)
    assert again.getvalue().strip() == key

    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/v1/cases/").status_code == 401


def test_issue_token_for_an_unknown_user_fails(db):
    """An unknown username is a CommandError, not a traceback."""
    with pytest.raises(CommandError):
        call_command("issue_token", "nobody-by-that-name", stdout=io.StringIO())


# Schema and documentation ------------------------------------------------------------------------


def test_openapi_schema_lists_the_case_endpoints(db):
    """/api/v1/schema/ is an OpenAPI 3 document with the cases, detail, events and every action."""
    client = APIClient()
    as_yaml = client.get("/api/v1/schema/")
    assert as_yaml.status_code == 200
    document = yaml.safe_load(as_yaml.content)
    assert str(document["openapi"]).startswith("3.")

    as_json = client.get("/api/v1/schema/", {"format": "json"})
    assert as_json.status_code == 200
    paths = json.loads(as_json.content)["paths"]
    assert paths == document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cases/"])
    assert "get" in paths["/api/v1/cases/{case_id}/"]
    assert "get" in paths["/api/v1/cases/{case_id}/events/"]
    for action in TRANSITIONS:
        assert "post" in paths[f"/api/v1/cases/{{case_id}}/actions/{action}/"], action


def test_docs_page_has_no_external_assets(db):
    """/api/v1/docs/ renders and loads its scripts and styles from this server, not a CDN."""
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""<(?:script|link)\b[^>]*?(?:src|href)\s*=\s*["']([^"']+)["']""", html, re.IGNORECASE)
    assert assets, "the page should load Swagger UI"
    for url in assets:
        assert not re.match(r"(?i)(https?:)?//", url), url
    assert not re.search(r"""(?i)(?:src|href)\s*=\s*["'](?:https?:)?//""", html)
    assert "/api/v1/schema/" in html


# Query counts ---------------------------------------------------------------------------------


def _seed(tree, people, d02, d12, count: int) -> None:
    now = timezone.now()
    target = hh_case(tree, people)
    units = [tree["building1"], tree["building2"], tree["estate"], tree["hh"]]
    for index in range(count - 1):
        kind = index % 4
        fields = {"unit": units[index % len(units)], "received_at": now - dt.timedelta(hours=index)}
        if kind == 1:
            fields.update(status="dispatched", department=d02 if index % 2 else d12)
        elif kind == 2:
            fields.update(status="merged", merged_into=target)
        elif kind == 3:
            fields.update(status="suspended", department=d02, suspended_at=now, status_before_suspension="dispatched")
        hh_case(tree, people, **fields)


def _list_queries(user: User) -> tuple[int, int]:
    client = api(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/cases/")
    assert response.status_code == 200
    return len(queries), response.data["count"]


@pytest.mark.parametrize("username", ["clerk", "handler", "resident1", "leader"])
def test_list_query_count_does_not_grow_with_the_cases(tree, people, d02, d12, username, django_assert_max_num_queries):
    """The list costs the same few queries for 30 cases as for 3 (no query per case): the
    caller's roles, the count and the page."""
    _seed(tree, people, d02, d12, 3)
    # Fresh user objects, so that the roles cached on one are not reused by the next request.
    small, small_count = _list_queries(User.objects.get(username=username))
    _seed(tree, people, d02, d12, 27)
    user = User.objects.get(username=username)
    with django_assert_max_num_queries(small):
        large, large_count = _list_queries(user)
    assert large_count > small_count
    assert large == small
    assert small <= 3


def test_detail_query_count_is_small(tree, people, django_assert_max_num_queries):
    """The detail is a handful of queries (roles, the case, the access log)."""
    case = hh_case(tree, people)
    client = api(User.objects.get(username="clerk"))
    with django_assert_max_num_queries(5):
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200


# Reference data -------------------------------------------------------------------------------


def test_reference_endpoints_return_the_taxonomy(tree, people):
    """Units, departments, subcategories and case types for clients to fill their forms."""
    client = api(people["resident1"])

    units = client.get("/api/v1/units/", {"page_size": 500})
    assert units.status_code == 200
    by_code = {row["code"]: row for row in units.data["results"]}
    assert {unit.code for unit in tree.values()} <= set(by_code)
    assert by_code["HF-JK-FR-HH"] == {
        "code": "HF-JK-FR-HH",
        "name": "海恒社区",
        "level": "community",
        "parent": "HF-JK-FR",
    }

    departments = client.get("/api/v1/departments/")
    assert departments.data["count"] == 23
    assert {"code": "D02", "name": "物业服务企业"}.items() <= departments.data["results"][1].items()

    subcategories = client.get("/api/v1/subcategories/", {"page_size": 100})
    assert subcategories.data["count"] == 56
    assert len(subcategories.data["results"]) == 56
    lamp = next(row for row in subcategories.data["results"] if row["code"] == "01.02")
    assert lamp["category"] == "01"
    assert lamp["department"] == "D02"
    assert (lamp["limit_unit"], lamp["limit_count"]) == ("workday", 5)

    case_types = client.get("/api/v1/case-types/")
    assert case_types.data["count"] == 8
    assert {"consult", "complaint", "help"} <= {row["code"] for row in case_types.data["results"]}


def test_reference_filters(tree, people):
    """Subcategories filter by category and department; units by parent."""
    client = api(people["clerk"])
    property_rows = client.get("/api/v1/subcategories/", {"category__code": "01"}).data["results"]
    assert [row["code"] for row in property_rows] == ["01.01", "01.02", "01.03", "01.04", "01.05"]
    children = client.get("/api/v1/units/", {"parent__code": "HF-JK-FR"}).data["results"]
    assert {row["code"] for row in children} == {"HF-JK-FR-HH", "HF-JK-FR-LH"}
