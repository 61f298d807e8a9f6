"""The rollups kept current by the actions agree with the rollups rebuilt from the case table,
whatever the cases went through; bulk imports and unit moves keep them right as well."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from fengqiao.analytics import rollups
from fengqiao.analytics.models import NEVER, DailyRollup, MonthlyRollup
from fengqiao.cases.actions import do_create_case, perform_action
from fengqiao.cases.models import Case, Status
from fengqiao.org.models import Unit
from fengqiao.taxonomy.models import CaseType, Subcategory
from fengqiao.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class Clock:
    """timezone.now() under the test's control, so that a sign-for can come late."""

    def __init__(self, monkeypatch, start: dt.datetime):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


def create(people, unit, *, clock: Clock, subcategory: str = "01.02", urgent: bool = False, case_type="complaint"):
    case, _ = do_create_case(
        actor=people["clerk"],
        unit=unit,
        text="楼道灯坏了",
        case_type=CaseType.objects.get(code=case_type),
        subcategory=Subcategory.objects.get(code=subcategory),
        urgent=urgent,
        received_at=clock.now,
    )
    return case


def act(people, who, case, action, body=None):
    return perform_action(actor=people[who], case_id=case.pk, action=action, data=body or {})


def assert_rollups_match_a_rebuild():
    incremental = rollups.snapshot()
    rollups.rebuild()
    rebuilt = rollups.snapshot()
    assert set(rebuilt) == {"DailyRollup", "UnitDayRollup", "OpenRollup", "MonthlyRollup"}
    for table in rebuilt:
        assert incremental[table] == rebuilt[table], table
    assert rebuilt["DailyRollup"], "the test must have produced rollup rows"


def test_a_new_case_is_counted_at_its_unit_and_every_unit_above(tree, people, monkeypatch):
    clock = Clock(monkeypatch, START)
    case = create(people, tree["building1"], clock=clock)
    rows = DailyRollup.objects.filter(day=dt.date(2026, 3, 2))
    counted = {row.unit_id: row.received for row in rows}
    above = [tree[name].pk for name in ("city", "district", "street", "hh", "estate", "building1")]
    assert counted == dict.fromkeys(above, 1)
    row = rows.get(unit_id=tree["hh"].pk)
    assert (row.status_class, row.overdue_day) == ("open", timezone.localtime(case.deadline).date())
    assert MonthlyRollup.objects.get(unit_id=tree["city"].pk).received == 1


def test_every_path_through_the_gates_keeps_the_rollups_equal_to_a_rebuild(tree, people, d02, monkeypatch):
    clock = Clock(monkeypatch, START)
    # Closed on time, rated satisfied, resolved.
    a = create(people, tree["building1"], clock=clock)
    act(people, "clerk", a, "dispatch", {"department": "D02"})
    clock.advance(minutes=20)
    act(people, "handler", a, "sign")
    act(people, "handler", a, "submit_review", {"result": "修好了"})
    act(people, "reviewer", a, "reply", {"message": "已修复"})
    act(people, "clerk", a, "visit", {"satisfaction": "satisfied", "resolved": True})
    # Signed for after two days, replied late, visited dissatisfied, then reopened.
    b = create(people, tree["estate"], clock=clock, subcategory="01.01")
    act(people, "clerk", b, "dispatch", {"department": "D02"})
    clock.advance(days=2)
    act(people, "handler", b, "sign")
    clock.advance(days=2)
    act(people, "handler", b, "submit_review", {"result": "电梯修好"})
    act(people, "reviewer", b, "reply", {"message": "已修"})
    act(people, "clerk", b, "visit", {"satisfaction": "dissatisfied", "resolved": False})
    act(people, "clerk", b, "close")
    act(people, "clerk", b, "reopen", {"reason": "又坏了"})
    # Urgent: sign-for within 30 minutes counts, then suspended after its deadline.
    c = create(people, tree["hh"], clock=clock, urgent=True)
    act(people, "clerk", c, "dispatch", {"department": "D02"})
    clock.advance(minutes=45)
    act(people, "handler", c, "sign")
    clock.advance(hours=5)
    act(people, "reviewer", c, "suspend", {"reason": "等配件"})
    # A duplicate merged into the first case; an unclassified consultation answered at intake.
    d = create(people, tree["building2"], clock=clock)
    act(people, "clerk", d, "merge", {"into": a.number})
    e, _ = do_create_case(
        actor=people["other_clerk"], unit=tree["lh"], text="请问办居住证要什么材料", received_at=clock.now
    )
    act(people, "other_clerk", e, "answer", {"message": "带身份证到社区"})
    assert Case.objects.get(pk=b.pk).status == Status.DISPATCHED
    assert_rollups_match_a_rebuild()


