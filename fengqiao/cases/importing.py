"""Importing the case ledger (台账) from a CSV or XLSX file (interfaces.md §2).

The import is the one documented exception to "a case changes only through actions.py": it is
a bulk loader of historical and current records. It still writes one ``CaseEvent`` per case it
creates or changes (action ``case.import``, no actor, ``changes`` = {field: [old, new]}), so
the audit trail shows where each record came from, but it sends no notifications.

How it works, so that a million rows take minutes:

* The file is streamed: XLSX through openpyxl's read-only mode, CSV through the csv module
  (UTF-8, BOM allowed; a CSV that is not UTF-8 but decodes fully as GB18030 — what Excel
  saves on a Chinese Windows — is read as such and the summary says so).
* Units, case types, subcategories, departments and the routing table are read once into
  dicts; rows are checked against them without a query.
* Rows are handled in batches (2,000 by default): one query finds the batch's existing case
  numbers, then one ``bulk_create`` for the new cases, one ``bulk_update`` (of the changed
  columns only) for the changed ones, and one ``bulk_create`` for their events. Rows that
  match the database are not written at all.
* Everything runs in one transaction. All or nothing by default: after the first bad row
  the remaining rows are still checked (so every problem is reported) but nothing more is
  written, and the transaction is rolled back. With ``skip_invalid`` the good rows are
  imported and the bad ones are written, with the reason, to a CSV file of their own.

The file format and the rules are described in docs/import-cases.md.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import os
import re
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connections, router, transaction
from django.db.models import F, Field
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from fengqiao.analytics import rollups
from fengqiao.core import workcalendar
from fengqiao.org.importing import LEVEL_WORDS, RowError
from fengqiao.org.models import Department, Unit, UnitLevel, path_codes
from fengqiao.taxonomy.models import CaseType, RoutingRule, Subcategory

from .ledger import (
    CHANNEL_WORDS,
    COLUMNS,
    MEDIATION_WORDS,
    RESOLVED_WORDS,
    SATISFACTION_WORDS,
    STATUS_WORDS,
    STATUS_ZH,
    TIME_FORMAT,
)
from .models import URGENT_LIMIT_HOURS, Case, CaseEvent, Status

__all__ = ["CaseImportError", "CaseImportSummary", "import_cases"]

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
BATCH_SIZE = 2000
ACTION = "case.import"

# Field → the header words that name it (compared after strip() and casefold()). The ledger's
# columns, plus one optional column of the import only: the case a merged (合并) case was
# folded into.
MERGED_INTO = ("merged_into", "合并至")
HEADERS: dict[str, tuple[str, str]] = {english: (english, chinese) for english, chinese in COLUMNS}
HEADERS[MERGED_INTO[0]] = MERGED_INTO
REQUIRED_COLUMNS = ("number", "received_at", "case_type", "unit", "subcategory", "text", "status")

# Where a case may belong: the levels a resident lives in or a grid worker walks.
CASE_LEVELS = (UnitLevel.COMMUNITY, UnitLevel.ESTATE, UnitLevel.GRID, UnitLevel.BUILDING)
# States that need a department (the database insists on the first three; a suspended case
# resumes into 办理, which needs one too).
NEEDS_DEPARTMENT = (Status.DISPATCHED, Status.IN_PROGRESS, Status.UNDER_REVIEW, Status.SUSPENDED)
REPLIED_STATES = (Status.REPLIED, Status.VISITED, Status.CLOSED)
VISITED_STATES = (Status.VISITED, Status.CLOSED)
DISPUTE = "dispute"

NUMBER_MAX_LENGTH = Case._meta.get_field("number").max_length or 40
CHANNEL_MAX_LENGTH = Case._meta.get_field("channel").max_length or 32
ADDRESS_MAX_LENGTH = Case._meta.get_field("address").max_length or 300

# The columns the import owns on an existing case (attribute names), in the order the
# changes are listed in the event. Other columns (urgent, contact, reporter, result, …) are
# never touched by an update.
TRACKED = (
    "received_at",
    "channel",
    "case_type_id",
    "unit_id",
    "subcategory_id",
    "text",
    "address",
    "department_id",
    "status",
    "deadline",
    "closed_at",
    "satisfaction",
    "resolved",
    "mediation_result",
    "merged_into_id",
    "replied_at",
    "visited_at",
    "status_before_suspension",
    "suspended_at",
)

_TIME = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_TIME_EXPECTED = "expected YYYY-MM-DD HH:MM[:SS] (Asia/Shanghai) or ISO 8601 with an offset"
_MANGLED_CODE = re.compile(r"\d{1,2}\.\d{1,2}")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CHUNK = 1 << 20

ProgressCallback = Callable[[int, int | None], None]


# --- results and errors ------------------------------------------------------------------


@dataclass
class CaseImportSummary:
    """What an import did: counts of cases, and how the file was read."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    rows: int = 0
    encoding: str = ""  # "xlsx", "utf-8" or "gb18030"
    bad_rows_path: Path | None = None
    errors: list[RowError] = field(default_factory=list)  # the bad rows skipped (with skip_invalid)

    def __str__(self) -> str:
        text = f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"
        if self.bad_rows_path is not None:
            text += (
                f", skipped {self.invalid} bad row{'s' if self.invalid != 1 else ''} (written to {self.bad_rows_path})"
            )
        return text


