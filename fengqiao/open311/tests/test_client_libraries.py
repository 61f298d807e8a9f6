"""Published Open311 client libraries, written by others for other cities' servers, drive this
server unchanged over HTTP (pytest-django's live server; nothing leaves the machine).

* georeport 0.3.1 (PyPI): reads — services, a definition, one request, lists with filters — in
  JSON and in XML (parsed by xmltodict). It has no call to create a request.
* three 0.8.0 (PyPI, Code for America): the whole cycle including the POST and the token lookup,
  in JSON. It was written for Python 2: it imports `itertools.ifilter`, which Python 3 calls
  `filter`; the test puts that one name back before importing it and changes nothing else.
  (Its XML path needs an XML library that no longer runs on Python 3, so it is used with JSON.)
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import sys

import pytest
from django.utils import timezone

from fengqiao.cases.models import Case, Channel, Status
from fengqiao.cases.selectors import intake_queue
from fengqiao.open311.attributes import install_attributes
from fengqiao.open311.models import Open311Request, ServiceAttribute
from fengqiao.org.models import Department
from fengqiao.taxonomy.loader import install_taxonomy
from fengqiao.taxonomy.models import CaseType, Category, Subcategory

from .conftest import NEAR_ESTATE

pytestmark = pytest.mark.django_db(transaction=True)

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The live server reads committed rows, so these tests run in transactional mode, whose
    flush also empties what the migrations installed: the taxonomy and the service attributes."""
    install_taxonomy(
        case_type_model=CaseType, category_model=Category, subcategory_model=Subcategory, department_model=Department
    )
    install_attributes(attribute_model=ServiceAttribute, subcategory_model=Subcategory)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """requests honours proxy variables; the live server is on this machine."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def endpoint(live_server) -> str:
    return f"{live_server.url}/open311/v2/"


@pytest.fixture
def three(monkeypatch):
    """The `three` package, imported on Python 3 with the one Python 2 name it needs."""
    monkeypatch.setattr(itertools, "ifilter", filter, raising=False)
    if "three" not in sys.modules:
        importlib.import_module("three")
    return sys.modules["three"]


def test_three_files_and_follows_a_request(endpoint, three, located_tree, people, api_key):
    client = three.Three(endpoint, format="json", api_key=api_key)

    services = client.services()
    assert isinstance(services, list)
    by_code = {service["service_code"]: service for service in services}
    assert by_code["01.01"]["service_name"] == "电梯故障与维保"
    assert by_code["01.01"]["metadata"] is True

    definition = client.services("01.01")
    assert definition["service_code"] == "01.01"
    required = [attribute["code"] for attribute in definition["attributes"] if attribute["required"]]
    assert required == ["building", "floor", "trapped"]

    created = client.post(
        "01.01",
        description="3栋电梯困人，已拨打96333",
        first_name="小明",
        last_name="王",
        phone="13812345678",
        email="xiaoming.wang@example.org",
        **NEAR_ESTATE,
        **{"attribute[building]": "3栋", "attribute[floor]": "-1", "attribute[trapped]": "yes"},
    )
    assert client.post_response.status_code == 200
    (receipt,) = created
    number = receipt["service_request_id"]
    case = Case.objects.get(number=number)
    assert (case.unit, case.channel, case.subcategory.code) == (located_tree["estate"], Channel.OPEN311, "01.01")
    assert case in intake_queue(viewer=people["clerk"])

    (read_back,) = client.request(number)
    assert read_back["service_request_id"] == number
    assert (read_back["status"], read_back["service_code"]) == ("open", "01.01")
    assert read_back["description"].startswith("3栋电梯困人")
    assert read_back["agency_responsible"] == "物业服务企业"
    assert read_back["requested_datetime"].endswith("+08:00")
    assert (read_back["lat"], read_back["long"]) == (31.7615, 117.226)
    assert "13812345678" not in str(read_back) and "小明" not in str(read_back)

    listed = client.requests()
    assert [row["service_request_id"] for row in listed] == [number]
    assert client.requests("01.01", status="open")[0]["service_request_id"] == number
    assert client.requests("07.01") == []
    # three sends page_size for its `count` and US-style dates as W3C date-times with Z.
    today = timezone.now().date()
    window = [(today + dt.timedelta(days=days)).strftime("%m-%d-%Y") for days in (-1, 1)]
    assert [row["service_request_id"] for row in client.requests(count=1, between=window)] == [number]

    token = str(Open311Request.objects.get(case=case).token)
    assert client.token(token) == [{"service_request_id": number, "token": token}]


def test_three_gets_the_error_documents(endpoint, three, tree, api_key):
    """Error documents parse like any answer; with no Accept-Language their text is Chinese."""
    client = three.Three(endpoint, format="json", api_key="wrong")
    assert client.post("01.02", address="海恒家园") == [{"code": 403, "description": "api_key 无效。"}]
    assert client.post_response.status_code == 403

    client = three.Three(endpoint, format="json", api_key=api_key)
    problems = client.post("01.01", lat="31.76")
    assert client.post_response.status_code == 400
    assert [problem["code"] for problem in problems] == [400] * 4  # the pair, building, floor, trapped
    assert problems[0]["description"] == "lat 和 long 必须同时提供。"
    assert client.request("19990101000001") == [{"code": 404, "description": "没有诉求“19990101000001”。"}]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_and_requests(endpoint, three, located_tree, people, api_key, fmt):
    from georeport import GeoReport

    client = GeoReport(endpoint, output_format=fmt)

    services = client.get_service_list()
    lift = next(service for service in services if service["service_code"] == "01.01")
    assert lift["service_name"] == "电梯故障与维保"
    assert lift["metadata"] in (True, "true")

    definition = client.get_service_definition("01.01")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [attribute["code"] for attribute in attributes] == ["building", "floor", "trapped", "emergency"]
    trapped = attributes[2]
    values = trapped["values"] if fmt == "json" else trapped["values"]["value"]
    assert [value["key"] for value in values] == ["yes", "no"]

    # georeport has no call that creates a request: three files it.
    (receipt,) = three.Three(endpoint, format="json", api_key=api_key).post(
        "01.01",
        address_string="海恒家园1栋",
        **{"attribute[building]": "1栋", "attribute[floor]": "7", "attribute[trapped]": "no"},
    )
    number = receipt["service_request_id"]
    Case.objects.filter(number=number).update(status=Status.CLOSED, closed_at=timezone.now(), reply_message="已修复")

    request = client.get_service_request(number)
    assert request["service_request_id"] == number
    assert (request["status"], request["status_notes"], request["address"]) == ("closed", "已修复", "海恒家园1栋")
    assert request["updated_datetime"].endswith("+08:00")

    if fmt == "xml":
        # One <request> in the list: xmltodict gives a dict where JSON has a list of one.
        listed = [client.get_service_requests(service_code="01.01,07.01", status="closed")]
    else:
        listed = client.get_service_requests(service_code="01.01,07.01", status="closed")
    assert [row["service_request_id"] for row in listed] == [number]
    assert client.get_service_requests(service_request_id=number, status="open") in ([request], request)
