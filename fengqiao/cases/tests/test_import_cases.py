"""The ledger (台账) import, `manage.py import_cases` (interfaces.md §2; docs/import-cases.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from fengqiao.cases.actions import do_create_case, perform_action
from fengqiao.cases.importing import Deadlines, import_cases, parse_time
from fengqiao.cases.ledger import COLUMNS, export_xlsx
from fengqiao.cases.models import Case, CaseEvent, Status
from fengqiao.org.models import Department, UnitLevel
from fengqiao.taxonomy.models import CaseType, RoutingRule, Subcategory
from fengqiao.testing.factories import UnitFactory

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
ENGLISH = [english for english, _chinese in COLUMNS]
CHINESE = [chinese for _english, chinese in COLUMNS]
B1 = "HF-JK-FR-HH-E1-B1"


def row(**fields) -> dict[str, str]:
    """One ledger row: a fresh complaint about 01.02 物业服务质量 in 海恒家园 1栋, overridable."""
    values = dict.fromkeys(ENGLISH, "")
    values.update(
        number="HH-0001",
        received_at="2024-05-06 09:30",
        channel="电话",
        case_type="投诉",
        unit=B1,
        subcategory="01.02",
        text="楼道灯坏了一个星期",
        address="海恒家园1栋2单元",
        status="受理",
    )
    values.update(fields)
    return values


def write_csv(path: Path, rows: list[dict], *, header: list[str] | None = None, encoding="utf-8-sig") -> Path:
    header = header or (list(rows[0]) if rows else ENGLISH)
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for values in rows:
            writer.writerow([values.get(name, "") for name in header])
    return path


def run(path: Path, *args, verbosity: int = 1) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", str(path), *args, stdout=out, stderr=err, verbosity=verbosity)
    return out.getvalue(), err.getvalue()


def fail(path: Path, *args) -> list[str]:
    """Run an import that must fail; returns the problem lines it printed."""
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_cases", str(path), *args, stdout=io.StringIO(), stderr=err)
    assert info.value.returncode == 1
    assert "nothing was imported" in str(info.value)
    return [line for line in err.getvalue().splitlines() if not line.startswith("import_cases:")]


def local(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def limit_deadline(received_at: dt.datetime, subcategory: str) -> dt.datetime:
    return Case(received_at=received_at, subcategory=Subcategory.objects.get(code=subcategory)).compute_deadline()


@pytest.fixture
def grid(tree):
    return UnitFactory(code="HF-JK-FR-HH-G1", name="海恒第一网格", level=UnitLevel.GRID, parent=tree["hh"])


# --- good files ------------------------------------------------------------------------------


def test_good_csv_with_english_headers(tree, tmp_path):
    path = write_csv(
        tmp_path / "ledger.csv",
        [
            row(number="HH-0001"),
            row(number="HH-0002", channel="12345热线", status="dispatched", subcategory="01.01"),
            row(
                number="HH-0003",
                channel="WeChat",
                case_type="consult",
                unit="HF-JK-FR-HH",
                status="closed",
                department="d22",
                deadline="2024-05-20 18:00",
                closed_at="2024-05-08 16:00",
                satisfaction="基本满意",
                resolved="是",
            ),
        ],
    )
    out, _err = run(path)
    assert out.strip().endswith("created 3, updated 0, unchanged 0")

    first = Case.objects.get(number="HH-0001")
    assert first.received_at == local("2024-05-06 09:30")
    assert (first.channel, first.case_type.code, first.unit.code, first.subcategory.code) == (
        "phone",
        "complaint",
        B1,
        "01.02",
    )
    assert (first.text, first.address, first.status, first.department) == (
        "楼道灯坏了一个星期",
        "海恒家园1栋2单元",
        Status.RECEIVED,
        None,
    )
    assert first.deadline == limit_deadline(first.received_at, "01.02")
    assert (first.created_by, first.reporter, first.classification_confirmed, first.version) == (None, None, True, 1)
    assert (first.replied_at, first.closed_at, first.satisfaction, first.resolved) == (None, None, "", None)

    second = Case.objects.get(number="HH-0002")
    assert second.channel == "12345热线"  # free text is kept
    assert second.department.code == "D02"  # dispatched without a department: the routing table's
    assert second.deadline == limit_deadline(second.received_at, "01.01")

    third = Case.objects.get(number="HH-0003")
    assert (third.channel, third.case_type.code, third.department.code) == ("wechat", "consult", "D22")
    assert third.deadline == local("2024-05-20 18:00")  # given in the file: kept as it is
    assert third.closed_at == third.replied_at == local("2024-05-08 16:00")
    assert (third.satisfaction, third.resolved) == ("basically_satisfied", True)

    events = CaseEvent.objects.filter(action="case.import")
    assert events.count() == 3
    event = events.get(case=third)
    assert (event.actor, event.from_status, event.to_status, event.changes) == (None, "", "closed", {})
    assert event.data == {"file": "ledger.csv", "row": 4}


def test_routing_rule_is_used_for_an_empty_department(tree, tmp_path):
    RoutingRule.objects.create(
        unit=tree["hh"],
        subcategory=Subcategory.objects.get(code="01.02"),
        department=Department.objects.get(code="D01"),
    )
    run(write_csv(tmp_path / "l.csv", [row(status="in_progress")]))
    assert Case.objects.get().department.code == "D01"


def test_good_xlsx_with_chinese_headers(tree, grid, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([" 编号 ", *CHINESE[1:], "备注"])
    sheet.append(
        [
            20240001,  # a number cell
            dt.datetime(2024, 5, 6, 9, 30, 0, 999_700),  # a date cell, as Excel stores it
            "来访",
            "矛盾纠纷",
            grid.code,
            "13.01",
            "邻居装修噪音扰民",
            "",
            "D01",
            "办结",
            "",
            dt.datetime(2024, 5, 7, 10, 0),
            "满意",
            "是",
            "成功",
            "调解成功",
        ]
    )
    sheet.append([])  # a blank row is skipped but still counted
    sheet.append(["20240002", "2024-05-06 10:00", "", "信访", "HF-JK-FR-HH-E1", "14.02", "反映问题", *[""] * 2, "回复"])
    path = tmp_path / "ledger.xlsx"
    workbook.save(path)

    out, _err = run(path)
    assert "created 2" in out
    dispute = Case.objects.get(number="20240001")
    assert dispute.received_at == local("2024-05-06 09:30") + dt.timedelta(seconds=1)  # to the nearest second
    assert (dispute.channel, dispute.case_type.code, dispute.unit, dispute.department.code) == (
        "visit",
        "dispute",
        grid,
        "D01",
    )
    assert (dispute.status, dispute.closed_at, dispute.mediation_result) == (
        "closed",
        local("2024-05-07 10:00"),
        "success",
    )
    assert dispute.visited_at == dispute.replied_at == dispute.closed_at  # a rating came with it
    petition = Case.objects.get(number="20240002")
    assert (petition.case_type.code, petition.status, petition.replied_at) == ("petition", "replied", None)
    assert CaseEvent.objects.get(case=petition).data["row"] == 4


def test_gbk_csv_is_read_as_gb18030_and_says_so(tree, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [row(text="电梯困人，请尽快处理")], encoding="gbk")
    out, _err = run(path)
    assert "read as GBK/GB18030" in out
    case = Case.objects.get()
    assert (case.text, case.channel, case.case_type.code) == ("电梯困人，请尽快处理", "phone", "complaint")


def test_gbk_csv_with_chinese_headers(tree, tmp_path):
    path = tmp_path / "gbk-zh.csv"
    with path.open("w", encoding="gbk", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(CHINESE)
        writer.writerow(list(row(number="GBK-1", status="办理", department="D02").values()))
    out, _err = run(path)
    assert "read as GBK/GB18030" in out and "created 1" in out
    assert Case.objects.get(number="GBK-1").status == "in_progress"


def test_text_that_is_neither_utf8_nor_gbk_is_refused(tree, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(",".join(ENGLISH).encode() + b"\nHH-1,\x80\xff\n")
    (line,) = fail(path)
    assert line == (
        "cannot read bad.csv: it is neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8 (逗号分隔) and import again"
    )


def test_mixed_time_formats(tree, tmp_path):
    formats = {
        "T1": "2024-05-06 09:30",
        "T2": "2024-05-06 09:30:15",
        "T3": "2024-05-06T01:30:00Z",
        "T4": "2024-05-06T09:30:00+08:00",
        "T5": "2024/5/6 9:30",
        "T6": "2024-05-05T19:30:00.250-06:00",
        "T7": "2024-05-06T09:30+0800",
    }
    run(write_csv(tmp_path / "t.csv", [row(number=number, received_at=text) for number, text in formats.items()]))
    received = dict(Case.objects.values_list("number", "received_at"))
    base = local("2024-05-06 09:30")
    assert received == {
        "T1": base,
        "T2": base + dt.timedelta(seconds=15),
        "T3": base,
        "T4": base,
        "T5": base,
        "T6": base + dt.timedelta(milliseconds=250),
        "T7": base,
    }


@pytest.mark.parametrize(
    "text", ["2024-05-06", "06/05/2024 09:30", "2024-13-01 09:30", "2024-02-30 10:00", "2024-05-06 25:00", "昨天"]
)
def test_parse_time_refuses(text):
    assert parse_time(text) is None


def test_memoised_deadlines_match_case_compute_deadline(db):
    """Deadlines shifts a per-day result; it must agree with the model on every kind of start:
    working days, weekends, holidays, make-up working days, midnight sharp, the last second."""
    deadlines = Deadlines()
    rng = random.Random(11)
    subcategories = list(Subcategory.objects.all())
    starts = [local("2024-10-01 00:00"), local("2024-09-29 00:00"), local("2024-09-30 00:00")]
    starts += [local("2024-10-12 00:00") - dt.timedelta(seconds=1), local("2024-02-04 08:00")]
    starts += [
        local("2023-12-20 00:00")
        + dt.timedelta(seconds=rng.randrange(0, 400 * 86400), microseconds=rng.randrange(10**6))
        for _ in range(3000)
    ]
    starts += [local("2024-01-01 00:00") + dt.timedelta(days=rng.randrange(0, 366)) for _ in range(300)]
    for start in starts:
        subcategory = rng.choice(subcategories)
        urgent = rng.random() < 0.05
        expected = Case(received_at=start, subcategory=subcategory, urgent=urgent).compute_deadline()
        assert deadlines(start, subcategory, urgent=urgent) == expected, (start, subcategory.code)


# --- re-imports ------------------------------------------------------------------------------


def test_second_import_changes_nothing_and_writes_nothing(tree, tmp_path):
    rows = [
        row(number="R1"),
        row(number="R2", status="dispatched"),
        row(number="R3", status="closed", closed_at="2024-05-07 10:00", satisfaction="满意", resolved="是"),
        row(number="R4", status="merged", merged_into="R1"),
        row(number="R5", status="suspended"),
    ]
    path = write_csv(tmp_path / "l.csv", rows, header=[*ENGLISH, "merged_into"])
    run(path)
    before = list(Case.objects.order_by("pk").values())
    events = CaseEvent.objects.count()

    with CaptureQueriesContext(connection) as queries:
        out, _err = run(path)
    assert out.strip() == "created 0, updated 0, unchanged 5"
    writes = [query["sql"] for query in queries if query["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert list(Case.objects.order_by("pk").values()) == before
    assert CaseEvent.objects.count() == events


def test_reimport_updates_changed_fields_only(tree, tmp_path):
    run(write_csv(tmp_path / "one.csv", [row(number="U1"), row(number="U2")]))
    first = Case.objects.get(number="U1")
    deadline = first.deadline

    changed = [
        row(number="U1", text="楼道灯还是不亮", status="派发", department="D12"),
        row(number="U2"),
    ]
    out, _err = run(write_csv(tmp_path / "two.csv", changed))
    assert out.strip() == "created 0, updated 1, unchanged 1"
    first.refresh_from_db()
    assert (first.text, first.status, first.department.code, first.version) == (
        "楼道灯还是不亮",
        "dispatched",
        "D12",
        2,
    )
    assert first.deadline == deadline
    event = CaseEvent.objects.filter(case=first).latest("id")
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        "case.import",
        None,
        "received",
        "dispatched",
    )
    assert event.changes == {
        "text": ["楼道灯坏了一个星期", "楼道灯还是不亮"],
        "department": [None, "D12"],
        "status": ["received", "dispatched"],
    }
    assert Case.objects.get(number="U2").version == 1


def test_updates_that_set_and_clear_columns_in_one_batch(tree, tmp_path):
    closed = {"status": "办结", "closed_at": "2024-05-08 10:00", "satisfaction": "满意", "resolved": "是"}
    first = [row(number="A"), row(number="B", **closed), row(number="C", status="回访", resolved="否")]
    run(write_csv(tmp_path / "one.csv", first))
    second = [
        row(number="A", deadline="2024-05-09 18:00", department="D12", **closed),
        row(number="B"),
        row(number="C", text="改了", channel="微信"),
    ]
    out, _err = run(write_csv(tmp_path / "two.csv", second))
    assert out.strip() == "created 0, updated 3, unchanged 0"
    cases = {case.number: case for case in Case.objects.all()}
    a, b, c = cases["A"], cases["B"], cases["C"]
    at = local("2024-05-08 10:00")
    assert (a.status, a.closed_at, a.replied_at, a.visited_at, a.satisfaction, a.resolved) == (
        "closed",
        at,
        at,
        at,
        "satisfied",
        True,
    )
    assert (a.deadline, a.department.code) == (local("2024-05-09 18:00"), "D12")
    assert (b.status, b.closed_at, b.replied_at, b.visited_at, b.satisfaction, b.resolved) == (
        "received",
        None,
        None,
        None,
        "",
        None,
    )
    assert (c.status, c.resolved, c.text, c.channel) == ("received", None, "改了", "wechat")
    assert {case.version for case in cases.values()} == {2}
    changes = CaseEvent.objects.filter(case=b).latest("id").changes
    assert changes["closed_at"] == ["2024-05-08T02:00:00+00:00", None]  # UTC, as the actions write times
    assert changes["resolved"] == [True, None]


def test_update_keeps_the_department_of_a_case_in_handling(tree, tmp_path):
    run(write_csv(tmp_path / "one.csv", [row(status="dispatched", department="D12")]))
    run(write_csv(tmp_path / "two.csv", [row(status="in_progress")]))
    case = Case.objects.get()
    assert (case.status, case.department.code) == ("in_progress", "D12")


def test_new_subcategory_recomputes_an_empty_deadline(tree, tmp_path):
    run(write_csv(tmp_path / "one.csv", [row()]))
    run(write_csv(tmp_path / "two.csv", [row(subcategory="01.01")]))
    case = Case.objects.get()
    assert case.deadline == limit_deadline(case.received_at, "01.01")


# --- the round trip through the export -----------------------------------------------------------


def act(people, who, case, action, body=None) -> Case:
    return perform_action(actor=people[who], case_id=case.pk, action=action, data=body or {})


def test_export_then_import_changes_nothing_then_one_edit_updates_one_case(tree, people, tmp_path):
    sub = Subcategory.objects.get(code="01.02")
    complaint = CaseType.objects.get(code="complaint")

    def new(text, channel="phone"):
        case, _created = do_create_case(
            actor=people["clerk"],
            unit=tree["building1"],
            text=text,
            case_type=complaint,
            subcategory=sub,
            channel=channel,
            address="海恒家园1栋",
        )
        return case

    new("刚收到的诉求")
    other = new("网上来的", channel="online")
    act(people, "clerk", other, "accept", {"subcategory": "01.01"})
    dispatched = act(people, "clerk", new("待签收"), "dispatch", {"department": "D02"})
    signed = act(people, "handler", act(people, "clerk", new("办理中"), "dispatch", {"department": "D02"}), "sign")
    answered = act(people, "clerk", new("咨询一下物业费"), "answer", {"message": "已答复"})
    case = act(people, "clerk", new("办完的"), "dispatch", {"department": "D02"})
    case = act(people, "handler", case, "sign")
    case = act(people, "handler", case, "submit_review", {"result": "已修好"})
    case = act(people, "reviewer", case, "reply", {"message": "已修好"})
    act(people, "clerk", case, "visit", {"satisfaction": "satisfied", "resolved": True})
    visited = act(people, "clerk", new("不满意的"), "answer", {"message": "已答复"})
    act(people, "clerk", visited, "visit", {"satisfaction": "dissatisfied", "resolved": False})
    act(people, "clerk", new("重复的"), "merge", {"into": str(dispatched.pk)})
    suspended = act(people, "clerk", new("等材料"), "dispatch", {"department": "D02"})
    act(people, "reviewer", act(people, "handler", suspended, "sign"), "suspend", {"reason": "等居民补材料"})
    act(people, "handler", signed, "return", {"reason": "不归物业管"})
    in_progress = act(people, "handler", act(people, "clerk", new("在办"), "dispatch", {"department": "D02"}), "sign")
    act(people, "handler", act(people, "clerk", new("待审"), "dispatch", {"department": "D02"}), "sign")
    act(people, "handler", Case.objects.get(text="待审"), "submit_review", {"result": "已处理"})
    assert in_progress.status == "in_progress"
    assert {case.status for case in Case.objects.all()} == {s.value for s in Status}
    assert answered.status == "replied"

    path = tmp_path / "export.xlsx"
    path.write_bytes(export_xlsx(Case.objects.select_related("case_type", "unit", "subcategory", "department")))
    before = list(Case.objects.order_by("pk").values())
    events = CaseEvent.objects.count()
    out, _err = run(path)
    assert out.strip() == f"created 0, updated 0, unchanged {len(before)}"
    assert list(Case.objects.order_by("pk").values()) == before
    assert CaseEvent.objects.count() == events

    workbook = load_workbook(path)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    numbers = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    edited_row = numbers.index(other.number) + 2
    sheet.cell(row=edited_row, column=header.index("地址") + 1, value="海恒家园2栋")
    workbook.save(path)

    out, _err = run(path)
    assert out.strip() == f"created 0, updated 1, unchanged {len(before) - 1}"
    other.refresh_from_db()
    assert (other.address, other.version) == ("海恒家园2栋", 3)
    event = CaseEvent.objects.filter(action="case.import").get()
    assert event.case == other
    assert event.changes == {"address": ["海恒家园1栋", "海恒家园2栋"]}
    assert event.data == {"file": "export.xlsx", "row": edited_row}


# --- bad rows ------------------------------------------------------------------------------------


BAD = [
    (row(number="B01"), None),
    (row(number="", text=""), ["missing number (编号)", "missing text (诉求内容)"]),
    (row(number="B03", unit="HF-XX"), ['unknown unit "HF-XX"']),
    (row(number="B04", subcategory="99.99"), ['unknown subcategory "99.99"']),
    (
        row(number="B05", case_type="表扬"),
        [
            'unknown case type "表扬" (expected one of: consult 咨询, help 求助, complaint 投诉, report 举报, '
            "suggestion 建议, praise 感谢, dispute 矛盾纠纷, petition 信访)"
        ],
    ),
    (row(number="B06", department="D99"), ['unknown department "D99"']),
    (
        row(number="B07", status="已处理"),
        [
            'unknown status "已处理" (expected one of: received 受理, dispatched 派发, in_progress 办理, '
            "under_review 审核, replied 回复, visited 回访, closed 办结, returned 退单, suspended 挂起, merged 合并)"
        ],
    ),
    (
        row(number="B08", received_at="2024-05-32 09:00"),
        [
            'bad received_at "2024-05-32 09:00": expected YYYY-MM-DD HH:MM[:SS] (Asia/Shanghai) or ISO 8601 with an offset'
        ],
    ),
    (row(number="B09", status="办结"), ["status 办结 (closed) needs closed_at (办结时间)"]),
    (
        row(number="B10", mediation="成功"),
        ['mediation result "成功" is for disputes (矛盾纠纷) only, not 投诉 (complaint)'],
    ),
    (
        row(number="B11", status="回访", satisfaction="非常满意"),
        ['unknown satisfaction "非常满意" (expected 满意, 基本满意, 不满意 or empty)'],
    ),
    (row(number="B01", text="又一条"), ['duplicate number "B01" (first on row 2)']),
    (
        row(number="B13", unit="HF-JK-FR"),
        [
            'unit "HF-JK-FR" is a street (街道乡镇); a case belongs to a community (社区村), estate (小区), grid (网格) or building (楼栋)'
        ],
    ),
    (row(number="B14", received_at=""), ["missing received_at (受理时间)"]),
    (row(number="B15", subcategory=""), ["missing subcategory (分类)"]),
    (row(number="B16", case_type="", unit=""), ["missing case_type (类型)", "missing unit (所属单位)"]),
    (
        row(number="B17", status="回复", closed_at="2024-05-08 10:00"),
        ["closed_at (办结时间) is given but the status is 回复 (replied); only a closed (办结) case has one"],
    ),
    (
        row(number="B18", status="办理", satisfaction="满意"),
        [
            "satisfaction and resolved come from the follow-up visit, but the status is 办理 (in_progress); "
            "only a visited (回访) or closed (办结) case has them"
        ],
    ),
    (row(number="B19", status="回访", resolved="也许"), ['unknown resolved "也许" (expected 是, 否 or empty)']),
    (
        row(number="B20", status="合并"),
        [
            'status 合并 (merged) needs the case it was merged into: add a "merged_into" (合并至) column with '
            "that case's number"
        ],
    ),
    (
        row(number="B21", status="办结", received_at="2024-05-06 09:30", closed_at="2024-05-01 09:30"),
        ["closed_at (办结时间) is before received_at (受理时间)"],
    ),
    (
        row(number="B22", subcategory="1.1"),
        ['unknown subcategory "1.1" (codes look like 01.02; if the cell is a number, format the column as text)'],
    ),
    (row(number="B23", channel="x" * 33), ["channel is longer than 32 characters"]),
    (row(number="B24", status=""), ["missing status (状态)"]),
    (row(number="B25", mediation="和解"), ['unknown mediation result "和解" (expected 成功, 失败 or empty)']),
]


def expected_lines(bad) -> list[str]:
    return [
        f"row {number}: {message}" for number, (_row, messages) in enumerate(bad, start=2) for message in messages or []
    ]


def test_every_bad_row_is_reported_and_nothing_is_written(tree, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [values for values, _messages in BAD])
    assert fail(path) == expected_lines(BAD)
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_a_bad_row_after_many_good_batches_still_writes_nothing(tree, tmp_path):
    rows = [row(number=f"G{i:05d}") for i in range(25)] + [row(number="X", subcategory="99.99")]
    path = write_csv(tmp_path / "late.csv", rows)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), "--batch-size", "10", stdout=io.StringIO(), stderr=err)
    assert 'row 27: unknown subcategory "99.99"' in err.getvalue()
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_building_units_are_accepted_and_levels_above_community_are_not(tree, tmp_path):
    rows = [row(number="L1", unit="HF-JK-FR-HH-E1-B2"), row(number="L2", unit="HF"), row(number="L3", unit="HF-JK")]
    lines = fail(write_csv(tmp_path / "levels.csv", rows))
    assert [line.split(";")[0] for line in lines] == [
        'row 3: unit "HF" is a city (市)',
        'row 4: unit "HF-JK" is a district (区县)',
    ]


def test_file_level_problems(tree, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("编号,受理时间,number\nX,2024-05-06 09:30,Y\n", encoding="utf-8")
    assert fail(path) == [
        'row 1: more than one column gives the number: "编号", "number"',
        'row 1: missing column "case_type" (类型)',
        'row 1: missing column "unit" (所属单位)',
        'row 1: missing column "subcategory" (分类)',
        'row 1: missing column "text" (诉求内容)',
        'row 1: missing column "status" (状态)',
    ]
    assert fail(tmp_path / "nowhere.csv") == [f"file not found: {tmp_path / 'nowhere.csv'}"]
    old_excel = tmp_path / "old.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert fail(old_excel) == ["cannot read old.xls: it is an old Excel .xls file; save it as .xlsx or CSV UTF-8"]


# --- merged cases ------------------------------------------------------------------------------


def test_merged_cases_take_their_target_from_the_merged_into_column(tree, tmp_path):
    header = [*ENGLISH, "合并至"]
    run(write_csv(tmp_path / "first.csv", [row(number="M0")], header=header))
    rows = [
        row(number="M1"),
        row(number="M2", status="合并", **{"合并至": "M1"}),  # an earlier row
        row(number="M3", status="merged", **{"合并至": "M0"}),  # a case in the database
        row(number="M4", status="merged", **{"合并至": "M2"}),
        row(number="M5", status="merged", **{"合并至": "M9"}),
        row(number="M6", status="merged", **{"合并至": "M6"}),
        row(number="M7", **{"合并至": "M1"}),
    ]
    path = write_csv(tmp_path / "merged.csv", rows, header=header)
    assert fail(path) == [
        'row 5: case "M2" is itself merged into another; merge into that one',
        'row 6: unknown merge target "M9": it must be a case in the database or on an earlier row',
        "row 7: a case cannot be merged into itself",
        "row 8: merged_into (合并至) is given but the status is 受理 (received), not 合并 (merged)",
    ]
    run(write_csv(tmp_path / "good.csv", rows[:3], header=header))
    merged = dict(Case.objects.filter(status="merged").values_list("number", "merged_into__number"))
    assert merged == {"M2": "M1", "M3": "M0"}
    # Merging an existing case through the ledger is an update like any other.
    run(write_csv(tmp_path / "merge-m0.csv", [row(number="M0", status="merged", **{"合并至": "M1"})], header=header))
    event = CaseEvent.objects.filter(case__number="M0", action="case.import").latest("id")
    assert event.changes == {"status": ["received", "merged"], "merged_into": [None, "M1"]}
    # Un-merging through the ledger clears the target.
    run(write_csv(tmp_path / "unmerge.csv", [row(number="M2", status="受理")], header=header))
    assert Case.objects.get(number="M2").merged_into is None


# --- --skip-invalid ------------------------------------------------------------------------------


def test_skip_invalid_imports_the_good_rows_and_writes_the_bad_ones(tree, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", [values for values, _messages in BAD])
    bad_path = tmp_path / "bad-rows.csv"
    out, err = run(path, "--skip-invalid", str(bad_path))
    good = [values["number"] for values, messages in BAD if messages is None]
    assert sorted(Case.objects.values_list("number", flat=True)) == sorted(good)
    assert CaseEvent.objects.count() == len(good)
    bad_count = sum(1 for _values, messages in BAD if messages)
    assert (
        out.strip()
        == f"created {len(good)}, updated 0, unchanged 0, skipped {bad_count} bad rows (written to {bad_path})"
    )
    assert [line for line in err.splitlines() if line.startswith("row ")] == expected_lines(BAD)

    data = bad_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads it as UTF-8
    written = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert written[0] == [*ENGLISH, "error"]
    assert len(written) == 1 + bad_count
    assert written[3][:-1] == list(BAD[3][0].values())
    assert written[3][-1] == 'row 5: unknown subcategory "99.99"'
    assert written[1][-1] == "row 3: missing number (编号); missing text (诉求内容)"

    # The bad-rows file, corrected, imports as it is: its error column is ignored.
    fixed = [list(cells) for cells in written[1:]]
    for cells in fixed:
        if cells[0] == "B04":
            cells[ENGLISH.index("subcategory")] = "01.03"
    with bad_path.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream).writerows([written[0], *fixed])
    again = tmp_path / "still-bad.csv"
    run(bad_path, "--skip-invalid", str(again))
    assert Case.objects.filter(number="B04").exists()
    assert list(csv.reader(again.open(encoding="utf-8-sig")))[0] == [*ENGLISH, "error"]  # not a second error column


def test_skip_invalid_with_only_good_rows_writes_an_empty_bad_rows_file(tree, tmp_path):
    bad_path = tmp_path / "none.csv"
    run(write_csv(tmp_path / "ok.csv", [row()]), "--skip-invalid", str(bad_path))
    assert bad_path.read_text(encoding="utf-8-sig").splitlines() == [",".join([*ENGLISH, "error"])]


def test_a_failed_import_leaves_no_bad_rows_file(tree, tmp_path):
    bad_path = tmp_path / "bad-rows.csv"
    path = tmp_path / "cols.csv"
    path.write_text("编号\nX\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_cases", str(path), "--skip-invalid", str(bad_path), stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert list(tmp_path.iterdir()) == [path]


# --- volume -------------------------------------------------------------------------------------


def test_twenty_thousand_rows(tree, grid, tmp_path):
    """Completes and counts right; the time is measured by bench/import_cases.py, not here."""
    rng = random.Random(7)
    units = [B1, "HF-JK-FR-HH-E1-B2", "HF-JK-FR-HH", grid.code, "HF-JK-FR-LH-E1"]
    subcategories = list(Subcategory.objects.values_list("code", flat=True))
    statuses = ["受理", "派发", "办理", "审核", "回复", "退单", "挂起"]
    start = dt.datetime(2024, 1, 1, 8, 0)
    rows = [
        row(
            number=f"V{i:06d}",
            received_at=(start + dt.timedelta(minutes=17 * i)).strftime("%Y-%m-%d %H:%M"),
            unit=rng.choice(units),
            subcategory=rng.choice(subcategories),
            status=rng.choice(statuses),
            text=f"第{i}条诉求",
        )
        for i in range(20_000)
    ]
    path = write_csv(tmp_path / "big.csv", rows)
    out, err = run(path, verbosity=0)
    assert (out, err) == ("", "")  # quiet with --verbosity 0
    assert Case.objects.count() == 20_000
    assert CaseEvent.objects.filter(action="case.import").count() == 20_000
    assert Case.objects.filter(status__in=["dispatched", "in_progress", "under_review"], department=None).count() == 0


def test_progress_line_and_summary_on_stderr_and_stdout(tree, tmp_path):
    out, err = run(write_csv(tmp_path / "p.csv", [row(number=f"P{i}") for i in range(5)]))
    assert out.strip() == "created 5, updated 0, unchanged 0"
    assert "import_cases: read 5 rows" in err


def test_import_cases_function_reports_counts(tree, tmp_path):
    summary = import_cases(path=write_csv(tmp_path / "f.csv", [row(number="F1"), row(number="F2")]))
    assert (summary.created, summary.updated, summary.unchanged, summary.rows, summary.encoding) == (
        2,
        0,
        0,
        2,
        "utf-8",
    )


def test_progress_redraws_one_line_on_a_terminal():
    from django.core.management.base import OutputWrapper

    from fengqiao.cases.management.commands.import_cases import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    progress = Progress(OutputWrapper(screen), enabled=True)
    progress.update(2000, 10_000)
    progress.update(4000, 10_000)
    progress.finish()
    text = screen.getvalue()
    assert text.count("\r") >= 3 and "4,000 rows of ~10,000 (40%)" in text
    assert "read 4,000 rows" in text.rsplit("\r", 1)[-1]

    quiet = Terminal()
    silent = Progress(OutputWrapper(quiet), enabled=False)
    silent.update(2000, None)
    silent.finish()
    assert quiet.getvalue() == ""


def test_merge_targets_must_be_good_earlier_rows(tree, tmp_path):
    header = [*ENGLISH, "merged_into"]
    rows = [
        row(number="N1", status="merged", merged_into="N2"),  # N2 comes later
        row(number="N2"),
        row(number="N3", subcategory="99.99"),  # a bad row
        row(number="N4", status="merged", merged_into="N3"),
        row(number="N5", status="merged", merged_into="N2"),
    ]
    out, err = run(write_csv(tmp_path / "m.csv", rows, header=header), "--skip-invalid", str(tmp_path / "bad.csv"))
    assert [line for line in err.splitlines() if line.startswith("row ")] == [
        'row 2: unknown merge target "N2": it must be a case in the database or on an earlier row',
        'row 4: unknown subcategory "99.99"',
        'row 5: unknown merge target "N3": it must be a case in the database or on an earlier row',
    ]
    assert dict(Case.objects.values_list("number", "merged_into__number")) == {"N2": None, "N5": "N2"}