class CaseImportError(Exception):
    """Nothing was imported; ``errors`` lists every problem, in row order."""

    def __init__(self, errors: list[RowError], *, encoding: str = "") -> None:
        self.errors = sorted(errors, key=lambda error: error.row or 0)
        self.encoding = encoding
        super().__init__("\n".join(str(error) for error in self.errors))


def _file_error(message: str) -> CaseImportError:
    return CaseImportError([RowError(None, message)])


# --- reading -----------------------------------------------------------------------------


@dataclass
class Table:
    """An open import file: its header row and a stream of its non-blank data rows."""

    name: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (spreadsheet row number, cells as text)
    encoding: str
    estimated_rows: int | None  # data rows, for the progress line; None when unknown


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: whole numbers without ".0", dates as the ledger writes them
    (to the nearest second: Excel stores times as fractions of a day), empty cells as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.microsecond:
            value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        return value.isoformat(sep=" ") if value.tzinfo else value.strftime(TIME_FORMAT)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@contextlib.contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open a CSV or XLSX ledger file for streaming; the format is told by the content.

    Raises :class:`CaseImportError` for a missing, unreadable or empty file.
    """
    path = Path(path)
    if not path.exists():
        raise _file_error(f"file not found: {path}")
    if not path.is_file():
        raise _file_error(f"not a file: {path}")
    try:
        with path.open("rb") as stream:
            head = stream.read(_CHUNK)
    except OSError as exc:
        raise _file_error(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not head.strip():
        raise _file_error(f"{path.name} is empty: expected a header row")
    if head.startswith(_ZIP_MAGIC):
        with _open_xlsx(path) as table:
            yield table
    else:
        with _open_csv(path, head=head) as table:
            yield table


@contextlib.contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError) as exc:
        raise _file_error(
            f"cannot read {path.name}: it is a ZIP file but not a readable XLSX workbook ({exc})"
        ) from exc
    try:
        if not workbook.worksheets:
            raise _file_error(f"{path.name} has no worksheet")
        sheet = workbook.worksheets[0]
        declared = sheet.max_row  # from the sheet's <dimension>, which some writers get wrong:
        sheet.reset_dimensions()  # read every row and column actually there, not just the declared range
        values = sheet.iter_rows(min_row=1, values_only=True)
        first = next(values, None)
        header = [cell_text(value) for value in first or ()]

        def rows() -> Iterator[tuple[int, list[str]]]:
            for number, cells in enumerate(values, start=2):
                texts = [cell_text(value) for value in cells]
                if any(texts):
                    yield number, texts

        yield Table(
            name=path.name,
            header=header,
            rows=rows(),
            encoding="xlsx",
            estimated_rows=(declared - 1) if isinstance(declared, int) and declared > 1 else None,
        )
    finally:
        workbook.close()


def _decodes(path: Path, encoding: str) -> int | None:
    """The number of line breaks if the whole file decodes as ``encoding``, else None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return lines


@contextlib.contextmanager
def _open_csv(path: Path, *, head: bytes) -> Iterator[Table]:
    name = path.name
    if head.startswith(_OLE2_MAGIC):
        raise _file_error(f"cannot read {name}: it is an old Excel .xls file; save it as .xlsx or CSV UTF-8")
    if head.startswith(_UTF16_BOMS):
        raise _file_error(f"cannot read {name}: it is UTF-16 text; save it as CSV UTF-8 (逗号分隔) and import again")
    if b"\x00" in head:
        raise _file_error(f"cannot read {name}: it is neither a CSV nor an XLSX file")
    encoding = "utf-8-sig"
    lines = _decodes(path, encoding)
    if lines is None:
        encoding = "gb18030"  # a superset of GBK: what Excel writes as "CSV (逗号分隔)" on a Chinese Windows
        lines = _decodes(path, encoding)
    if lines is None:
        raise _file_error(
            f"cannot read {name}: it is neither UTF-8 nor GBK/GB18030 text; "
            "save it as CSV UTF-8 (逗号分隔) and import again"
        )
    with path.open(encoding=encoding, newline="") as stream:
        reader = csv.reader(stream)
        try:
            first = next(reader, None)
        except csv.Error as exc:
            raise _file_error(f"cannot read {name} as CSV: {exc}") from exc
        header = [cell.strip() for cell in first or ()]

        def rows() -> Iterator[tuple[int, list[str]]]:
            # csv.reader.line_num counts physical lines; a spreadsheet counts records.
            number = 1
            try:
                for cells in reader:
                    number += 1
                    texts = [cell.strip() for cell in cells]
                    if any(texts):
                        yield number, texts
            except csv.Error as exc:
                raise _file_error(f"cannot read {name} as CSV (near row {number + 1}): {exc}") from exc

        yield Table(
            name=name,
            header=header,
            rows=rows(),
            encoding="utf-8" if encoding == "utf-8-sig" else encoding,
            estimated_rows=max(lines - 1, 0) or None,
        )


