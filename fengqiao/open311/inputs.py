"""Reading the arguments of Open311 calls: empty means absent, dates are W3C date-times with
an offset, lists are comma-separated, and a POST's problems are reported all at once."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.taxonomy.models import Subcategory

from .errors import BadRequest
from .models import Datatype, ServiceAttribute
from .rendering import LOCAL_TZ

MAX_SPAN = dt.timedelta(days=90)
DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE = 1000
MAX_DESCRIPTION = 4000
MAX_LENGTHS = {
    "address_string": 300,
    "address_id": 100,
    "device_id": 100,
    "account_id": 100,
    "first_name": 100,
    "last_name": 100,
    "phone": 32,
    "email": 254,
    "media_url": 1000,
}
PHONE = re.compile(r"^[0-9+\-() ]{3,32}$")
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# "+08:00" sent unencoded in a query string arrives as " 08:00".
_SPACE_FOR_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


class Params:
    """The call's arguments, form body first, then the query string (some clients put the
    api_key and jurisdiction_id in the URL of a POST). Values are stripped; "" is absent."""

    def __init__(self, request: HttpRequest):
        self.sources: list[QueryDict] = [request.POST, request.GET] if request.method == "POST" else [request.GET]

    def get(self, name: str) -> str:
        for source in self.sources:
            value = source.get(name, "")
            if value.strip():
                return value.strip()
        return ""

    def attributes(self) -> dict[str, list[str]]:
        """attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2, by code."""
        found: dict[str, list[str]] = {}
        for source in self.sources:
            for key in source:
                match = ATTRIBUTE_KEY.match(key)
                if match and match.group(1) not in found:
                    values = [value.strip() for value in source.getlist(key) if value.strip()]
                    if values:
                        found[match.group(1)] = values
        return found


def comma_list(value: str) -> list[str]:
    return list(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))


def parse_datetime(value: str) -> dt.datetime:
    """A W3C date-time with its offset (Z or ±HH:MM), or a bare date (midnight in China)."""
    value = _SPACE_FOR_PLUS.sub(r"\1+\2", value.strip())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = dt.date.fromisoformat(value)
        return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?", value):
        raise ValueError(value)
    parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    if timezone.is_naive(parsed):
        raise ValueError(value)
    return parsed


def _date_argument(params: Params, name: str, problems: list[str]) -> dt.datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        problems.append(
            _("%(name)s “%(value)s” is not a W3C date-time with a time zone, e.g. 2026-11-27T14:10:45+08:00.")
            % {"name": name, "value": raw}
        )
        return None


def date_window(params: Params, *, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """start_date..end_date, inclusive. Neither: the last 90 days. One: 90 days from or to it.
    Both: at most 90 days apart."""
    problems: list[str] = []
    start = _date_argument(params, "start_date", problems)
    end = _date_argument(params, "end_date", problems)
    if problems:
        raise BadRequest(*problems)
    if start is not None and end is not None:
        if end < start:
            raise BadRequest(_("end_date is before start_date."))
        if end - start > MAX_SPAN:
            raise BadRequest(_("start_date and end_date may not be more than 90 days apart."))
        return start, end
    if start is not None:
        return start, start + MAX_SPAN
    end = end or now or timezone.now()
    return end - MAX_SPAN, end


def paging(params: Params) -> tuple[int, int]:
    """(page, page_size): page counts from 1; page_size defaults to, and may not exceed, 1000."""
    problems = []
    values = {}
    for name, default, highest in (("page", 1, None), ("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)):
        raw = params.get(name)
        if not raw:
            values[name] = default
            continue
        if not raw.isdigit() or int(raw) < 1 or (highest and int(raw) > highest):
            limit = _("between 1 and %(highest)s") % {"highest": highest} if highest else _("1 or more")
            problems.append(_("%(name)s must be a whole number %(limit)s.") % {"name": name, "limit": limit})
            continue
        values[name] = int(raw)
    if problems:
        raise BadRequest(*problems)
    return values["page"], values["page_size"]


@dataclass
class RequestInput:
    """A POSTed request, checked."""

    subcategory: Subcategory
    lat: Decimal | None = None
    long: Decimal | None = None
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    attributes: dict = field(default_factory=dict)
    attribute_lines: list[str] = field(default_factory=list)


def _coordinate(raw: str, name: str, limit: int, problems: list[str]) -> Decimal | None:
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        problems.append(
            _("%(name)s must be a WGS84 number between -%(limit)s and %(limit)s.") % {"name": name, "limit": limit}
        )
        return None
    return Decimal(str(number)).quantize(Decimal("0.000001"))


def _location(params: Params, result: dict, problems: list[str]) -> None:
    lat, long = params.get("lat"), params.get("long")
    if lat or long:
        if not (lat and long):
            problems.append(_("lat and long must be given together."))
        else:
            result["lat"] = _coordinate(lat, "lat", 90, problems)
            result["long"] = _coordinate(long, "long", 180, problems)
    elif not (params.get("address_string") or params.get("address_id")):
        problems.append(_("A location is required: lat and long, address_string or address_id."))


def _checked_attributes(
    subcategory: Subcategory, given: dict[str, list[str]], problems: list[str]
) -> tuple[dict, list[str]]:
    """The answers to the service's variable attributes, and one line per answer for the case text."""
    answers: dict = {}
    lines: list[str] = []
    for attribute in ServiceAttribute.objects.filter(subcategory=subcategory, variable=True).order_by("order"):
        values = given.get(attribute.code, [])
        label = f"attribute[{attribute.code}]"
        if not values:
            if attribute.required:
                problems.append(
                    _("%(label)s (%(description)s) is required.")
                    % {"label": label, "description": attribute.description}
                )
            continue
        keys = [str(value["key"]) for value in attribute.values]
        if attribute.datatype in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST):
            chosen = values if attribute.datatype == Datatype.MULTIVALUELIST else values[:1]
            unknown = [value for value in chosen if value not in keys]
            if unknown:
                problems.append(
                    _("%(label)s: “%(value)s” is not in its list (%(keys)s).")
                    % {"label": label, "value": "”, “".join(unknown), "keys": ", ".join(keys)}
                )
                continue
            answers[attribute.code] = chosen if attribute.datatype == Datatype.MULTIVALUELIST else chosen[0]
            shown = "、".join(attribute.value_name(value) for value in chosen)
        elif attribute.datatype == Datatype.NUMBER:
            try:
                number = float(values[0])
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                problems.append(_("%(label)s must be a number.") % {"label": label})
                continue
            answers[attribute.code] = int(number) if number.is_integer() else number
            shown = str(answers[attribute.code])
        elif attribute.datatype == Datatype.DATETIME:
            try:
                answers[attribute.code] = shown = parse_datetime(values[0]).astimezone(LOCAL_TZ).isoformat()
            except ValueError:
                problems.append(
                    _("%(label)s must be a W3C date-time with a time zone, e.g. 2026-11-27T14:10:45+08:00.")
                    % {"label": label}
                )
                continue
        else:
            text = values[0] if attribute.datatype == Datatype.TEXT else " ".join(values[0].split())
            if len(text) > MAX_DESCRIPTION:
                problems.append(
                    _("%(label)s is longer than %(limit)s characters.") % {"label": label, "limit": MAX_DESCRIPTION}
                )
                continue
            answers[attribute.code] = shown = text
        lines.append(f"{attribute.description}：{shown}")
    return answers, lines


