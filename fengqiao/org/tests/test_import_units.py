"""``manage.py import_units``: reading CSV/XLSX, validation, all-or-nothing writes, moving subtrees."""

import os
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from fengqiao.org.importing import (
    ExistingUnit,
    RowError,
    UnitImportError,
    import_units,
    parse_level,
    read_rows,
    validate_rows,
)
from fengqiao.org.models import Unit, UnitLevel

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_FILE = PROJECT_ROOT / "fengqiao" / "org" / "data" / "units-example.csv"

# The good file, with Chinese headers and Chinese level words (row numbers in comments).
GOOD_ROWS = [
    ["编码", "名称", "层级", "上级编码"],  # 1
    ["HF", "合肥市", "市", ""],  # 2
    ["HF-JK", "经开区", "区县", "HF"],  # 3
    ["HF-JK-FR", "芙蓉街道", "街道乡镇", "HF-JK"],  # 4
    ["HF-JK-FR-HH", "海恒社区", "社区村", "HF-JK-FR"],  # 5
    ["HF-JK-FR-HH-E1", "海恒家园", "小区", "HF-JK-FR-HH"],  # 6
    ["HF-JK-FR-HH-E1-B1", "1栋", "楼栋", "HF-JK-FR-HH-E1"],  # 7
    ["HF-JK-FR-HH-E1-B2", "2栋", "楼栋", "HF-JK-FR-HH-E1"],  # 8
    ["HF-JK-FR-HH-G1", "海恒社区第一网格", "网格", "HF-JK-FR-HH"],  # 9
]
GOOD_PATHS = {
    "HF": ("/HF/", 0, UnitLevel.CITY, None),
    "HF-JK": ("/HF/HF-JK/", 1, UnitLevel.DISTRICT, "HF"),
    "HF-JK-FR": ("/HF/HF-JK/HF-JK-FR/", 2, UnitLevel.STREET, "HF-JK"),
    "HF-JK-FR-HH": ("/HF/HF-JK/HF-JK-FR/HF-JK-FR-HH/", 3, UnitLevel.COMMUNITY, "HF-JK-FR"),
    "HF-JK-FR-HH-E1": ("/HF/HF-JK/HF-JK-FR/HF-JK-FR-HH/HF-JK-FR-HH-E1/", 4, UnitLevel.ESTATE, "HF-JK-FR-HH"),
    "HF-JK-FR-HH-E1-B1": (
        "/HF/HF-JK/HF-JK-FR/HF-JK-FR-HH/HF-JK-FR-HH-E1/HF-JK-FR-HH-E1-B1/",
        5,
        UnitLevel.BUILDING,
        "HF-JK-FR-HH-E1",
    ),
    "HF-JK-FR-HH-E1-B2": (
        "/HF/HF-JK/HF-JK-FR/HF-JK-FR-HH/HF-JK-FR-HH-E1/HF-JK-FR-HH-E1-B2/",
        5,
        UnitLevel.BUILDING,
        "HF-JK-FR-HH-E1",
    ),
    "HF-JK-FR-HH-G1": ("/HF/HF-JK/HF-JK-FR/HF-JK-FR-HH/HF-JK-FR-HH-G1/", 4, UnitLevel.GRID, "HF-JK-FR-HH"),
}


def csv_text(rows: list[list[str]]) -> str:
    return "".join(",".join(cells) + "\r\n" for cells in rows)


def write_csv(tmp_path: Path, rows: list[list[str]], *, name: str = "units.csv", bom: bool = True) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + csv_text(rows).encode("utf-8"))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[str]], *, name: str = "units.xlsx") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for cells in rows:
        sheet.append([cell or None for cell in cells])
    notes = workbook.create_sheet("说明")
    notes.append(["code", "name", "level", "parent"])
    notes.append(["IGNORED", "second sheet", "city", ""])
    path = tmp_path / name
    workbook.save(path)
    return path


