"""Reads for the Open311 endpoint. The public sees cases by jurisdiction, not by viewer: every
case in the jurisdiction's subtree, through `representation`, which decides what of it shows."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from fengqiao.cases.models import FINISHED, OPEN_STATES, Case, CaseEvent
from fengqiao.taxonomy.models import Subcategory

from .errors import BadRequest, NotFound
from .models import Jurisdiction, Open311Request, ServiceAttribute

CASE_RELATED = (
    "unit",
    "unit__parent",
    "case_type",
    "subcategory__department",
    "department",
    "merged_into",
    "open311",
)
# Steps a resident also sees on their appeal's timeline; internal ones (a return, a review
# sent back, progress notes) stay inside.
UPDATE_ACTIONS = (
    "case.dispatch",
    "case.sign",
    "case.suspend",
    "case.resume",
    "case.reply",
    "case.answer",
    "case.visit",
    "case.close",
    "case.reopen",
    "case.merge",
)


def resolve_jurisdiction(jurisdiction_id: str) -> Jurisdiction | None:
    """The jurisdiction a call is about. None when none is configured (the server answers for
    every unit); with one it may be left out; with several it is required."""
    configured = list(Jurisdiction.objects.select_related("unit"))
    if jurisdiction_id:
        match = next((row for row in configured if row.jurisdiction_id == jurisdiction_id.lower()), None)
        if match is None:
            raise NotFound(_("Unknown jurisdiction_id “%(id)s”.") % {"id": jurisdiction_id})
        return match
    if len(configured) > 1:
        raise BadRequest(
            _("jurisdiction_id is required: this server serves %(ids)s.")
            % {"ids": ", ".join(row.jurisdiction_id for row in configured)}
        )
    return configured[0] if configured else None


def services() -> QuerySet[Subcategory]:
    has_attributes = ServiceAttribute.objects.filter(subcategory=OuterRef("pk"))
    return (
        Subcategory.objects.filter(is_active=True)
        .select_related("category", "department")
        .annotate(has_attributes=Exists(has_attributes))
        .order_by("code")
    )


def service(service_code: str) -> Subcategory:
    found = services().filter(code=service_code).first()
    if found is None:
        raise NotFound(_("Unknown service_code “%(code)s”.") % {"code": service_code})
    return found


def service_attributes(subcategory: Subcategory) -> QuerySet[ServiceAttribute]:
    return ServiceAttribute.objects.filter(subcategory=subcategory).order_by("order")


def public_cases(*, jurisdiction: Jurisdiction | None) -> QuerySet[Case]:
    last_event = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id").values("created_at")
    queryset = Case.objects.select_related(*CASE_RELATED).annotate(last_event_at=Subquery(last_event[:1]))
    if jurisdiction is not None:
        queryset = queryset.filter(unit__path__startswith=jurisdiction.unit.path)
    return queryset.order_by("-received_at", "-id")


def case_list(
    *,
    jurisdiction: Jurisdiction | None,
    numbers: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
    window: tuple[dt.datetime, dt.datetime] | None = None,
) -> QuerySet[Case]:
    """Requested cases, newest first. `numbers` (service_request_id) overrides the other filters."""
    queryset = public_cases(jurisdiction=jurisdiction)
    if numbers is not None:
        return queryset.filter(number__in=numbers)
    if service_codes:
        queryset = queryset.filter(subcategory__code__in=service_codes)
    if statuses and set(statuses) != {"open", "closed"}:
        queryset = queryset.filter(status__in=FINISHED if statuses == ["closed"] else OPEN_STATES)
    if window is not None:
        queryset = queryset.filter(received_at__gte=window[0], received_at__lte=window[1])
    return queryset


def case_by_number(*, jurisdiction: Jurisdiction | None, number: str) -> Case:
    found = public_cases(jurisdiction=jurisdiction).filter(number=number).first()
    if found is None:
        raise NotFound(_("No service request “%(id)s”.") % {"id": number})
    return found


def request_by_token(*, jurisdiction: Jurisdiction | None, token: str) -> Open311Request:
    try:
        token_uuid = uuid.UUID(token)
    except ValueError:
        token_uuid = None
    queryset = Open311Request.objects.select_related("case")
    if jurisdiction is not None:
        queryset = queryset.filter(case__unit__path__startswith=jurisdiction.unit.path)
    found = queryset.filter(token=token_uuid).first() if token_uuid else None
    if found is None:
        raise NotFound(_("No request with the token “%(token)s”.") % {"token": token})
    return found


def case_updates(*, jurisdiction: Jurisdiction | None, window: tuple[dt.datetime, dt.datetime]) -> QuerySet[CaseEvent]:
    """Public steps of cases in the window, oldest first (FixMyStreet's servicerequestupdates)."""
    queryset = CaseEvent.objects.filter(
        action__in=UPDATE_ACTIONS, created_at__gte=window[0], created_at__lte=window[1]
    ).select_related("case", "case__case_type", "case__subcategory", "case__open311")
    if jurisdiction is not None:
        queryset = queryset.filter(case__unit__path__startswith=jurisdiction.unit.path)
    return queryset.order_by("created_at", "id")
