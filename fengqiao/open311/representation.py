"""Cases, services and case events as Open311 documents (dicts in the spec's field order).

What the public sees of a case: its service, status, times, the department and, for cases
filed through Open311, the location and media the app sent. Never the reporter's name, phone,
e-mail, device or account. Free text is redacted (privacy.redact). Cases that came in by
another channel show the unit's name and centre, not the address the resident gave, and a
dispute's or petition's text is not published at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from fengqiao.cases.models import Case, CaseEvent, Channel, Status
from fengqiao.org.models import Department, Unit, UnitLevel, path_codes
from fengqiao.taxonomy.models import RoutingRule, Subcategory

from .models import LIST_DATATYPES, ServiceAttribute
from .privacy import redact
from .rendering import w3c

PRIVATE_CASE_TYPES = ("dispute", "petition")
SERVICE_TYPE = "realtime"


# Routing, in bulk -----------------------------------------------------------------------------


def routed_departments(pairs: Iterable[tuple[Unit, Subcategory]]) -> dict[tuple[int, int], Department]:
    """taxonomy.route() for many (unit, subcategory) pairs in one query."""
    pairs = list(pairs)
    if not pairs:
        return {}
    codes = {code for unit, _sub in pairs for code in path_codes(unit.path)}
    rules = {
        (rule.unit.code, rule.subcategory_id): rule.department
        for rule in RoutingRule.objects.filter(
            unit__code__in=codes, subcategory_id__in={sub.pk for _unit, sub in pairs}
        ).select_related("unit", "department")
    }
    found = {}
    for unit, subcategory in pairs:
        department = next(
            (
                rules[(code, subcategory.pk)]
                for code in reversed(path_codes(unit.path))
                if (code, subcategory.pk) in rules
            ),
            subcategory.department,
        )
        found[(unit.pk, subcategory.pk)] = department
    return found


# Services ---------------------------------------------------------------------------------------


def _keywords(*words: str) -> str:
    cleaned = (re.sub(r"\s*,\s*", " ", word).strip() for word in words)
    return ",".join(dict.fromkeys(word for word in cleaned if word))


def service_rows(subcategories: Iterable[Subcategory], *, unit: Unit | None) -> list[dict]:
    subcategories = list(subcategories)
    departments = routed_departments((unit, sub) for sub in subcategories) if unit else {}
    rows = []
    for sub in subcategories:
        department = departments[(unit.pk, sub.pk)] if unit else sub.department
        rows.append(
            {
                "service_code": sub.code,
                "service_name": sub.label,
                "description": _("%(category)s: %(service)s. Handled by %(department)s within %(limit)s.")
                % {
                    "category": sub.category.label,
                    "service": sub.label,
                    "department": department.name,
                    "limit": sub.limit_label,
                },
                "metadata": bool(getattr(sub, "has_attributes", False)),
                "type": SERVICE_TYPE,
                "keywords": _keywords(sub.name, sub.name_en, sub.category.name, sub.category.name_en),
                "group": sub.category.label,
            }
        )
    return rows


def attribute_row(attribute: ServiceAttribute) -> dict:
    row = {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description,
        "order": attribute.order,
        "description": attribute.description,
    }
    if attribute.datatype in LIST_DATATYPES:
        row["values"] = [{"key": str(value["key"]), "name": str(value["name"])} for value in attribute.values]
    return row


def service_definition(subcategory: Subcategory, attributes: Iterable[ServiceAttribute]) -> dict:
    return {"service_code": subcategory.code, "attributes": [attribute_row(attribute) for attribute in attributes]}


# Requests ---------------------------------------------------------------------------------------


def open311_of(case: Case):
    try:
        return case.open311
    except Case.open311.RelatedObjectDoesNotExist:
        return None


def public_text(case: Case, text: str) -> str:
    """The text with the reporter's own name, phone, e-mail and ids masked wherever they appear."""
    request = open311_of(case)
    if request is None:
        return redact(text, names=[case.contact_name], phones=[case.phone])
    return redact(
        text,
        names=[case.contact_name, request.first_name, request.last_name],
        phones=[case.phone],
        emails=[request.email],
        secrets=[request.device_id, request.account_id],
    )


