"""The Chinese catalogue is complete, keeps its placeholders, and is compiled and loaded.

The .po is read with a small parser (no extra dependency). Staleness of the compiled .mo is
checked by content, not by file times: every translation in the .po must be in the .mo.
"""

import ast
import gettext as gnu_gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

LC_MESSAGES = Path(settings.BASE_DIR) / "fengqiao" / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

# %(name)s, %s / %d, and str.format fields such as {value}.
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdfr]|%[sdfr]|\{[A-Za-z_][A-Za-z0-9_]*\}")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (dict: index -> text), flags."""
    entries: list[dict] = []
    entry: dict = {}
    field: tuple | None = None

    def finish():
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
                field = None
            continue
        if line.startswith("#,"):
            if "msgid" in entry:
                finish()
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            text = ast.literal_eval(rest)
            if keyword in ("msgctxt", "msgid") and "msgstr" in entry:
                finish()
            if keyword.startswith("msgstr["):
                field = ("msgstr", int(keyword[7:-1]))
            elif keyword == "msgstr":
                field = ("msgstr", 0)
            else:
                field = (keyword, None)
        name, index = field
        if name == "msgstr":
            strings = entry.setdefault("msgstr", {})
            strings[index] = strings.get(index, "") + text
        else:
            entry[name] = entry.get(name, "") + text
    finish()
    return entries


@pytest.fixture(scope="module")
def entries():
    parsed = parse_po(PO_FILE)
    assert parsed and parsed[0]["msgid"] == "", "the catalogue should start with its header"
    return parsed


def test_header_declares_one_plural_form(entries):
    header = entries[0]["msgstr"][0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert "charset=UTF-8" in header


def test_every_message_is_translated_and_not_fuzzy(entries):
    messages = entries[1:]
    assert len(messages) > 100
    untranslated = [e["msgid"] for e in messages if not all(s.strip() for s in e.get("msgstr", {0: ""}).values())]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e.get("flags", set())]
    plural_shapes = [e["msgid"] for e in messages if "msgid_plural" in e and set(e["msgstr"]) != {0}]
    assert untranslated == []
    assert fuzzy == []
    assert plural_shapes == [], "Chinese has one plural form: msgstr[0] only"


def test_placeholders_are_kept(entries):
    broken = []
    for e in entries[1:]:
        wanted = sorted(PLACEHOLDER.findall(e["msgid"]))
        if "msgid_plural" in e:
            wanted = sorted(set(wanted) | set(PLACEHOLDER.findall(e["msgid_plural"])))
        for text in e["msgstr"].values():
            found = sorted(set(PLACEHOLDER.findall(text))) if "msgid_plural" in e else sorted(PLACEHOLDER.findall(text))
            if found != wanted:
                broken.append((e["msgid"], text))
    assert broken == []


def test_compiled_catalogue_matches_the_po(entries):
    assert MO_FILE.exists(), "run: manage.py compilemessages"
    with MO_FILE.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    stale = []
    for e in entries[1:]:
        if "msgid_plural" in e:
            found = compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
        elif "msgctxt" in e:
            found = compiled.pgettext(e["msgctxt"], e["msgid"])
        else:
            found = compiled.gettext(e["msgid"])
        if found != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert stale == [], "the .mo is older than the .po: run manage.py compilemessages"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Dispatch", "派发"),
        ("Sign for", "签收"),
        ("Return", "退单"),
        ("Submit for review", "提交审核"),
        ("Send back", "审核退回"),
        ("Approve and reply", "审核通过并回复"),
        ("Reopen", "重办"),
        ("Blow the whistle", "吹哨"),
        ("Received", "受理"),
        ("Closed", "办结"),
        ("Overdue", "已超期"),
        ("Due soon", "即将到期"),
        ("Ledger", "台账"),
        ("Intake workbench", "受理工作台"),
        ("Department inbox", "部门待办"),
        ("Case", "工单"),
        ("Simplified Chinese", "简体中文"),
    ],
)
def test_key_labels_in_chinese(english, chinese):
    with translation.override("zh-hans"):
        assert gettext(english) == chinese
    with translation.override("en"):
        assert gettext(english) == english


def test_formatted_and_plural_messages_in_chinese():
    with translation.override("zh-hans"):
        assert ngettext("%(counter)s case", "%(counter)s cases", 3) % {"counter": 3} == "共3件工单"
        assert gettext("Case %(number)s is resumed.") % {"number": "FQ1"} == "工单FQ1已恢复办理。"