def map_header(header: list[str]) -> dict[str, int]:
    """Field name → column index. Raises :class:`CaseImportError` (row 1) for a missing
    required column or a field named twice; unknown columns are ignored."""
    if not any(header):
        raise CaseImportError([RowError(1, "no header row")])
    titles = [cell.strip().lstrip("\ufeff").strip().casefold() for cell in header]
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for field_name, words in HEADERS.items():
        found = [index for index, title in enumerate(titles) if title in words]
        if len(found) > 1:
            named = ", ".join(f'"{header[index].strip()}"' for index in found)
            errors.append(RowError(1, f"more than one column gives the {field_name}: {named}"))
        elif found:
            positions[field_name] = found[0]
        elif field_name in REQUIRED_COLUMNS:
            errors.append(RowError(1, f'missing column "{words[0]}" ({words[1]})'))
    if errors:
        raise CaseImportError(errors)
    return positions


def parse_time(text: str) -> dt.datetime | None:
    """``YYYY-MM-DD HH:MM[:SS]`` in Asia/Shanghai, or ISO 8601 with an offset (or Z); None if
    it is neither. Slashes for dashes and one-digit months, days and hours are accepted."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    tzinfo: dt.tzinfo = LOCAL_TZ
    if offset:
        if offset.upper() == "Z":
            tzinfo = dt.UTC
        else:
            digits = offset[1:].replace(":", "")
            delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            if delta >= dt.timedelta(hours=24):
                return None
            tzinfo = dt.timezone(-delta if offset[0] == "-" else delta)
    try:
        return dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=tzinfo,
        )
    except ValueError:
        return None


# --- lookups -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Unit:
    pk: int
    code: str
    level: str
    path: str


class Lookups:
    """Everything a row is checked against, read once: units, case types, subcategories,
    departments and the routing table."""

    def __init__(self) -> None:
        self.units: dict[str, _Unit] = {}
        self.unit_codes: dict[int, str] = {}
        for pk, code, level, path in Unit.objects.values_list("pk", "code", "level", "path"):
            self.units[code.casefold()] = _Unit(pk, code, level, path)
            self.unit_codes[pk] = code

        self.case_types: dict[str, int] = {}
        self.case_type_codes: dict[int, str] = {}
        self.case_type_names: dict[int, str] = {}
        for case_type in CaseType.objects.all():
            for word in (case_type.code, case_type.name, case_type.name_en):
                if word:
                    self.case_types.setdefault(word.strip().casefold(), case_type.pk)
            self.case_type_codes[case_type.pk] = case_type.code
            self.case_type_names[case_type.pk] = case_type.name

        self.subcategories: dict[str, Subcategory] = {sub.code: sub for sub in Subcategory.objects.all()}
        self.subcategory_codes: dict[int, str] = {sub.pk: sub.code for sub in self.subcategories.values()}

        self.departments: dict[str, int] = {}
        self.department_codes: dict[int, str] = {}
        for pk, code in Department.objects.values_list("pk", "code"):
            self.departments[code.casefold()] = pk
            self.department_codes[pk] = code

        self._rules: dict[tuple[str, int], int] = {
            (unit_code, subcategory_id): department_id
            for unit_code, subcategory_id, department_id in RoutingRule.objects.values_list(
                "unit__code", "subcategory_id", "department_id"
            )
        }
        self._routes: dict[tuple[int, int], int] = {}

    def route(self, unit: _Unit, subcategory: Subcategory) -> int:
        """The department for a subcategory in a unit, as ``taxonomy.models.route`` decides it:
        the nearest routing rule up the tree, else the subcategory's default department."""
        key = (unit.pk, subcategory.pk)
        if key not in self._routes:
            department = subcategory.department_id
            for code in reversed(path_codes(unit.path)):
                if (code, subcategory.pk) in self._rules:
                    department = self._rules[(code, subcategory.pk)]
                    break
            self._routes[key] = department
        return self._routes[key]


# --- one row -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    """A data row as read, then as understood; ``errors`` lists what is wrong with it."""

    row: int
    cells: list[str]
    errors: list[str] = field(default_factory=list)
    number: str = ""
    received_at: dt.datetime | None = None
    channel: str = ""
    case_type_id: int | None = None
    unit: _Unit | None = None
    subcategory: Subcategory | None = None
    text: str = ""
    address: str = ""
    department_id: int | None = None
    status: str = ""
    deadline: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    satisfaction: str = ""
    resolved: bool | None = None
    mediation_result: str = ""
    merge_target: str = ""


