"""The demo unit tree and its party organisations, after the seed page.

Hefei's economic development zone (合肥经开区) has the big communities 临湖, 芙蓉, 锦绣 and
海恒, which sit at street level; under each are residents' districts (居民区, community
level), their estates and buildings, and grids. 包河区 has 滨湖世纪社区 with 昌贵居委会 and
徽贵苑. Jiahe county (嘉禾县) has reservoir-migrant villages, Zhuzhou (株洲) one street.
Names the seed page gives are kept (金星家园, 徽贵苑, 渣林村, 南艳湖 …); the rest are invented.

`UNITS` lists every unit parents first as (code, name, level, parent code); `PARTY_ORGANISATIONS`
lists (name, kind, unit code, parent organisation name), parents first. `COORDINATES` gives the
WGS84 centre (latitude, longitude) of Hefei's districts, big communities, residents' districts
and estates, so that an Open311 request with coordinates lands in an estate.
"""

from __future__ import annotations

from typing import NamedTuple


class UnitRow(NamedTuple):
    code: str
    name: str
    level: str
    parent: str | None


class PartyRow(NamedTuple):
    name: str
    kind: str
    unit: str
    parent: str | None


# (street code suffix, street name, [(residents' district, [(estate, buildings), ...]), ...])
JK_STREETS: list[tuple[str, str, list[tuple[str, list[tuple[str, int]]]]]] = [
    (
        "LH",
        "临湖社区",
        [
            ("临湖一居民区", [("临湖苑", 6), ("紫云家园", 5)]),
            ("清潭居民区", [("清潭花园", 6), ("湖光里", 4)]),
        ],
    ),
    (
        "FR",
        "芙蓉社区",
        [
            ("金星居民区", [("金星家园", 6), ("金星苑", 4)]),
            ("芙蓉居民区", [("芙蓉花园", 6), ("芙蓉雅居", 5)]),
            ("莲花居民区", [("莲花苑", 5)]),
        ],
    ),
    (
        "JX",
        "锦绣社区",
        [
            ("锦绣一居民区", [("锦绣花园", 6), ("锦绣华庭", 5)]),
            ("丹霞居民区", [("丹霞苑", 6), ("天都家园", 4)]),
        ],
    ),
    (
        "HH",
        "海恒社区",
        [
            ("南艳湖居民区", [("海恒家园", 6), ("南艳湖畔", 6)]),
            ("翡翠居民区", [("翡翠花园", 6), ("翡翠湖苑", 5)]),
            ("湖畔居民区", [("湖畔新城", 6), ("汤口雅苑", 4)]),
        ],
    ),
]
BH_STREETS: list[tuple[str, str, list[tuple[str, list[tuple[str, int]]]]]] = [
    ("BS", "滨湖世纪社区", [("昌贵居委会", [("徽贵苑", 6), ("昌贵花园", 5)])]),
]
GRIDS_PER_COMMUNITY = 2
GRID_NAMES = ("第一网格", "第二网格", "第三网格")

# Jiahe county: towns and their reservoir-migrant villages (渣林村 is on the seed page).
JH_TOWNS: list[tuple[str, str, list[str]]] = [
    ("YJ", "袁家镇", ["渣林村", "大塘村", "泉塘村"]),
    ("ZQ", "珠泉镇", ["石丘村", "团结村", "龙泉村"]),
]

# Estates whose buildings 1 and 2 get a 楼栋党小组 (the seed's 金星家园 and 海恒's estates).
PARTY_GROUP_ESTATES = {"金星家园", "海恒家园", "南艳湖畔", "翡翠花园", "翡翠湖苑", "湖畔新城", "汤口雅苑"}

# Roads near each street-level community, for the appeal texts.
ROADS: dict[str, list[str]] = {
    "HF-JK-LH": ["紫云路", "锦绣大道", "莲花路", "石门路", "清潭路"],
    "HF-JK-FR": ["芙蓉路", "莲花路", "金寨南路", "丹霞路", "始信路"],
    "HF-JK-JX": ["锦绣大道", "始信路", "天都路", "云谷路", "丹霞路"],
    "HF-JK-HH": ["繁华大道", "翡翠路", "汤口路", "宿松路", "南艳湖路"],
    "HF-BH-BS": ["徽州大道", "南京路", "广西路", "庐州大道", "锦绣大道"],
}

HH = "HF-JK-HH"
DISTRICT = "HF-JK"
STREET_CODES = ("HF-JK-LH", "HF-JK-FR", "HF-JK-JX", "HF-JK-HH", "HF-BH-BS")


