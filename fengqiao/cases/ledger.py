"""The ledger (台账) columns, shared by the Excel export and the ledger import, so that a
file exported and imported again changes nothing (interfaces.md §2)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook

from .models import Case, Channel, MediationResult, Satisfaction, Status

# (English header, Chinese header) in file order.
COLUMNS = [
    ("number", "编号"),
    ("received_at", "受理时间"),
    ("channel", "来源"),
    ("case_type", "类型"),
    ("unit", "所属单位"),
    ("subcategory", "分类"),
    ("text", "诉求内容"),
    ("address", "地址"),
    ("department", "承办单位"),
    ("status", "状态"),
    ("deadline", "办理时限"),
    ("closed_at", "办结时间"),
    ("satisfaction", "满意度"),
    ("resolved", "是否解决"),
    ("mediation", "调解结果"),
]

# Keyed by the stored code strings (the choices members are equal to them).
STATUS_ZH: dict[str, str] = {
    Status.RECEIVED: "受理",
    Status.DISPATCHED: "派发",
    Status.IN_PROGRESS: "办理",
    Status.UNDER_REVIEW: "审核",
    Status.REPLIED: "回复",
    Status.VISITED: "回访",
    Status.CLOSED: "办结",
    Status.RETURNED: "退单",
    Status.SUSPENDED: "挂起",
    Status.MERGED: "合并",
}
CHANNEL_ZH: dict[str, str] = {
    Channel.PHONE: "电话",
    Channel.ONLINE: "网上",
    Channel.WECHAT: "微信",
    Channel.VISIT: "来访",
    Channel.LETTER: "来信",
    Channel.GRID: "网格员发现",
    Channel.ASSIGNED: "上级交办",
    Channel.TRANSFERRED: "部门转来",
    Channel.OPEN311: "Open311",
}
SATISFACTION_ZH: dict[str, str] = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}
MEDIATION_ZH: dict[str, str] = {MediationResult.SUCCESS: "成功", MediationResult.FAILURE: "失败"}
RESOLVED_ZH = {True: "是", False: "否"}

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _words(chinese: dict, codes: Iterable[str]) -> dict[str, str]:
    """Word of an import file → stored code: the Chinese word the export writes, and the code itself.

    Keys are casefolded (the import casefolds what it reads), so "Closed" and "closed" both work.
    """
    words = {str(code).casefold(): str(code) for code in codes}
    words.update({word.casefold(): str(code) for code, word in chinese.items()})
    return words


# The reverse maps, for the ledger import (fengqiao/cases/importing.py).
STATUS_WORDS = _words(STATUS_ZH, Status.values)
CHANNEL_WORDS = _words(CHANNEL_ZH, Channel.values)
SATISFACTION_WORDS = _words(SATISFACTION_ZH, Satisfaction.values)
MEDIATION_WORDS = _words(MEDIATION_ZH, MediationResult.values)
RESOLVED_WORDS: dict[str, bool] = {
    **{word: value for value, word in RESOLVED_ZH.items()},
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
}


def _time(value) -> str:
    return timezone.localtime(value).strftime(TIME_FORMAT) if value else ""


def ledger_row(case: Case) -> list[str]:
    return [
        case.number,
        _time(case.received_at),
        CHANNEL_ZH.get(case.channel, case.channel),
        case.case_type.name,
        case.unit.code,
        case.subcategory.code if case.subcategory is not None else "",
        case.text,
        case.address,
        case.department.code if case.department is not None else "",
        STATUS_ZH[case.status],
        _time(case.deadline),
        _time(case.closed_at),
        SATISFACTION_ZH.get(case.satisfaction, ""),
        RESOLVED_ZH[case.resolved] if case.resolved is not None else "",
        MEDIATION_ZH.get(case.mediation_result, ""),
    ]


def export_xlsx(cases: Iterable[Case], *, title: str = "台账") -> bytes:
    """The cases as an XLSX workbook with the Chinese headers of the ledger import."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([chinese for _english, chinese in COLUMNS])
    for case in cases:
        sheet.append(ledger_row(case))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