def _status_phrase(status: str) -> str:
    return f"{STATUS_ZH[Status(status)]} ({status})"


class _RowParser:
    """Turns the cells of one row into a :class:`_Row`, checking everything a row can be
    checked for on its own (no database query)."""

    def __init__(self, *, positions: dict[str, int], lookups: Lookups) -> None:
        self.positions = positions
        self.lookups = lookups
        self.status_help = ", ".join(f"{status} {word}" for status, word in STATUS_ZH.items())
        self.case_type_help = ", ".join(
            f"{code} {lookups.case_type_names[pk]}" for pk, code in lookups.case_type_codes.items()
        )

    def parse(self, number: int, cells: list[str]) -> _Row:
        value: dict[str, str] = {
            name: cells[index] if index < len(cells) else "" for name, index in self.positions.items()
        }
        row = _Row(row=number, cells=cells)
        errors = row.errors
        lookups = self.lookups

        def required(name: str) -> str:
            text = value.get(name, "")
            if not text:
                errors.append(f"missing {name} ({HEADERS[name][1]})")
            return text

        def time(name: str, *, text: str | None = None) -> dt.datetime | None:
            text = value.get(name, "") if text is None else text
            if not text:
                return None
            moment = parse_time(text)
            if moment is None:
                errors.append(f'bad {name} "{text}": {_TIME_EXPECTED}')
            return moment

        row.number = required("number")
        if len(row.number) > NUMBER_MAX_LENGTH:
            errors.append(f"number is longer than {NUMBER_MAX_LENGTH} characters")

        received = required("received_at")
        if received:
            row.received_at = time("received_at", text=received)

        channel = value.get("channel", "")
        row.channel = CHANNEL_WORDS.get(channel.casefold(), channel)
        if len(row.channel) > CHANNEL_MAX_LENGTH:
            errors.append(f"channel is longer than {CHANNEL_MAX_LENGTH} characters")

        case_type = required("case_type")
        if case_type:
            row.case_type_id = lookups.case_types.get(case_type.casefold())
            if row.case_type_id is None:
                errors.append(f'unknown case type "{case_type}" (expected one of: {self.case_type_help})')

        unit_code = required("unit")
        if unit_code:
            unit = lookups.units.get(unit_code.casefold())
            if unit is None:
                errors.append(f'unknown unit "{unit_code}"')
            elif unit.level not in CASE_LEVELS:
                errors.append(
                    f'unit "{unit.code}" is a {unit.level} ({LEVEL_WORDS.get(unit.level, "?")}); '
                    "a case belongs to a community (社区村), estate (小区), grid (网格) or building (楼栋)"
                )
            else:
                row.unit = unit

        subcategory = required("subcategory")
        if subcategory:
            row.subcategory = lookups.subcategories.get(subcategory)
            if row.subcategory is None:
                hint = ""
                if _MANGLED_CODE.fullmatch(subcategory) and not re.fullmatch(r"\d{2}\.\d{2}", subcategory):
                    hint = " (codes look like 01.02; if the cell is a number, format the column as text)"
                errors.append(f'unknown subcategory "{subcategory}"{hint}')

        row.text = required("text")
        row.address = value.get("address", "")
        if len(row.address) > ADDRESS_MAX_LENGTH:
            errors.append(f"address is longer than {ADDRESS_MAX_LENGTH} characters")

        department = value.get("department", "")
        if department:
            row.department_id = lookups.departments.get(department.casefold())
            if row.department_id is None:
                errors.append(f'unknown department "{department}"')

        status = required("status")
        if status:
            row.status = STATUS_WORDS.get(status.casefold(), "")
            if not row.status:
                errors.append(f'unknown status "{status}" (expected one of: {self.status_help})')

        row.deadline = time("deadline")
        row.closed_at = time("closed_at")
        closed_text = value.get("closed_at", "")
        if row.status == Status.CLOSED and not closed_text:
            errors.append("status 办结 (closed) needs closed_at (办结时间)")
        elif row.status and row.status != Status.CLOSED and closed_text:
            errors.append(
                f"closed_at (办结时间) is given but the status is {_status_phrase(row.status)}; "
                "only a closed (办结) case has one"
            )
        if row.closed_at and row.received_at and row.closed_at < row.received_at:
            errors.append("closed_at (办结时间) is before received_at (受理时间)")

        satisfaction = value.get("satisfaction", "")
        if satisfaction:
            row.satisfaction = SATISFACTION_WORDS.get(satisfaction.casefold(), "")
            if not row.satisfaction:
                errors.append(f'unknown satisfaction "{satisfaction}" (expected 满意, 基本满意, 不满意 or empty)')
        resolved = value.get("resolved", "")
        if resolved:
            row.resolved = RESOLVED_WORDS.get(resolved.casefold())
            if row.resolved is None:
                errors.append(f'unknown resolved "{resolved}" (expected 是, 否 or empty)')
        if (satisfaction or resolved) and row.status and row.status not in VISITED_STATES:
            errors.append(
                f"satisfaction and resolved come from the follow-up visit, but the status is "
                f"{_status_phrase(row.status)}; only a visited (回访) or closed (办结) case has them"
            )

        mediation = value.get("mediation", "")
        if mediation:
            row.mediation_result = MEDIATION_WORDS.get(mediation.casefold(), "")
            if not row.mediation_result:
                errors.append(f'unknown mediation result "{mediation}" (expected 成功, 失败 or empty)')
            elif row.case_type_id is not None and lookups.case_type_codes[row.case_type_id] != DISPUTE:
                name = lookups.case_type_names[row.case_type_id]
                errors.append(
                    f'mediation result "{mediation}" is for disputes (矛盾纠纷) only, not '
                    f"{name} ({lookups.case_type_codes[row.case_type_id]})"
                )

        row.merge_target = value.get("merged_into", "")
        return row


