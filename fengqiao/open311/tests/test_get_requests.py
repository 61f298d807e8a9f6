"""GET requests.{fmt}, requests/{id}.{fmt} and tokens/{token}.{fmt}: the request shape in both
formats, every filter, the 90-day window and the 1000-row cap, paging, and what the public
may see of a case (never the reporter's personal data)."""

import datetime as dt
import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from fengqiao.cases.actions import perform_action
from fengqiao.cases.models import Case, CaseEvent, Channel, Status
from fengqiao.core.workcalendar import LOCAL_TZ
from fengqiao.open311.models import Open311Request
from fengqiao.taxonomy.models import CaseType, RoutingRule, Subcategory
from fengqiao.testing.factories import CaseFactory

from .conftest import NEAR_ESTATE, W3C_SHANGHAI, errors, parse, records, url
from .test_post_request import LIFT, REPORTER, created_case, post

pytestmark = pytest.mark.django_db

FORMATS = ["xml", "json"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "lat",
    "long",
    "media_url",
]


def get(client, path, **params):
    return client.get(url(path) + (f"?{urlencode(params)}" if params else ""))


def listed(client, fmt="json", **params) -> list[dict]:
    response = get(client, f"requests.{fmt}", **params)
    assert response.status_code == 200, response.content.decode()
    return records(response, root="service_requests", item="request")


def ids(client, **params) -> list[str]:
    return [row["service_request_id"] for row in listed(client, **params)]


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def make_case(tree, **fields) -> Case:
    fields.setdefault("unit", tree["building1"])
    return CaseFactory(**fields)


# Shape -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_have_the_spec_fields_in_order(client, located_tree, api_key, fmt):
    case = created_case(post(client, api_key=api_key, **LIFT, **NEAR_ESTATE, address_string="海恒家园3栋"))
    other = make_case(located_tree, number="20261101000001", received_at=ago(days=2), address="1栋2单元502室")

    rows = listed(client, fmt)

    assert [row["service_request_id"] for row in rows] == [case.number, other.number]  # newest first
    first, second = rows
    assert list(first) == REQUEST_FIELDS
    assert all(isinstance(row["service_code"], str) for row in rows)
    assert (first["status"], first["service_code"]) == ("open", "01.01")
    assert first["service_name"] == "Lift breakdown and maintenance"  # the client asks for English
    assert first["description"].startswith(LIFT["description"])
    assert first["agency_responsible"] == "物业服务企业"  # what the routing table suggests until dispatch
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C_SHANGHAI.match(first[field]), first[field]
    case.refresh_from_db()
    assert first["expected_datetime"] == case.deadline.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()
    assert first["address"] == "海恒家园3栋"
    if fmt == "json":
        assert (first["lat"], first["long"]) == (31.7615, 117.226)
    else:
        assert (first["lat"], first["long"]) == ("31.761500", "117.226000")
    assert first["status_notes"] == first["address_id"] == first["media_url"] == ""
    # A case from another channel shows its unit (and the centre of its estate), not the address given.
    assert second["address"] == "海恒家园1栋"
    assert "502" not in json.dumps(rows, ensure_ascii=False)
    assert str(second["lat"]).startswith("31.7612")


def test_a_request_without_a_known_place_has_no_lat_or_long(client, tree):
    make_case(tree, unit=tree["lh"])
    (row,) = listed(client)
    assert "lat" not in row and "long" not in row
    (element,) = parse(get(client, "requests.xml"))
    assert element.find("lat") is None


def test_statuses_map_to_open_and_closed(client, tree, d02):
    now = timezone.now()
    received = make_case(tree, received_at=ago(hours=6))
    dispatched = make_case(tree, received_at=ago(hours=5), status=Status.DISPATCHED, department=d02)
    replied = make_case(
        tree,
        received_at=ago(hours=4),
        status=Status.REPLIED,
        department=d02,
        replied_at=now,
        reply_message="已更换灯泡，请查看。",
    )
    closed = make_case(
        tree, received_at=ago(hours=3), status=Status.CLOSED, department=d02, closed_at=now, reply_message="已修好"
    )
    merged = make_case(tree, received_at=ago(hours=2), status=Status.MERGED, merged_into=received)

    rows = {row["service_request_id"]: row for row in listed(client)}

    assert {number: rows[number]["status"] for number in rows} == {
        received.number: "open",
        dispatched.number: "open",
        replied.number: "open",
        closed.number: "closed",
        merged.number: "closed",
    }
    assert rows[received.number]["status_notes"] == ""
    assert rows[replied.number]["status_notes"] == "已更换灯泡，请查看。"
    assert rows[closed.number]["status_notes"] == "已修好"
    assert received.number in rows[merged.number]["status_notes"]
    assert rows[dispatched.number]["agency_responsible"] == d02.name
    assert rows[closed.number]["updated_datetime"] == now.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


