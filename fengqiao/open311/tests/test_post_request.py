"""POST requests.{fmt}: a request becomes a real case (located, classified, routed, in the
clerk's workbench), the key rules (403, 429) and one 400 error per problem."""

from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.urls import reverse

from fengqiao.cases.models import Case, CaseEvent, Channel, Status
from fengqiao.cases.selectors import intake_queue
from fengqiao.open311.actions import do_create_api_key, do_revoke_api_keys
from fengqiao.open311.models import ApiKey, Open311Request
from fengqiao.taxonomy.models import Subcategory, route

from .conftest import NEAR_ESTATE, errors, records, url

pytestmark = pytest.mark.django_db

FORMATS = ["xml", "json"]
LIFT = {
    "service_code": "01.01",
    "description": "电梯困在12楼不动了，按钮没反应",
    "attribute[building]": "3栋",
    "attribute[floor]": "12",
    "attribute[trapped]": "no",
}
REPORTER = {
    "first_name": "小明",
    "last_name": "王",
    "email": "xiaoming.wang@example.org",
    "phone": "13812345678",
    "device_id": "device-7f3a9c",
    "account_id": "acct-55821",
}


def post(client, fmt="json", *, query=None, **fields):
    """A form-encoded POST, as the spec prescribes (lists repeat the key)."""
    path = url(f"requests.{fmt}") + (f"?{urlencode(query)}" if query else "")
    return client.post(
        path, urlencode(fields, doseq=True), content_type="application/x-www-form-urlencoded; charset=utf-8"
    )


def created_case(response, fmt="json") -> Case:
    assert response.status_code == 200, response.content.decode()
    (row,) = records(response, root="service_requests", item="request")
    assert "token" not in row  # service_request_id xor token
    return Case.objects.get(number=row["service_request_id"])


# A request becomes a case ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_with_coordinates_becomes_a_case_in_the_estate(client, located_tree, people, api_key, fmt):
    response = post(
        client, fmt, api_key=api_key, **LIFT, **NEAR_ESTATE, **REPORTER, media_url="https://img.example.org/1.jpg"
    )

    (row,) = records(response, root="service_requests", item="request")
    assert list(row) == ["service_request_id", "service_notice"]
    assert isinstance(row["service_request_id"], str)
    assert "物业服务企业" in row["service_notice"]
    case = created_case(response, fmt)
    assert case.unit == located_tree["estate"]
    assert case.subcategory.code == "01.01"
    assert (case.channel, case.status, case.reporter, case.created_by) == (Channel.OPEN311, Status.RECEIVED, None, None)
    assert case.contact_name == "王小明"
    assert case.phone == "13812345678"
    assert case.text.startswith(LIFT["description"])
    assert "楼栋：3栋" in case.text and "楼层：12" in case.text and "是否有人被困：无人被困" in case.text
    assert case.deadline == case.compute_deadline()

    request = case.open311
    assert request.located_by == "coordinates"
    assert (str(request.lat), str(request.long)) == (NEAR_ESTATE["lat"], NEAR_ESTATE["long"])
    assert request.attributes == {"building": "3栋", "floor": 12, "trapped": "no"}
    assert (request.email, request.first_name, request.last_name) == ("xiaoming.wang@example.org", "小明", "王")
    assert (request.device_id, request.account_id) == ("device-7f3a9c", "acct-55821")
    assert request.media_url == "https://img.example.org/1.jpg"
    assert request.api_key.name == "Test app"
    assert request.api_key.last_used_at is not None

    event = CaseEvent.objects.get(case=case, action="case.create")
    assert event.actor is None
    assert event.data["channel"] == "open311"
    assert event.data["open311"]["api_key"] == "Test app"
    assert event.data["open311"]["located_by"] == "coordinates"


def test_the_case_waits_in_the_clerks_workbench_with_the_routed_department(client, located_tree, people, api_key):
    case = created_case(post(client, api_key=api_key, **LIFT, **NEAR_ESTATE, **REPORTER))

    clerk = people["clerk"]
    assert case in intake_queue(viewer=clerk)
    assert case not in intake_queue(viewer=people["other_clerk"])
    assert route(unit=case.unit, subcategory=case.subcategory).code == "D02"

    staff = type(client)()
    staff.force_login(clerk)
    page = staff.get(reverse("workbench"))
    assert page.status_code == 200
    (row,) = [row for row in page.context["page"].object_list if row.pk == case.pk]
    assert row.suggested_department.code == "D02"
    html = page.content.decode()
    assert case.number in html
    assert "13812345678" not in html  # the workbench shows the resident's phone masked, if at all


def test_the_clerk_can_dispatch_it_like_any_appeal(client, located_tree, people, api_key, d02):
    from fengqiao.cases.actions import perform_action

    case = created_case(post(client, api_key=api_key, **LIFT, **NEAR_ESTATE))
    perform_action(actor=people["clerk"], case_id=case.pk, action="dispatch", data={"department": "D02"})
    case.refresh_from_db()
    assert (case.status, case.department) == (Status.DISPATCHED, d02)