class Deadlines:
    """``Case.compute_deadline`` for imported rows, memoised by the day a case was received.

    Working-day limits walk the holiday calendar day by day, which at a million rows is most
    of the import's time. ``workcalendar.add_working_time`` ends on the same later day for
    every start on the same day, at the start's time of day when that day is a working day
    (the clock runs from the start), and at a time that does not depend on the start when it
    is not (the clock starts at the next working day's midnight). So one computation per day
    and limit, from noon, gives the others by a shift. A start at midnight sharp on a working
    day ends on the previous day's last second: computed directly. Tests compare the two.
    """

    _NOON = dt.timedelta(hours=12)

    def __init__(self) -> None:
        self._by_day: dict[tuple[dt.date, int], tuple[bool, dt.datetime]] = {}

    def __call__(self, received_at: dt.datetime, subcategory: Subcategory, *, urgent: bool = False) -> dt.datetime:
        if urgent:
            return workcalendar.compute_deadline(
                received_at, unit=workcalendar.LimitUnit.HOUR, count=URGENT_LIMIT_HOURS
            )
        unit, count = subcategory.limit_unit, subcategory.limit_count
        if unit != workcalendar.LimitUnit.WORKDAY:
            return workcalendar.compute_deadline(received_at, unit=unit, count=count)
        local = received_at.astimezone(LOCAL_TZ)
        day = local.date()
        since_midnight = local - dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)
        if not since_midnight:
            return workcalendar.compute_deadline(received_at, unit=unit, count=count)
        key = (day, count)
        if key not in self._by_day:
            noon = dt.datetime.combine(day, dt.time(12), tzinfo=LOCAL_TZ)
            self._by_day[key] = (
                workcalendar.is_workday(day),
                workcalendar.compute_deadline(noon, unit=unit, count=count),
            )
        workday, from_noon = self._by_day[key]
        return from_noon + (since_midnight - self._NOON) if workday else from_noon


def _same_time(old: dt.datetime | None, new: dt.datetime | None) -> dt.datetime | None:
    """``new``, or ``old`` when they agree to the second: the ledger keeps whole seconds, so a
    file exported from the platform must not rewrite every time with its microseconds cut."""
    if old is not None and new is not None and old.replace(microsecond=0) == new:
        return old
    return new


# --- the import ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Write:
    """One case to create (``diff`` None) or update."""

    row: _Row
    case: Case
    target: str  # the number of the case it is merged into, "" if not merged
    diff: dict[str, list[Any]] | None = None
    old_status: str = ""


@dataclass
class _Batch:
    """What one batch writes. Merged cases whose target is created in this same batch wait
    in ``merged``, to be written once the target has an id."""

    creates: list[_Write] = field(default_factory=list)
    updates: list[_Write] = field(default_factory=list)
    merged: list[_Write] = field(default_factory=list)


class _BadRows:
    """The --skip-invalid file: the bad rows with their original cells and an ``error`` column.

    Written to a temporary file next to the target and moved into place at the end, so a
    failed import leaves no half-written file behind.
    """

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.header = list(header)
        self.error_column = next(
            (index for index, title in enumerate(header) if title.strip().casefold() == "error"), None
        )
        if self.error_column is None:
            self.header.append("error")
            self.error_column = len(self.header) - 1
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        self.temporary = Path(name)
        self.stream = os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.stream)
        self.writer.writerow(self.header)

    def write(self, row: _Row) -> None:
        cells = list(row.cells) + [""] * max(0, len(self.header) - len(row.cells))
        assert self.error_column is not None
        cells[self.error_column] = f"row {row.row}: " + "; ".join(row.errors)
        self.writer.writerow(cells)

    def finish(self) -> None:
        self.stream.close()
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        self.stream.close()
        self.temporary.unlink(missing_ok=True)


