"""The triage, triage_eval and train_triage commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fengqiao.cases import actions
from fengqiao.taxonomy.models import Subcategory
from fengqiao.triage import store
from fengqiao.triage.testing import FIXTURE_CORPUS

FIELDS = [
    "id",
    "case_type",
    "category",
    "subcategory",
    "department",
    "urgent",
    "duplicate_of",
    "confidence",
    "alternatives",
]
LINES = [
    {
        "id": "x1",
        "text": "这条路的路灯晚上一直不亮",
        "address": "株洲市芦淞区建设中路128号",
        "received_at": "2026-09-01T19:00:00+08:00",
    },
    {
        "id": "x2",
        "text": "金色家园6栋楼道里煤气味很浓",
        "address": "合肥市经开区金色家园6栋",
        "received_at": "2026-09-01T20:00:00+08:00",
    },
    {
        "id": "x3",
        "text": "建设中路路灯不亮，晚上很黑",
        "address": "株洲市芦淞区建设中路",
        "received_at": "2026-09-01T21:00:00+08:00",
    },
    {"id": "x4", "text": "楼上天天晚上跺脚，吵得睡不着"},
]


def write_lines(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def run_triage(tmp_path, records) -> list[dict]:
    source = write_lines(tmp_path / "in.jsonl", records)
    target = tmp_path / "out.jsonl"
    call_command("triage", "--input", str(source), "--output", str(target), "--no-database")
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]


def test_triage_writes_one_line_per_input_line_with_the_contract_fields_in_order(tmp_path):
    out = run_triage(tmp_path, LINES)
    assert [row["id"] for row in out] == ["x1", "x2", "x3", "x4"]
    assert all(list(row) == FIELDS for row in out)
    assert out[1]["subcategory"] == "08.03" and out[1]["department"] == "D15" and out[1]["category"] == "08"
    assert out[1]["urgent"] is True
    assert out[2]["duplicate_of"] == "x1"
    assert [row["duplicate_of"] for row in (out[0], out[1], out[3])] == [None, None, None]
    assert all(set(alt) == {"subcategory", "confidence"} for row in out for alt in row["alternatives"])


def test_triage_reads_only_earlier_lines(tmp_path):
    """A line's output does not change when later lines are added: no peeking ahead."""
    alone = run_triage(tmp_path, LINES[:1])
    with_later = run_triage(tmp_path, LINES)
    assert alone[0] == with_later[0]
    assert alone[0]["duplicate_of"] is None


def test_triage_links_to_open_cases_in_the_database(tmp_path, tree, people):
    case, _created = actions.do_create_case(
        actor=people["clerk"], unit=tree["hh"], text="这条路的路灯晚上一直不亮", address="株洲市芦淞区建设中路128号"
    )
    source = write_lines(tmp_path / "in.jsonl", [{**LINES[2], "received_at": None}])
    target = tmp_path / "out.jsonl"
    call_command("triage", "--input", str(source), "--output", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["duplicate_of"] == case.number


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "line 3: not valid JSON"),
        ('{"id": "x9"}', "line 3: 'text' is missing"),
        ('{"id": "x9", "text": "路灯不亮", "received_at": "yesterday"}', "line 3: 'received_at'"),
        ('{"id": "x1", "text": "路灯不亮"}', "line 3: id 'x1' was used"),
    ],
)
def test_a_bad_line_fails_the_whole_file_naming_the_line(tmp_path, bad_line, message):
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join([json.dumps(LINES[0], ensure_ascii=False), json.dumps(LINES[1], ensure_ascii=False), bad_line]),
        encoding="utf-8",
    )
    target = tmp_path / "out.jsonl"
    with pytest.raises(CommandError, match=message):
        call_command("triage", "--input", str(source), "--output", str(target), "--no-database")
    assert not target.exists()


def test_the_command_line_exits_1_on_a_bad_line(tmp_path):
    import subprocess
    import sys

    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "路灯不亮"}\n[1, 2]\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "triage", "--input", str(source), "--output", str(tmp_path / "o.jsonl")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=False,
    )
    assert result.returncode == 1
    assert "line 2: expected a JSON object" in result.stderr


def test_triage_eval_prints_the_figures(tmp_path, capsys):
    gold = [
        {
            **LINES[0],
            "case_type": "complaint",
            "subcategory": "07.01",
            "department": "D12",
            "urgent": False,
            "duplicate_of": None,
        },
        {
            **LINES[1],
            "case_type": "help",
            "subcategory": "08.03",
            "department": "D15",
            "urgent": True,
            "duplicate_of": None,
        },
        {
            **LINES[2],
            "case_type": "complaint",
            "subcategory": "07.01",
            "department": "D12",
            "urgent": False,
            "duplicate_of": "x1",
        },
        {
            **LINES[3],
            "case_type": "dispute",
            "subcategory": "14.02",
            "department": "D22",
            "urgent": False,
            "duplicate_of": None,
        },
    ]
    path = write_lines(tmp_path / "gold.jsonl", gold)
    call_command("triage_eval", str(path), "--json")
    figures = json.loads(capsys.readouterr().out)
    assert figures["count"] == 4
    assert figures["subcategory_accuracy"] == 1.0
    assert figures["category_accuracy"] == 1.0
    assert figures["urgent_precision"] == 1.0 and figures["urgent_recall"] == 1.0
    assert figures["duplicate_precision"] == 1.0 and figures["duplicate_recall"] == 1.0
    assert figures["throughput_per_second"] > 0
    call_command("triage_eval", str(path))
    text = capsys.readouterr().out
    for label in (
        "subcategory accuracy",
        "category accuracy",
        "top-3",
        "urgent precision",
        "urgent recall",
        "duplicate precision",
        "duplicate recall",
        "throughput",
        "model load",
    ):
        assert label in text


def test_train_triage_uses_the_corpus_and_the_clerks_decisions(tmp_path, tree, people, settings):
    case, _ = actions.do_create_case(actor=people["clerk"], unit=tree["hh"], text="小区门口的垃圾桶满了没人清运")
    actions.do_accept(case, actor=people["clerk"], subcategory=Subcategory.objects.get(code="02.01"))
    target = tmp_path / "model.joblib"
    try:
        call_command("train_triage", "--corpus", str(FIXTURE_CORPUS), "--output", str(target))
        model = store.load(target)
        corpus_size = len(store.read_corpus(FIXTURE_CORPUS))
        assert model.info["examples"] == corpus_size + 1
        assert model.info["sources"] == {"corpus": corpus_size, "corrected": 1}
        assert "02.01" in model.subcategory_model.classes_
    finally:
        store.set_model(None)  # back to the session's fixture model


def test_train_triage_names_the_bad_corpus_line(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "01.jsonl").write_text(
        '{"text": "电梯坏了", "subcategory": "01.01", "case_type": "help", "urgent": false}\n'
        '{"text": "电梯坏了", "subcategory": "99.99", "case_type": "help", "urgent": false}\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"01.jsonl line 2: unknown subcategory '99.99'"):
        call_command("train_triage", "--corpus", str(corpus), "--output", str(tmp_path / "m.joblib"))
