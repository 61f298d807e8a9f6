"""Early warning on generated monthly counts: injected surges and slow ramps are found, seasonal
peaks and Poisson noise stay quiet."""

import datetime as dt
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from fengqiao.analytics import early_warning
from fengqiao.analytics.models import EarlyWarning, MonthlyRollup, WarningRun, WarningStatus
from fengqiao.org.models import Unit, UnitLevel
from fengqiao.taxonomy.models import Category

pytestmark = pytest.mark.django_db

TARGET = dt.date(2026, 8, 1)
MONTHS = [early_warning.month_add(TARGET, -k) for k in range(24, -1, -1)]
SEASONAL = "08"  # 水电气热: every July and August the same peak, both years
SURGE = ("C-1-1-2", "01")  # a community whose property complaints triple in the target month
RAMP = ("C-2-1-3", "14")  # neighbour disputes creeping up for six months
SEED_SURGE_LIKE_LAST_YEAR = ("C-1-2-1", "04")  # a surge last August too: seasonal for that cell


def build_city(seed: int = 3) -> dict[str, Unit]:
    """A city, 2 districts, 2 streets each, 5 communities each; monthly counts per community and
    category written into the monthly rollup at every level, as the rollups would hold them."""
    rng = np.random.default_rng(seed)
    city = Unit.objects.create(code="C", name="测试市", level=UnitLevel.CITY)
    units = {"C": city}
    communities = []
    for d in (1, 2):
        district = Unit.objects.create(code=f"C-{d}", name=f"第{d}区", level=UnitLevel.DISTRICT, parent=city)
        units[district.code] = district
        for s in (1, 2):
            street = Unit.objects.create(
                code=f"C-{d}-{s}", name=f"第{d}{s}街道", level=UnitLevel.STREET, parent=district
            )
            units[street.code] = street
            for c in range(1, 6):
                community = Unit.objects.create(
                    code=f"C-{d}-{s}-{c}", name=f"社区{d}{s}{c}", level=UnitLevel.COMMUNITY, parent=street
                )
                units[community.code] = community
                communities.append(community)
    categories = {category.code: category.pk for category in Category.objects.all()}
    totals: dict[tuple, int] = {}
    for community in communities:
        for code, category_id in categories.items():
            level = rng.uniform(4, 30)
            if (community.code, code) in (SURGE, RAMP, SEED_SURGE_LIKE_LAST_YEAR):
                level = 15.0  # the injected changes start from an ordinary level
            for month in MONTHS:
                mean = level
                if code == SEASONAL and month.month in (7, 8):
                    mean *= 2.6
                if (community.code, code) == SURGE and month == TARGET:
                    mean *= 3.2
                if (community.code, code) == SEED_SURGE_LIKE_LAST_YEAR and month.month == 8:
                    mean *= 2.5
                if (community.code, code) == RAMP:
                    steps = (month.year - TARGET.year) * 12 + month.month - TARGET.month
                    if steps > -6:
                        mean *= 1 + 0.28 * (steps + 6)
                count = int(rng.poisson(mean))
                for unit_code in _chain(community.code):
                    key = (units[unit_code].pk, month, category_id)
                    totals[key] = totals.get(key, 0) + count
    MonthlyRollup.objects.bulk_create(
        MonthlyRollup(
            unit_id=unit_id,
            month=month,
            category_id=category_id,
            received=n,
        )
        for (unit_id, month, category_id), n in totals.items()
    )
    return units


def _chain(code: str) -> list[str]:
    parts = code.split("-")
    return ["-".join(parts[:i]) for i in range(1, len(parts) + 1)]


# Cells a finding may name: the injected ones, and the units above them (a surge shows there too).
EXPLAINED = {SURGE, RAMP, ("C-1-1", "01"), ("C-2-1", "14"), ("C-1", "01"), ("C-2", "14"), ("C", "01"), ("C", "14")}