class _Importer:
    def __init__(self, *, table: Table, skip_invalid: Path | None, batch_size: int) -> None:
        self.table = table
        self.positions = map_header(table.header)
        self.lookups = Lookups()
        self.parser = _RowParser(positions=self.positions, lookups=self.lookups)
        self.batch_size = batch_size
        self.skip_invalid = skip_invalid
        self.bad_rows = _BadRows(skip_invalid, table.header) if skip_invalid is not None else None
        self.summary = CaseImportSummary(encoding=table.encoding, bad_rows_path=skip_invalid)
        self.errors: list[RowError] = []
        # Case number → the row it first appears on; the numbers whose first row is bad; the
        # numbers whose (good) row is merged. One int per row in the file: ~100 bytes a row.
        self.first_row: dict[str, int] = {}
        self.bad_first: set[str] = set()
        self.merged: set[str] = set()
        self.now = timezone.now()
        self.request_id = uuid.uuid4()  # one per import: all its events share it
        # The receiving days of every case written, before and after: their months' rollups
        # are rebuilt once at the end instead of being incremented row by row.
        self.touched_days: set[dt.date] = set()
        self.deadlines = Deadlines()
        self.dispute_id = next((pk for pk, code in self.lookups.case_type_codes.items() if code == DISPUTE), None)

    @property
    def writing(self) -> bool:
        return self.skip_invalid is not None or not self.errors

    def run(self, progress: ProgressCallback | None) -> CaseImportSummary:
        batch: list[_Row] = []
        for number, cells in self.table.rows:
            batch.append(self.parser.parse(number, cells))
            if len(batch) >= self.batch_size:
                self._batch(batch)
                batch = []
                if progress:
                    progress(self.summary.rows, self.table.estimated_rows)
        if batch:
            self._batch(batch)
        if progress:
            progress(self.summary.rows, self.summary.rows)
        return self.summary

    # checking ----------------------------------------------------------------------------

    def _batch(self, rows: list[_Row]) -> None:
        self.summary.rows += len(rows)
        for row in rows:  # duplicates are told in file order, before anything else
            if not row.number:
                continue
            first = self.first_row.setdefault(row.number, row.row)
            if first != row.row:
                row.errors.insert(0, f'duplicate number "{row.number}" (first on row {first})')

        wanted = {row.number for row in rows if not row.errors}
        wanted |= {row.merge_target for row in rows if not row.errors and row.merge_target}
        existing: dict[str, Case] = {}
        if wanted:
            query = Case.objects.filter(number__in=wanted).annotate(merged_into_number=F("merged_into__number"))
            if self.writing:
                query = query.select_for_update(of=("self",))
            existing = {case.number: case for case in query}

        plan = _Batch()
        for row in rows:
            if not row.errors:
                self._plan(row, existing, plan)
            if row.errors:
                self.summary.invalid += 1
                self.errors.extend(RowError(row.row, message) for message in row.errors)
                if self.bad_rows is not None:
                    self.bad_rows.write(row)
                if row.number and self.first_row.get(row.number) == row.row:
                    self.bad_first.add(row.number)
            elif row.status == Status.MERGED:
                self.merged.add(row.number)
        if self.writing:
            self._write(plan)
        _forget_queries()

    def _merge_target(self, row: _Row, case: Case | None, existing: dict[str, Case]) -> tuple[int | None, str]:
        """(id, number) of the case a merged row is folded into; id None while that case is
        still to be created in this batch. Adds an error to the row if there is none."""
        target = row.merge_target
        if row.status != Status.MERGED:
            if target:
                row.errors.append(
                    f"merged_into (合并至) is given but the status is {_status_phrase(row.status)}, not 合并 (merged)"
                )
            return None, ""
        if not target:
            if case is not None and case.merged_into_id is not None:
                return case.merged_into_id, getattr(case, "merged_into_number", "") or ""
            row.errors.append(
                "status 合并 (merged) needs the case it was merged into: "
                'add a "merged_into" (合并至) column with that case\'s number'
            )
            return None, ""
        if target == row.number:
            row.errors.append("a case cannot be merged into itself")
            return None, ""
        if self.first_row.get(target, row.row) < row.row and target not in self.bad_first:
            target_merged = target in self.merged  # a good earlier row of the file
        elif target in existing:
            target_merged = existing[target].status == Status.MERGED
        else:
            row.errors.append(
                f'unknown merge target "{target}": it must be a case in the database or on an earlier row'
            )
            return None, ""
        if target_merged:
            row.errors.append(f'case "{target}" is itself merged into another; merge into that one')
            return None, ""
        return (existing[target].pk if target in existing else None), target

    def _plan(self, row: _Row, existing: dict[str, Case], plan: _Batch) -> None:
        """Work out the case's new columns; queue a create or an update, or count it unchanged."""
        case = existing.get(row.number)
        target_id, target_number = self._merge_target(row, case, existing)
        if row.errors:
            return
        assert row.unit is not None and row.subcategory is not None and row.received_at is not None
        old: dict[str, Any] = {name: getattr(case, name) for name in TRACKED} if case else dict.fromkeys(TRACKED)
        status = row.status

        received_at = _same_time(old["received_at"], row.received_at) or row.received_at
        closed_at = _same_time(old["closed_at"], row.closed_at)
        deadline = _same_time(old["deadline"], row.deadline)
        if deadline is None:
            unchanged_basis = (
                case is not None
                and old["deadline"] is not None
                and old["received_at"] == received_at
                and old["subcategory_id"] == row.subcategory.pk
            )
            deadline = (
                old["deadline"]
                if unchanged_basis
                else self.deadlines(received_at, row.subcategory, urgent=bool(case and case.urgent))
            )

        department_id = row.department_id
        if department_id is None and status in NEEDS_DEPARTMENT:
            department_id = old["department_id"] or self.lookups.route(row.unit, row.subcategory)

        # Times the ledger has no column for. replied_at / visited_at follow closed_at when
        # they were taken from it (or are empty); times recorded by the workflow are kept.
        replied_at = old["replied_at"]
        if status in REPLIED_STATES:
            if replied_at is None or replied_at == old["closed_at"]:
                replied_at = closed_at
        elif status != Status.MERGED:
            replied_at = None
        visited_at = old["visited_at"]
        if status in VISITED_STATES:
            if (row.satisfaction or row.resolved is not None) and (
                visited_at is None or visited_at == old["closed_at"]
            ):
                visited_at = closed_at
        elif status != Status.MERGED:
            visited_at = None
        if status == Status.SUSPENDED:
            before_suspension = old["status_before_suspension"] or Status.IN_PROGRESS
            suspended_at = old["suspended_at"]
        else:
            before_suspension, suspended_at = "", None

        new: dict[str, Any] = {
            "received_at": received_at,
            "channel": row.channel,
            "case_type_id": row.case_type_id,
            "unit_id": row.unit.pk,
            "subcategory_id": row.subcategory.pk,
            "text": row.text,
            "address": row.address,
            "department_id": department_id,
            "status": status,
            "deadline": deadline,
            "closed_at": closed_at,
            "satisfaction": row.satisfaction,
            "resolved": row.resolved,
            "mediation_result": row.mediation_result,
            "merged_into_id": target_id,
            "replied_at": replied_at,
            "visited_at": visited_at,
            "status_before_suspension": before_suspension,
            "suspended_at": suspended_at,
        }
        pending_target = status == Status.MERGED and target_id is None  # created earlier in this batch

        if case is None:
            created = Case(
                number=row.number,
                created_by=None,
                reporter=None,
                classification_confirmed=True,
                updated_at=self.now,
                **new,
            )
            (plan.merged if pending_target else plan.creates).append(_Write(row, created, target_number))
            return

        diff: dict[str, list[Any]] = {}
        for name in TRACKED:
            if name == "merged_into_id":
                if old[name] != new[name] or pending_target:
                    diff["merged_into"] = [getattr(case, "merged_into_number", None), target_number or None]
            elif old[name] != new[name]:
                diff[name.removesuffix("_id")] = [self._json(name, old[name]), self._json(name, new[name])]
        if not diff:
            self.summary.unchanged += 1
            return
        old_status = case.status
        for name, value in new.items():
            setattr(case, name, value)
        write = _Write(row, case, target_number, diff=diff, old_status=old_status)
        (plan.merged if pending_target else plan.updates).append(write)

    def _json(self, name: str, value: Any) -> Any:
        """A column value as the audit trail shows it: codes for related rows, ISO times in UTC."""
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat()  # as the actions write times: UTC
        codes = {
            "unit_id": self.lookups.unit_codes,
            "case_type_id": self.lookups.case_type_codes,
            "subcategory_id": self.lookups.subcategory_codes,
            "department_id": self.lookups.department_codes,
        }.get(name)
        return codes.get(value, value) if codes is not None else value

    # writing -----------------------------------------------------------------------------

    def _write(self, plan: _Batch) -> None:
        events: list[CaseEvent] = []
        self._write_some(plan.creates + plan.updates, events)
        if plan.merged:
            ids = dict(
                Case.objects.filter(number__in={write.target for write in plan.merged}).values_list("number", "pk")
            )
            for write in plan.merged:
                write.case.merged_into_id = ids[write.target]
            self._write_some(plan.merged, events)
        if events:
            CaseEvent.objects.bulk_create(events)

    def _write_some(self, writes: list[_Write], events: list[CaseEvent]) -> None:
        creates = [write for write in writes if write.diff is None]
        updates = [write for write in writes if write.diff is not None]
        if creates:
            Case.objects.bulk_create([write.case for write in creates])
            self.summary.created += len(creates)
        if updates:
            fields = {"version", "updated_at"}
            for write in updates:
                write.case.version += 1
                write.case.updated_at = self.now
                fields.update(name for name in TRACKED if name.removesuffix("_id") in (write.diff or {}))
            _update_rows([write.case for write in updates], sorted(fields))
            self.summary.updated += len(updates)
        events.extend(self._event(write) for write in writes)
        for write in writes:
            self.touched_days.add(timezone.localtime(write.case.received_at).date())
            old_received = (write.diff or {}).get("received_at")
            if old_received and old_received[0]:
                self.touched_days.add(timezone.localtime(dt.datetime.fromisoformat(old_received[0])).date())

    def _event(self, write: _Write) -> CaseEvent:
        return CaseEvent(
            case_id=write.case.pk,
            action=ACTION,
            actor=None,
            created_at=self.now,
            request_id=self.request_id,
            from_status=write.old_status,
            to_status=write.case.status,
            changes=write.diff or {},
            data={"file": self.table.name, "row": write.row.row},
        )