def test_updated_datetime_is_the_last_step(client, tree, people):
    case = make_case(tree, received_at=ago(days=3), reporter=people["resident1"])
    step = ago(days=1).replace(microsecond=0)
    CaseEvent.objects.create(case=case, action="case.create", to_status="received", created_at=ago(days=3))
    CaseEvent.objects.create(case=case, action="case.accept", to_status="received", created_at=step)
    (row,) = listed(client)
    assert row["updated_datetime"] == step.astimezone(LOCAL_TZ).isoformat()


def test_unrouted_cases_name_the_department_the_routing_table_would_choose(client, tree, d12):
    RoutingRule.objects.create(unit=tree["hh"], subcategory=Subcategory.objects.get(code="01.02"), department=d12)
    make_case(tree, unit=tree["building1"])
    make_case(tree, unit=tree["lh"])
    agencies = {row["address"]: row["agency_responsible"] for row in listed(client)}
    assert agencies == {"海恒家园1栋": d12.name, "临湖社区": "物业服务企业"}


# Filters -----------------------------------------------------------------------------------------------


def test_status_filter_takes_a_comma_list(client, tree, d02):
    open_case = make_case(tree, received_at=ago(hours=2))
    closed_case = make_case(
        tree, received_at=ago(hours=1), status=Status.CLOSED, department=d02, closed_at=timezone.now()
    )
    assert ids(client, status="open") == [open_case.number]
    assert ids(client, status="closed") == [closed_case.number]
    assert ids(client, status="open,closed") == [closed_case.number, open_case.number]
    assert ids(client, status=" Closed ") == [closed_case.number]
    assert ids(client, status="") == [closed_case.number, open_case.number]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("status", ["pending", "open,received", "closed;open"])
def test_an_unknown_status_is_400(client, tree, fmt, status):
    response = get(client, f"requests.{fmt}", status=status)
    assert response.status_code == 400
    ((code, description),) = errors(response, fmt)
    assert code == 400 and "status" in description


def test_service_code_filter_takes_a_comma_list(client, tree):
    lift = make_case(tree, subcategory=Subcategory.objects.get(code="01.01"), received_at=ago(hours=3))
    light = make_case(tree, subcategory=Subcategory.objects.get(code="07.01"), received_at=ago(hours=2))
    make_case(tree, subcategory=Subcategory.objects.get(code="01.02"), received_at=ago(hours=1))
    assert ids(client, service_code="01.01") == [lift.number]
    assert ids(client, service_code="01.01,07.01") == [light.number, lift.number]
    assert ids(client, service_code="99.99") == []


def test_service_request_id_overrides_every_other_argument(client, tree, d02):
    old_closed = make_case(
        tree,
        received_at=ago(days=400),
        status=Status.CLOSED,
        department=d02,
        closed_at=ago(days=390),
        subcategory=Subcategory.objects.get(code="07.01"),
    )
    recent = make_case(tree, received_at=ago(hours=1))
    make_case(tree, received_at=ago(hours=2))

    found = ids(
        client,
        service_request_id=f"{old_closed.number}, nonexistent ,{recent.number},,",
        status="open",
        service_code="01.01",
        start_date="2020-01-01T00:00:00Z",
        end_date="2020-01-02T00:00:00Z",
    )

    assert found == [recent.number, old_closed.number]  # unknown ids are simply absent
    # The other arguments are not even checked when service_request_id is given.
    assert get(client, "requests.json", service_request_id=recent.number, status="bogus").status_code == 200


# The 90-day window ---------------------------------------------------------------------------------


def test_the_default_window_is_the_last_90_days(client, tree):
    inside = make_case(tree, received_at=ago(days=89))
    make_case(tree, received_at=ago(days=91))
    assert ids(client) == [inside.number]


