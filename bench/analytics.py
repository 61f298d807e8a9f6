"""Latency of the KPIs (interfaces §5) and early warning (§6) as the case table grows, with the
rollups and, for comparison, the same KPI counted straight from the case table.

Generates N seeded cases over the last `--months` months in a city of 16 districts × 10 streets
× 10 communities (1,777 units), rebuilds the rollups (timed), then times, median of repeated
warm runs:

* KPI report of the city, a district and a community for the last whole month and for the last
  twelve months (odd days at both ends, so both rollup tables are read); everything the
  dashboard page shows, for the city and for a community;
* the same twelve-month city KPI counted from the case table (no rollups);
* early-warning detection for the last whole month (all cells at community level and above),
  and reading the stored warnings back as the API does.

    createdb -h 127.0.0.1 -U postgres fengqiao_bench_1m
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fengqiao_bench_1m
    .venv/bin/python manage.py migrate -v0
    .venv/bin/python bench/analytics.py --cases 1000000

Run it again with the same --cases and it reuses the data (``--regenerate`` to start over).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from fengqiao.analytics import dashboard, early_warning, kpis, rollups  # noqa: E402
from fengqiao.analytics.models import DailyRollup, EarlyWarning, MonthlyRollup  # noqa: E402
from fengqiao.cases.models import FINISHED, Case  # noqa: E402
from fengqiao.org.models import Department, Unit, UnitLevel  # noqa: E402
from fengqiao.taxonomy.models import CaseType, Subcategory  # noqa: E402

PREFIX = "AB"
DISTRICTS, STREETS, COMMUNITIES = 16, 10, 10
BATCH = 200_000
CASE_TYPES = {
    "complaint": 0.40,
    "help": 0.20,
    "consult": 0.15,
    "report": 0.08,
    "dispute": 0.07,
    "suggestion": 0.05,
    "praise": 0.03,
    "petition": 0.02,
}
HOUR = 3600.0
DAY = 86400.0


def build_city() -> tuple[Unit, list[Unit]]:
    """The bench city (made once; reused by later runs)."""
    city = Unit.objects.filter(code=PREFIX).first()
    if city is None:
        city = Unit(code=PREFIX, name="基准市", level=UnitLevel.CITY)
        city.save()
        for d in range(DISTRICTS):
            district = Unit(code=f"{PREFIX}-{d:02d}", name=f"第{d + 1}区", level=UnitLevel.DISTRICT, parent=city)
            district.save()
            for s in range(STREETS):
                street = Unit(
                    code=f"{district.code}-{s:02d}",
                    name=f"街道{d + 1}-{s + 1}",
                    level=UnitLevel.STREET,
                    parent=district,
                )
                street.save()
                Unit.objects.bulk_create(
                    Unit(
                        code=f"{street.code}-{c:02d}",
                        name=f"社区{d + 1}-{s + 1}-{c + 1}",
                        level=UnitLevel.COMMUNITY,
                        parent=street,
                        path=f"{street.path}{street.code}-{c:02d}/",
                        depth=street.depth + 1,
                    )
                    for c in range(COMMUNITIES)
                )
    communities = list(Unit.objects.filter(path__startswith=city.path, level=UnitLevel.COMMUNITY).order_by("path"))
    return city, communities


def generate(count: int, months: int, communities: list[Unit], seed: int) -> None:
    """`count` cases received over the last `months` months, written in batches (COPY on
    PostgreSQL, executemany on SQLite)."""
    rng = np.random.default_rng(seed)
    now = timezone.now()
    end = now.timestamp() - HOUR
    start = end - months * 30.44 * DAY
    subcategories = list(Subcategory.objects.order_by("code"))
    sub_ids = np.array([s.pk for s in subcategories])
    sub_weights = rng.dirichlet(np.ones(len(subcategories)) * 2)
    limit_seconds = np.array(
        [
            s.limit_count * (HOUR if s.limit_unit == "hour" else DAY * (1.4 if s.limit_unit == "workday" else 1))
            for s in subcategories
        ]
    )
    types = {t.code: t.pk for t in CaseType.objects.all()}
    type_ids = np.array([types[code] for code in CASE_TYPES])
    type_weights = np.array(list(CASE_TYPES.values()))
    dispute_id = types["dispute"]
    unit_ids = np.array([u.pk for u in communities])
    unit_weights = rng.lognormal(0, 0.6, len(communities))
    unit_weights /= unit_weights.sum()
    department = Department.objects.order_by("code").first()
    assert department is not None
    anchor = Case.objects.filter(number=f"{PREFIX}-ANCHOR").first()
    if anchor is None:
        anchor = Case.objects.create(
            number=f"{PREFIX}-ANCHOR",
            unit=communities[0],
            case_type_id=types["consult"],
            text="基准",
            received_at=dt.datetime.fromtimestamp(start, dt.UTC),
        )
    columns = [
        "number", "unit_id", "case_type_id", "subcategory_id", "department_id", "status", "status_before_suspension",
        "urgent", "whistled", "classification_confirmed", "text", "address", "channel", "contact_name", "phone",
        "idempotency_key", "received_at", "deadline", "dispatched_at", "signed_at", "suspended_at", "replied_at",
        "visited_at", "closed_at", "result", "reply_message", "satisfaction", "resolved", "mediation_result",
        "merged_into_id", "reopen_count", "suspension_reason", "version", "updated_at",
    ]  # fmt: skip
    # Columns another app may have added to the case table get their defaults.
    extra = [
        field
        for field in Case._meta.concrete_fields
        if field.column not in columns and field.column != "id" and not field.null
    ]
    columns += [field.column for field in extra]
    extra_values = tuple(field.get_default() for field in extra)
    written = 0
    started = time.perf_counter()
    while written < count:
        n = min(BATCH, count - written)
        # Seasonal volume: 30 % more in summer than in winter.
        received = rng.uniform(start, end, int(n * 1.4))
        doy = (received / DAY) % 365.25
        keep = rng.random(received.size) < (1 + 0.3 * np.sin(2 * np.pi * (doy - 100) / 365.25)) / 1.3
        received = received[keep][:n]
        n = received.size
        sub = rng.choice(len(subcategories), n, p=sub_weights)
        case_type = rng.choice(type_ids, n, p=type_weights)
        unit = rng.choice(unit_ids, n, p=unit_weights)
        urgent = rng.random(n) < 0.02
        whistled = rng.random(n) < 0.005
        limit = np.where(urgent, 2 * HOUR, limit_seconds[sub])
        deadline = received + limit
        age = now.timestamp() - received
        # Older cases are finished; recent ones spread over the gates.
        state = rng.random(n)
        old = age > 40 * DAY
        status = np.where(
            old,
            np.select([state < 0.96, state < 0.97, state < 0.98, state < 0.99], ["closed", "merged", "visited", "replied"], "in_progress"),
            np.select(
                [state < 0.55, state < 0.60, state < 0.70, state < 0.78, state < 0.86, state < 0.92, state < 0.96],
                ["closed", "merged", "visited", "replied", "under_review", "in_progress", "dispatched"],
                "received",
            ),
        )  # fmt: skip
        dispatched_at = received + rng.uniform(0.1, 6, n) * HOUR
        signed_at = dispatched_at + rng.exponential(8, n) * HOUR
        replied_at = signed_at + rng.uniform(0.1, 1.25, n) * limit
        visited_at = replied_at + rng.uniform(0.1, 2, n) * DAY
        closed_at = visited_at + rng.uniform(0, 1, n) * HOUR
        rated = rng.random(n)
        satisfaction = np.select(
            [rated < 0.70, rated < 0.85, rated < 0.95], ["satisfied", "basically_satisfied", "dissatisfied"], ""
        )
        resolved = rng.random(n) < 0.9
        mediation = np.where(rng.random(n) < 0.97, "success", "failure")
        rows = []
        stamp = now
        for i in range(n):
            st = str(status[i])
            handled = st != "received"
            answered = st in ("replied", "visited", "closed")
            visited = st in ("visited", "closed")
            closed = st == "closed"

            def t(seconds: float, present: bool = True):
                return dt.datetime.fromtimestamp(seconds, dt.UTC) if present and seconds < end else None

            rows.append(
                (
                    f"{PREFIX}-{seed}-{written + i:09d}",
                    int(unit[i]),
                    int(case_type[i]),
                    int(sub_ids[sub[i]]),
                    department.pk if handled else None,
                    st,
                    "",
                    bool(urgent[i]),
                    bool(whistled[i]),
                    True,
                    "基准诉求",
                    "",
                    "phone",
                    "",
                    "",
                    "",
                    dt.datetime.fromtimestamp(received[i], dt.UTC),
                    dt.datetime.fromtimestamp(deadline[i], dt.UTC),
                    t(dispatched_at[i], handled),
                    t(signed_at[i], handled and st != "dispatched"),
                    None,
                    t(replied_at[i], answered),
                    t(visited_at[i], visited),
                    t(closed_at[i], closed) if closed else None,
                    "",
                    "",
                    str(satisfaction[i]) if visited else "",
                    bool(resolved[i]) if visited else None,
                    str(mediation[i]) if closed and case_type[i] == dispute_id else "",
                    anchor.pk if st == "merged" else None,
                    0,
                    "",
                    1,
                    stamp,
                    *extra_values,
                )
            )
        # A closed case must have its closing time even when the random one lies ahead.
        rows = [row if row[5] != "closed" or row[23] else (*row[:23], row[16], *row[24:]) for row in rows]
        _write(columns, rows)
        written += n
        rate = written / (time.perf_counter() - started)
        print(f"  generated {written:,} cases ({rate:,.0f}/s)", flush=True)


def _write(columns: list[str], rows: list[tuple]) -> None:
    table = Case._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)


def timed(function, repeat: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def kpis_from_cases(unit: Unit, date_from: dt.date, date_to: dt.date) -> dict:
    """The same counts read straight from the case table (what the rollups save)."""
    start, end = rollups.received_span(date_from, date_to)
    cohort = Case.objects.filter(unit__path__startswith=unit.path, received_at__gte=start, received_at__lt=end)
    totals = cohort.aggregate(
        **{name: Sum(rollups._flag(condition)) for name, condition in rollups.measure_conditions().items()}
    )
    totals["open_past_deadline"] = cohort.exclude(status__in=FINISHED).filter(deadline__lt=timezone.now()).count()
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--regenerate", action="store_true", help="Generate the cases again.")
    parser.add_argument("--rebuild", action="store_true", help="Rebuild the rollups before measuring.")
    args = parser.parse_args()

    city, communities = build_city()
    existing = Case.objects.filter(unit__path__startswith=city.path).count()
    if args.regenerate or abs(existing - args.cases) > 1:
        print(f"Generating {args.cases:,} cases over {args.months} months ({connection.vendor}) …", flush=True)
        Case.objects.filter(unit__path__startswith=city.path).exclude(number=f"{PREFIX}-ANCHOR").delete()
        generate(args.cases, args.months, communities, args.seed)
        args.rebuild = True
    if args.rebuild:
        started = time.perf_counter()
        counted = rollups.rebuild()
        print(f"Rollups rebuilt from {counted:,} cases in {time.perf_counter() - started:.1f} s", flush=True)
        if connection.vendor == "postgresql":
            # What autovacuum does for a live database: statistics for the planner and the
            # visibility map for index-only scans.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    total = Case.objects.count()
    print(
        f"\n{connection.vendor}: {total:,} cases; rollup rows: daily {DailyRollup.objects.count():,}, "
        f"monthly {MonthlyRollup.objects.count():,}"
    )

    today = timezone.localdate()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    last_month = last_month_end.replace(day=1)
    year_from = today - dt.timedelta(days=365)
    district = Unit.objects.get(code=f"{PREFIX}-03")
    community = communities[len(communities) // 2]
    print(f"\n{'query':<52} {'median ms':>10}")
    rows = [
        ("KPI city, last month", lambda: kpis.report(city, date_from=last_month, date_to=last_month_end)),
        ("KPI city, last 365 days", lambda: kpis.report(city, date_from=year_from, date_to=today)),
        ("KPI district, last 365 days", lambda: kpis.report(district, date_from=year_from, date_to=today)),
        ("KPI community, last 365 days", lambda: kpis.report(community, date_from=year_from, date_to=today)),
        (
            "dashboard page data, city, last 12 months",
            lambda: dashboard.build(city, date_from=year_from, date_to=today, metric="on_time_rate"),
        ),
        (
            "dashboard page data, community, last 12 months",
            lambda: dashboard.build(community, date_from=year_from, date_to=today, metric="on_time_rate"),
        ),
        (
            "ranking of 16 districts, last 365 days",
            lambda: kpis.ranking(
                Unit.objects.filter(parent=city), metric="on_time_rate", date_from=year_from, date_to=today
            ),
        ),
    ]
    for label, function in rows:
        median, _ = timed(function, args.repeat)
        print(f"{label:<52} {median:>10.1f}")
    median, with_rollups = timed(lambda: kpis.report(city, date_from=year_from, date_to=today), 3)
    no_rollup_ms, direct = timed(lambda: kpis_from_cases(city, year_from, today), 3)
    print(f"{'KPI city, last 365 days, WITHOUT rollups':<52} {no_rollup_ms:>10.1f}")
    assert with_rollups.received == direct["received"], (with_rollups.received, direct["received"])
    detect_ms, findings = timed(lambda: early_warning.detect(last_month), 3)
    print(f"{'early warning: detect ' + f'{last_month:%Y-%m}' + ' (all cells)':<52} {detect_ms:>10.1f}")
    early_warning.store(last_month, findings)
    read_ms, _ = timed(
        lambda: [
            early_warning.as_dict(w)
            for w in EarlyWarning.objects.filter(month=last_month).select_related("unit", "category")
        ],
        args.repeat,
    )
    print(f"{'early warning: read the stored month (API)':<52} {read_ms:>10.1f}")
    print(f"\nwarnings found for {last_month:%Y-%m}: {len(findings)}")


if __name__ == "__main__":
    main()