def run(path: Path) -> str:
    out = StringIO()
    call_command("import_units", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict[str, tuple]:
    return {
        unit["code"]: (unit["pk"], unit["name"], unit["level"], unit["parent__code"], unit["path"], unit["depth"])
        for unit in Unit.objects.values("pk", "code", "name", "level", "parent__code", "path", "depth")
    }


def run_failing(path: Path | str) -> list[str]:
    """Run the command on a bad file; assert it fails with status 1 and writes nothing. Returns stderr lines."""
    before = snapshot()
    count = Unit.objects.count()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_units", str(path), stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert "nothing was imported" in str(raised.value)
    assert Unit.objects.count() == count
    assert snapshot() == before
    assert out.getvalue() == ""
    return err.getvalue().splitlines()


def assert_good_tree() -> None:
    units = {unit.code: unit for unit in Unit.objects.select_related("parent")}
    assert set(units) == set(GOOD_PATHS)
    for code, (path, depth, level, parent) in GOOD_PATHS.items():
        unit = units[code]
        assert (unit.path, unit.depth, unit.level) == (path, depth, level), code
        assert (unit.parent.code if unit.parent else None) == parent, code
    assert units["HF-JK-FR-HH"].name == "海恒社区"
    assert units["HF-JK-FR-HH-E1-B1"].name == "1栋"


# --- good files -------------------------------------------------------------------------


def test_csv_with_bom_chinese_headers_and_levels(tmp_path):
    output = run(write_csv(tmp_path, GOOD_ROWS))

    assert output.strip() == "created 8, updated 0, unchanged 0"
    assert_good_tree()


def test_the_same_file_as_xlsx_reads_only_the_first_sheet(tmp_path):
    output = run(write_xlsx(tmp_path, GOOD_ROWS))

    assert output.strip() == "created 8, updated 0, unchanged 0"
    assert_good_tree()
    assert not Unit.objects.filter(code="IGNORED").exists()


def test_xlsx_numeric_codes_are_read_as_text(tmp_path):
    workbook = Workbook()
    workbook.active.append(["code", "name", "level", "parent"])
    workbook.active.append([101, "一号市", "city", None])
    workbook.active.append([102.0, "一号区", "district", 101])
    path = tmp_path / "numbers.xlsx"
    workbook.save(path)

    run(path)

    assert Unit.objects.get(code="102").path == "/101/102/"


def test_parents_after_children_english_headers_mixed_case(tmp_path):
    rows = [[" Code ", "NAME", " Level", "Parent "]] + [
        [code, name, level, parent] for code, name, level, parent in reversed(GOOD_ROWS[1:])
    ]

    output = run(write_csv(tmp_path, rows, bom=False))

    assert output.strip() == "created 8, updated 0, unchanged 0"
    assert_good_tree()


def test_english_level_words_aliases_and_extra_columns(tmp_path):
    rows = [
        ["备注", "code", "name", "level", "parent"],
        ["", "HF", "合肥市", "City", ""],
        ["旧编码", "HF-JK", "经开区", "区", "HF"],
        ["", "HF-JK-FR", "芙蓉街道", "街道", "HF-JK"],
        ["", "HF-JK-FR-HH", "海恒社区", "社区", "HF-JK-FR"],
        ["", "HF-JK-FR-CX", "陈咀村", "村", "HF-JK-FR"],
        ["", "HF-JK-FR-HH-G1", "网格一", "grid", "HF-JK-FR"],
    ]

    run(write_csv(tmp_path, rows))

    levels = dict(Unit.objects.values_list("code", "level"))
    assert levels == {
        "HF": UnitLevel.CITY,
        "HF-JK": UnitLevel.DISTRICT,
        "HF-JK-FR": UnitLevel.STREET,
        "HF-JK-FR-HH": UnitLevel.COMMUNITY,
        "HF-JK-FR-CX": UnitLevel.COMMUNITY,
        "HF-JK-FR-HH-G1": UnitLevel.GRID,
    }


def test_parent_already_in_the_database(tree, tmp_path):
    rows = [
        ["code", "name", "level", "parent"],
        ["HF-JK-FR-HH-E1-B3", "3栋", "building", "HF-JK-FR-HH-E1"],
    ]

    output = run(write_csv(tmp_path, rows))

    assert output.strip() == "created 1, updated 0, unchanged 0"
    building = Unit.objects.get(code="HF-JK-FR-HH-E1-B3")
    assert building.parent == tree["estate"]
    assert building.path == tree["estate"].path + "HF-JK-FR-HH-E1-B3/"
    assert building.depth == tree["estate"].depth + 1


def test_the_example_file_imports_cleanly():
    output = run(EXAMPLE_FILE)

    assert output.strip() == "created 10, updated 0, unchanged 0"
    assert Unit.objects.get(code="HF-JK-FR-HH-E1-B3").path == (
        "/HF/HF-JK/HF-JK-FR/HF-JK-FR-HH/HF-JK-FR-HH-E1/HF-JK-FR-HH-E1-B3/"
    )
    assert Unit.objects.get(code="HF-JK-FR-HH-G1").level == UnitLevel.GRID


# --- re-importing and updating ------------------------------------------------------------


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_reimporting_the_same_file_changes_nothing(tmp_path, writer):
    path = writer(tmp_path, GOOD_ROWS)
    run(path)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        output = run(path)

    assert output.strip() == "created 0, updated 0, unchanged 8"
    assert snapshot() == before
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_a_changed_name_is_updated_in_place(tmp_path):
    run(write_csv(tmp_path, GOOD_ROWS))
    before = snapshot()
    rows = [list(cells) for cells in GOOD_ROWS]
    rows[4][1] = "海恒社区（新）"

    output = run(write_csv(tmp_path, rows, name="renamed.csv"))

    assert output.strip() == "created 0, updated 1, unchanged 7"
    after = snapshot()
    assert after["HF-JK-FR-HH"][1] == "海恒社区（新）"
    assert after["HF-JK-FR-HH"][0] == before["HF-JK-FR-HH"][0]  # same row, not a new one
    assert {code: row for code, row in after.items() if code != "HF-JK-FR-HH"} == {
        code: row for code, row in before.items() if code != "HF-JK-FR-HH"
    }


def test_verbose_output_lists_the_codes(tree, tmp_path):
    rows = [
        ["code", "name", "level", "parent"],
        ["HF-JK-FR-HH", "海恒社区居委会", "community", "HF-JK-FR"],
        ["HF-JK-FR-HH-G9", "第九网格", "grid", "HF-JK-FR-HH"],
    ]
    out = StringIO()

    call_command("import_units", str(write_csv(tmp_path, rows)), verbosity=2, stdout=out)

    assert out.getvalue().splitlines() == [
        "created HF-JK-FR-HH-G9",
        "updated HF-JK-FR-HH",
        "created 1, updated 1, unchanged 0",
    ]


def test_reparenting_moves_the_descendants_paths(tree, tmp_path):
    rows = [
        ["code", "name", "level", "parent"],
        ["HF-JK-FR-HH", "海恒社区", "community", "HF-JK-XH"],  # moved under a street defined below
        ["HF-JK-XH", "锦绣街道", "street", "HF-JK"],
    ]

    output = run(write_csv(tmp_path, rows))

    assert output.strip() == "created 1, updated 1, unchanged 0"
    new_prefix = "/HF/HF-JK/HF-JK-XH/HF-JK-FR-HH/"
    assert Unit.objects.get(code="HF-JK-FR-HH").path == new_prefix
    assert Unit.objects.get(code="HF-JK-FR-HH").depth == 3
    for code, suffix, depth in [
        ("HF-JK-FR-HH-E1", "HF-JK-FR-HH-E1/", 4),
        ("HF-JK-FR-HH-E1-B1", "HF-JK-FR-HH-E1/HF-JK-FR-HH-E1-B1/", 5),
        ("HF-JK-FR-HH-E1-B2", "HF-JK-FR-HH-E1/HF-JK-FR-HH-E1-B2/", 5),
    ]:
        unit = Unit.objects.get(code=code)
        assert (unit.path, unit.depth) == (new_prefix + suffix, depth)
    # The sibling community stays where it was; the moved subtree is no longer under the old street.
    assert Unit.objects.get(code="HF-JK-FR-LH-E1").path == "/HF/HF-JK/HF-JK-FR/HF-JK-FR-LH/HF-JK-FR-LH-E1/"
    assert {unit.code for unit in tree["street"].subtree()} == {"HF-JK-FR", "HF-JK-FR-LH", "HF-JK-FR-LH-E1"}


def test_moving_a_unit_and_renaming_a_grandchild_keeps_paths_right(tree, tmp_path):
    """The estate is unchanged, so its instance is never saved; the building below it must still get the new path."""
    rows = [
        ["code", "name", "level", "parent"],
        ["HF-JK-FR-HH-E1-B1", "1号楼", "building", "HF-JK-FR-HH-E1"],
        ["HF-JK-FR-HH-E1", "海恒家园", "estate", "HF-JK-FR-HH"],
        ["HF-JK-FR-HH", "海恒社区", "community", "HF-JK-XH"],
        ["HF-JK-XH", "锦绣街道", "street", "HF-JK"],
        ["HF-JK-FR-HH-E1-B9", "9栋", "building", "HF-JK-FR-HH-E1"],
    ]

    output = run(write_csv(tmp_path, rows))

    assert output.strip() == "created 2, updated 2, unchanged 1"
    estate_path = "/HF/HF-JK/HF-JK-XH/HF-JK-FR-HH/HF-JK-FR-HH-E1/"
    paths = dict(Unit.objects.values_list("code", "path"))
    assert paths["HF-JK-FR-HH-E1"] == estate_path
    assert paths["HF-JK-FR-HH-E1-B1"] == estate_path + "HF-JK-FR-HH-E1-B1/"
    assert paths["HF-JK-FR-HH-E1-B2"] == estate_path + "HF-JK-FR-HH-E1-B2/"
    assert paths["HF-JK-FR-HH-E1-B9"] == estate_path + "HF-JK-FR-HH-E1-B9/"
    assert Unit.objects.get(code="HF-JK-FR-HH-E1-B1").name == "1号楼"


# --- bad files: every problem reported with its row, nothing written --------------------


def test_unknown_parent(tree, tmp_path):
    rows = [
        ["code", "name", "level", "parent"],
        ["HF-JK-FR-HH-G1", "第一网格", "grid", "HF-JK-FR-HH"],
        ["HF-JK-FR-HH-G2", "第二网格", "grid", "HF-XX"],
    ]

    lines = run_failing(write_csv(tmp_path, rows))

    assert lines == ['row 3: unknown parent "HF-XX"']


def test_cycle_within_the_file(tmp_path):
    rows = [
        ["code", "name", "level", "parent"],
        ["HF", "合肥市", "city", ""],
        ["A", "甲社区", "community", "B"],
        ["B", "乙社区", "community", "A"],
    ]

    lines = run_failing(write_csv(tmp_path, rows))

    assert len(lines) == 2
    assert lines[0].startswith('row 3: cycle: "A" → "B" → "A"')
    assert lines[1].startswith('row 4: cycle: "B" → "A" → "B"')


def test_a_unit_that_is_its_own_parent(tmp_path):
    rows = [["code", "name", "level", "parent"], ["HF", "合肥市", "city", "HF"]]

    assert run_failing(write_csv(tmp_path, rows)) == ['row 2: cycle: "HF" is its own parent']


def test_moving_an_existing_unit_under_its_own_descendant(tree, tmp_path):
    rows = [
        ["code", "name", "level", "parent"],
        ["HF-JK-FR-HH-G1", "第一网格", "grid", "HF-JK-FR-HH"],
        ["HF-JK-FR", "芙蓉街道", "street", "HF-JK-FR-HH"],
    ]

    lines = run_failing(write_csv(tmp_path, rows))

    assert lines == [
        'row 3: cycle: "HF-JK-FR" → "HF-JK-FR-HH" → "HF-JK-FR" (a unit cannot be its own ancestor)',
    ]


def test_duplicate_code(tmp_path):
    rows = [list(cells) for cells in GOOD_ROWS] + [["HF-JK-FR-HH-E1-B1", "1栋（重复）", "楼栋", "HF-JK-FR-HH-E1"]]

    lines = run_failing(write_csv(tmp_path, rows))

    assert lines == ['row 10: duplicate code "HF-JK-FR-HH-E1-B1" (first on row 7)']


def test_unknown_level(tmp_path):
    rows = [list(cells) for cells in GOOD_ROWS]
    rows[3][2] = "镇街"

    lines = run_failing(write_csv(tmp_path, rows))

    assert len(lines) == 1
    assert lines[0].startswith('row 4: unknown level "镇街" (expected one of: city 市, district 区县,')


def test_missing_code_name_and_level(tmp_path):
    rows = [list(cells) for cells in GOOD_ROWS]
    rows[2][0] = ""
    rows[5][1] = " "
    rows[8][2] = ""

    lines = run_failing(write_csv(tmp_path, rows))

    assert "row 3: missing code" in lines
    assert "row 6: missing name" in lines
    assert "row 9: missing level" in lines
    # HF-JK has no row any more, so its child's parent is unknown too.
    assert 'row 4: unknown parent "HF-JK"' in lines


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_missing_column_is_named(tmp_path, writer):
    rows = [[code, name, parent] for code, name, _level, parent in GOOD_ROWS]

    assert run_failing(writer(tmp_path, rows)) == ['row 1: missing column "level" (层级)']


def test_gbk_csv_says_to_save_as_utf8(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(csv_text(GOOD_ROWS).encode("gbk"))

    lines = run_failing(path)

    assert len(lines) == 1
    assert "not UTF-8" in lines[0]
    assert "probably GBK" in lines[0]
    assert "save it as CSV UTF-8" in lines[0]


def test_level_inverted_city_under_building(tmp_path):
    rows = [list(cells) for cells in GOOD_ROWS] + [["HF-X", "某市", "市", "HF-JK-FR-HH-E1-B1"]]

    lines = run_failing(write_csv(tmp_path, rows))

    assert lines == ['row 10: level inverted: a city (市) cannot be under "HF-JK-FR-HH-E1-B1", a building (楼栋)']


def test_level_inverted_grid_under_building_but_estate_and_grid_may_share_a_rank(tree, tmp_path):
    rows = [
        ["code", "name", "level", "parent"],
        ["G-OK", "小区网格", "grid", "HF-JK-FR-HH-E1"],
        ["G-BAD", "楼栋网格", "grid", "HF-JK-FR-HH-E1-B1"],
    ]

    lines = run_failing(write_csv(tmp_path, rows))

    assert lines == ['row 3: level inverted: a grid (网格) cannot be under "HF-JK-FR-HH-E1-B1", a building (楼栋)']


def test_level_change_that_would_invert_existing_children(tree, tmp_path):
    rows = [["code", "name", "level", "parent"], ["HF-JK-FR-HH-E1", "海恒家园", "grid", "HF-JK-FR-HH"]]
    assert run(write_csv(tmp_path, rows, name="ok.csv")).strip() == "created 0, updated 1, unchanged 0"

    rows = [["code", "name", "level", "parent"], ["HF-JK-FR-HH", "海恒社区", "building", "HF-JK-FR"]]
    lines = run_failing(write_csv(tmp_path, rows, name="bad.csv"))

    assert lines == [
        'row 2: level inverted: "HF-JK-FR-HH-E1", a grid (网格) already in the database, '
        "cannot be under a building (楼栋)"
    ]


def test_file_not_found(tmp_path):
    missing = tmp_path / "nope.csv"

    assert run_failing(missing) == [f"file not found: {missing}"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "neither a CSV nor an XLSX file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel .xls file"),
        (b"PK\x03\x04" + b"\x00" * 64, "not a readable XLSX workbook"),
        ("编码,名称,层级,上级编码\r\n".encode("utf-16"), "it is UTF-16 text; save it as CSV UTF-8"),
        (b"code,name\r\n\x80\xff\x80\xff", "neither an XLSX file nor UTF-8 text (if it is a CSV, it is probably GBK)"),
    ],
    ids=["png", "xls", "broken-zip", "utf-16", "not-gbk-either"],
)
def test_unreadable_file(tmp_path, content, expected):
    path = tmp_path / "units.xlsx"
    path.write_bytes(content)

    lines = run_failing(path)

    assert len(lines) == 1
    assert expected in lines[0]


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "units.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")

    lines = run_failing(path)

    assert len(lines) == 1
    assert lines[0].startswith("cannot read units.docx: it is a ZIP file but not a readable XLSX workbook")


