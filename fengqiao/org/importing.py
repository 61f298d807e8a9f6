"""Importing the unit tree from a CSV or XLSX file.

The work is split into three steps so that each can be tested on its own:

* :func:`read_rows` reads a file into a list of :class:`UnitRow` dicts, each carrying the
  spreadsheet row number it came from (the header is row 1). File-level problems (missing
  file, unreadable file, missing column) raise :class:`UnitImportError`.
* :func:`validate_rows` checks the rows against each other and against a snapshot of the
  units already in the database (:func:`load_existing`) and returns every problem found.
* :func:`apply_rows` writes the rows, parents before children, and reports what changed.

:func:`import_units` runs the three steps all-or-nothing; the ``import_units`` management
command is a thin wrapper around it. The file format is described in docs/import-units.md.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, cast

from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .models import LEVEL_ALIASES, LEVEL_RANK, Unit, UnitLevel

# Field name → the header words that name it (compared after strip() and casefold()).
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "编码"),
    "name": ("name", "名称"),
    "level": ("level", "层级"),
    "parent": ("parent", "上级编码"),
}
# The Chinese word shown for each level in messages and documentation.
LEVEL_WORDS: dict[str, str] = {
    UnitLevel.CITY: "市",
    UnitLevel.DISTRICT: "区县",
    UnitLevel.STREET: "街道乡镇",
    UnitLevel.COMMUNITY: "社区村",
    UnitLevel.ESTATE: "小区",
    UnitLevel.BUILDING: "楼栋",
    UnitLevel.GRID: "网格",
}
# All three are CharFields, which always have a max_length.
CODE_MAX_LENGTH = cast(int, Unit._meta.get_field("code").max_length)
NAME_MAX_LENGTH = cast(int, Unit._meta.get_field("name").max_length)
PATH_MAX_LENGTH = cast(int, Unit._meta.get_field("path").max_length)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UnitRow(TypedDict):
    """One data row of an import file, with its cells stripped of surrounding whitespace."""

    row: int
    code: str
    name: str
    level: str
    parent: str


@dataclass(frozen=True)
class RowError:
    """One problem with an import file; ``row`` is None when it concerns the file as a whole."""

    row: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.row is None else f"row {self.row}: {self.message}"


class UnitImportError(Exception):
    """The file cannot be imported; ``errors`` lists every problem, in row order."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda error: error.row or 0)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass(frozen=True)
class ExistingUnit:
    """What validation and writing need to know about a unit already in the database."""

    pk: int
    name: str
    level: str
    parent: str  # the parent's code, "" for a root


