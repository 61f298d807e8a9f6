"""Early warning (interfaces §6): which (unit, category) cells stand out in a month.

Each cell of a community or a unit above it is compared three ways, all on the monthly rollup:

* with its own past (kind ``month_on_month``): the mean of the three months before, or, where
  the cell has a year of history, the same month last year scaled by how the recent months
  compare with the same months last year, so that a peak that comes every summer is expected;
* with the unit's other categories and with the same category in the sibling units (kind
  ``cross_category``): the share the category usually has, in the same month last year where
  known, and the share of the parent's cases in that category the unit usually has;
* with its own last seven months (kind ``trend``): a slow, steady rise that never jumps enough
  month to month to stand out.

A cell stands out only when the excess is large (a ratio), material (a minimum count and
excess) and unlikely to be noise: counts are treated as Poisson with some extra spread, and the
excess must be several standard deviations. For the month still running the baseline is
prorated to the days gone by. The figures and the Chinese reason of the strongest signal are
reported; the others are mentioned in the reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import time
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.db.models import IntegerField
from django.db.models.functions import Cast, ExtractMonth, ExtractYear
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengqiao.org.models import LEVEL_RANK, Unit, UnitLevel
from fengqiao.taxonomy.models import Category

from .models import EarlyWarning, MonthlyRollup, WarningKind, WarningLevel, WarningRun, WarningStatus

HISTORY_MONTHS = 25  # the month, last year's same month, and the months before it
MIN_COUNT = 10  # fewer cases than this in a month never make a warning
MIN_EXCESS = 6.0  # nor an excess of fewer cases than this over the baseline
MIN_RATIO = 1.5
OVERDISPERSION = 0.15  # extra relative spread of monthly counts beyond Poisson
Z_YELLOW, Z_ORANGE, Z_RED = 3.5, 4.5, 6.0
COMMUNITY_RANK = LEVEL_RANK[UnitLevel.COMMUNITY]
LEVEL_ORDER: list[str] = [WarningLevel.RED, WarningLevel.ORANGE, WarningLevel.YELLOW]
# Comparisons across categories and units rest on estimated shares, noisier than a cell's own
# past: they must clear a higher bar.
CROSS_SECTION_BAR = {"min_ratio": 2.0, "min_z": Z_ORANGE}


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def z_score(count: float, baseline: float, *, relative_error: float = 0.0) -> float:
    """How many standard deviations `count` lies above `baseline`: Poisson spread, some extra
    spread, and the uncertainty of the baseline itself (its relative variance)."""
    variance = baseline + (OVERDISPERSION * baseline) ** 2 + relative_error * baseline**2
    return (count - baseline) / math.sqrt(max(variance, 1.0))


def relative_variance(*counts: float) -> float:
    """Of a product or ratio of independent Poisson counts: the sum of their 1/n."""
    return sum(1.0 / max(n, 1.0) for n in counts)


@dataclass
class Signal:
    kind: str
    baseline: float
    z: float
    detail: str


@dataclass
class Finding:
    unit: Unit
    category: Category
    month: dt.date
    count: int
    signals: list[Signal] = field(default_factory=list)

    def add(self, kind: str, *, baseline: float, z: float, detail: str, **values) -> None:
        """Record a comparison that fired; `detail` may use %(ratio)s, %(baseline)s and %(count)s."""
        ratio = self.count / max(baseline, 1.0)
        text = detail % {"ratio": ratio, "baseline": baseline, "count": self.count, **values}
        self.signals.append(Signal(kind=kind, baseline=baseline, z=z, detail=text))

    @property
    def primary(self) -> Signal:
        order = [WarningKind.MONTH_ON_MONTH, WarningKind.TREND, WarningKind.CROSS_CATEGORY]
        return sorted(self.signals, key=lambda s: (order.index(WarningKind(s.kind)), -s.z))[0]

    @property
    def level(self) -> str:
        """From the strongest evidence among the signals: how far above, how surely."""
        signal = max(self.signals, key=lambda s: s.z)
        ratio = self.count / max(signal.baseline, 1.0)
        if signal.kind != WarningKind.TREND and ratio >= 3 and signal.z >= Z_RED:
            return WarningLevel.RED
        if ratio >= 2 and signal.z >= Z_ORANGE:
            return WarningLevel.ORANGE
        return WarningLevel.YELLOW

    def as_dict(self) -> dict:
        signal = self.primary
        baseline = max(signal.baseline, 0.0)
        return {
            "unit": self.unit.code,
            "unit_name": self.unit.name,
            "category": self.category.code,
            "category_name": self.category.name,
            "month": f"{self.month:%Y-%m}",
            "count": self.count,
            "baseline": round(baseline, 1),
            "ratio": round(self.count / baseline, 2) if baseline > 0 else None,
            "kind": signal.kind,
            "level": self.level,
            "reason": self.reason,
        }

    @property
    def reason(self) -> str:
        with translation.override("zh-hans"):
            head = _("%(unit)s: %(count)s “%(category)s” cases in %(month)s.") % {
                "unit": self.unit.name,
                "count": self.count,
                "category": self.category.name,
                "month": f"{self.month.year}-{self.month.month:02d}",
            }
            return "".join([head, *(signal.detail for signal in self.signals)])


class _Series:
    """Monthly counts per (unit, category) over the window, in one array, with the units'
    totals (the uncategorised cases included) and the month each unit's history starts."""

    def __init__(self, rows: np.ndarray, units: dict[int, Unit], months: list[dt.date]):
        """`rows`: an integer array of (unit id, category id, year, month, count)."""
        self.units = units
        self.months = {month: i for i, month in enumerate(months)}
        self.unit_index = {unit_id: i for i, unit_id in enumerate(units)}
        unit_ids = np.array(list(units), dtype=np.int64)
        category_ids = np.unique(np.concatenate([rows[:, 1], [0]]))
        self.category_index = {int(category_id): i for i, category_id in enumerate(category_ids)}
        self.cells = np.zeros((len(units), len(category_ids), len(months)), dtype=np.int64)
        if len(rows):
            # Map ids and months to array positions in one pass, dropping units out of scope.
            order = np.argsort(unit_ids)
            found = np.searchsorted(unit_ids, rows[:, 0], sorter=order)
            found = np.clip(found, 0, len(unit_ids) - 1)
            unit_pos = order[found]
            month_pos = rows[:, 2] * 12 + rows[:, 3] - 1 - (months[0].year * 12 + months[0].month - 1)
            keep = (unit_ids[unit_pos] == rows[:, 0]) & (month_pos >= 0) & (month_pos < len(months))
            category_pos = np.searchsorted(category_ids, rows[:, 1])
            np.add.at(self.cells, (unit_pos[keep], category_pos[keep], month_pos[keep]), rows[keep, 4])
        self.totals = self.cells.sum(axis=1)
        busy = self.totals > 0
        self.first = np.where(busy.any(axis=1), busy.argmax(axis=1), len(months))
        self.window = months

    def get(self, unit_id: int, category_id: int, month: dt.date) -> int:
        m = self.months.get(month)
        c = self.category_index.get(category_id)
        u = self.unit_index.get(unit_id)
        if m is None or c is None or u is None:
            return 0
        return int(self.cells[u, c, m])

    def total(self, unit_id: int, month: dt.date) -> int:
        m = self.months.get(month)
        u = self.unit_index.get(unit_id)
        return 0 if m is None or u is None else int(self.totals[u, m])

    def has_history(self, unit_id: int, since: dt.date) -> bool:
        """Whether the unit had cases in `since` or earlier (within the window)."""
        u = self.unit_index.get(unit_id)
        if u is None:
            return False
        if since < self.window[0]:
            return False
        m = self.months.get(since, len(self.window))
        return bool(self.first[u] <= m)

    def busy_cells(self, month: dt.date, minimum: int) -> list[tuple[int, int, int]]:
        """(unit id, category id, count) of the cells with at least `minimum` cases in `month`."""
        unit_ids = list(self.unit_index)
        category_ids = list(self.category_index)
        m = self.months[month]
        return [
            (unit_ids[u], category_ids[c], int(self.cells[u, c, m]))
            for u, c in np.argwhere(self.cells[:, :, m] >= minimum)
            if category_ids[c]
        ]