def test_start_and_end_date_select_received_times_inclusively(client, tree):
    start = dt.datetime(2026, 6, 1, tzinfo=LOCAL_TZ)
    at_start = make_case(tree, received_at=start)
    at_end = make_case(tree, received_at=start + dt.timedelta(days=90))
    make_case(tree, received_at=start - dt.timedelta(seconds=1))
    make_case(tree, received_at=start + dt.timedelta(days=90, seconds=1))

    found = ids(client, start_date="2026-06-01T00:00:00+08:00", end_date="2026-08-30T00:00:00+08:00")

    assert found == [at_end.number, at_start.number]
    # The same instants written in UTC, with an unencoded "+" (a space) and as a bare date.
    assert ids(client, start_date="2026-05-31T16:00:00Z", end_date="2026-08-29T16:00:00Z") == found
    assert ids(client, start_date="2026-06-01T00:00:00 08:00", end_date="2026-08-30T00:00:00 08:00") == found
    assert ids(client, start_date="2026-06-01", end_date="2026-08-30") == found


def test_one_date_alone_opens_a_90_day_window_from_or_to_it(client, tree):
    start = dt.datetime(2026, 3, 1, tzinfo=LOCAL_TZ)
    inside = make_case(tree, received_at=start + dt.timedelta(days=45))
    make_case(tree, received_at=start + dt.timedelta(days=91))
    assert ids(client, start_date="2026-03-01T00:00:00+08:00") == [inside.number]
    assert ids(client, end_date="2026-05-30T00:00:00+08:00") == [inside.number]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "messages"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:01Z"}, ["more than 90 days"]),
        ({"start_date": "2026-04-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, ["end_date is before"]),
        ({"start_date": "yesterday"}, ["start_date “yesterday”"]),
        ({"end_date": "2026-04-01T10:00:00"}, ["end_date “2026-04-01T10:00:00”"]),  # no time zone
        ({"start_date": "2026-13-01T00:00:00Z", "end_date": "soon"}, ["start_date", "end_date"]),
    ],
)
def test_bad_dates_are_400(client, tree, fmt, params, messages):
    response = get(client, f"requests.{fmt}", **params)
    assert response.status_code == 400
    found = errors(response, fmt)
    assert [code for code, _text in found] == [400] * len(messages)
    for (_code, description), message in zip(found, messages, strict=True):
        assert message in description


def test_a_span_of_exactly_90_days_is_allowed(client, tree):
    assert (
        get(client, "requests.json", start_date="2026-01-01T00:00:00Z", end_date="2026-04-01T00:00:00Z").status_code
        == 200
    )


# The cap and paging --------------------------------------------------------------------------------


@pytest.fixture
def many_cases(tree):
    """1001 cases, one a minute, the newest a minute ago."""
    now = timezone.now().replace(microsecond=0)
    case_type = CaseType.objects.get(code="complaint")
    subcategory = Subcategory.objects.get(code="01.02")
    Case.objects.bulk_create(
        Case(
            number=f"B{index:06d}",
            unit=tree["building1"],
            case_type=case_type,
            subcategory=subcategory,
            text="楼道灯坏了",
            received_at=now - dt.timedelta(minutes=index + 1),
        )
        for index in range(1001)
    )
    return [f"B{index:06d}" for index in range(1001)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_at_most_1000_requests_by_default_newest_first(client, many_cases, fmt):
    rows = listed(client, fmt)
    assert [row["service_request_id"] for row in rows] == many_cases[:1000]


def test_page_and_page_size(client, many_cases):
    assert ids(client, page="2") == many_cases[1000:]
    assert ids(client, page_size="10", page="3") == many_cases[20:30]
    assert ids(client, page_size="1000", page="1") == many_cases[:1000]
    assert ids(client, page="5") == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"page_size": "1001"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
    ],
)
def test_bad_paging_is_400(client, tree, fmt, params, name):
    response = get(client, f"requests.{fmt}", **params)
    assert response.status_code == 400
    ((code, description),) = errors(response, fmt)
    assert code == 400 and description.startswith(name)


def test_listing_takes_a_fixed_number_of_queries(client, tree, api_key, django_assert_num_queries, d02):
    for hours in range(1, 6):
        make_case(tree, received_at=ago(hours=hours))
        make_case(tree, received_at=ago(hours=hours, minutes=30), status=Status.DISPATCHED, department=d02)
    post(client, api_key=api_key, service_code="01.02", address_string="海恒家园")
    # jurisdictions, cases (with their Open311 data), routing rules for the undispatched ones
    with django_assert_num_queries(3):
        assert len(listed(client)) == 11