@pytest.mark.parametrize(
    ("address", "unit"),
    [
        ("合肥市经开区芙蓉街道海恒社区海恒家园2栋", "building2"),
        ("海恒家园 1栋 东侧", "building1"),
        ("临湖小区东门", "lh_estate"),
        ("海恒社区居委会门口", "hh"),
        ("海恒家园13栋", "estate"),  # "3栋" inside "13栋" is not building 3
        ("1栋楼下", "city"),  # a building number without its estate says nothing
        ("北京市朝阳区", "city"),
    ],
)
def test_a_request_is_located_by_the_names_in_its_address(client, tree, api_key, address, unit):
    case = created_case(post(client, api_key=api_key, service_code="01.02", address_string=address))
    assert case.unit == tree[unit]
    assert case.address == address
    assert case.open311.located_by == ("default" if unit == "city" else "address")


def test_coordinates_find_the_place_and_the_address_narrows_it(client, located_tree, api_key):
    case = created_case(
        post(client, api_key=api_key, service_code="01.02", address_string="海恒家园1栋", **NEAR_ESTATE)
    )
    assert case.unit == located_tree["building1"]
    assert case.open311.located_by == "coordinates"


def test_coordinates_near_only_a_community_centre(client, located_tree, api_key):
    # ~1.5 km from 临湖小区 (too far for an estate), within 3 km of 临湖社区.
    case = created_case(post(client, api_key=api_key, service_code="01.02", lat="31.809000", long="117.195000"))
    assert case.unit == located_tree["lh"]


def test_coordinates_far_from_every_unit_fall_back_to_the_city(client, located_tree, api_key):
    case = created_case(post(client, api_key=api_key, service_code="01.02", lat="39.9042", long="116.4074"))
    assert case.unit == located_tree["city"]
    assert case.open311.located_by == "default"


def test_an_address_id_alone_is_a_location(client, tree, api_key):
    case = created_case(post(client, api_key=api_key, service_code="07.01", address_id="HF-ADDR-778812"))
    assert case.unit == tree["city"]
    assert case.open311.address_id == "HF-ADDR-778812"


def test_empty_arguments_count_as_absent(client, tree, api_key):
    case = created_case(
        post(
            client,
            api_key=api_key,
            service_code="01.02",
            lat="",
            long="",
            address_string="海恒家园",
            description="",
            email="",
            media_url="",
        )
    )
    assert case.unit == tree["estate"]
    assert case.text == Subcategory.objects.get(code="01.02").name


def test_key_and_jurisdiction_may_come_in_the_query_string(client, tree, api_key):
    from fengqiao.open311.models import Jurisdiction

    Jurisdiction.objects.create(jurisdiction_id="hefei.gov.cn", name="合肥市", unit=tree["city"])
    response = post(
        client,
        query={"api_key": api_key, "jurisdiction_id": "hefei.gov.cn"},
        service_code="01.02",
        address_string="海恒家园",
    )
    assert created_case(response).open311.jurisdiction.jurisdiction_id == "hefei.gov.cn"


def test_list_attributes_and_a_date_time(client, tree, api_key):
    case = created_case(
        post(
            client,
            api_key=api_key,
            service_code="02.01",
            address_string="海恒家园",
            **{"attribute[waste][]": ["household", "bulky"], "attribute[unknown]": "ignored"},
        )
    )
    assert case.open311.attributes == {"waste": ["household", "bulky"]}
    assert "垃圾类型：生活垃圾、大件垃圾" in case.text

    case = created_case(
        post(
            client,
            api_key=api_key,
            service_code="11.01",
            address_string="海恒家园",
            **{"attribute[noise_time]": "2026-11-26T14:30:00Z"},
        )
    )
    assert case.open311.attributes == {"noise_time": "2026-11-26T22:30:00+08:00"}


def test_an_informational_attribute_takes_no_answer(client, tree, api_key):
    case = created_case(
        post(client, api_key=api_key, address_string="海恒家园", **LIFT, **{"attribute[emergency]": "收到"})
    )
    assert "emergency" not in case.open311.attributes


def test_a_description_of_exactly_4000_characters_is_accepted(client, tree, api_key):
    case = created_case(
        post(client, api_key=api_key, service_code="01.02", address_string="海恒家园", description="灯" * 4000)
    )
    assert case.text == "灯" * 4000


# The key: 403 and 429 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "required"), ("", "required"), ("not-a-key", "not valid"), ("revoked", "revoked")],
)
def test_a_missing_bad_or_revoked_key_is_403(client, tree, fmt, key, message):
    fields = {"service_code": "01.02", "address_string": "海恒家园"}
    if key == "revoked":
        revoked, key = do_create_api_key(name="Old app")
        do_revoke_api_keys(keys=ApiKey.objects.filter(pk=revoked.pk))
    if key is not None:
        fields["api_key"] = key

    response = post(client, fmt, **fields)

    assert response.status_code == 403
    ((code, description),) = errors(response, fmt)
    assert code == 403 and message in description
    assert not Case.objects.exists()


