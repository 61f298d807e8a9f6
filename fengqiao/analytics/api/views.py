"""KPIs, unit rankings and early warnings over the API (interfaces §5, §6)."""

from __future__ import annotations

from typing import cast

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fengqiao.core.errors import ValidationFailed
from fengqiao.org.models import Unit, User

from .. import access, actions, early_warning, kpis
from ..periods import find_unit, parse_month, parse_period

PERIOD = [
    OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First receiving day (inclusive)"),
    OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="Last receiving day (inclusive)"),
    OpenApiParameter("unit", str, description="Unit code; the whole subtree counts. Default: your unit"),
]


def _user(request: Request) -> User:
    return cast(User, request.user)


def _unit(request: Request) -> Unit | None:
    """The unit named in the query (or the viewer's own), checked against the viewer's scope."""
    user = _user(request)
    code = request.query_params.get("unit", "").strip()
    unit = find_unit(code) if code else access.default_unit(user)
    access.check_may_view(user, unit)
    return unit


class KpiApi(APIView):
    @extend_schema(parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """The KPIs of the cases received in the period in the unit's subtree: each rate a
        fraction (null without cases to count) with its numerator and denominator under `counts`."""
        date_from, date_to = parse_period(request.query_params.get("from"), request.query_params.get("to"))
        unit = _unit(request)
        return Response(kpis.report(unit, date_from=date_from, date_to=date_to).as_dict())


class KpiRankingApi(APIView):
    @extend_schema(
        parameters=[
            *PERIOD,
            OpenApiParameter("metric", str, enum=list(kpis.RATE_KEYS), description="Default satisfaction_rate"),
            OpenApiParameter("min_cases", int, description=f"Default {kpis.DEFAULT_MIN_CASES}"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        """The units directly under `unit`, best first by the metric; units whose rate rests on
        fewer than `min_cases` cases come last with `rank` null."""
        date_from, date_to = parse_period(request.query_params.get("from"), request.query_params.get("to"))
        unit = _unit(request)
        metric = request.query_params.get("metric", "satisfaction_rate")
        if metric not in kpis.RATE_KEYS:
            raise ValidationFailed(_("metric: one of %(choices)s") % {"choices": ", ".join(kpis.RATE_KEYS)})
        try:
            min_cases = int(request.query_params.get("min_cases", kpis.DEFAULT_MIN_CASES))
        except ValueError:
            raise ValidationFailed(_("min_cases: a whole number")) from None
        children = Unit.objects.filter(parent=unit) if unit else Unit.objects.filter(parent__isnull=True)
        rows = kpis.ranking(children, metric=metric, date_from=date_from, date_to=date_to, min_cases=min_cases)
        return Response(
            {
                "unit": unit.code if unit else None,
                "metric": metric,
                "min_cases": min_cases,
                "results": [
                    {
                        "rank": row.rank,
                        "unit": row.report.unit.code if row.report.unit else None,
                        "unit_name": row.report.unit.name if row.report.unit else None,
                        "value": row.rate.value,
                        "numerator": row.rate.numerator,
                        "denominator": row.rate.denominator,
                        "received": row.report.received,
                    }
                    for row in rows
                ],
            }
        )


class WarningListApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("month", str, required=True, description="YYYY-MM")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        """The month's warnings in the units the viewer may see (computed on first request,
        then as the nightly run stored them), red first."""
        month = parse_month(request.query_params.get("month"))
        warnings = early_warning.month_warnings(viewer=_user(request), month=month)
        return Response([early_warning.as_dict(warning) for warning in warnings])


class WarningNoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class WarningTaskInput(serializers.Serializer):
    instruction = serializers.CharField(max_length=2000)


class WarningActionApi(APIView):
    action_name = ""

    @extend_schema(request=WarningNoteInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, warning_id: int) -> Response:
        user = _user(request)
        if self.action_name == "task":
            task_input = WarningTaskInput(data=request.data)
            task_input.is_valid(raise_exception=True)
            warning = actions.do_warning_to_task(
                actor=user, warning_id=warning_id, instruction=task_input.validated_data["instruction"]
            )
        else:
            note_input = WarningNoteInput(data=request.data)
            note_input.is_valid(raise_exception=True)
            data = note_input.validated_data
            if self.action_name == "topic":
                warning = actions.do_warning_to_topic(
                    actor=user, warning_id=warning_id, title=data["title"], note=data["note"]
                )
            else:
                warning = actions.do_acknowledge_warning(actor=user, warning_id=warning_id, note=data["note"])
        result = early_warning.as_dict(warning)
        result["task"] = warning.task.number if warning.task else None
        result["topic"] = warning.topic_id
        result["handled_at"] = timezone.localtime(warning.handled_at).isoformat() if warning.handled_at else None
        return Response(result)


class WarningAcknowledgeApi(WarningActionApi):
    action_name = "acknowledge"


class WarningTopicApi(WarningActionApi):
    action_name = "topic"


class WarningTaskApi(WarningActionApi):
    action_name = "task"