def test_every_bad_row_is_reported_and_good_rows_are_not_written(tree, tmp_path):
    rows = [
        ["编码", "名称", "层级", "上级编码"],
        ["HF-JK-FR-HH-G1", "第一网格", "网格", "HF-JK-FR-HH"],  # 2: fine
        ["HF-JK-FR-HH-G2", "第二网格", "网格", "HF-XX"],  # 3: unknown parent
        ["HF-JK-FR-HH-G1", "第一网格", "网格", "HF-JK-FR-HH"],  # 4: duplicate
        ["", "", "", ""],  # 5: blank, skipped
        ["HF-JK-FR-HH-G3", "第三网格", "格子", "HF-JK-FR-HH"],  # 6: unknown level
        ["HF-JK-FR-HH-E1", "海恒家园（改名）", "小区", "HF-JK-FR-HH"],  # 7: fine, an update
        ["HF-JK-FR-HH-E1-B1", "1栋", "市", "HF-JK-FR-HH-E1"],  # 8: inverted
    ]

    lines = run_failing(write_csv(tmp_path, rows))

    assert [line.split(":")[0] for line in lines] == ["row 3", "row 4", "row 6", "row 8"]
    assert Unit.objects.get(code="HF-JK-FR-HH-E1").name == "海恒家园"
    assert not Unit.objects.filter(code="HF-JK-FR-HH-G1").exists()