@dataclass
class ImportSummary:
    """What an import did, by unit code."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"created {len(self.created)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}"


# --- reading -----------------------------------------------------------------------------


def read_rows(*, path: Path) -> list[UnitRow]:
    """Read the units from a CSV (UTF-8, BOM allowed) or XLSX (first sheet) file.

    The format is recognised from the content, not the file name. Blank rows are skipped
    but still counted, so ``row`` is the number a spreadsheet program shows. Raises
    :class:`UnitImportError` if the file is missing, unreadable or lacks a required column.
    """
    path = Path(path)
    if not path.exists():
        raise UnitImportError([RowError(None, f"file not found: {path}")])
    if not path.is_file():
        raise UnitImportError([RowError(None, f"not a file: {path}")])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnitImportError([RowError(None, f"cannot read {path}: {exc.strerror or exc}")]) from exc
    if not data.strip():
        raise UnitImportError([RowError(None, f"{path.name} is empty: expected a header row")])
    if data.startswith(_ZIP_MAGIC):
        table = _read_xlsx(data=data, name=path.name)
    else:
        table = _read_csv(data=data, name=path.name)
    return _rows_from_table(table=table, name=path.name)


def _read_xlsx(*, data: bytes, name: str) -> list[list[str]]:
    """The cells of the first worksheet of an XLSX file, as text."""
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError) as exc:
        raise UnitImportError(
            [RowError(None, f"cannot read {name}: it is a ZIP file but not a readable XLSX workbook ({exc})")]
        ) from exc
    try:
        if not workbook.worksheets:
            raise UnitImportError([RowError(None, f"{name} has no worksheet")])
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in values] for values in sheet.iter_rows(min_row=1, values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text: whole numbers without ".0", empty cells as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(*, data: bytes, name: str) -> list[list[str]]:
    """The cells of a UTF-8 CSV file (with or without a BOM)."""
    if data.startswith(_OLE2_MAGIC):
        raise UnitImportError(
            [RowError(None, f"cannot read {name}: it is an old Excel .xls file; save it as .xlsx or CSV UTF-8")]
        )
    if data.startswith(_UTF16_BOMS):
        raise UnitImportError(
            [RowError(None, f"cannot read {name}: it is UTF-16 text; save it as CSV UTF-8 (逗号分隔) and import again")]
        )
    if b"\x00" in data:
        raise UnitImportError([RowError(None, f"cannot read {name}: it is neither a CSV nor an XLSX file")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            data.decode("gbk")
        except UnicodeDecodeError:
            problem = "it is neither an XLSX file nor UTF-8 text (if it is a CSV, it is probably GBK)"
        else:
            problem = "it is not UTF-8 text (probably GBK, as Excel saves plain CSV)"
        raise UnitImportError(
            [RowError(None, f"cannot read {name}: {problem}; save it as CSV UTF-8 (逗号分隔) and import again")]
        ) from exc
    try:
        return [[cell.strip() for cell in cells] for cells in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise UnitImportError([RowError(None, f"cannot read {name} as CSV: {exc}")]) from exc


def _rows_from_table(*, table: list[list[str]], name: str) -> list[UnitRow]:
    """Map the header (row 1) to the four fields and turn the other non-blank rows into dicts."""
    if not table or not any(table[0]):
        raise UnitImportError([RowError(1, f"{name} has no header row")])
    header = [cell.strip().lstrip("\ufeff").strip().casefold() for cell in table[0]]
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for field_name, words in COLUMNS.items():
        found = [index for index, title in enumerate(header) if title in words]
        if not found:
            errors.append(RowError(1, f'missing column "{words[0]}" ({words[1]})'))
        elif len(found) > 1:
            titles = ", ".join(f'"{table[0][index].strip()}"' for index in found)
            errors.append(RowError(1, f"more than one column gives the {field_name}: {titles}"))
        else:
            positions[field_name] = found[0]
    if errors:
        raise UnitImportError(errors)

    rows: list[UnitRow] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        values = {
            field_name: cells[index].strip() if index < len(cells) else "" for field_name, index in positions.items()
        }
        rows.append(
            UnitRow(
                row=number, code=values["code"], name=values["name"], level=values["level"], parent=values["parent"]
            )
        )
    return rows


# --- validating --------------------------------------------------------------------------


def parse_level(*, word: str) -> UnitLevel | None:
    """The level named by ``word`` (English value such as "street", or a Chinese word), or None."""
    word = word.strip()
    if word in LEVEL_ALIASES:
        return LEVEL_ALIASES[word]
    try:
        return UnitLevel(word.casefold())
    except ValueError:
        return None


def load_existing() -> dict[str, ExistingUnit]:
    """A snapshot of every unit in the database, by code."""
    return {
        code: ExistingUnit(pk=pk, name=name, level=level, parent=parent or "")
        for pk, code, name, level, parent in Unit.objects.values_list("pk", "code", "name", "level", "parent__code")
    }


def _level_phrase(level: str) -> str:
    """E.g. "a city (市)", "an estate (小区)"."""
    article = "an" if level[:1] in "aeiou" else "a"
    return f"{article} {level} ({LEVEL_WORDS.get(level, '?')})"


class _Tree:
    """The unit tree as it would be after the import: the file's rows laid over the database."""

    def __init__(self, *, rows: list[UnitRow], existing: dict[str, ExistingUnit]) -> None:
        self.existing = existing
        self.rows: dict[str, UnitRow] = {}
        for row in rows:
            if row["code"]:
                self.rows.setdefault(row["code"], row)

    def knows(self, code: str) -> bool:
        return code in self.rows or code in self.existing

    def parent(self, code: str) -> str:
        if code in self.rows:
            return self.rows[code]["parent"]
        unit = self.existing.get(code)
        return unit.parent if unit else ""

    def level(self, code: str) -> UnitLevel | None:
        if code in self.rows:
            return parse_level(word=self.rows[code]["level"])
        unit = self.existing.get(code)
        return UnitLevel(unit.level) if unit and unit.level in UnitLevel.values else None

    def chain(self, code: str) -> tuple[list[str], bool]:
        """The codes from ``code`` up towards the root, and whether the walk came back to ``code``.

        The walk stops at a root, at an unknown code, or when it meets a loop that does not
        contain ``code`` (that loop is reported on its own rows).
        """
        chain = [code]
        seen = {code}
        current = self.parent(code)
        while current:
            chain.append(current)
            if current == code:
                return chain, True
            if current in seen or not self.knows(current):
                return chain, False
            seen.add(current)
            current = self.parent(current)
        return chain, False

    def depth(self, code: str) -> int:
        """How far ``code`` is from its root (0 for a root); only valid for a tree without cycles."""
        return len(self.chain(code)[0]) - 1