def test_a_bad_key_is_403_even_when_the_arguments_are_bad_too(client, tree):
    response = post(client, api_key="nope", service_code="99.99")
    assert response.status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
@override_settings(FENGQIAO_OPEN311_RATE="2/m")
def test_over_the_rate_is_429_per_key(client, tree, api_key, fmt):
    fields = {"api_key": api_key, "service_code": "01.02", "address_string": "海恒家园"}
    assert post(client, fmt, **fields).status_code == 200
    assert post(client, fmt, **fields).status_code == 200

    response = post(client, fmt, **fields)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    ((code, description),) = errors(response, fmt)
    assert code == 429 and "Too many requests" in description
    assert Case.objects.count() == 2
    _other, other_key = do_create_api_key(name="Other app")
    assert post(client, fmt, **{**fields, "api_key": other_key}).status_code == 200


def test_the_rate_setting_is_read_from_the_environment_too(monkeypatch):
    from fengqiao.open311 import ratelimit

    monkeypatch.setenv("FENGQIAO_OPEN311_RATE", "10/h")
    assert ratelimit.configured_rate() == (10, 3600)
    assert ratelimit.parse_rate("5/s") == (5, 1)
    assert ratelimit.parse_rate("100/day") == (100, 86400)
    with pytest.raises(ValueError):
        ratelimit.parse_rate("often")


# Bad arguments: 400, one error per problem ----------------------------------------------------------------


BAD_ARGUMENTS = [
    ({"address_string": "海恒家园"}, "service_code is required"),
    ({"service_code": "99.99", "address_string": "海恒家园"}, "Unknown service_code “99.99”"),
    ({"service_code": "01.02"}, "A location is required"),
    ({"service_code": "01.02", "lat": "31.76"}, "lat and long must be given together"),
    ({"service_code": "01.02", "long": "117.22", "address_string": "海恒家园"}, "lat and long must be given together"),
    ({"service_code": "01.02", "lat": "north", "long": "117.22"}, "lat must be a WGS84 number"),
    ({"service_code": "01.02", "lat": "31.76", "long": "200"}, "long must be a WGS84 number"),
    (
        {"service_code": "01.02", "address_string": "海恒家园", "description": "x" * 4001},
        "description is longer than 4000",
    ),
    ({"service_code": "01.02", "address_string": "海" * 301}, "address_string is longer than 300"),
    ({"service_code": "01.02", "address_string": "海恒家园", "email": "not-an-email"}, "email"),
    ({"service_code": "01.02", "address_string": "海恒家园", "media_url": "ftp://x/y.jpg"}, "media_url"),
    ({"service_code": "01.02", "address_string": "海恒家园", "phone": "call me"}, "phone"),
    (
        {**LIFT, "address_string": "海恒家园", "attribute[floor]": ""},
        "attribute[floor] (楼层) is required",
    ),
    (
        {**LIFT, "address_string": "海恒家园", "attribute[trapped]": "maybe"},
        "attribute[trapped]: “maybe” is not in its list",
    ),
    ({**LIFT, "address_string": "海恒家园", "attribute[floor]": "twelve"}, "attribute[floor] must be a number"),
    (
        {"service_code": "02.01", "address_string": "海恒家园", "attribute[waste][]": ["household", "toxic"]},
        "“toxic” is not in its list",
    ),
    (
        {"service_code": "11.01", "address_string": "海恒家园", "attribute[noise_time]": "yesterday"},
        "attribute[noise_time] must be a W3C date-time",
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("fields", "message"), BAD_ARGUMENTS)
def test_each_bad_argument_is_one_400_error(client, tree, api_key, fmt, fields, message):
    response = post(client, fmt, api_key=api_key, **fields)

    assert response.status_code == 400, response.content.decode()
    ((code, description),) = errors(response, fmt)
    assert code == 400
    assert message in description
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_several_problems_are_reported_together(client, tree, api_key, fmt):
    response = post(
        client,
        fmt,
        api_key=api_key,
        **{**LIFT, "attribute[floor]": "", "attribute[trapped]": "maybe", "description": "x" * 4001},
        lat="31.76",
    )

    assert response.status_code == 400
    descriptions = [description for _code, description in errors(response, fmt)]
    assert len(descriptions) == 4
    assert any("lat and long" in text for text in descriptions)
    assert any("description is longer" in text for text in descriptions)
    assert any("attribute[floor]" in text for text in descriptions)
    assert any("attribute[trapped]" in text for text in descriptions)

    response = post(client, fmt, api_key=api_key, service_code="nope", lat="1")
    assert [description for _code, description in errors(response, fmt)] == [
        "Unknown service_code “nope”.",
        "lat and long must be given together.",
    ]
    assert not Open311Request.objects.exists()
