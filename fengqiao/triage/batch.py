"""Batch triage (interfaces.md §3): JSON lines in, one suggestion a line out, same order.

Used by the `triage` and `triage_eval` commands and the benchmark. No database needed; the
command passes the open cases it finds there as `existing`.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime

from .duplicates import DuplicateFinder, Entry, row_dicts
from .model import TriageModel
from .places import parse_place

CHUNK = 4096
ALTERNATIVES = 3
LOCAL_TIME = zoneinfo.ZoneInfo("Asia/Shanghai")


class BadInput(ValueError):
    """A line that is not a valid appeal; the message names the line."""


@dataclass
class Appeal:
    id: str
    text: str
    address: str = ""
    received_at: dt.datetime | None = None
    raw_id: str | int | None = None  # echoed as given (a number stays a number)


def parse_time(value: str) -> dt.datetime | None:
    """ISO 8601; a time without an offset is China time."""
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TIME)


def parse_line(line: str, number: int) -> Appeal:
    """One input line → Appeal, or BadInput("line N: reason")."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadInput(f"line {number}: not valid JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise BadInput(f"line {number}: expected a JSON object")
    identifier, text = record.get("id"), record.get("text")
    if not isinstance(identifier, (str, int)) or isinstance(identifier, bool) or str(identifier) == "":
        raise BadInput(f"line {number}: 'id' is missing (a string or a number)")
    if not isinstance(text, str) or not text.strip():
        raise BadInput(f"line {number}: 'text' is missing or empty")
    address = record.get("address") or ""
    if not isinstance(address, str):
        raise BadInput(f"line {number}: 'address' must be a string")
    received_at = None
    if record.get("received_at") not in (None, ""):
        received_at = parse_time(str(record["received_at"]))
        if received_at is None:
            raise BadInput(f"line {number}: 'received_at' is not an ISO 8601 time: {record['received_at']!r}")
    return Appeal(id=str(identifier), text=text, address=address, received_at=received_at, raw_id=identifier)


def read_appeals(lines: Iterable[str]) -> list[Appeal]:
    """Parse every non-empty line; the first bad line raises BadInput. Ids must be unique
    (duplicate_of refers to them)."""
    appeals, seen = [], set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        appeal = parse_line(line, number)
        if appeal.id in seen:
            raise BadInput(f"line {number}: id {appeal.id!r} was used on an earlier line")
        seen.add(appeal.id)
        appeals.append(appeal)
    return appeals


def triage_appeals(appeals: list[Appeal], *, model: TriageModel, existing: list[Appeal] | None = None) -> list[dict]:
    """One output record per appeal, in order. `existing` are open cases (id = case number)
    received before the batch; they can be the first report of a duplicate."""
    finder = DuplicateFinder()
    if existing:
        for start in range(0, len(existing), CHUNK):
            chunk = existing[start : start + CHUNK]
            _index(finder, model, chunk, record=False)
    results: list[dict] = []
    for start in range(0, len(appeals), CHUNK):
        results.extend(_index(finder, model, appeals[start : start + CHUNK], record=True))
    return results


def _index(finder: DuplicateFinder, model: TriageModel, appeals: list[Appeal], *, record: bool) -> list[dict]:
    texts = [appeal.text for appeal in appeals]
    matrix, chars = model.featurizer.transform_with_chars(texts)
    predictions = model.predict(texts, alternatives=ALTERNATIVES, matrix=matrix)
    vectors = row_dicts(chars)
    results = []
    for row, (appeal, prediction) in enumerate(zip(appeals, predictions, strict=True)):
        top3 = [prediction.subcategory] + [code for code, _p in prediction.alternatives[:2]]
        entry = Entry(
            key=appeal.id,
            received_at=appeal.received_at,
            place=parse_place(appeal.address, appeal.text),
            vector=vectors[row],
            subcategory=prediction.subcategory,
            subcategories=frozenset(top3),
            urgent=prediction.urgent,
            root=appeal.id,
        )
        duplicate_of = finder.add(entry)
        if record:
            results.append(
                {
                    "id": appeal.id if appeal.raw_id is None else appeal.raw_id,
                    "case_type": prediction.case_type,
                    "category": prediction.category,
                    "subcategory": prediction.subcategory,
                    "department": prediction.department,
                    "urgent": prediction.urgent,
                    "duplicate_of": duplicate_of,
                    "confidence": round(prediction.confidence, 4),
                    "alternatives": [
                        {"subcategory": code, "confidence": round(probability, 4)}
                        for code, probability in prediction.alternatives
                    ],
                }
            )
    return results
