"""Where an appeal is: a small parser for Chinese addresses, for duplicate detection.

Two reports are about the same place when nothing in their places contradicts (another
building, another unit entrance, another road, another estate) and they share enough of the
address. The parser is deliberately forgiving: an address is free text typed by a clerk or a
resident, so it reads what it recognises and leaves the rest to a character comparison.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"[0-9]+|[零〇一二两三四五六七八九十百]+"
BUILDING_RE = re.compile(rf"({_NUMBER})\s*(?:号楼|号栋|栋|幢|座|号院|#楼|#)")
UNIT_RE = re.compile(rf"({_NUMBER})\s*单元")
ROOM_RE = re.compile(r"([0-9]{3,4})\s*(?:室|房|号房)")
# Administrative levels that come before the place itself. 小区 also ends in 区, so it is
# protected first.
_ADMIN_RE = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|州|地区|区|县|镇|乡|街道|社区|村委会|居委会))+"
)
ROAD_RE = re.compile(r"([\u4e00-\u9fff]{1,6}?(?:大道|大街|路|街|巷|弄|公路|国道|省道))(?![\u4e00-\u9fff]*?办)")
ESTATE_RE = re.compile(
    r"([\u4e00-\u9fffA-Za-z]{2,10}?(?:小区|花园|家园|苑|府|公寓|新村|新城|城|湾|庭|园|里|广场|大厦|村|雅居|华庭|名邸|山庄))"
)
_PUNCT_RE = re.compile(r"[\s,，.。;；:：、()（）\-—·]+")
# Words that join or locate roads (建设路与新华路交口, 解放路旁): split there so that each
# road is read on its own.
_ROAD_JOINS_RE = re.compile(r"与|和|及|交叉口|交口|十字路口|路口|附近|旁边|旁|对面|东侧|西侧|南侧|北侧|[0-9]+号")


def chinese_number(token: str) -> int | None:
    """'3' → 3, '三' → 3, '十二' → 12, '二十一' → 21; None for anything else."""
    if token.isdigit():
        return int(token)
    if not token:
        return None
    if "百" in token:
        head, _sep, tail = token.partition("百")
        hundreds = _DIGITS.get(head, 1) if head else 1
        rest = chinese_number(tail.lstrip("零〇")) if tail else 0
        return None if rest is None else hundreds * 100 + rest
    if "十" in token:
        head, _sep, tail = token.partition("十")
        tens = _DIGITS.get(head) if head else 1
        ones = _DIGITS.get(tail) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    value = 0
    for char in token:
        digit = _DIGITS.get(char)
        if digit is None:
            return None
        value = value * 10 + digit
    return value


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no spaces: one spelling per address."""
    return unicodedata.normalize("NFKC", text or "").lower().replace(" ", "")


@dataclass(frozen=True)
class Place:
    """What the parser recognised in an address (and, for missing parts, in the appeal)."""

    text: str = ""
    estate: str = ""
    buildings: frozenset[int] = field(default_factory=frozenset)
    units: frozenset[int] = field(default_factory=frozenset)
    roads: frozenset[str] = field(default_factory=frozenset)
    bigrams: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_specific(self) -> bool:
        """An estate, a building or a road: enough to call two reports the same place."""
        return bool(self.estate or self.buildings or self.roads)


def _numbers(pattern: re.Pattern[str], text: str) -> frozenset[int]:
    found = (chinese_number(match) for match in pattern.findall(text))
    return frozenset(number for number in found if number is not None and 0 < number < 1000)


def _strip_admin(text: str) -> str:
    protected = text.replace("小区", "小\u0000")
    stripped = _ADMIN_RE.sub("", protected)
    return stripped.replace("小\u0000", "小区")


def parse_place(address: str, text: str = "") -> Place:
    """Parse the address; buildings and units missing from it are read from the appeal text."""
    address = normalise(address)
    body = normalise(text)
    local = _strip_admin(address)
    buildings = _numbers(BUILDING_RE, address) or _numbers(BUILDING_RE, body)
    units = _numbers(UNIT_RE, address) or _numbers(UNIT_RE, body)
    road_source = _ROAD_JOINS_RE.sub(" ", _PUNCT_RE.sub(" ", local))
    roads = frozenset(ROAD_RE.findall(road_source))
    estate_match = ESTATE_RE.search(BUILDING_RE.split(local)[0] if local else "")
    estate = estate_match.group(1) if estate_match else ""
    if not local and body:
        # No address at all: a place named in the appeal (翡翠湾小区3栋) is the best we have.
        estate_match = ESTATE_RE.search(_strip_admin(body))
        estate = estate_match.group(1) if estate_match else ""
    compact = _PUNCT_RE.sub("", address)
    bigrams = frozenset(compact[i : i + 2] for i in range(len(compact) - 1))
    return Place(text=address, estate=estate, buildings=buildings, units=units, roads=roads, bigrams=bigrams)


def place_similarity(a: Place, b: Place) -> float:
    """0 when the places contradict each other; else how much of the address they share
    (Dice coefficient of character pairs), with 1.0 for a matching estate and building."""
    if a.buildings and b.buildings and not (a.buildings & b.buildings):
        return 0.0
    if a.units and b.units and not (a.units & b.units):
        return 0.0
    if a.roads and b.roads and not (a.roads & b.roads):
        return 0.0
    if len(a.roads) >= 2 and len(b.roads) >= 2 and len(a.roads & b.roads) < 2:
        return 0.0  # two junctions are two points, even on one road
    if a.estate and b.estate and a.estate != b.estate and a.estate not in b.estate and b.estate not in a.estate:
        return 0.0
    if a.estate and a.estate == b.estate and a.buildings and a.buildings & b.buildings:
        return 1.0
    if not a.bigrams or not b.bigrams:
        return 0.5 if (a.estate and a.estate == b.estate) else 0.0
    dice = 2 * len(a.bigrams & b.bigrams) / (len(a.bigrams) + len(b.bigrams))
    if (a.roads & b.roads) or (a.estate and a.estate == b.estate):
        dice = max(dice, 0.8)
    return dice
