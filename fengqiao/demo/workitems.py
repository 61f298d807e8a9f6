"""Open work for the demo personas, made through the real write path.

Cases are recorded with `do_create_case` and moved on with `perform_action`, the function
behind the API and the pages, so each step is authorised for the persona taking it, checked
against the workflow table, audited and notified exactly as in real use.
"""

from __future__ import annotations

import datetime as dt

from fengqiao.cases.actions import do_create_case, perform_action
from fengqiao.org.models import Unit, UnitLevel, User
from fengqiao.taxonomy.models import CaseType, Subcategory

from .data.live import LIVE_ITEMS, LiveItem
from .data.replies import REPLY

# How far each stage goes, in workflow actions after intake.
STAGES = {
    "received": (),
    "dispatched": ("accept", "dispatch"),
    "in_progress": ("accept", "dispatch", "sign"),
    "under_review": ("accept", "dispatch", "sign", "submit_review"),
    "replied": ("accept", "dispatch", "sign", "submit_review", "reply"),
    "returned": ("accept", "dispatch", "return"),
}
ACTORS = {
    "accept": "clerk",
    "dispatch": "clerk",
    "sign": "handler",
    "return": "handler",
    "submit_review": "handler",
    "reply": "reviewer",
}
DEPARTMENT = "D02"


def create_work_items(*, units: dict[str, Unit], people: dict[str, User], now: dt.datetime) -> int:
    """Create the live items of `data.live`; returns how many."""
    for item in LIVE_ITEMS:
        _create(item, units=units, people=people, now=now)
    return len(LIVE_ITEMS)


def _create(item: LiveItem, *, units: dict[str, Unit], people: dict[str, User], now: dt.datetime) -> None:
    reporter = people[item.reporter] if item.reporter else None
    unit = units[item.unit]
    case, _ = do_create_case(
        actor=people[item.creator],
        unit=unit,
        text=item.text,
        case_type=CaseType.objects.get(code=item.case_type),
        subcategory=Subcategory.objects.get(code=item.subcategory),
        urgent=item.urgent,
        channel=item.channel,
        address=f"合肥市经开区海恒社区 {_place(unit)}",
        contact_name=reporter.display_name if reporter else item.contact_name,
        phone=reporter.phone if reporter else item.phone,
        reporter=reporter,
        received_at=now - dt.timedelta(hours=item.hours_ago),
    )
    bodies = {
        "accept": {},
        "dispatch": {"department": DEPARTMENT},
        "sign": {},
        "return": {"reason": item.note},
        "submit_review": {"result": item.result},
        "reply": {"message": REPLY.format(department="物业服务企业", result=item.result, community="海恒社区")},
    }
    for action in STAGES[item.stage]:
        perform_action(actor=people[ACTORS[action]], case_id=case.pk, action=action, data=bodies[action])


def _place(unit: Unit) -> str:
    """“海恒家园3栋” for a building, the estate's name for an estate."""
    if unit.parent is not None and unit.level == UnitLevel.BUILDING:
        return f"{unit.parent.name}{unit.name}"
    return unit.name
