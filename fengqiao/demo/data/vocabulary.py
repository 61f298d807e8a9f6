"""Words that fill the appeal templates, and names for the people who call in.

Templates use these placeholders (every one is always supplied, so a template may use any):
{community} the street-level community, {estate}, {building} (“3栋”), {room} (“2单元1502”),
{floor}, {place} (a spot inside the estate), {road}, {road2}, {shop}, {time}, {days}.
"""

from __future__ import annotations

from typing import NamedTuple

CASE_TYPES = ("consult", "help", "complaint", "report", "suggestion", "praise", "dispute", "petition")

PLACEHOLDERS = ("community", "estate", "building", "room", "floor", "place", "road", "road2", "shop", "time", "days")

PLACES = (
    "地下车库",
    "东门",
    "南门",
    "西门",
    "北门",
    "中心花园",
    "健身广场",
    "儿童游乐区",
    "非机动车棚",
    "西侧停车场",
)

TIMES = (
    "昨天晚上",
    "今天早上",
    "今天上午",
    "前天下午",
    "上周六晚上",
    "昨天半夜",
    "今天凌晨",
    "这周一早上",
    "昨天傍晚",
)

DAYS = ("三天", "好几天", "一个多星期", "十来天", "半个月", "快一个月", "两个多月")

SHOPS = ("烧烤店", "小龙虾店", "麻辣烫店", "火锅店", "快餐店", "大排档", "面馆", "土菜馆")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN_NAMES = (
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "丽娟",
    "海燕",
    "国庆",
    "玉梅",
    "明",
    "静",
    "伟",
    "芳",
    "磊",
    "婷婷",
    "春生",
    "凤英",
    "小红",
    "文华",
    "德明",
    "淑珍",
    "晓峰",
    "雪梅",
    "子涵",
    "浩然",
)

# Phone prefixes of the made-up callers (…5555xxxx, like the personas' numbers).
PHONE_PREFIXES = ("1395555", "1375555", "1865555", "1515555", "1335555")

# How appeals come in, with their share (Channel codes).
CHANNEL_WEIGHTS = {
    "phone": 30,
    "wechat": 20,
    "grid": 15,
    "online": 12,
    "visit": 10,
    "open311": 5,
    "assigned": 4,
    "transferred": 2,
    "letter": 2,
}

# Openings of a second report of the same incident (merged as a duplicate).
DUPLICATE_OPENINGS = (
    "",
    "我也要反映一下，",
    "邻居已经打过电话了，我再说一下：",
    "同一件事再反映一次：",
    "之前有人反映过，还是没解决，",
)


class Template(NamedTuple):
    case_type: str
    text: str
    urgent: bool


def parse_texts(source: str) -> dict[str, tuple[int, list[Template]]]:
    """Read the text blocks of the texts_* modules into {code: (weight, templates)}.

    `[01.01] 6` opens subcategory 01.01 with weight 6; `complaint | …` adds a template;
    `help+urgent | …` one describing an emergency. Blank lines are ignored.
    """
    texts: dict[str, tuple[int, list[Template]]] = {}
    templates: list[Template] = []
    for raw in source.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("["):
            code, weight = line[1:].split("]")
            templates = []
            texts[code.strip()] = (int(weight), templates)
            continue
        kind, text = (part.strip() for part in line.split("|", 1))
        case_type, _, flag = kind.partition("+")
        if case_type not in CASE_TYPES or flag not in ("", "urgent"):
            raise ValueError(f"bad template line: {line}")
        templates.append(Template(case_type, text, flag == "urgent"))
    return texts