def _forget_queries() -> None:
    """With DEBUG on (the local settings), Django keeps the SQL of the last 9,000 queries; a
    batch's INSERT is megabytes of it. Drop it after each batch, unless a test or the debug
    toolbar asked for the queries explicitly (``force_debug_cursor``)."""
    connection = connections[router.db_for_write(Case)]
    if connection.queries_logged and not connection.force_debug_cursor:
        connection.queries_log.clear()


def _update_rows(cases: list[Case], names: list[str]) -> None:
    """What ``Case.objects.bulk_update(cases, names)`` does, several times faster.

    ``bulk_update`` builds a CASE WHEN expression per case and column; at 2,000 cases a batch
    Django spends far longer building it than the database spends running it. Here: on
    PostgreSQL one ``UPDATE … FROM (VALUES …)`` per chunk of cases (a round trip per row
    would dominate), elsewhere (SQLite, in-process) one UPDATE by primary key run with
    ``executemany``. Values go through each field's ``get_db_prep_save``, as in ``save()``.
    """
    connection = connections[router.db_for_write(Case)]
    quote = connection.ops.quote_name
    pk, *fields = [_concrete(name) for name in ["id", *names]]
    table = quote(Case._meta.db_table)
    rows = [
        [model_field.get_db_prep_save(getattr(case, model_field.attname), connection) for model_field in (pk, *fields)]
        for case in cases
    ]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assignments = ", ".join(f"{quote(_column(model_field))} = %s" for model_field in fields)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {quote(_column(pk))} = %s", [row[1:] + row[:1] for row in rows]
            )
            return
        # VALUES columns take their type from their literals (text, or unknown when all NULL):
        # cast each to its column's type.
        names_sql = ", ".join(f"c{index}" for index in range(len(fields) + 1))
        assignments = ", ".join(
            f"{quote(_column(model_field))} = v.c{index}::{model_field.db_type(connection)}"
            for index, model_field in enumerate(fields, start=1)
        )
        placeholders = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        chunk = max(1, 30_000 // (len(fields) + 1))
        for first in range(0, len(rows), chunk):
            part = rows[first : first + chunk]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([placeholders] * len(part))}) "
                f"AS v({names_sql}) WHERE {table}.{quote(_column(pk))} = v.c0::{pk.db_type(connection)}",
                [value for row in part for value in row],
            )


