"""Discovery, the service list and service definitions, in XML and JSON: roots and element
names, service_code as a string, attributes with their values, and the 404s."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client, override_settings

from fengqiao.open311.models import ServiceAttribute
from fengqiao.taxonomy.models import RoutingRule, Subcategory

from .conftest import errors, parse, records, url

pytestmark = pytest.mark.django_db

FORMATS = ["xml", "json"]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


# Discovery -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_the_production_endpoint_with_both_formats(client, fmt):
    response = client.get(url(f"discovery.{fmt}"))

    assert response.status_code == 200
    body = parse(response)
    if fmt == "xml":
        assert body.tag == "discovery"
        assert [child.tag for child in body] == ["changeset", "contact", "key_service", "endpoints"]
        endpoints = body.find("endpoints")
        assert [child.tag for child in endpoints] == ["endpoint"]
        endpoint = endpoints.find("endpoint")
        assert [child.tag for child in endpoint] == ["specification", "url", "changeset", "type", "formats"]
        formats = [element.text for element in endpoint.find("formats")]
        assert [element.tag for element in endpoint.find("formats")] == ["format", "format"]
        found = {child.tag: child.text for child in body if child.tag != "endpoints"}
        found["endpoint"] = {child.tag: child.text for child in endpoint if child.tag != "formats"}
    else:
        assert isinstance(body, dict)
        assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
        assert isinstance(body["endpoints"], list) and len(body["endpoints"]) == 1
        formats = body["endpoints"][0]["formats"]
        found = {**body, "endpoint": body["endpoints"][0]}
    assert formats == ["text/xml", "application/json"]
    assert found["endpoint"]["type"] == "production"
    assert found["endpoint"]["url"] == "http://testserver/open311/v2/"
    assert found["endpoint"]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert found["changeset"] == found["endpoint"]["changeset"] == "2026-11-27T00:00:00+08:00"
    assert "open311_key" in found["key_service"]
    assert found["contact"]


@override_settings(FENGQIAO_OPEN311_URL="https://fengqiao.example.gov.cn/open311/v2/")
def test_discovery_url_can_be_set_for_a_deployment_behind_a_proxy(client):
    body = parse(client.get(url("discovery.json")))
    assert body["endpoints"][0]["url"] == "https://fengqiao.example.gov.cn/open311/v2/"


# The service list --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_list_every_active_subcategory(client, fmt):
    Subcategory.objects.filter(code="17.03").update(is_active=False)

    response = client.get(url(f"services.{fmt}"))

    assert response.status_code == 200
    services = records(response, root="services", item="service")
    codes = [service["service_code"] for service in services]
    assert codes == list(Subcategory.objects.filter(is_active=True).order_by("code").values_list("code", flat=True))
    assert "17.03" not in codes
    assert all(isinstance(code, str) for code in codes)
    by_code = {service["service_code"]: service for service in services}
    lift = by_code["01.01"]
    assert list(lift) == SERVICE_FIELDS
    assert lift["service_name"] == "Lift breakdown and maintenance"  # the client asks for English
    assert lift["group"] == "Property management"
    assert lift["type"] == "realtime"
    assert "物业服务企业" in lift["description"] and "24" in lift["description"]
    assert {"电梯故障与维保", "Lift breakdown and maintenance"} <= set(lift["keywords"].split(","))
    metadata = {code: service["metadata"] for code, service in by_code.items()}
    if fmt == "xml":
        assert (metadata["01.01"], metadata["01.02"]) == ("true", "false")
    else:
        assert (metadata["01.01"], metadata["01.02"]) is not None
        assert metadata["01.01"] is True and metadata["01.02"] is False
    with_attributes = set(ServiceAttribute.objects.values_list("subcategory__code", flat=True))
    assert {code for code, value in metadata.items() if value in (True, "true")} == with_attributes


def test_json_service_codes_keep_their_leading_zero(client):
    """The spec's own examples print 001 as a bare number; ours are JSON strings."""
    raw = client.get(url("services.json")).content.decode()
    assert '"service_code": "01.01"' in raw


def test_without_accept_language_the_answers_are_in_chinese(db):
    chinese = Client()
    services = records(chinese.get(url("services.json")), root="services", item="service")
    lift = next(service for service in services if service["service_code"] == "01.01")
    assert (lift["service_name"], lift["group"]) == ("电梯故障与维保", "物业管理")
    assert lift["description"] == "物业管理 · 电梯故障与维保：由物业服务企业在 24 小时内办理。"
    assert errors(chinese.get(url("services/99.99.json")), "json") == [(404, "未知的 service_code“99.99”。")]


