"""XML and JSON in the Open311 shapes, and the W3C date-time format.

One structure renders both ways (the "Spark convention"): a dict becomes child elements, a
list under a plural key becomes a wrapper element around singular items (`attributes` →
`attribute`), None is left out, booleans are true/false. Lists of documents are JSON arrays;
a service definition and the discovery document are JSON objects.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
CONTENT_TYPES = {"xml": XML_CONTENT_TYPE, "json": JSON_CONTENT_TYPE}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
ITEM_TAGS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# Characters XML 1.0 cannot carry, even escaped. They can arrive in free text from other channels.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3c(value: dt.datetime | None) -> str | None:
    """2026-11-27T14:10:45+08:00: local time in China with its offset, whole seconds."""
    if value is None:
        return None
    return value.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    if value is None:
        return
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEM_TAGS[tag], item)
    else:
        element.text = _text(value)


def to_xml(*, root: str, data: dict | list, item: str | None = None) -> bytes:
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _append(element, item or ITEM_TAGS[root], entry)
    else:
        for key, value in data.items():
            _append(element, key, value)
    ET.indent(element)
    return (XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode("utf-8")


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(child) for key, child in value.items() if child is not None}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_json(data: dict | list) -> bytes:
    return json.dumps(_json_ready(data), ensure_ascii=False).encode("utf-8")


def render(fmt: str, *, root: str, data: dict | list, item: str | None = None, status: int = 200) -> HttpResponse:
    body = to_xml(root=root, data=data, item=item) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, errors: list[tuple[int, str]], *, status: int) -> HttpResponse:
    data = [{"code": code, "description": description} for code, description in errors]
    return render(fmt if fmt in CONTENT_TYPES else "xml", root="errors", item="error", data=data, status=status)
