"""The case API: thin views that parse, call one selector or action, and render."""

from __future__ import annotations

from typing import cast

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fengqiao.core.errors import NotPermitted, ValidationFailed
from fengqiao.core.pagination import StandardPagination
from fengqiao.org import access as org_access
from fengqiao.org.models import User

from .. import access, actions, selectors, workflow
from ..inputs import ACTION_INPUTS
from .serializers import CaseCreateInput, CaseEventOutput, CaseOutput

LIST_FILTERS = [
    OpenApiParameter("status", str, description="Comma-separated states, e.g. received,returned"),
    OpenApiParameter("unit", str, description="Unit code; includes its whole subtree"),
    OpenApiParameter("subcategory", str),
    OpenApiParameter("category", str),
    OpenApiParameter("department", str),
    OpenApiParameter("case_type", str),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("urgent", bool),
    OpenApiParameter("received_after", OpenApiTypes.DATETIME, description="YYYY-MM-DD or ISO 8601, inclusive"),
    OpenApiParameter("received_before", OpenApiTypes.DATETIME, description="YYYY-MM-DD (inclusive day) or ISO 8601"),
    OpenApiParameter("q", str, description="Free text in the appeal, number or address"),
]


def _user(request: Request) -> User:
    """The signed-in user: IsAuthenticated, the default permission, has turned everyone else away."""
    return cast(User, request.user)


def _context(request: Request, **extra) -> dict:
    return {"request": request, "now": timezone.now(), **extra}


def _with_etag(response: Response, case) -> Response:
    response["ETag"] = f'"{case.version}"'
    return response


def _log_personal_data_read(request: Request, case) -> None:
    user = _user(request)
    if access.can_see_personal_data(user, case):
        access.log_personal_data_read(user, case, purpose="api case detail")


class CaseListCreateApi(APIView):
    @extend_schema(parameters=LIST_FILTERS, responses=CaseOutput(many=True), operation_id="cases_list")
    def get(self, request: Request) -> Response:
        queryset = selectors.case_list(viewer=_user(request), filters=request.query_params.dict())
        paginator = StandardPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(CaseOutput(page, many=True, context=_context(request)).data)

    @extend_schema(request=CaseCreateInput, responses={201: CaseOutput, 200: CaseOutput}, operation_id="cases_create")
    def post(self, request: Request) -> Response:
        serializer = CaseCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = _user(request)
        staff = org_access.is_staff_member(user) or user.is_superuser
        unit = data.pop("unit", None)
        if staff:
            if unit is None:
                raise ValidationFailed(_("unit: staff must say which unit the case belongs to."))
            if not any(org_access.holds_role(user, role, unit) for role in access.UNIT_SCOPED_ROLES):
                raise NotPermitted(_("You may not record cases for %(unit)s.") % {"unit": unit.name})
            reporter = None
        else:
            unit = unit or user.home_unit
            if unit is None:
                raise ValidationFailed(_("unit: your account has no home unit; please name the unit."))
            reporter = user
            data["contact_name"] = data["contact_name"] or user.display_name
            data["phone"] = data["phone"] or user.phone
            data["urgent"] = False  # residents describe; staff decide what is urgent
        idempotency_key = request.headers.get("Idempotency-Key", "") or data.pop("idempotency_key")
        data.pop("idempotency_key", None)
        case, created = actions.do_create_case(
            actor=user, unit=unit, reporter=reporter, idempotency_key=idempotency_key, **data
        )
        output = CaseOutput(case, context=_context(request, unmask=True)).data
        return _with_etag(Response(output, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK), case)


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseOutput, operation_id="cases_retrieve")
    def get(self, request: Request, case_id: int) -> Response:
        case = access.access_case(_user(request), case_id)
        _log_personal_data_read(request, case)
        return _with_etag(Response(CaseOutput(case, context=_context(request, unmask=True)).data), case)


class CaseEventsApi(APIView):
    @extend_schema(responses=CaseEventOutput(many=True), operation_id="cases_events")
    def get(self, request: Request, case_id: int) -> Response:
        case = access.access_case(_user(request), case_id)
        queryset = selectors.case_events(case=case)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(CaseEventOutput(page, many=True).data)


def _parse_if_match(request: Request) -> int | None:
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ValidationFailed(_('If-Match must carry the case version, e.g. "3".'))
    return int(value)


def _action_api(action: str) -> type[APIView]:
    transition = workflow.TRANSITIONS[action]

    class CaseActionApi(APIView):
        @extend_schema(
            request=ACTION_INPUTS[action],
            responses={200: CaseOutput},
            operation_id=f"cases_action_{action}",
            summary=str(transition.label),
            parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="Expected version")],
        )
        def post(self, request: Request, case_id: int) -> Response:
            case = actions.perform_action(
                actor=_user(request),
                case_id=case_id,
                action=action,
                data=request.data,
                expected_version=_parse_if_match(request),
            )
            _log_personal_data_read(request, case)  # the response below is unmasked too
            return _with_etag(Response(CaseOutput(case, context=_context(request, unmask=True)).data), case)

    CaseActionApi.__name__ = f"Case{action.title().replace('_', '')}Api"
    return CaseActionApi


ACTION_APIS = {action: _action_api(action) for action in workflow.TRANSITIONS}