def is_private(case: Case) -> bool:
    return case.channel != Channel.OPEN311 and case.case_type.code in PRIVATE_CASE_TYPES


def open_or_closed(status: str) -> str:
    return "closed" if status in (Status.CLOSED, Status.MERGED) else "open"


def _status_notes(case: Case) -> str:
    if case.status == Status.MERGED and case.merged_into is not None:
        return _("Merged into request %(number)s, which reported the same problem.") % {
            "number": case.merged_into.number
        }
    if case.reply_message and (case.replied_at or case.status == Status.CLOSED) and not is_private(case):
        return public_text(case, case.reply_message)
    return ""


def _unit_place(unit: Unit) -> str:
    if unit.level == UnitLevel.BUILDING and unit.parent is not None:
        return f"{unit.parent.name}{unit.name}"
    return unit.name


def _centre(unit: Unit) -> tuple:
    """The unit's centre, or its parent's (a building rarely has one of its own)."""
    for candidate in (unit, unit.parent if unit.parent_id else None):
        if candidate is not None and candidate.latitude is not None and candidate.longitude is not None:
            return candidate.latitude, candidate.longitude
    return None, None


def request_rows(cases: Iterable[Case]) -> list[dict]:
    """Cases (from selectors.public_cases) as Open311 service requests."""
    cases = list(cases)
    unrouted = [
        (case.unit, case.subcategory) for case in cases if case.department_id is None and case.subcategory is not None
    ]
    departments = routed_departments(unrouted)
    rows = []
    for case in cases:
        request = open311_of(case)
        department = case.department or (
            departments.get((case.unit_id, case.subcategory_id)) if case.subcategory_id else None
        )
        if request is not None:
            address, lat, long = request.address_string or _unit_place(case.unit), request.lat, request.long
            address_id, media_url = request.address_id, request.media_url
        else:
            address, (lat, long) = _unit_place(case.unit), _centre(case.unit)
            address_id = media_url = ""
        if case.status == Status.CLOSED and case.closed_at:
            updated = case.closed_at
        else:
            updated = getattr(case, "last_event_at", None) or case.updated_at or case.received_at
        subcategory = case.subcategory
        rows.append(
            {
                "service_request_id": case.number,
                "status": open_or_closed(case.status),
                "status_notes": _status_notes(case),
                "service_name": subcategory.label if subcategory else "",
                "service_code": subcategory.code if subcategory else "",
                "description": (subcategory.label if subcategory else "")
                if is_private(case)
                else public_text(case, case.text),
                "agency_responsible": department.name if department else "",
                "requested_datetime": w3c(case.received_at),
                "updated_datetime": w3c(updated),
                "expected_datetime": w3c(case.deadline),
                "address": address,
                "address_id": address_id,
                "lat": lat,
                "long": long,
                "media_url": media_url,
            }
        )
    return rows


# Updates (FixMyStreet's servicerequestupdates) -------------------------------------------------------


def _update_description(event: CaseEvent, departments: dict[str, str]) -> str:
    action = event.action.removeprefix("case.")
    status_label = str(Status(event.to_status).label) if event.to_status in Status.values else ""
    if action in ("reply", "answer"):
        return "" if is_private(event.case) else public_text(event.case, event.reason)
    if action == "dispatch":
        change = event.changes.get("department") or [None, None]
        name = departments.get(change[1], "")
        return _("%(status)s: %(department)s") % {"status": status_label, "department": name} if name else status_label
    if action == "merge" and event.data.get("into_number"):
        return _("Merged into request %(number)s, which reported the same problem.") % {
            "number": event.data["into_number"]
        }
    return status_label


def update_rows(events: Iterable[CaseEvent]) -> list[dict]:
    events = list(events)
    departments = dict(Department.objects.values_list("code", "name")) if events else {}
    return [
        {
            "update_id": str(event.pk),
            "service_request_id": event.case.number,
            "status": open_or_closed(event.to_status),
            "updated_datetime": w3c(event.created_at),
            "description": _update_description(event, departments),
            "media_url": "",
        }
        for event in events
    ]