def test_exit_status_of_the_real_command_is_1(tmp_path):
    """A file error is found before the database is touched, so a real process can be checked cheaply."""
    path = tmp_path / "gbk.csv"
    path.write_bytes(csv_text(GOOD_ROWS).encode("gbk"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "import_units", str(path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "probably GBK" in result.stderr
    assert "nothing was imported" in result.stderr
    assert result.stdout == ""


# --- the pure functions -------------------------------------------------------------------


def test_read_rows_keeps_spreadsheet_row_numbers_across_blank_rows(tmp_path):
    path = write_csv(
        tmp_path,
        [
            ["code", "name", "level", "parent"],
            ["HF", " 合肥市 ", "city", ""],
            ["", "", "", ""],
            ["HF-JK", "经开区", "区县"],
        ],
    )

    assert read_rows(path=path) == [
        {"row": 2, "code": "HF", "name": "合肥市", "level": "city", "parent": ""},
        {"row": 4, "code": "HF-JK", "name": "经开区", "level": "区县", "parent": ""},
    ]


def test_read_rows_rejects_two_columns_for_one_field(tmp_path):
    path = write_csv(tmp_path, [["code", "编码", "name", "level", "parent"], ["HF", "HF", "合肥市", "city", ""]])

    with pytest.raises(UnitImportError) as raised:
        read_rows(path=path)

    assert [str(error) for error in raised.value.errors] == [
        'row 1: more than one column gives the code: "code", "编码"'
    ]


def test_parse_level():
    assert parse_level(word="Street") == UnitLevel.STREET
    assert parse_level(word="街道乡镇") == UnitLevel.STREET
    assert parse_level(word="乡镇") == UnitLevel.STREET
    assert parse_level(word="楼") is None


def test_validate_rows_against_a_snapshot_without_the_database():
    existing = {
        "HF": ExistingUnit(pk=1, name="合肥市", level="city", parent=""),
        "HF-JK": ExistingUnit(pk=2, name="经开区", level="district", parent="HF"),
    }
    rows = [
        {"row": 2, "code": "HF", "name": "合肥市", "level": "city", "parent": "HF-JK"},
        {"row": 3, "code": "HF-JK/2", "name": "x", "level": "district", "parent": "HF"},
        {"row": 4, "code": "HF-JK-FR", "name": "芙蓉街道", "level": "street", "parent": "HF-JK"},
    ]

    errors = validate_rows(rows=rows, existing=existing)

    assert errors == [
        RowError(2, 'cycle: "HF" → "HF-JK" → "HF" (a unit cannot be its own ancestor)'),
        RowError(3, 'code "HF-JK/2" must not contain "/" or spaces'),
    ]


def test_import_units_is_all_or_nothing_when_called_directly(tree, tmp_path):
    rows = [
        ["code", "name", "level", "parent"],
        ["HF-JK-FR-HH", "新名字", "community", "HF-JK-FR"],
        ["HF-JK-FR-HH-B", "坏楼", "building", "NOPE"],
    ]

    with pytest.raises(UnitImportError) as raised:
        import_units(path=write_csv(tmp_path, rows))

    assert [str(error) for error in raised.value.errors] == ['row 3: unknown parent "NOPE"']
    assert Unit.objects.get(code="HF-JK-FR-HH").name == "海恒社区"
