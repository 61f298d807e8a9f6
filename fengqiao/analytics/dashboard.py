"""What the dashboard shows for a unit and a period, read from the rollups (and, for what is
overdue right now, from the open cases), with each section also as rows for the table and
the Excel export."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fengqiao.cases.models import CLOCK_RUNNING, Case, Status, WhistleSummons
from fengqiao.org.models import LEVEL_RANK, Department, Unit, UnitLevel
from fengqiao.taxonomy.models import Category

from . import early_warning, kpis, rollups
from .models import EarlyWarning, WarningRun

TREND_MONTHS = 12
HOTSPOTS = 15
TREND_RATES = ("on_time_rate", "response_rate", "resolution_rate", "satisfaction_rate")


@dataclass
class Dashboard:
    unit: Unit | None
    date_from: dt.date
    date_to: dt.date
    report: kpis.KpiReport
    months: list[tuple[dt.date, kpis.KpiReport]] = field(default_factory=list)
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    children: list[kpis.RankingRow] = field(default_factory=list)
    overdue_by_department: list[tuple[str, int]] = field(default_factory=list)
    hotspots: list[tuple[Unit, int]] = field(default_factory=list)
    warnings: list[EarlyWarning] = field(default_factory=list)
    warnings_month: dt.date | None = None
    whistle_arrivals: kpis.Rate = kpis.Rate(0, 0)


def trend_months(date_to: dt.date) -> list[dt.date]:
    last = date_to.replace(day=1)
    return [early_warning.month_add(last, -k) for k in range(TREND_MONTHS - 1, -1, -1)]


def build(
    unit: Unit | None, *, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None, metric: str
) -> Dashboard:
    now = now or timezone.now()
    board = Dashboard(
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        report=kpis.report(unit, date_from=date_from, date_to=date_to, now=now),
    )
    roots = [unit] if unit else list(Unit.objects.filter(parent__isnull=True))
    root_ids = [root.pk for root in roots]
    # The rates month by month: the trend up to the period's last month.
    board.months = kpis.monthly_reports(unit, months=trend_months(date_to), date_to=date_to, now=now)
    # Volume by category.
    per_category = kpis.sums(root_ids, date_from, date_to, by="category_id", measures=("received",))
    names = {c.pk: (c.code, c.name) for c in Category.objects.all()}
    board.by_category = sorted(
        (
            (*names.get(pk, ("", _("Unclassified"))), values["received"])
            for pk, values in per_category.items()
            if values["received"]
        ),
        key=lambda row: -row[2],
    )
    # The units one level down, with their volume and rates, ranked.
    children = Unit.objects.filter(parent=unit) if unit else Unit.objects.filter(parent__isnull=True)
    board.children = kpis.ranking(children, metric=metric, date_from=date_from, date_to=date_to, now=now)
    board.overdue_by_department = overdue_by_department(unit, now)
    board.whistle_arrivals = whistle_arrivals(unit, date_from, date_to)
    # Hotspots: the estates (or, where none are recorded, the communities) with most cases.
    board.hotspots = _hotspots(unit, date_from, date_to)
    # The warnings of the latest computed month that has any here (this month's may be none yet).
    runs = WarningRun.objects.filter(month__lte=date_to.replace(day=1)).order_by("-month")[:3]
    for run in runs:
        warnings = EarlyWarning.objects.filter(month=run.month).select_related("unit", "category")
        if unit:
            warnings = warnings.filter(unit__path__startswith=unit.path)
        board.warnings_month = run.month
        board.warnings = sorted(warnings, key=lambda w: (early_warning.LEVEL_ORDER.index(w.level), -w.count))
        if board.warnings:
            break
    return board


def overdue_by_department(unit: Unit | None, now: dt.datetime) -> list[tuple[str, int]]:
    """Cases overdue right now, by the department holding them: the running clocks past their
    deadline and the cases suspended when already late, each read through the (status,
    deadline) index; the subtree as a list of unit ids, not a join on the path."""
    departments = dict(Department.objects.values_list("id", "name"))
    counts: dict[str, int] = {}
    running = [str(status) for status in CLOCK_RUNNING]  # in the order of the partial index
    for condition in (
        Q(status__in=running, deadline__lt=now),
        Q(status=Status.SUSPENDED, deadline__lt=F("suspended_at")),
    ):
        cases = Case.objects.filter(condition)
        if unit is not None and unit.parent_id is not None:
            cases = cases.filter(unit_id__in=Unit.objects.filter(path__startswith=unit.path).values("id"))
        for department_id, n in cases.values_list("department_id").annotate(n=Count("*")).order_by():
            name = departments.get(department_id) if department_id else None
            key = name or str(_("Not yet dispatched"))
            counts[key] = counts.get(key, 0) + n
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


WHISTLE_TARGET = dt.timedelta(minutes=30)


def whistle_arrivals(unit: Unit | None, date_from: dt.date, date_to: dt.date) -> kpis.Rate:
    """吹哨报到: summoned departments on site within 30 minutes of the whistle / summonses, for
    the whistles blown in the period on the unit's cases or places."""
    start, end = rollups.received_span(date_from, date_to)
    summonses = WhistleSummons.objects.filter(whistle__blown_at__gte=start, whistle__blown_at__lt=end)
    if unit:
        summonses = summonses.filter(
            Q(whistle__case__unit__path__startswith=unit.path) | Q(whistle__unit__path__startswith=unit.path)
        )
    on_time = total = 0
    for blown_at, arrived_at in summonses.values_list("whistle__blown_at", "arrived_at"):
        total += 1
        on_time += arrived_at is not None and arrived_at - blown_at <= WHISTLE_TARGET
    return kpis.Rate(on_time, total)


