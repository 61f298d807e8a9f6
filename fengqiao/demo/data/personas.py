"""The demo's people: one persona for every role in 海恒社区, and staff for the other units.

All share the password `PASSWORD` (for the demo only; it is printed and documented).
The phone numbers use the 5555 block so that they do not look like anyone's real number.
"""

from __future__ import annotations

from typing import NamedTuple

PASSWORD = "fengqiao-demo"


class Persona(NamedTuple):
    username: str
    display_name: str
    role: str
    unit: str
    department: str | None = None
    phone: str = ""
    home_unit: str | None = None
    on_duty: bool = False
    superuser: bool = False


# Buildings of the two residents: 海恒家园 3栋 and 5栋 in 海恒社区.
RESIDENT1_HOME = "HF-JK-HH-C01-E01-B03"
RESIDENT2_HOME = "HF-JK-HH-C01-E01-B05"

PERSONAS: list[Persona] = [
    Persona("resident1", "王晓明", "resident", RESIDENT1_HOME, phone="13855550101", home_unit=RESIDENT1_HOME),
    Persona("resident2", "李芳", "resident", RESIDENT2_HOME, phone="13855550102", home_unit=RESIDENT2_HOME),
    Persona("gridworker", "孙丽", "grid_worker", "HF-JK-HH", phone="13855550103"),
    Persona("clerk", "张敏", "clerk", "HF-JK-HH", phone="13855550104", on_duty=True),
    Persona("handler", "刘强", "handler", "HF-JK-HH", department="D02", phone="13855550105"),
    Persona("reviewer", "赵静", "reviewer", "HF-JK-HH", phone="13855550106"),
    Persona("mediator", "周国平", "mediator", "HF-JK-HH", phone="13855550107"),
    # 海恒社区 (HF-JK-HH) is a 大社区 at street level: the street leader of the contract.
    Persona("leader", "吴建华", "leader", "HF-JK-HH", phone="13855550108"),
    Persona("leader_jk", "钱立新", "leader", "HF-JK", phone="13855550109"),
    Persona("admin", "系统管理员", "admin", "HF", superuser=True),
]

# The other street-level communities: a clerk, a reviewer and a grid worker each.
OTHER_STREETS: list[tuple[str, str, tuple[str, str, str]]] = [
    ("lh", "HF-JK-LH", ("陈红", "杨帆", "黄小燕")),
    ("fr", "HF-JK-FR", ("何佳", "郭晓东", "林芳")),
    ("jx", "HF-JK-JX", ("罗敏", "梁伟", "宋丹")),
    ("bh", "HF-BH-BS", ("唐丽", "韩磊", "冯雪")),
]
PERSONAS += [
    Persona(f"{username}_{suffix}", name, role, unit, on_duty=role == "clerk")
    for suffix, unit, names in OTHER_STREETS
    for (username, role), name in zip(
        (("clerk", "clerk"), ("reviewer", "reviewer"), ("gridworker", "grid_worker")), names, strict=True
    )
]

# Jiahe county and Zhuzhou get a clerk each.
PERSONAS += [
    Persona("clerk_jh", "邓和平", "clerk", "CZ-JH"),
    Persona("clerk_zz", "谭志勇", "clerk", "ZZ-YX-LX"),
]

# One handler per department, serving both Hefei districts so that every dispatched
# demo case has someone who may sign it.
HANDLER_UNITS = ("HF-JK", "HF-BH")
HANDLER_NAMES: dict[str, str] = {
    "D01": "钱慧",
    "D02": "马骏",
    "D03": "高翔",
    "D04": "朱建国",
    "D05": "胡桂英",
    "D06": "郑海涛",
    "D07": "谢鹏",
    "D08": "曹勇",
    "D09": "彭立新",
    "D10": "曾晓红",
    "D11": "肖远",
    "D12": "田振华",
    "D13": "董明",
    "D14": "袁志强",
    "D15": "潘建",
    "D16": "蒋东",
    "D17": "蔡文静",
    "D18": "余婷",
    "D19": "杜军",
    "D20": "叶倩",
    "D21": "程玉兰",
    "D22": "苏德贵",
    "D23": "魏林",
}
HANDLERS: list[Persona] = [
    Persona(f"handler_{code.lower()}", name, "handler", HANDLER_UNITS[0], department=code)
    for code, name in HANDLER_NAMES.items()
]
PERSONAS += HANDLERS

USERNAMES: tuple[str, ...] = tuple(persona.username for persona in PERSONAS)