def test_a_surge_and_a_ramp_are_found_with_their_figures_and_reasons(db):
    build_city(seed=3)
    flagged = {(f.unit.code, f.category.code): f for f in early_warning.detect(TARGET, today=dt.date(2026, 9, 15))}
    surge = flagged[SURGE]
    assert surge.primary.kind == "month_on_month"
    assert surge.level in ("red", "orange")
    assert surge.count / surge.primary.baseline > 2
    assert "社区112" in surge.reason and "物业管理" in surge.reason
    assert flagged[RAMP].primary.kind == "trend"
    assert set(flagged) <= EXPLAINED, sorted(set(flagged) - EXPLAINED)


def test_over_ten_simulated_cities_surges_are_found_and_seasons_and_noise_stay_quiet(db):
    """Ten cities of 20 communities × 17 categories (3,400 community cells, plus streets and
    districts), each with a surge ×3.2, a six-month ramp to ×2.7, a category peaking every
    July and August and a cell peaking every August."""
    surges = ramps = 0
    false_alarms = []
    for seed in range(3, 13):
        for depth in (3, 2, 1, 0):
            Unit.objects.filter(depth=depth).delete()
        MonthlyRollup.objects.all().delete()
        build_city(seed=seed)
        flagged = {(f.unit.code, f.category.code) for f in early_warning.detect(TARGET, today=dt.date(2026, 9, 15))}
        surges += SURGE in flagged
        ramps += RAMP in flagged
        false_alarms += sorted(flagged - EXPLAINED)
    assert surges >= 9
    assert ramps >= 5
    assert len(false_alarms) <= 2, false_alarms
    assert not any(cell[1] == SEASONAL for cell in false_alarms)


def test_a_category_that_jumps_in_a_unit_without_history_is_compared_with_its_neighbours(db):
    units = build_city()
    new = Unit.objects.create(code="C-1-1-9", name="新社区", level=UnitLevel.COMMUNITY, parent=units["C-1-1"])
    category = Category.objects.get(code="02")
    for code, n in (("C-1-1-9", 60), ("C-1-1", 60), ("C-1", 60), ("C", 60)):
        row, _ = MonthlyRollup.objects.get_or_create(
            unit_id=Unit.objects.get(code=code).pk,
            month=TARGET,
            category_id=category.pk,
        )
        row.received += n
        row.save()
    for other in Category.objects.exclude(code="02")[:5]:
        MonthlyRollup.objects.create(unit_id=new.pk, month=TARGET, category_id=other.pk, received=5)
    findings = {(f.unit.code, f.category.code): f for f in early_warning.detect(TARGET, today=dt.date(2026, 9, 1))}
    # Three months of history are needed to judge a unit against its own past or its own mix …
    assert ("C-1-1-9", "02") not in findings or findings[("C-1-1-9", "02")].primary.kind == "cross_category"


def test_the_command_stores_the_warnings_and_keeps_what_leaders_did(db, capsys):
    build_city()
    call_command("early_warnings", "--month", "2026-08", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert {"unit", "category", "month", "count", "baseline", "ratio", "kind", "level", "reason"} <= set(printed[0])
    surge = next(item for item in printed if (item["unit"], item["category"]) == SURGE)
    assert surge["month"] == "2026-08"
    assert surge["ratio"] == pytest.approx(surge["count"] / surge["baseline"], rel=0.01)
    stored = EarlyWarning.objects.get(unit__code=SURGE[0], category__code=SURGE[1], month=TARGET)
    stored.status = WarningStatus.ACKNOWLEDGED
    stored.save()
    call_command("early_warnings", "--month", "2026-08", "--json")
    capsys.readouterr()
    stored.refresh_from_db()
    assert stored.status == WarningStatus.ACKNOWLEDGED
    assert WarningRun.objects.get(month=TARGET).cells == len(printed)


def test_the_command_refuses_a_bad_month(db):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("early_warnings", "--month", "2026-8-1")


def test_a_month_still_running_is_compared_with_a_prorated_baseline(db):
    build_city()
    early = early_warning.detect(TARGET, today=dt.date(2026, 8, 3))
    # Counts are whole-month counts here, so against three days' worth of baseline everything
    # busy looks high: the proration is applied (many cells flagged), not ignored.
    assert len(early) > 20
