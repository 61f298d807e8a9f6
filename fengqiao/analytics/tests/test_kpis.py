"""KPI formulas (interfaces §5) on hand-made cohorts, through the function, the command and the API."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fengqiao.analytics import kpis, rollups
from fengqiao.cases.models import Status
from fengqiao.taxonomy.models import CaseType
from fengqiao.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localtime(NOW).date()
DAY = dt.timedelta(days=1)


def cohort(tree):
    """Nine cases received in the last ten days in 海恒社区, one older, one elsewhere."""
    hh, lh = tree["hh"], tree["lh"]
    received = NOW - 8 * DAY
    past, future = NOW - 2 * DAY, NOW + 3 * DAY
    made = {
        "on_time": CaseFactory(
            unit=hh,
            received_at=received,
            deadline=past,
            status=Status.CLOSED,
            closed_at=NOW - 3 * DAY,
            resolved=True,
            satisfaction="satisfied",
        ),
        "late": CaseFactory(
            unit=hh,
            received_at=received,
            deadline=past,
            status=Status.CLOSED,
            closed_at=NOW - DAY,
            resolved=False,
            satisfaction="dissatisfied",
        ),
        "late_unrated": CaseFactory(unit=hh, received_at=received, deadline=past, status=Status.CLOSED, closed_at=NOW),
        "open_overdue": CaseFactory(
            unit=tree["building1"], received_at=received, deadline=past, status=Status.RECEIVED
        ),
        "open_not_due": CaseFactory(unit=hh, received_at=received, deadline=future, status=Status.RECEIVED),
        # Reopened: it was closed and rated; the reopen cleared the rating and set a new limit.
        "reopened": CaseFactory(
            unit=hh,
            received_at=received,
            deadline=future,
            status=Status.DISPATCHED,
            department_id=1,
            dispatched_at=NOW - DAY,
            signed_at=None,
            reopen_count=1,
        ),
        "basically": CaseFactory(
            unit=hh,
            received_at=received,
            deadline=future,
            status=Status.CLOSED,
            closed_at=NOW - 4 * DAY,
            resolved=True,
            satisfaction="basically_satisfied",
        ),
        "signed_fast": CaseFactory(
            unit=hh,
            received_at=received,
            deadline=future,
            status=Status.IN_PROGRESS,
            department_id=1,
            dispatched_at=NOW - 7 * DAY,
            signed_at=NOW - 7 * DAY + dt.timedelta(hours=3),
        ),
        "signed_slow": CaseFactory(
            unit=hh,
            received_at=received,
            deadline=future,
            status=Status.IN_PROGRESS,
            department_id=1,
            dispatched_at=NOW - 7 * DAY,
            signed_at=NOW - 5 * DAY,
        ),
        "outside_period": CaseFactory(unit=hh, received_at=NOW - 40 * DAY, status=Status.RECEIVED, deadline=past),
        "other_unit": CaseFactory(unit=lh, received_at=received, deadline=past, status=Status.RECEIVED),
    }
    rollups.rebuild()
    return made


def test_the_rates_on_a_hand_made_cohort(tree):
    cohort(tree)
    report = kpis.report(tree["hh"], date_from=TODAY - 10 * DAY, date_to=TODAY)
    assert report.received == 9
    assert report.closed == 4
    # closed on time 2 (on_time, basically) / (closed 4 + open past deadline 1); the case not
    # yet due and the reopened one are left out.
    assert (report.rates["on_time_rate"].numerator, report.rates["on_time_rate"].denominator) == (2, 5)
    assert report.rates["on_time_rate"].value == pytest.approx(0.4)
    # Three dispatched; two signed within 24 hours (the reopened one not yet signed).
    assert (report.rates["response_rate"].numerator, report.rates["response_rate"].denominator) == (1, 3)
    assert (report.rates["resolution_rate"].numerator, report.rates["resolution_rate"].denominator) == (2, 3)
    assert (report.rates["satisfaction_rate"].numerator, report.rates["satisfaction_rate"].denominator) == (2, 3)
    assert report.rates["mediation_success_rate"].value is None
    assert report.rates["mediation_success_rate"].percent == "—"


def test_the_seed_figure_184_disputes_180_mediated(tree):
    dispute = CaseType.objects.get(code="dispute")
    received = NOW - 20 * DAY
    for i in range(184):
        CaseFactory(
            unit=tree["hh"],
            case_type=dispute,
            received_at=received + i * dt.timedelta(minutes=7),
            mediation_result="success" if i < 180 else "failure",
        )
    rollups.rebuild()
    report = kpis.report(tree["street"], date_from=TODAY - 30 * DAY, date_to=TODAY)
    rate = report.rates["mediation_success_rate"]
    assert (rate.numerator, rate.denominator) == (180, 184)
    assert rate.percent == "97.83%"


def test_a_period_of_whole_months_and_odd_days_counts_each_case_once(tree):
    for day in (
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 15),
    ):
        CaseFactory(unit=tree["hh"], received_at=dt.datetime.combine(day, dt.time(23, 30), tzinfo=rollups.LOCAL))
    rollups.rebuild()
    assert kpis.split_period(dt.date(2026, 1, 31), dt.date(2026, 3, 14)) == (
        [(dt.date(2026, 1, 31), dt.date(2026, 1, 31)), (dt.date(2026, 3, 1), dt.date(2026, 3, 14))],
        [dt.date(2026, 2, 1)],
    )
    report = kpis.report(tree["city"], date_from=dt.date(2026, 1, 31), date_to=dt.date(2026, 3, 14))
    assert report.received == 4  # 23:30 Shanghai time counts on its own day, not the UTC one
    assert kpis.report(None, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31)).received == 5


def test_an_open_case_whose_deadline_passed_earlier_today_counts_as_overdue(tree):
    start_of_today = dt.datetime.combine(TODAY, dt.time.min, tzinfo=rollups.LOCAL)
    deadline = max(start_of_today, NOW - dt.timedelta(minutes=5))
    CaseFactory(unit=tree["hh"], received_at=NOW - 3 * DAY, deadline=deadline, status=Status.RECEIVED)
    CaseFactory(unit=tree["hh"], received_at=NOW - 3 * DAY, deadline=NOW + dt.timedelta(minutes=5))
    # Due earlier today too, but the clock stopped in time / the answer went out in time:
    CaseFactory(
        unit=tree["hh"],
        received_at=NOW - 3 * DAY,
        deadline=deadline,
        status=Status.SUSPENDED,
        department_id=1,
        suspended_at=deadline - dt.timedelta(hours=1),
    )
    CaseFactory(
        unit=tree["hh"],
        received_at=NOW - 3 * DAY,
        deadline=deadline,
        status=Status.REPLIED,
        replied_at=deadline - dt.timedelta(hours=1),
    )
    # … and answered after the deadline: overdue.
    CaseFactory(
        unit=tree["estate"],
        received_at=NOW - 3 * DAY,
        deadline=deadline,
        status=Status.REPLIED,
        replied_at=deadline + dt.timedelta(seconds=1),
    )
    rollups.rebuild()
    report = kpis.report(tree["hh"], date_from=TODAY - 5 * DAY, date_to=TODAY, now=NOW)
    assert report.open_overdue == 2
    assert report.rates["on_time_rate"].denominator == 2
    assert kpis.report(tree["estate"], date_from=TODAY - 5 * DAY, date_to=TODAY, now=NOW).open_overdue == 1
    month = kpis.monthly_reports(tree["city"], months=[TODAY.replace(day=1)], date_to=TODAY, now=NOW)
    assert month[-1][1].open_overdue == (2 if (NOW - 3 * DAY).month == NOW.month else 0)


def test_ranking_leaves_units_with_few_cases_unranked(tree):
    for i in range(40):
        CaseFactory(unit=tree["hh"], received_at=NOW - DAY, satisfaction="satisfied" if i % 4 else "dissatisfied")
    for _ in range(3):
        CaseFactory(unit=tree["lh"], received_at=NOW - DAY, satisfaction="satisfied")
    rollups.rebuild()
    rows = kpis.ranking(
        [tree["hh"], tree["lh"]], metric="satisfaction_rate", date_from=TODAY - 5 * DAY, date_to=TODAY, min_cases=30
    )
    assert [(row.rank, row.report.unit.code, row.rate.numerator, row.rate.denominator) for row in rows] == [
        (1, "HF-JK-FR-HH", 30, 40),
        (None, "HF-JK-FR-LH", 3, 3),
    ]


def test_the_command_prints_json_with_numerators_and_denominators(tree, capsys):
    cohort(tree)
    call_command("kpis", "--from", str(TODAY - 10 * DAY), "--to", str(TODAY), "--unit", "hf-jk-fr-hh", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["unit"] == "HF-JK-FR-HH"
    assert data["received"] == 9 and data["closed"] == 4
    assert data["on_time_rate"] == pytest.approx(0.4)
    assert data["counts"]["on_time_rate"] == {"numerator": 2, "denominator": 5}
    assert data["mediation_success_rate"] is None


def test_the_command_prints_a_table(tree, capsys):
    cohort(tree)
    call_command("kpis", "--from", str(TODAY - 10 * DAY), "--to", str(TODAY), "--unit", "HF-JK-FR-HH")
    out = capsys.readouterr().out
    assert "40.00%" in out and "(2/5)" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "YYYY-MM-DD"),
        (["--from", "2026-12-31", "--to", "2026-01-01"], "2026-12-31"),
        (["--from", "2026-01-01", "--to", "2026-12-31", "--unit", "NOPE"], "NOPE"),
    ],
)
def test_the_command_refuses_bad_arguments(tree, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("kpis", *arguments)


def test_monthly_reports_agree_with_one_report_per_month(tree):
    cohort(tree)
    for months_ago in (35, 65, 95):
        CaseFactory(unit=tree["hh"], received_at=NOW - months_ago * DAY, status=Status.CLOSED, closed_at=NOW)
    rollups.rebuild()
    months = [(TODAY.replace(day=1) - dt.timedelta(days=31 * k)).replace(day=1) for k in range(4, -1, -1)]
    together = kpis.monthly_reports(tree["hh"], months=months, date_to=TODAY, now=NOW)
    for month, report in together:
        month_end = min((month + dt.timedelta(days=32)).replace(day=1) - DAY, TODAY)
        alone = kpis.report(tree["hh"], date_from=month, date_to=month_end, now=NOW)
        assert report.totals == alone.totals, month
        assert report.open_overdue == alone.open_overdue, month
    assert sum(report.received for _, report in together) >= 12