def test_service_description_follows_the_jurisdictions_routing_table(client, tree, d12):
    """With one jurisdiction, the department named is the one its routing table sends the service to."""
    from fengqiao.open311.models import Jurisdiction

    Jurisdiction.objects.create(jurisdiction_id="hefei.gov.cn", name="合肥市", unit=tree["city"])
    RoutingRule.objects.create(unit=tree["city"], subcategory=Subcategory.objects.get(code="01.02"), department=d12)
    services = records(client.get(url("services.json")), root="services", item="service")
    quality = next(service for service in services if service["service_code"] == "01.02")
    assert d12.name in quality["description"]


# Service definitions -----------------------------------------------------------------------------------


def _definition(response, fmt):
    body = parse(response)
    if fmt == "json":
        assert isinstance(body, dict), "a service definition is a JSON object"
        return body
    assert body.tag == "service_definition"
    assert [child.tag for child in body] == ["service_code", "attributes"]
    attributes = []
    for element in body.find("attributes"):
        assert element.tag == "attribute"
        attribute = {child.tag: child.text or "" for child in element if child.tag != "values"}
        values = element.find("values")
        if values is not None:
            assert all(value.tag == "value" for value in values)
            attribute["values"] = [{child.tag: child.text for child in value} for value in values]
        attributes.append(attribute)
    return {"service_code": body.find("service_code").text, "attributes": attributes}


@pytest.mark.parametrize("fmt", FORMATS)
def test_lift_definition_asks_for_building_and_floor(client, fmt):
    response = client.get(url(f"services/01.01.{fmt}"))

    assert response.status_code == 200
    definition = _definition(response, fmt)
    assert definition["service_code"] == "01.01"
    attributes = {attribute["code"]: attribute for attribute in definition["attributes"]}
    assert list(attributes) == ["building", "floor", "trapped", "emergency"]
    building, floor, trapped, emergency = attributes.values()
    assert list(building) == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
    ]
    yes, no = ("true", "false") if fmt == "xml" else (True, False)
    assert (building["datatype"], building["required"], building["variable"], building["description"]) == (
        "string",
        yes,
        yes,
        "楼栋",
    )
    assert (floor["datatype"], floor["required"], floor["description"]) == ("number", yes, "楼层")
    assert trapped["datatype"] == "singlevaluelist"
    assert trapped["values"] == [{"key": "yes", "name": "有人被困"}, {"key": "no", "name": "无人被困"}]
    assert emergency["variable"] == no and "96333" in emergency["description"]
    orders = [int(attribute["order"]) for attribute in definition["attributes"]]
    assert orders == [1, 2, 3, 4]


@pytest.mark.parametrize("fmt", FORMATS)
def test_definition_of_a_service_without_attributes_is_empty(client, fmt):
    definition = _definition(client.get(url(f"services/01.02.{fmt}")), fmt)
    assert definition == {"service_code": "01.02", "attributes": []}


def test_multivaluelist_definition(client):
    definition = client.get(url("services/02.01.json")).json()
    (waste,) = definition["attributes"]
    assert waste["datatype"] == "multivaluelist" and waste["required"] is False
    assert [value["key"] for value in waste["values"]] == ["household", "bulky", "renovation", "recyclable"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["99.99", "01", "17.03"])
def test_unknown_or_inactive_service_is_404(client, fmt, code):
    Subcategory.objects.filter(code="17.03").update(is_active=False)
    response = client.get(url(f"services/{code}.{fmt}"))
    assert response.status_code == 404
    ((status, description),) = errors(response, fmt)
    assert status == 404 and code in description


# Formats, methods, unknown paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["services.html", "services.rss", "discovery.yaml", "requests.csv", "services/01.01.txt", "services"]
)
def test_unknown_format_or_missing_suffix_is_404_with_an_errors_body(client, path):
    response = client.get(url(path))
    assert response.status_code == 404
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.find("error/code").text == "404"


def test_unknown_resource_is_404(client):
    response = client.get(url("nothing/here.json"))
    assert response.status_code == 404
    assert parse(response).tag == "errors"


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_to_a_read_only_resource_is_405(client, fmt):
    response = client.post(url(f"services.{fmt}"))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert errors(response, fmt)[0][0] == 405


def test_head_and_vary(client):
    response = client.head(url("services.xml"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert "Accept-Language" in client.get(url("services.json"))["Vary"]