def _city_rows(
    *, city: tuple[str, str], district: tuple[str, str], streets: list, party: list[PartyRow]
) -> list[UnitRow]:
    """Expand one district's streets → communities → estates → buildings, plus grids."""
    city_code, city_name = city
    district_code, district_name = district
    rows = [UnitRow(district_code, district_name, "district", city_code)]
    for suffix, street_name, communities in streets:
        street_code = f"{district_code}-{suffix}"
        rows.append(UnitRow(street_code, street_name, "street", district_code))
        street_party = f"{street_name}大社区党委" if district_code == DISTRICT else f"{street_name}党委"
        party.append(PartyRow(street_party, "committee", street_code, None))
        for c_index, (community_name, estates) in enumerate(communities, start=1):
            community_code = f"{street_code}-C{c_index:02d}"
            rows.append(UnitRow(community_code, community_name, "community", street_code))
            community_party = community_name.replace("居委会", "居民区") + "党委"
            party.append(PartyRow(community_party, "committee", community_code, street_party))
            for e_index, (estate_name, buildings) in enumerate(estates, start=1):
                estate_code = f"{community_code}-E{e_index:02d}"
                rows.append(UnitRow(estate_code, estate_name, "estate", community_code))
                estate_party = f"{estate_name}小区党支部"
                party.append(PartyRow(estate_party, "branch", estate_code, community_party))
                for b in range(1, buildings + 1):
                    building_code = f"{estate_code}-B{b:02d}"
                    rows.append(UnitRow(building_code, f"{b}栋", "building", estate_code))
                    if estate_name in PARTY_GROUP_ESTATES and b <= 2:
                        party.append(PartyRow(f"{estate_name}{b}栋党小组", "group", building_code, estate_party))
            for g in range(1, GRIDS_PER_COMMUNITY + 1):
                rows.append(
                    UnitRow(f"{community_code}-G{g:02d}", community_name + GRID_NAMES[g - 1], "grid", community_code)
                )
    return rows


def _build() -> tuple[list[UnitRow], list[PartyRow]]:
    party: list[PartyRow] = []
    rows = [UnitRow("HF", "合肥市", "city", None)]
    rows += _city_rows(city=("HF", "合肥市"), district=("HF-JK", "合肥经开区"), streets=JK_STREETS, party=party)
    rows += _city_rows(city=("HF", "合肥市"), district=("HF-BH", "包河区"), streets=BH_STREETS, party=party)

    rows += [UnitRow("CZ", "郴州市", "city", None), UnitRow("CZ-JH", "嘉禾县", "district", "CZ")]
    for suffix, town, villages in JH_TOWNS:
        town_code = f"CZ-JH-{suffix}"
        rows.append(UnitRow(town_code, town, "street", "CZ-JH"))
        party.append(PartyRow(f"{town}党委", "committee", town_code, None))
        for v_index, village in enumerate(villages, start=1):
            village_code = f"{town_code}-V{v_index:02d}"
            rows.append(UnitRow(village_code, village, "community", town_code))
            party.append(PartyRow(f"{village}党总支", "general_branch", village_code, f"{town}党委"))

    rows += [
        UnitRow("ZZ", "株洲市", "city", None),
        UnitRow("ZZ-YX", "攸县", "district", "ZZ"),
        UnitRow("ZZ-YX-LX", "联星街道", "street", "ZZ-YX"),
        UnitRow("ZZ-YX-LX-C01", "东方社区", "community", "ZZ-YX-LX"),
    ]
    party.append(PartyRow("联星街道党工委", "committee", "ZZ-YX-LX", None))
    return rows, party


UNITS, PARTY_ORGANISATIONS = _build()
UNIT_CODES: tuple[str, ...] = tuple(row.code for row in UNITS)

# Centres of the big communities, around 31.78N 117.20E (经开区) and 滨湖 in 包河区. Plausible,
# not surveyed: residents' districts sit 0.008° (about 750 m) apart east to west around them,
# and their estates 0.003° (about 330 m) apart north to south around those.
STREET_CENTRES: dict[str, tuple[float, float]] = {
    "HF-JK-LH": (31.7960, 117.1950),
    "HF-JK-FR": (31.7830, 117.2180),
    "HF-JK-JX": (31.7700, 117.1980),
    "HF-JK-HH": (31.7610, 117.2260),
    "HF-BH-BS": (31.7420, 117.2950),
}
DISTRICT_CENTRES: dict[str, tuple[float, float]] = {"HF-JK": (31.7800, 117.2100), "HF-BH": (31.7600, 117.3000)}
COMMUNITY_STEP = 0.008
ESTATE_STEP = 0.003


def _spread(index: int, count: int, step: float) -> float:
    """Offsets centred on zero: 3 siblings at -step, 0, +step."""
    return (index - (count - 1) / 2) * step


def _coordinates() -> dict[str, tuple[str, str]]:
    children: dict[str, list[UnitRow]] = {}
    for row in UNITS:
        if row.parent:
            children.setdefault(row.parent, []).append(row)
    found: dict[str, tuple[float, float]] = {**DISTRICT_CENTRES, **STREET_CENTRES}
    for street, (street_lat, street_long) in STREET_CENTRES.items():
        communities = [row for row in children[street] if row.level == "community"]
        for c_index, community in enumerate(communities):
            community_long = street_long + _spread(c_index, len(communities), COMMUNITY_STEP)
            found[community.code] = (street_lat, community_long)
            estates = [row for row in children[community.code] if row.level == "estate"]
            for e_index, estate in enumerate(estates):
                found[estate.code] = (street_lat + _spread(e_index, len(estates), ESTATE_STEP), community_long)
    return {code: (f"{lat:.6f}", f"{long:.6f}") for code, (lat, long) in found.items()}


COORDINATES = _coordinates()