def _monthly_rows(first: dt.date, last: dt.date) -> np.ndarray:
    """(unit id, category id, year, month, cases) of every monthly row in the window."""
    query = (
        MonthlyRollup.objects.filter(month__gte=first, month__lte=last, received__gt=0)
        .annotate(year=Cast(ExtractYear("month"), IntegerField()), number=Cast(ExtractMonth("month"), IntegerField()))
        .values_list("unit_id", "category_id", "year", "number", "received")
    )
    # Straight from the cursor: Django's per-value converters would cost more than the query.
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 5)


def _share(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 0.0


def _stands_out(
    count: int, baseline: float, *, relative_error: float = 0.0, min_ratio: float = MIN_RATIO, min_z: float = Z_YELLOW
) -> tuple[bool, float]:
    z = z_score(count, baseline, relative_error=relative_error)
    excess = count - baseline
    ratio = count / baseline if baseline > 0 else math.inf
    return (ratio >= min_ratio and excess >= MIN_EXCESS and z >= min_z), z


def detect(month: dt.date, *, today: dt.date | None = None) -> list[Finding]:
    """The cells that stand out in `month` (the first of a month)."""
    today = today or timezone.localdate()
    units = {unit.pk: unit for unit in Unit.objects.all() if LEVEL_RANK.get(unit.level, 99) <= COMMUNITY_RANK}
    categories = {category.pk: category for category in Category.objects.all()}
    first = month_add(month, -(HISTORY_MONTHS - 1))
    months = [month_add(first, k) for k in range(HISTORY_MONTHS)]
    series = _Series(_monthly_rows(first, month), units, months)
    # A month still running is compared with the same share of its baseline.
    days = calendar.monthrange(month.year, month.month)[1]
    elapsed = (today - month).days + 1 if month <= today < month_add(month, 1) else days
    share_of_month = max(elapsed, 1) / days

    findings = []
    with translation.override("zh-hans"):
        for unit_id, category_id, count in series.busy_cells(month, MIN_COUNT):
            if category_id not in categories:
                continue
            finding = Finding(unit=units[unit_id], category=categories[category_id], month=month, count=count)
            expectation = _own_history(finding, series, share_of_month)
            _trend(finding, series, expectation)
            _cross_section(finding, series, share_of_month)
            if finding.signals:
                findings.append(finding)
    findings.sort(key=lambda f: (LEVEL_ORDER.index(f.level), -f.count))
    return findings


def _own_history(finding: Finding, series: _Series, share_of_month: float) -> float | None:
    """Compare with the cell's own past; return the seasonal expectation where there is one."""
    unit_id, category_id, month = finding.unit.pk, finding.category.pk, finding.month
    # The six months before (three for a unit with less history; fewer: nothing to compare with).
    span = next((n for n in (6, 3) if series.has_history(unit_id, month_add(month, -n))), 0)
    if not span:
        return None
    recent_months = [month_add(month, -k) for k in range(1, span + 1)]
    recent = sum(series.get(unit_id, category_id, m) for m in recent_months) / span
    baseline = recent
    error = relative_variance(span * recent)
    seasonal = False
    last_year = month_add(month, -12)
    if series.has_history(unit_id, month_add(last_year, -3)):
        then = series.get(unit_id, category_id, last_year)
        then_recent = sum(series.get(unit_id, category_id, month_add(m, -12)) for m in recent_months) / span
        if then_recent > 0:
            estimate = then * (recent / then_recent)
            # A seasonal estimate never falls below a quiet recent level.
            if estimate > recent:
                baseline, seasonal = estimate, True
                error = relative_variance(then, span * recent, span * then_recent)
    expectation = baseline if seasonal else None
    baseline *= share_of_month
    out, z = _stands_out(finding.count, max(baseline, 1.0), relative_error=error)
    if not out:
        return expectation
    if seasonal:
        detail = _(
            "That is %(ratio).2f times what the same month last year, scaled to this year's level, "
            "would lead one to expect (%(baseline).1f)."
        )
    else:
        detail = _("That is %(ratio).2f times the average of the %(months)s months before (%(baseline).1f).")
    finding.add(WarningKind.MONTH_ON_MONTH, baseline=baseline, z=z, detail=detail, months=span)
    return expectation


def _cross_section(finding: Finding, series: _Series, share_of_month: float) -> None:
    unit, category_id, month, count = finding.unit, finding.category.pk, finding.month, finding.count
    history = [month_add(month, -k) for k in range(1, 13)]
    last_year = month_add(month, -12)
    # The unit's other categories: does this one take a larger share than it usually does?
    # "Usually": over the year before, or in the same month last year (seasons change the mix),
    # whichever expects more, so that neither a season nor one quiet month makes a warning.
    others_now = series.total(unit.pk, month) - count
    estimates: list[tuple[float, float]] = []
    then_cell = series.get(unit.pk, category_id, last_year)
    then_others = series.total(unit.pk, last_year) - then_cell
    if then_cell and then_others > 0:
        estimates.append((then_cell / then_others, relative_variance(then_cell, then_others, others_now)))
    if series.has_history(unit.pk, history[2]):
        past_cell = sum(series.get(unit.pk, category_id, m) for m in history)
        past_others = sum(series.total(unit.pk, m) for m in history) - past_cell
        if past_cell and past_others > 0:
            estimates.append((past_cell / past_others, relative_variance(past_cell, past_others, others_now)))
    usual, error = max(estimates) if estimates else (0.0, 0.0)
    if usual > 0 and others_now > 0:
        expected = others_now * usual
        out, z = _stands_out(count, max(expected, 1.0), relative_error=error, **CROSS_SECTION_BAR)
        if out:
            finding.add(
                WarningKind.CROSS_CATEGORY,
                baseline=expected,
                z=z,
                detail=_(
                    "Against the unit's other categories it is %(ratio).2f times its usual share "
                    "(%(baseline).1f expected)."
                ),
            )
    # The sibling units: is this unit's share of the parent's cases in the category unusual?
    # (The same month for all of them, so the season cancels out.)
    parent_id = unit.parent_id
    if parent_id is None or parent_id not in series.units:
        return
    peers_now = series.get(parent_id, category_id, month) - count
    if peers_now <= 0:
        return
    shares: list[tuple[float, float]] = []
    past_cell = sum(series.get(unit.pk, category_id, m) for m in history)
    past_peers = sum(series.get(parent_id, category_id, m) for m in history) - past_cell
    if past_cell > 0 and past_peers > 0:
        shares.append((past_cell / past_peers, relative_variance(peers_now, past_cell, past_peers)))
    then_peers = series.get(parent_id, category_id, last_year) - then_cell
    if then_cell > 0 and then_peers > 0:
        shares.append((then_cell / then_peers, relative_variance(peers_now, then_cell, then_peers)))
    if not shares:
        return
    share, error = max(shares)
    expected = peers_now * share
    out, z = _stands_out(count, max(expected, 1.0), relative_error=error, **CROSS_SECTION_BAR)
    if out:
        finding.add(
            WarningKind.CROSS_CATEGORY,
            baseline=expected,
            z=z,
            detail=_(
                "The same category in the neighbouring units did not rise alike: %(ratio).2f times "
                "the unit's usual share of them (%(baseline).1f expected)."
            ),
        )


TREND_MONTHS = 7
TREND_MIN_COUNT = 20  # a slow rise among a handful of cases is noise more often than not
TREND_MIN_S = 13  # Mann–Kendall S over 7 months (at most 21): one-sided p ≈ 0.035 for a flat series


def mann_kendall(values: list[int]) -> int:
    """Mann–Kendall S: pairs going up minus pairs going down."""
    return sum((b > a) - (b < a) for i, a in enumerate(values) for b in values[i + 1 :])


def _trend(finding: Finding, series: _Series, seasonal_expectation: float | None) -> None:
    """Seven months that mostly rise (Mann–Kendall), steadily rather than in one jump, ending
    well above where they began, where the same months did not rise last year."""
    unit_id, category_id, month = finding.unit.pk, finding.category.pk, finding.month
    if finding.count < TREND_MIN_COUNT:
        return
    months = [month_add(month, -k) for k in range(TREND_MONTHS - 1, -1, -1)]
    if not series.has_history(unit_id, months[0]):
        return
    values = [series.get(unit_id, category_id, m) for m in months]
    if mann_kendall(values) < TREND_MIN_S or mann_kendall(values[:5]) < 4:
        return
    start = (values[0] + values[1]) / 2
    middle = sum(values[2:5]) / 3
    if not start * 1.2 <= middle <= finding.count:
        return  # a jump at the end (a season, a surge), not a steady rise
    out, z = _stands_out(finding.count, max(start, 1.0), relative_error=relative_variance(2 * start))
    if not out:
        return
    if seasonal_expectation is not None and finding.count < 1.3 * seasonal_expectation:
        return  # no more than the season brings
    if series.has_history(unit_id, month_add(months[0], -12)):
        then = [series.get(unit_id, category_id, month_add(m, -12)) for m in months]
        then_start, then_end = (then[0] + then[1]) / 2, (then[-2] + then[-1]) / 2
        if then_end >= 1.5 * max(then_start, 1.0):
            return  # the same months rose last year too: a season, not a trend
    finding.add(
        WarningKind.TREND,
        baseline=start,
        z=z,
        detail=_("It has been rising for half a year, from about %(start).1f a month to %(count)s."),
        start=start,
    )


def run(month: dt.date, *, today: dt.date | None = None) -> list[EarlyWarning]:
    """Detect and store the month's warnings."""
    started = time.perf_counter()
    findings = detect(month, today=today)
    return store(month, findings, duration=time.perf_counter() - started)


@transaction.atomic
def store(month: dt.date, findings: list[Finding], *, duration: float = 0.0) -> list[EarlyWarning]:
    """Save the findings as the month's warnings. What leaders already did with a warning is
    kept; untouched warnings that no longer stand out are removed."""
    existing = {(w.unit_id, w.category_id): w for w in EarlyWarning.objects.filter(month=month)}
    kept: list[EarlyWarning] = []
    now = timezone.now()
    for finding in findings:
        data = finding.as_dict()
        warning = existing.pop((finding.unit.pk, finding.category.pk), None) or EarlyWarning(
            unit=finding.unit, category=finding.category, month=month
        )
        warning.count = finding.count
        warning.baseline = data["baseline"]
        warning.ratio = data["ratio"] or 0.0
        warning.kind = data["kind"]
        warning.level = data["level"]
        warning.reason = data["reason"]
        warning.computed_at = now
        warning.save()
        kept.append(warning)
    EarlyWarning.objects.filter(pk__in=[w.pk for w in existing.values() if w.status == WarningStatus.NEW]).delete()
    WarningRun.objects.update_or_create(
        month=month, defaults={"computed_at": now, "cells": len(findings), "duration_ms": int(duration * 1000)}
    )
    return kept


def month_warnings(*, viewer, month: dt.date, today: dt.date | None = None) -> list[EarlyWarning]:
    """The month's warnings in the viewer's units, red first (computed now if the month never
    was; afterwards as the nightly run stored them)."""
    from .access import scope_q

    if not WarningRun.objects.filter(month=month).exists():
        run(month, today=today)
    warnings = EarlyWarning.objects.filter(scope_q(viewer), month=month).select_related(
        "unit", "category", "handled_by", "task", "topic"
    )
    return sorted(warnings, key=lambda w: (LEVEL_ORDER.index(w.level), -w.count, w.unit.path))


def as_dict(warning: EarlyWarning) -> dict:
    """A stored warning in the shape of interfaces §6 (plus its id, names and status)."""
    return {
        "id": warning.pk,
        "unit": warning.unit.code,
        "unit_name": warning.unit.name,
        "category": warning.category.code,
        "category_name": warning.category.name,
        "month": f"{warning.month:%Y-%m}",
        "count": warning.count,
        "baseline": warning.baseline,
        "ratio": warning.ratio,
        "kind": warning.kind,
        "level": warning.level,
        "reason": warning.reason,
        "status": warning.status,
    }