def test_random_walks_through_the_workflow_agree_with_a_rebuild(tree, people, d02, monkeypatch):
    clock = Clock(monkeypatch, START)
    rng = random.Random(7)
    steps = {
        "received": [("clerk", "dispatch", {"department": "D02"}), ("clerk", "answer", {"message": "已答复"})],
        "dispatched": [("handler", "sign", {}), ("handler", "return", {"reason": "非本部门"})],
        "returned": [("clerk", "dispatch", {"department": "D02"})],
        "in_progress": [
            ("handler", "submit_review", {"result": "办好了"}),
            ("reviewer", "suspend", {"reason": "等待"}),
        ],
        "suspended": [("reviewer", "resume", {})],
        "under_review": [("reviewer", "reply", {"message": "回复"}), ("reviewer", "reject", {"reason": "不行"})],
        "replied": [
            ("clerk", "visit", {"satisfaction": "satisfied", "resolved": True}),
            ("clerk", "visit", {"satisfaction": "dissatisfied", "resolved": False}),
        ],
        "visited": [("clerk", "close", {}), ("clerk", "reopen", {"reason": "没修好"})],
        "closed": [("clerk", "reopen", {"reason": "重办"})],
    }
    units = [tree["building1"], tree["building2"], tree["estate"], tree["hh"]]
    cases = []
    for i in range(12):
        clock.advance(hours=rng.choice([1, 7, 30]))
        cases.append(create(people, rng.choice(units), clock=clock, urgent=i % 5 == 0))
    for _ in range(70):
        case = Case.objects.get(pk=rng.choice(cases).pk)
        choices = steps.get(case.status)
        if not choices:
            continue
        who, action, body = rng.choice(choices)
        clock.advance(minutes=rng.choice([10, 50, 60 * 30, 60 * 24 * 6]))
        act(people, who, case, action, body)
    assert_rollups_match_a_rebuild()