def request_input(params: Params, *, problems: list[str]) -> RequestInput | None:
    """Check a POSTed request. Every problem is added to `problems`; None unless all is well."""
    result: dict = {}
    code = params.get("service_code")
    subcategory = None
    if not code:
        problems.append(_("service_code is required."))
    else:
        subcategory = Subcategory.objects.filter(code=code, is_active=True).first()
        if subcategory is None:
            problems.append(_("Unknown service_code “%(code)s”.") % {"code": code})
    _location(params, result, problems)
    for name, limit in MAX_LENGTHS.items():
        value = params.get(name)
        if len(value) > limit:
            problems.append(_("%(name)s is longer than %(limit)s characters.") % {"name": name, "limit": limit})
        else:
            result[name] = value
    description = params.get("description")
    if len(description) > MAX_DESCRIPTION:
        problems.append(_("description is longer than 4000 characters."))
    result["description"] = description
    if result.get("email"):
        try:
            validate_email(result["email"])
        except ValidationError:
            problems.append(_("email is not an e-mail address."))
    if result.get("media_url"):
        try:
            URLValidator(schemes=["http", "https"])(result["media_url"])
        except ValidationError:
            problems.append(_("media_url is not an http(s) URL."))
    if result.get("phone") and not PHONE.match(result["phone"]):
        problems.append(_("phone may hold digits, spaces, +, - and brackets only."))
    if subcategory is not None:
        result["attributes"], result["attribute_lines"] = _checked_attributes(
            subcategory, params.attributes(), problems
        )
    if problems or subcategory is None:
        return None
    return RequestInput(subcategory=subcategory, **result)
