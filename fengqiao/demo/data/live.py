"""Open work for the personas, created through the real case actions after the history.

Each item is taken from intake up to `stage` by the personas of 海恒社区: the clerk accepts
and dispatches to D02, `handler` signs, submits for review or returns, `reviewer` replies.
"""

from __future__ import annotations

from typing import NamedTuple


class LiveItem(NamedTuple):
    stage: str  # received, dispatched, in_progress, under_review, replied or returned
    creator: str  # username of whoever records the appeal
    reporter: str | None  # resident username when a resident reports it themselves
    unit: str
    subcategory: str
    case_type: str
    channel: str
    hours_ago: float
    text: str
    contact_name: str = ""
    phone: str = ""
    urgent: bool = False
    result: str = ""
    note: str = ""  # the return reason, for a returned item


R1 = "HF-JK-HH-C01-E01-B03"  # resident1's building, 海恒家园 3栋
R2 = "HF-JK-HH-C01-E01-B05"  # resident2's building, 海恒家园 5栋

LIVE_ITEMS: list[LiveItem] = [
    LiveItem(
        "received",
        "clerk",
        None,
        "HF-JK-HH-C01-E02-B02",
        "01.01",
        "help",
        "phone",
        0.3,
        "南艳湖畔2栋的电梯刚才突然停在9楼和10楼中间，里面困着一位老人，按警铃物业没人应，请马上派人来救援！",
        contact_name="陈女士",
        phone="13955550201",
        urgent=True,
    ),
    LiveItem(
        "received",
        "resident1",
        "resident1",
        R1,
        "01.04",
        "help",
        "online",
        3,
        "海恒家园3栋楼道的声控灯从12楼到18楼都不亮了，已经一个多星期，晚上上下楼只能打手机电筒，家里老人不敢出门，麻烦尽快修一下。",
    ),
    LiveItem(
        "received",
        "resident2",
        "resident2",
        R2,
        "04.03",
        "complaint",
        "wechat",
        5,
        "海恒家园5栋单元门口每天晚上都停满了电动车，把无障碍坡道和盲道都堵死了，推婴儿车出不去，非机动车棚又太远太小，希望物业管一管。",
    ),
    LiveItem(
        "dispatched",
        "clerk",
        None,
        "HF-JK-HH-C02-E01-B04",
        "01.02",
        "complaint",
        "phone",
        20,
        "翡翠花园4栋楼道已经半个月没人打扫了，楼梯扶手上全是灰，垃圾桶满了也没人倒，物业费照收，服务却越来越差。",
        contact_name="黄先生",
        phone="13955550202",
    ),
    LiveItem(
        "dispatched",
        "resident2",
        "resident2",
        R2,
        "04.02",
        "complaint",
        "online",
        26,
        "海恒家园的地面车位被物业租给外来车辆，业主晚上回来根本没地方停，只能停在消防通道边上，请物业给个说法。",
    ),
    LiveItem(
        "in_progress",
        "clerk",
        None,
        "HF-JK-HH-C03-E01-B01",
        "01.01",
        "complaint",
        "phone",
        30,
        "湖畔新城1栋的电梯运行时一直咣当咣当响，门也关不严，住在高层的老人都不敢坐，请物业赶紧找维保单位来检修。",
        contact_name="刘阿姨",
        phone="13955550203",
    ),
    LiveItem(
        "in_progress",
        "gridworker",
        None,
        "HF-JK-HH-C01-E01-B01",
        "01.04",
        "report",
        "grid",
        40,
        "网格巡查发现：海恒家园中心花园的健身器材有一个扶手断了，露着铁茬，旁边就是儿童游乐区，存在安全隐患，需物业尽快维修。",
        contact_name="孙丽（网格员）",
        phone="13855550103",
    ),
    LiveItem(
        "under_review",
        "clerk",
        None,
        "HF-JK-HH-C02-E02-B03",
        "01.02",
        "complaint",
        "phone",
        50,
        "翡翠湖苑3栋单元门的门禁坏了十来天，外来人员随便进出，保安亭晚上经常没人，住户心里不踏实。",
        contact_name="周先生",
        phone="13955550204",
        result="物业已更换门禁主板和读卡器，门禁恢复正常；同时调整了夜间保安排班，保证门岗有人值守。",
    ),
    LiveItem(
        "under_review",
        "resident2",
        "resident2",
        R2,
        "04.03",
        "suggestion",
        "wechat",
        70,
        "建议在海恒家园5栋旁边的空地增设一个非机动车棚和充电桩，现在很多人把电动车推进楼道里充电，太危险了。",
        result="物业已在5栋东侧空地规划新建非机动车棚一处，配套充电桩20个，预计两周内完工；施工期间已张贴告示。",
    ),
    LiveItem(
        "replied",
        "resident1",
        "resident1",
        R1,
        "01.04",
        "help",
        "online",
        96,
        "海恒家园3栋单元门的闭门器坏了，门一直关不上，风一吹咣咣响，晚上吵得睡不着，麻烦物业来换一个。",
        result="物业维修人员已于次日上午更换了3栋单元门的闭门器，并对全小区单元门进行了检查。",
    ),
    LiveItem(
        "returned",
        "clerk",
        None,
        "HF-JK-HH-C01-E01",
        "01.04",
        "help",
        "phone",
        22,
        "海恒家园北门外繁华大道人行道上的一个井盖松动了，踩上去会翘起来，晚上看不清，怕有人踩空。",
        contact_name="马先生",
        phone="13955550205",
        note="经现场核实，井盖位于繁华大道市政人行道上，不属于物业管理范围，请改派市政设施管理处。",
    ),
]