def validate_rows(*, rows: list[UnitRow], existing: dict[str, ExistingUnit]) -> list[RowError]:
    """Every problem with ``rows`` given the units in ``existing``; an empty list means importable.

    Checks: code and name present, well-formed and not too long; level known; code not
    repeated in the file; parent in the file or the database; no cycles (including a unit
    that is its own parent, and an existing unit moved under its own descendant); no child
    whose level ranks above its parent's (``LEVEL_RANK``), also for units already in the
    database whose parent's level the file changes; the materialised path fits.
    """
    tree = _Tree(rows=rows, existing=existing)
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    children_in_db: dict[str, list[str]] = defaultdict(list)
    for code, unit in existing.items():
        if unit.parent:
            children_in_db[unit.parent].append(code)

    for row in rows:
        number, code, name, parent = row["row"], row["code"], row["name"], row["parent"]
        if not code:
            errors.append(RowError(number, "missing code"))
        elif code in first_row:
            errors.append(RowError(number, f'duplicate code "{code}" (first on row {first_row[code]})'))
            continue
        else:
            first_row[code] = number
            if len(code) > CODE_MAX_LENGTH:
                errors.append(RowError(number, f'code "{code}" is longer than {CODE_MAX_LENGTH} characters'))
            if "/" in code or any(character.isspace() for character in code):
                errors.append(RowError(number, f'code "{code}" must not contain "/" or spaces'))
        if not name:
            errors.append(RowError(number, "missing name"))
        elif len(name) > NAME_MAX_LENGTH:
            errors.append(RowError(number, f"name is longer than {NAME_MAX_LENGTH} characters"))

        level = parse_level(word=row["level"])
        if not row["level"]:
            errors.append(RowError(number, "missing level"))
        elif level is None:
            expected = ", ".join(f"{value} {word}" for value, word in LEVEL_WORDS.items())
            errors.append(RowError(number, f'unknown level "{row["level"]}" (expected one of: {expected})'))

        if not code:
            if parent and not tree.knows(parent):
                errors.append(RowError(number, f'unknown parent "{parent}"'))
            continue
        if parent == code:
            errors.append(RowError(number, f'cycle: "{code}" is its own parent'))
            continue
        if parent and not tree.knows(parent):
            errors.append(RowError(number, f'unknown parent "{parent}"'))
            continue

        chain, is_cycle = tree.chain(code)
        if is_cycle:
            arrows = " → ".join(f'"{link}"' for link in chain)
            errors.append(RowError(number, f"cycle: {arrows} (a unit cannot be its own ancestor)"))
            continue

        parent_level = tree.level(parent) if parent else None
        if level is not None and parent_level is not None and LEVEL_RANK[level] < LEVEL_RANK[parent_level]:
            errors.append(
                RowError(
                    number,
                    f'level inverted: {_level_phrase(level)} cannot be under "{parent}", {_level_phrase(parent_level)}',
                )
            )
        if level is not None:
            for child in children_in_db.get(code, []):
                if child in tree.rows:
                    continue  # checked on the child's own row
                child_level = tree.level(child)
                if child_level is not None and LEVEL_RANK[child_level] < LEVEL_RANK[level]:
                    errors.append(
                        RowError(
                            number,
                            f'level inverted: "{child}", {_level_phrase(child_level)} already in the database, '
                            f"cannot be under {_level_phrase(level)}",
                        )
                    )
        path_length = sum(len(link) + 1 for link in chain) + 1
        if path_length > PATH_MAX_LENGTH:
            errors.append(RowError(number, f"the path from the root is longer than {PATH_MAX_LENGTH} characters"))
    return sorted(errors, key=lambda error: error.row or 0)


# --- writing -----------------------------------------------------------------------------


def apply_rows(*, rows: list[UnitRow], existing: dict[str, ExistingUnit]) -> ImportSummary:
    """Create or update one unit per row; rows that match the database are not written.

    ``rows`` must have passed :func:`validate_rows` against the same ``existing`` snapshot.
    Parents are saved before children (by depth in the resulting tree), so ``Unit.save()``
    builds each path from an up-to-date parent; moving an existing unit moves its
    descendants through ``Unit.save()``. Call inside a transaction.
    """
    tree = _Tree(rows=rows, existing=existing)
    summary = ImportSummary()
    parents: dict[str, Unit] = {}  # up-to-date instances by code, so each is fetched once
    for row in sorted(rows, key=lambda row: (tree.depth(row["code"]), row["row"])):
        code, name, parent_code = row["code"], row["name"], row["parent"]
        level = parse_level(word=row["level"])
        current = existing.get(code)
        if current is not None and (current.name, current.level, current.parent) == (name, level, parent_code):
            summary.unchanged.append(code)
            continue

        parent = None
        if parent_code:
            if parent_code not in parents:
                parents[parent_code] = Unit.objects.get(code=parent_code)
            parent = parents[parent_code]
        if current is None:
            unit = Unit(code=code)
            summary.created.append(code)
        else:
            unit = Unit.objects.get(pk=current.pk)
            summary.updated.append(code)
        moved = current is not None and current.parent != parent_code
        # validate_rows() has turned away rows whose level is unknown.
        unit.name, unit.level, unit.parent = name, cast(UnitLevel, level), parent
        unit.save()
        if moved:
            # Unit.save() rewrote the descendants' paths in the database; instances held
            # here may be among them and now carry stale paths, so fetch parents afresh.
            parents.clear()
        parents[code] = unit
    return summary


def import_units(*, path: Path) -> ImportSummary:
    """Read, validate and write a unit file, all or nothing.

    Raises :class:`UnitImportError` listing every problem if anything is wrong, in which
    case nothing is written. Validation reads the database inside the same transaction as
    the writes, so the snapshot it checks against is the one that gets changed.
    """
    rows = read_rows(path=path)
    with transaction.atomic():
        existing = load_existing()
        errors = validate_rows(rows=rows, existing=existing)
        if errors:
            raise UnitImportError(errors)
        return apply_rows(rows=rows, existing=existing)
