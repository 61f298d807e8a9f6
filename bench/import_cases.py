"""Throughput of the ledger import (`manage.py import_cases`, interfaces.md §2).

Writes N seeded random ledger rows to a temporary CSV (or XLSX), then times three imports of
it through the management command: the first (all rows new), a second (nothing changed: no
writes) and a third with every row's text edited (all rows updated). Prints rows per second.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py migrate -v0
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/import_cases.py --rows 100000

It builds its own small unit tree (codes BENCH-…) and deletes the cases of an earlier run
(numbers BENCH-…) before it starts, so it can be run again on the same database.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from fengqiao.cases.ledger import CHANNEL_ZH, COLUMNS, SATISFACTION_ZH  # noqa: E402
from fengqiao.cases.models import Case, CaseEvent  # noqa: E402
from fengqiao.org.models import Department, Unit, UnitLevel  # noqa: E402
from fengqiao.taxonomy.models import CaseType, Subcategory  # noqa: E402

PREFIX = "BENCH-"
TEXTS = [
    "楼道灯坏了一个星期没人修",
    "小区门口占道经营，早上堵得走不动",
    "楼上装修噪音太大，中午也不停",
    "电梯又坏了，老人上不了楼",
    "垃圾桶满了好几天没人清运",
    "想问一下孩子入学需要哪些材料",
    "路灯不亮，晚上回家不安全",
    "邻居在楼道堆放杂物，影响消防通道",
]
STATUSES = ["受理", "派发", "办理", "审核", "回复", "回访", "办结", "退单", "挂起"]


def _units() -> list[str]:
    """A city → district → street → 4 communities × (3 estates, 2 grids) tree; the case units."""

    def unit(code: str, name: str, level: str, parent: Unit | None) -> Unit:
        found = Unit.objects.filter(code=code).first()
        if found is None:
            found = Unit(code=code, name=name, level=level, parent=parent)
            found.save()
        return found

    city = unit("BENCH", "基准市", UnitLevel.CITY, None)
    district = unit("BENCH-D", "基准区", UnitLevel.DISTRICT, city)
    street = unit("BENCH-D-S", "基准街道", UnitLevel.STREET, district)
    codes = []
    for c in range(4):
        community = unit(f"BENCH-D-S-C{c}", f"基准社区{c}", UnitLevel.COMMUNITY, street)
        codes.append(community.code)
        for e in range(3):
            codes.append(unit(f"{community.code}-E{e}", f"基准小区{c}{e}", UnitLevel.ESTATE, community).code)
        for g in range(2):
            codes.append(unit(f"{community.code}-G{g}", f"基准网格{c}{g}", UnitLevel.GRID, community).code)
    return codes


def generate(rows: int, seed: int) -> list[list[str]]:
    """`rows` ledger rows (Chinese headers first), the same for the same seed."""
    rng = random.Random(seed)
    units = _units()
    subcategories = list(Subcategory.objects.values_list("code", flat=True))
    case_types = [name for name in CaseType.objects.values_list("name", flat=True) if name != "矛盾纠纷"]
    departments = list(Department.objects.values_list("code", flat=True))
    channels = [*CHANNEL_ZH.values(), "12345热线"]
    start = dt.datetime(2023, 1, 1, 8, 0)
    table = [[chinese for _english, chinese in COLUMNS]]
    for i in range(rows):
        received = start + dt.timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
        status = rng.choice(STATUSES)
        closed = received + dt.timedelta(hours=rng.randrange(1, 200)) if status == "办结" else None
        dispute = rng.random() < 0.05
        visited = status in ("回访", "办结")
        table.append(
            [
                f"{PREFIX}{i:08d}",
                received.strftime("%Y-%m-%d %H:%M:%S") if i % 2 else received.strftime("%Y-%m-%d %H:%M"),
                rng.choice(channels),
                "矛盾纠纷" if dispute else rng.choice(case_types),
                rng.choice(units),
                rng.choice(subcategories),
                rng.choice(TEXTS),
                f"{rng.randrange(1, 30)}栋{rng.randrange(1, 6)}单元",
                rng.choice(departments) if rng.random() < 0.5 else "",
                status,
                "",
                closed.strftime("%Y-%m-%d %H:%M:%S") if closed else "",
                rng.choice(list(SATISFACTION_ZH.values())) if visited and rng.random() < 0.8 else "",
                rng.choice(["是", "否"]) if visited and rng.random() < 0.8 else "",
                rng.choice(["成功", "失败", ""]) if dispute else "",
            ]
        )
    return table


def write(table: list[list[str]], path: Path) -> None:
    if path.suffix == ".xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for cells in table:
            sheet.append(cells)
        workbook.save(path)
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            csv.writer(stream).writerows(table)


def timed_import(path: Path, batch_size: int) -> tuple[float, str]:
    out = io.StringIO()
    started = time.perf_counter()
    call_command(
        "import_cases", str(path), "--batch-size", str(batch_size), stdout=out, stderr=io.StringIO(), verbosity=1
    )
    return time.perf_counter() - started, out.getvalue().strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--skip-update", action="store_true", help="Leave out the third run (every row updated).")
    options = parser.parse_args()

    stale = Case.objects.filter(number__startswith=PREFIX)
    CaseEvent.objects.filter(case__in=stale).delete()
    stale.update(merged_into=None)
    stale.delete()

    table = generate(options.rows, options.seed)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"ledger.{options.format}"
        write(table, path)
        size = path.stat().st_size / 1e6
        print(
            f"{connection.vendor}: {options.rows:,} rows, {path.suffix[1:]} of {size:.1f} MB, batch {options.batch_size}"
        )
        runs = [("first import (all new)", path), ("re-import (unchanged)", path)]
        if not options.skip_update:
            edited = Path(directory) / f"edited.{options.format}"
            write([table[0], *([*cells[:6], cells[6] + "（补充）", *cells[7:]] for cells in table[1:])], edited)
            runs.append(("third import (all text edited)", edited))
        for label, source in runs:
            seconds, summary = timed_import(source, options.batch_size)
            print(f"  {label:32} {seconds:7.1f} s  {options.rows / seconds:9,.0f} rows/s   [{summary}]")


if __name__ == "__main__":
    main()
