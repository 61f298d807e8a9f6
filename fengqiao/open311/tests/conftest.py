"""Open311 fixtures: the shared unit tree with centres on some units, an API key, and helpers
that call the endpoint and parse what it returns (ElementTree for XML, json for JSON)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from fengqiao.open311.actions import do_create_api_key
from fengqiao.org.models import Unit

BASE = "/open311/v2/"
W3C_SHANGHAI = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'

# Centres for the shared tree: 海恒社区 and its estate 海恒家园, 临湖社区 and 临湖小区 (~4 km apart).
CENTRES = {
    "hh": ("31.762000", "117.225000"),
    "estate": ("31.761200", "117.226200"),
    "lh": ("31.796000", "117.195000"),
    "lh_estate": ("31.796500", "117.195500"),
}
NEAR_ESTATE = {"lat": "31.761500", "long": "117.226000"}  # ~25 m from 海恒家园's centre


@pytest.fixture(autouse=True)
def empty_cache():
    """The rate limit counts in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def located_tree(tree):
    for name, (lat, long) in CENTRES.items():
        Unit.objects.filter(pk=tree[name].pk).update(latitude=Decimal(lat), longitude=Decimal(long))
        tree[name].refresh_from_db()
    return tree


@pytest.fixture
def api_key(db) -> str:
    _key, raw = do_create_api_key(name="Test app")
    return raw


@pytest.fixture
def client() -> Client:
    """CSRF checks on, as for a real client: no endpoint may need a CSRF token. English, so
    the tests can read the error messages (without Accept-Language they are in Chinese)."""
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def url(path: str) -> str:
    return BASE + path


def parse(response):
    """The body as Python data: an Element for XML, lists and dicts for JSON. Checks the content
    type and, for XML, the declaration."""
    content_type = response["Content-Type"]
    if content_type == "text/xml; charset=utf-8":
        assert response.content.startswith(XML_DECLARATION), response.content[:80]
        return ET.fromstring(response.content)
    assert content_type == "application/json; charset=utf-8", content_type
    return json.loads(response.content)


def xml_record(element: ET.Element) -> dict:
    """A flat XML record (<request>, <service>…) as a dict of its children's text ("" for empty)."""
    return {child.tag: (child.text or "") for child in element}


def records(response, *, root: str, item: str) -> list[dict]:
    """A list document in either format as a list of dicts (XML text values as strings)."""
    body = parse(response)
    if isinstance(body, ET.Element):
        assert body.tag == root
        assert all(child.tag == item for child in body)
        return [xml_record(child) for child in body]
    assert isinstance(body, list)
    return body


def errors(response, fmt: str) -> list[tuple[int, str]]:
    """The errors document as (code, description) pairs, checking its shape in either format."""
    body = parse(response)
    if fmt == "xml":
        assert body.tag == "errors"
        pairs = []
        for error in body:
            assert error.tag == "error"
            assert [child.tag for child in error] == ["code", "description"]
            pairs.append((int(error.find("code").text), error.find("description").text))
        return pairs
    assert isinstance(body, list)
    assert all(set(error) == {"code", "description"} and isinstance(error["code"], int) for error in body)
    return [(error["code"], error["description"]) for error in body]