def _concrete(name: str) -> Field:
    model_field = Case._meta.get_field(name)
    assert isinstance(model_field, Field) and model_field.concrete, name
    return model_field


def _column(model_field: Field) -> str:
    assert model_field.column is not None, model_field
    return model_field.column


def import_cases(
    *,
    path: Path,
    skip_invalid: Path | None = None,
    batch_size: int = BATCH_SIZE,
    progress: ProgressCallback | None = None,
) -> CaseImportSummary:
    """Import a ledger file; see the module docstring and docs/import-cases.md.

    All or nothing unless ``skip_invalid`` names a CSV file for the bad rows. Raises
    :class:`CaseImportError` listing every problem when nothing was imported (a bad file, or
    any bad row without ``skip_invalid``). ``progress(rows_read, rows_expected)`` is called
    after each batch; ``rows_expected`` is an estimate, or None when unknown.
    """
    path = Path(path)
    if skip_invalid is not None:
        skip_invalid = Path(skip_invalid)
        if skip_invalid.exists() and path.exists() and skip_invalid.resolve() == path.resolve():
            raise _file_error("the file for the bad rows must not be the file being imported")
        if not skip_invalid.parent.is_dir():
            raise _file_error(f"cannot write the bad rows to {skip_invalid}: no directory {skip_invalid.parent}")
    with open_table(path) as table:
        importer: _Importer | None = None
        try:
            with transaction.atomic():
                importer = _Importer(table=table, skip_invalid=skip_invalid, batch_size=max(1, batch_size))
                summary = importer.run(progress)
                if importer.errors and skip_invalid is None:
                    raise CaseImportError(importer.errors, encoding=table.encoding)
                rollups.rebuild_for_days(importer.touched_days)
        except BaseException as exc:
            if importer is not None and importer.bad_rows is not None:
                importer.bad_rows.discard()
            if isinstance(exc, CaseImportError):
                exc.encoding = exc.encoding or table.encoding
            raise
    if importer.bad_rows is not None:
        importer.bad_rows.finish()
    summary.errors = importer.errors
    return summary
