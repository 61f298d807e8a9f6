"""The dashboard and the early-warning page (staff), rendered on the server."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases.views import role_required
from fengqiao.core.errors import DomainError, NotFound, NotPermitted
from fengqiao.org import access as org_access
from fengqiao.org.models import Unit

from . import access, actions, charts, dashboard, early_warning, kpis
from .models import WarningRun
from .periods import find_unit, parse_month, parse_period

STAFF = org_access.STAFF_ROLES


def _period(request) -> tuple[dt.date, dt.date]:
    """The period in the query, or the last twelve months up to today."""
    today = timezone.localdate()
    if request.GET.get("from") or request.GET.get("to"):
        return parse_period(request.GET.get("from"), request.GET.get("to"))
    return early_warning.month_add(today.replace(day=1), -11), today


def _presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    this_month = today.replace(day=1)
    last_month = early_warning.month_add(this_month, -1)
    return [
        (_("This month"), this_month, today),
        (_("Last month"), last_month, this_month - dt.timedelta(days=1)),
        (_("This year"), today.replace(month=1, day=1), today),
        (_("Last 12 months"), early_warning.month_add(this_month, -11), today),
    ]


def _unit(request) -> Unit | None:
    code = request.GET.get("unit", "").strip()
    unit = find_unit(code) if code else access.default_unit(request.user)
    access.check_may_view(request.user, unit)
    return unit


def _board(request):
    date_from, date_to = _period(request)
    metric = request.GET.get("metric", "on_time_rate")
    if metric not in kpis.RATE_KEYS:
        metric = "on_time_rate"
    unit = _unit(request)
    return dashboard.build(unit, date_from=date_from, date_to=date_to, metric=metric), metric


@role_required(*STAFF)
def dashboard_view(request):
    """数据看板: the KPIs, their trend, volume by category and unit, what is overdue by
    department, hotspots and warnings, for a unit's subtree and a period."""
    try:
        board, metric = _board(request)
    except (NotFound, NotPermitted) as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dashboard")
    query = {"unit": board.unit.code if board.unit else "", "from": board.date_from, "to": board.date_to}
    month_labels = [f"{month:%Y-%m}" for month, _report in board.months]
    trend = charts.line_chart(
        month_labels,
        [
            (str(kpis.RATE_LABELS[key]), [report.rates[key].value for _month, report in board.months])
            for key in dashboard.TREND_RATES
        ],
        title=_("Rates by month"),
    )
    volume_trend = charts.line_chart(
        month_labels,
        [(_("Received"), [float(report.received) for _month, report in board.months])],
        title=_("Cases by month"),
        percent=False,
    )
    children_by_volume = sorted(board.children, key=lambda row: -row.report.received)
    units = dashboard.drill_units(access.scope_units(request.user))
    top_depth = min((u.depth for u in units), default=0)
    context = {
        "nav": "dashboard",
        "board": board,
        "metric": metric,
        "metric_label": kpis.RATE_LABELS[metric],
        "rate_labels": kpis.RATE_LABELS,
        "trend_keys": kpis.RATE_KEYS,
        "units": [(u, "\u3000" * (u.depth - top_depth)) for u in units],
        "rate_cards": [(kpis.RATE_LABELS[key], rate) for key, rate in board.report.rates.items()],
        "presets": [(label, start, end) for label, start, end in _presets(timezone.localdate())],
        "trend_chart": trend,
        "volume_chart": volume_trend,
        "category_chart": charts.bar_chart(
            [(f"{code} {name}".strip(), n) for code, name, n in board.by_category], title=_("Cases by category")
        ),
        "unit_chart": charts.bar_chart(
            [(row.report.unit.name, row.report.received) for row in children_by_volume if row.report.unit],
            title=_("Cases by unit"),
            href=[
                reverse("dashboard") + "?" + urlencode({**query, "unit": row.report.unit.code})
                for row in children_by_volume
                if row.report.unit
            ],
        ),
        "overdue_chart": charts.bar_chart(board.overdue_by_department, title=_("Overdue cases by department")),
        "hotspot_map": charts.dot_map(
            [
                (u.name, float(u.latitude) if u.latitude else None, float(u.longitude) if u.longitude else None, n)  # type: ignore[misc]
                for u, n in board.hotspots
            ],
            title=_("Hotspots"),
        ),
        "hotspot_chart": charts.bar_chart([(u.name, n) for u, n in board.hotspots], title=_("Hotspots")),
        "export_url": reverse("dashboard-export") + "?" + urlencode({**query, "metric": metric}),
        "warnings_url": reverse("warnings")
        + "?"
        + urlencode({"month": f"{board.warnings_month:%Y-%m}" if board.warnings_month else ""}),
    }
    return render(request, "analytics/dashboard.html", context)


@role_required(*STAFF)
def dashboard_export(request):
    try:
        board, _metric = _board(request)
    except (NotFound, NotPermitted) as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    name = f"dashboard-{board.unit.code if board.unit else 'all'}-{board.date_from}-{board.date_to}.xlsx"
    response = HttpResponse(
        dashboard.export_xlsx(board),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*STAFF)
def warnings_view(request):
    """预警: the month's warnings in the viewer's units; leaders decide what to do with each."""
    today = timezone.localdate()
    try:
        month = parse_month(request.GET.get("month")) if request.GET.get("month") else today.replace(day=1)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("warnings")
    warnings = early_warning.month_warnings(viewer=request.user, month=month, today=today)
    for warning in warnings:
        warning.may_handle = warning.status not in actions.FINAL and access.may_handle_warning(  # type: ignore[attr-defined]
            request.user, warning.unit
        )
    months = [early_warning.month_add(today.replace(day=1), -k) for k in range(0, 13)]
    run = WarningRun.objects.filter(month=month).first()
    return render(
        request,
        "analytics/warnings.html",
        {"nav": "warnings", "warnings": warnings, "month": month, "months": months, "run": run},
    )


@require_POST
@role_required(*STAFF)
def warning_act(request, warning_id: int, action: str):
    try:
        if action == "acknowledge":
            warning = actions.do_acknowledge_warning(
                actor=request.user, warning_id=warning_id, note=request.POST.get("note", "")
            )
            messages.success(request, _("Warning acknowledged."))
        elif action == "topic":
            warning = actions.do_warning_to_topic(
                actor=request.user,
                warning_id=warning_id,
                title=request.POST.get("title", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("The warning is on the deliberation agenda."))
        elif action == "task":
            warning = actions.do_warning_to_task(
                actor=request.user, warning_id=warning_id, instruction=request.POST.get("instruction", "")
            )
            messages.success(request, _("Supervised task %(number)s created.") % {"number": warning.task.number})  # type: ignore[union-attr]
        else:
            raise Http404()
    except NotFound as exc:
        raise Http404(exc.message) from None
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("next") or reverse("warnings"))
    return redirect(reverse("warnings") + f"?month={warning.month:%Y-%m}#warning-{warning.pk}")