# One request, tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_is_a_list_of_one(client, tree, api_key, fmt):
    case = created_case(post(client, api_key=api_key, **LIFT, address_string="海恒家园"))
    response = get(client, f"requests/{case.number}.{fmt}")
    assert response.status_code == 200
    body = parse(response)
    if fmt == "json":
        assert isinstance(body, list) and len(body) == 1
    else:
        assert body.tag == "service_requests" and [child.tag for child in body] == ["request"]
    (row,) = records(response, root="service_requests", item="request")
    assert row["service_request_id"] == case.number and list(row) == REQUEST_FIELDS[:12] + ["media_url"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("number", ["20260101999999", "nope", "1.5"])
def test_an_unknown_request_is_404(client, tree, fmt, number):
    response = get(client, f"requests/{number}.{fmt}")
    assert response.status_code == 404
    ((code, description),) = errors(response, fmt)
    assert code == 404 and number in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_gives_the_request_id(client, tree, api_key, fmt):
    case = created_case(post(client, api_key=api_key, service_code="01.02", address_string="海恒家园"))
    token = str(Open311Request.objects.get(case=case).token)

    response = get(client, f"tokens/{token}.{fmt}")

    assert response.status_code == 200
    assert records(response, root="service_requests", item="request") == [
        {"service_request_id": case.number, "token": token}
    ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("token", ["0b5d3f8e-6a5e-4d0f-9a55-1b1f6a0d9c11", "not-a-uuid"])
def test_an_unknown_token_is_404(client, tree, fmt, token):
    response = get(client, f"tokens/{token}.{fmt}")
    assert response.status_code == 404
    assert errors(response, fmt)[0][0] == 404


# Privacy -------------------------------------------------------------------------------------------------


def test_personal_data_never_appears_in_a_public_get(client, located_tree, people, api_key, d02):
    description = "我是王小明，电话13812345678，邮箱 xiaoming.wang@example.org，身份证 340104199001011234"
    case = created_case(
        post(client, api_key=api_key, **{**LIFT, "description": description}, **NEAR_ESTATE, **REPORTER)
    )
    reviewer = people["reviewer"]
    perform_action(actor=people["clerk"], case_id=case.pk, action="dispatch", data={"department": "D02"})
    perform_action(actor=people["handler"], case_id=case.pk, action="sign", data={})
    perform_action(actor=people["handler"], case_id=case.pk, action="submit_review", data={"result": "修好了"})
    perform_action(
        actor=reviewer, case_id=case.pk, action="reply", data={"message": "王小明您好，已修复。如有问题请拨13812345678"}
    )
    token = str(case.open311.token)
    secrets = [
        "13812345678",
        "xiaoming.wang@example.org",
        "王小明",
        "小明",
        "device-7f3a9c",
        "acct-55821",
        "340104199001011234",
    ]

    bodies = []
    for fmt in FORMATS:
        for path in (
            f"requests.{fmt}",
            f"requests.{fmt}?service_request_id={case.number}",
            f"requests/{case.number}.{fmt}",
            f"tokens/{token}.{fmt}",
            f"servicerequestupdates.{fmt}",
            f"services.{fmt}",
            f"discovery.{fmt}",
        ):
            response = client.get(url(path))
            assert response.status_code == 200, path
            bodies.append((path, response.content))

    for path, body in bodies:
        for secret in secrets:
            assert secret.encode() not in body, (path, secret)
    # What is shown instead is the masked form.
    detail = listed(client, service_request_id=case.number)[0]
    assert "王**" in detail["description"] and "138****5678" in detail["description"]
    assert "王**您好" in detail["status_notes"]
    # The case keeps the data, as for any resident, for the staff allowed to see it.
    case.refresh_from_db()
    assert (case.contact_name, case.phone) == ("王小明", "13812345678")


def test_disputes_from_other_channels_show_no_text(client, tree):
    dispute = CaseType.objects.get(code="dispute")
    make_case(tree, case_type=dispute, text="楼上602的邻居每天半夜吵闹", channel=Channel.VISIT)
    (row,) = listed(client)
    assert row["description"] == Subcategory.objects.get(code="01.02").name_en
    assert "602" not in json.dumps(row, ensure_ascii=False)