def _hotspots(unit: Unit | None, date_from: dt.date, date_to: dt.date) -> list[tuple[Unit, int]]:
    units = Unit.objects.all()
    if unit:
        units = units.filter(path__startswith=unit.path)
    for level in (UnitLevel.ESTATE, UnitLevel.COMMUNITY):
        candidates = {u.pk: u for u in units.filter(level=level)}
        if not candidates:
            continue
        totals = kpis.sums(list(candidates), date_from, date_to, measures=("received",))
        rows = sorted(
            ((candidates[pk], values["received"]) for pk, values in totals.items() if values["received"]),
            key=lambda row: -row[1],
        )
        if rows:
            return rows[:HOTSPOTS]
    return []


def drill_units(scope: list[Unit]) -> list[Unit]:
    """The units a viewer may pick on the dashboard: their own and those below down to the
    communities (estates and buildings are reached through the hotspots)."""
    community = LEVEL_RANK[UnitLevel.COMMUNITY]
    picked: dict[int, Unit] = {}
    for top in scope:
        for unit in Unit.objects.filter(path__startswith=top.path).order_by("path"):
            if LEVEL_RANK.get(unit.level, 99) <= community or unit.pk == top.pk:
                picked[unit.pk] = unit
    return sorted(picked.values(), key=lambda u: u.path)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def export_xlsx(board: Dashboard) -> bytes:
    """Every table of the dashboard, one sheet each, as the page shows them."""
    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list]) -> None:
        ws = workbook.create_sheet(title[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        for column in ws.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            ws.column_dimensions[column[0].column_letter].width = min(max(10, width * 1.6), 60)

    workbook.remove(workbook.worksheets[0])
    rate_header = [_("Indicator"), _("Rate"), _("Numerator"), _("Denominator")]
    sheet(
        _("KPIs"),
        rate_header,
        [[_("Received"), board.report.received, "", ""], [_("Closed"), board.report.closed, "", ""]]
        + [
            [str(kpis.RATE_LABELS[key]), percent(rate.value), rate.numerator, rate.denominator]
            for key, rate in board.report.rates.items()
        ]
        + [
            [
                _("Whistles: on site within 30 minutes"),
                percent(board.whistle_arrivals.value),
                board.whistle_arrivals.numerator,
                board.whistle_arrivals.denominator,
            ]
        ],
    )
    sheet(
        _("Rates by month"),
        [_("Month"), _("Received"), *(str(kpis.RATE_LABELS[key]) for key in kpis.RATE_KEYS)],
        [
            [f"{month:%Y-%m}", report.received, *(percent(report.rates[key].value) for key in kpis.RATE_KEYS)]
            for month, report in board.months
        ],
    )
    sheet(_("By category"), [_("Code"), _("Category"), _("Cases")], [list(row) for row in board.by_category])
    sheet(
        _("By unit"),
        [_("Rank"), _("Unit"), _("Cases"), _("Rate"), _("Numerator"), _("Denominator")],
        [
            [
                row.rank or "—",
                row.report.unit.name if row.report.unit else "",
                row.report.received,
                percent(row.rate.value),
                row.rate.numerator,
                row.rate.denominator,
            ]
            for row in board.children
        ],
    )
    sheet(
        _("Overdue by department"),
        [_("Department"), _("Overdue cases")],
        [list(row) for row in board.overdue_by_department],
    )
    sheet(_("Hotspots"), [_("Place"), _("Cases")], [[u.name, n] for u, n in board.hotspots])
    sheet(
        _("Warnings"),
        [_("Level"), _("Unit"), _("Category"), _("Count"), _("Baseline"), _("Ratio"), _("Reason")],
        [
            [w.get_level_display(), w.unit.name, w.category.name, w.count, w.baseline, w.ratio, w.reason]
            for w in board.warnings
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
