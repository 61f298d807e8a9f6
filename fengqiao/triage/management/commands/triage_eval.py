"""python manage.py triage_eval FILE.jsonl: score the triage on a labelled file (the fields of
triage-dev.jsonl). Only the input fields (id, text, address, received_at) are given to the
model; the labels are used for scoring alone."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.triage import batch, store
from fengqiao.triage.evaluation import score


class Command(BaseCommand):
    help = "Score batch triage against a labelled JSON-lines file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON lines with id, text, address, received_at and the gold labels")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument("--errors", action="store_true", help="Also list the misclassified lines.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        gold = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise CommandError(f"line {number}: not valid JSON ({error.msg})") from None
            missing = [key for key in ("subcategory", "case_type", "urgent", "duplicate_of") if key not in record]
            if missing:
                raise CommandError(f"line {number}: missing gold field(s) {', '.join(missing)}")
            gold.append(record)
        try:
            appeals = batch.read_appeals(
                json.dumps(
                    {key: record.get(key) for key in ("id", "text", "address", "received_at")}, ensure_ascii=False
                )
                for record in gold
            )
        except batch.BadInput as error:
            raise CommandError(str(error)) from None
        started = time.perf_counter()
        model = store.get_model()
        load_seconds = store.last_load_seconds if store.last_load_seconds is not None else time.perf_counter() - started
        started = time.perf_counter()
        predicted = batch.triage_appeals(appeals, model=model)
        seconds = time.perf_counter() - started
        figures = score(gold, predicted)
        figures["throughput_per_second"] = round(len(appeals) / seconds, 1) if seconds else None
        figures["model_load_seconds"] = round(load_seconds, 3)
        figures["model_version"] = model.info.get("version")
        figures["training_examples"] = model.info.get("examples")
        if options["json"]:
            self.stdout.write(json.dumps({k: v for k, v in figures.items() if k != "errors"}, ensure_ascii=False))
        else:
            self.stdout.write(format_figures(figures))
        if options["errors"]:
            for wrong in figures["errors"]:
                self.stdout.write(json.dumps(wrong, ensure_ascii=False))


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def format_figures(f: dict) -> str:
    rows = [
        ("appeals", str(f["count"])),
        ("subcategory accuracy", _percent(f["subcategory_accuracy"])),
        ("category accuracy", _percent(f["category_accuracy"])),
        ("top-3 subcategory accuracy", _percent(f["top3_accuracy"])),
        ("department accuracy", _percent(f["department_accuracy"])),
        ("case type accuracy", _percent(f["case_type_accuracy"])),
        ("urgent precision", f"{_percent(f['urgent_precision'])} ({f['urgent_tp']}/{f['urgent_predicted']})"),
        ("urgent recall", f"{_percent(f['urgent_recall'])} ({f['urgent_tp']}/{f['urgent_gold']})"),
        (
            "duplicate precision",
            f"{_percent(f['duplicate_precision'])} ({f['duplicate_tp']}/{f['duplicate_predicted']})",
        ),
        ("duplicate recall", f"{_percent(f['duplicate_recall'])} ({f['duplicate_tp']}/{f['duplicate_gold']})"),
        ("duplicate F1", "—" if f["duplicate_f1"] is None else f"{f['duplicate_f1']:.3f}"),
        ("throughput", f"{f['throughput_per_second']} appeals/s (one process)"),
        ("model load", f"{f['model_load_seconds']} s"),
        ("model", f"{f['model_version']} ({f['training_examples']} training examples)"),
    ]
    width = max(len(name) for name, _value in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)