def test_python_and_sql_agree_on_the_corner_cases(tree, monkeypatch):
    """Rows written straight to the table (as a legacy loader would) give the same rollups
    whether counted in Python or in SQL."""
    now = timezone.now()
    base = dict(unit=tree["hh"], received_at=now - dt.timedelta(days=10), deadline=now - dt.timedelta(days=3))
    cases = [
        CaseFactory(**base, status=Status.SUSPENDED, suspended_at=now - dt.timedelta(days=2)),  # late when paused
        CaseFactory(**base, status=Status.SUSPENDED, suspended_at=now - dt.timedelta(days=5)),  # paused in time
        CaseFactory(**base, status=Status.REPLIED, replied_at=now - dt.timedelta(days=4)),  # answered in time
        CaseFactory(**base, status=Status.VISITED, replied_at=now - dt.timedelta(days=1)),  # answered late
        CaseFactory(**base, status=Status.REPLIED),  # imported without a reply time
        CaseFactory(**{**base, "deadline": None}, status=Status.CLOSED, closed_at=now),  # no time limit
        CaseFactory(**base, status=Status.CLOSED, closed_at=now),  # closed late, no reply time
        CaseFactory(**base, status=Status.CLOSED, closed_at=now, replied_at=now - dt.timedelta(days=4)),
        CaseFactory(
            **base,
            status=Status.IN_PROGRESS,
            department_id=1,
            dispatched_at=now - dt.timedelta(days=9),
            signed_at=now - dt.timedelta(days=9) + dt.timedelta(hours=24),  # exactly on the limit
        ),
        CaseFactory(**base, status=Status.RECEIVED, subcategory=None, satisfaction="basically_satisfied"),
        CaseFactory(**base, status=Status.RECEIVED, mediation_result="success", resolved=True),
    ]
    expected: dict[tuple, list[int]] = {}
    for case in cases:
        case.refresh_from_db()
        for key, vector in rollups.contribution(case).daily_rows().items():
            row = expected.setdefault(key, [0] * len(vector))
            for i, n in enumerate(vector):
                row[i] += n
    rollups.rebuild()
    daily = rollups.snapshot()["DailyRollup"]
    assert daily == {key: tuple(vector) for key, vector in expected.items()}
    overdue_days = {key[6] for key in daily if key[0] == tree["hh"].pk}
    assert NEVER in overdue_days and (now - dt.timedelta(days=3)).astimezone(rollups.LOCAL).date() in overdue_days


def test_moving_a_community_moves_its_counts_to_the_new_street(tree, people, monkeypatch):
    clock = Clock(monkeypatch, START)
    create(people, tree["building1"], clock=clock)
    create(people, tree["lh_estate"], clock=clock)
    other_street = Unit.objects.create(code="HF-JK-XX", name="新街道", level="street", parent=tree["district"])
    hh = Unit.objects.get(pk=tree["hh"].pk)
    hh.parent = other_street
    hh.save()
    received = {row.unit_id: row.received for row in MonthlyRollup.objects.all()}
    assert received[other_street.pk] == 1
    assert received[tree["street"].pk] == 1
    assert received[tree["city"].pk] == 2
    assert_rollups_match_a_rebuild()


def test_importing_a_ledger_rebuilds_the_months_it_touched(tree, tmp_path):
    from fengqiao.cases.importing import import_cases

    path = tmp_path / "ledger.csv"
    path.write_text(
        "编号,受理时间,类型,所属单位,分类,诉求内容,状态,办结时间,满意度,调解结果\n"
        "L1,2026-05-03 10:00,矛盾纠纷,HF-JK-FR-HH,14.02,邻居噪音,closed,2026-05-04 10:00,满意,成功\n"
        "L2,2026-05-20 10:00,投诉,HF-JK-FR-LH,01.02,物业不管,in_progress,,,\n",
        encoding="utf-8",
    )
    import_cases(path=path)
    month = MonthlyRollup.objects.filter(unit_id=tree["city"].pk, month=dt.date(2026, 5, 1))
    assert sum(row.received for row in month) == 2
    assert sum(row.mediation_success for row in month) == 1
    assert_rollups_match_a_rebuild()


def test_the_rebuild_command_checks_and_repairs(tree, capsys):
    from django.core.management import CommandError, call_command

    CaseFactory(unit=tree["hh"], received_at=START)
    call_command("rebuild_rollups")
    call_command("rebuild_rollups", "--check")
    assert "agree" in capsys.readouterr().out
    MonthlyRollup.objects.filter(unit_id=tree["city"].pk).update(received=5)
    with pytest.raises(CommandError, match="1 rollup rows differ"):  # the city's month
        call_command("rebuild_rollups", "--check")
    assert MonthlyRollup.objects.get(unit_id=tree["city"].pk).received == 5  # --check changes nothing
    call_command("rebuild_rollups", "--from", "2026-03-01", "--to", "2026-03-31")
    assert MonthlyRollup.objects.get(unit_id=tree["city"].pk).received == 1
