"""A year of demo cases, built in memory and written with bulk_create.

Each case is told as a story: it is created, then passes the gates one event at a time,
changing the in-memory Case the way `fengqiao.cases.actions` would (same field changes,
same audit rows with {field: [old, new]}), with timestamps that follow the workflow and lie
before `now`. How far a case got depends on its age: older than a month almost always
closed (a few merged as duplicates), recent ones spread over every state.

Every case draws from its own `random.Random`, seeded from the master generator, so the
shape of each case (and so the counts) does not depend on the calendar or the clock.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils import timezone

from fengqiao.cases.actions import apply_changes
from fengqiao.cases.models import Case, CaseEvent, MediationResult, Satisfaction, Status
from fengqiao.core.workcalendar import LOCAL_TZ
from fengqiao.org.models import Department, Unit, UnitLevel, User
from fengqiao.taxonomy.models import CaseType, Subcategory

from .data import replies, vocabulary
from .data.texts_01_05 import TEXTS as TEXTS_01_05
from .data.texts_06_11 import TEXTS as TEXTS_06_11
from .data.texts_12_17 import TEXTS as TEXTS_12_17
from .data.units import HH, ROADS

TEXTS = {**TEXTS_01_05, **TEXTS_06_11, **TEXTS_12_17}

STREET_WEIGHTS = {"HF-JK-HH": 40, "HF-JK-LH": 17, "HF-JK-FR": 17, "HF-JK-JX": 16, "HF-BH-BS": 10}
STAFF_SUFFIX = {"HF-JK-HH": "", "HF-JK-LH": "_lh", "HF-JK-FR": "_fr", "HF-JK-JX": "_jx", "HF-BH-BS": "_bh"}
DISTRICT_LABELS = {"HF-JK": "合肥市经开区", "HF-BH": "合肥市包河区"}
# Appeals by hour of the day (local time): few at night, peaks in the morning and afternoon.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 6, 9, 10, 10, 9, 6, 6, 8, 9, 9, 8, 7, 7, 6, 5, 3, 2)
SELF_SERVICE_CHANNELS = ("online", "wechat", "open311")

URGENT_SHARE = 0.5  # of the emergency templates, which make up ~6% of appeals: ~3% urgent
DUPLICATE_SHARE = 0.025
LATE_SHARE = 0.07
MISROUTED_SHARE = 0.03  # closed cases that were returned once and dispatched again
RESIDENT_SHARE = 0.15  # of 海恒社区's self-service appeals: reported by resident1 or resident2
ANONYMOUS_SHARE = 0.1
BUILDING_SHARE = 0.35  # appeals placed at a building although the text does not name one
SATISFACTION_WEIGHTS = {
    Satisfaction.SATISFIED: 87,
    Satisfaction.BASICALLY_SATISFIED: 10,
    Satisfaction.DISSATISFIED: 3,
}
RESOLVED_SHARE = {Satisfaction.SATISFIED: 0.98, Satisfaction.BASICALLY_SATISFIED: 0.85, Satisfaction.DISSATISFIED: 0.3}
MEDIATION_SUCCESS_SHARE = 0.97
BATCH_SIZE = 500
# A rainstorm last month: flooding appeals from 海恒 well above their usual one or two a month,
# so that the dashboard and the early warning have something real to show.
SURGE_SUBCATEGORY, SURGE_STREET, SURGE_SHARE = "07.04", HH, 0.014

# How far a case has got, by its age in days (older than the last bound: closed).
TARGETS_BY_AGE: tuple[tuple[float, dict[str, int]], ...] = (
    (
        2,
        {
            "received": 25,
            "dispatched": 22,
            "in_progress": 25,
            "under_review": 10,
            "replied": 6,
            "closed": 6,
            "returned": 4,
            "suspended": 2,
        },
    ),
    (
        7,
        {
            "received": 3,
            "dispatched": 6,
            "in_progress": 18,
            "under_review": 12,
            "replied": 12,
            "visited": 2,
            "closed": 40,
            "returned": 4,
            "suspended": 3,
        },
    ),
    (
        30,
        {
            "dispatched": 1,
            "in_progress": 6,
            "under_review": 4,
            "replied": 6,
            "visited": 2,
            "closed": 77,
            "returned": 1,
            "suspended": 3,
        },
    ),
)
FULL = ("accept", "dispatch", "sign", "submit_review", "reply", "visit", "close")
PATHS: dict[str, tuple[str, ...]] = {
    "received": (),
    "dispatched": FULL[:2],
    "in_progress": FULL[:3],
    "under_review": FULL[:4],
    "replied": FULL[:5],
    "visited": FULL[:6],
    "closed": FULL,
    "returned": ("accept", "misdispatch", "return"),
    "suspended": ("accept", "dispatch", "sign", "suspend"),
}
MISROUTED = ("accept", "misdispatch", "return", "dispatch", "sign", "submit_review", "reply", "visit", "close")


@dataclass(frozen=True)
class HistoryStats:
    cases: int
    events: int


@dataclass
class _Context:
    """What every story needs: the taxonomy, the people and where cases can be placed."""

    now: dt.datetime
    people: dict[str, User]
    subcategories: dict[str, Subcategory]
    case_types: dict[str, CaseType]
    departments: dict[str, Department]
    streets: dict[str, Unit]
    estates: dict[str, list[tuple[Unit, list[Unit]]]]
    units_by_pk: dict[int, Unit]

    def staff(self, role: str, street: str) -> User:
        return self.people[role + STAFF_SUFFIX[street]]

    def handler(self, department: Department, street: str) -> User:
        if department.code == "D02" and street == HH:
            return self.people["handler"]
        return self.people[f"handler_{department.code.lower()}"]


@dataclass
class _Story:
    """One case and its events, changed the way `cases.actions._apply` changes a case."""

    case: Case
    rng: random.Random
    street: str
    values: dict[str, str]
    events: list[CaseEvent] = field(default_factory=list)
    merge_into: _Story | None = None

    def create(self, *, actor: User | None) -> None:
        case = self.case
        self.events.append(
            CaseEvent(
                action="case.create",
                actor=actor,
                created_at=case.received_at,
                request_id=self._request_id(),
                to_status=case.status,
                data={"channel": case.channel, "unit": case.unit.code, "urgent": case.urgent},
            )
        )

    def record(
        self,
        action: str,
        *,
        at: dt.datetime,
        actor: User | None,
        to_status: str | None = None,
        changes: dict[str, Any] | None = None,
        reason: str = "",
        data: dict | None = None,
    ) -> CaseEvent:
        case = self.case
        changes = dict(changes or {})
        from_status = case.status
        if to_status is not None:
            changes["status"] = to_status
        diff = apply_changes(case, changes)
        case.version += 1
        event = CaseEvent(
            action=f"case.{action}",
            actor=actor,
            created_at=at,
            request_id=self._request_id(),
            from_status=from_status,
            to_status=case.status,
            changes=diff,
            reason=reason,
            data=data or {},
        )
        self.events.append(event)
        return event

    def _request_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


def write_history(
    *, count: int, units: dict[str, Unit], people: dict[str, User], rng: random.Random, now: dt.datetime
) -> HistoryStats:
    """Build `count` cases over the twelve months before `now` and write them in bulk."""
    if count <= 0:
        return HistoryStats(cases=0, events=0)
    context = _context(units=units, people=people, now=now)
    duplicates = round(count * DUPLICATE_SHARE) if count >= 40 else 0
    surge = round(count * SURGE_SHARE) if count >= 400 else 0
    stories = [
        _story(code, rng=random.Random(rng.getrandbits(64)), context=context)
        for code in _subcategory_draws(count - duplicates - surge, rng=rng)
    ]
    storm = _last_month_storm(now)
    stories += [
        _story(
            SURGE_SUBCATEGORY,
            rng=random.Random(rng.getrandbits(64)),
            context=context,
            street=SURGE_STREET,
            received_at=storm + dt.timedelta(hours=7 + i % 12, minutes=13 * i),
        )
        for i in range(surge)
    ]
    copies = [_duplicate(stories, rng=random.Random(rng.getrandbits(64)), context=context) for _ in range(duplicates)]
    copies = [copy for copy in copies if copy is not None]
    everything = sorted(stories + copies, key=lambda story: story.case.received_at)
    _number(everything)

    _insert_cases([story.case for story in stories])
    for copy in copies:
        target = copy.merge_into.case
        merge = copy.events[-1]
        merge.changes["merged_into"] = [None, target.number]
        merge.data = {"into": target.pk, "into_number": target.number}
    _insert_cases([copy.case for copy in copies])

    events = []
    for story in everything:
        for event in story.events:
            event.case_id = story.case.pk
            events.append(event)
    CaseEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    return HistoryStats(cases=len(everything), events=len(events))


# Building the stories ---------------------------------------------------------------------


def _context(*, units: dict[str, Unit], people: dict[str, User], now: dt.datetime) -> _Context:
    estates: dict[str, list[tuple[Unit, list[Unit]]]] = {street: [] for street in STREET_WEIGHTS}
    for unit in units.values():
        street = "-".join(unit.code.split("-")[:3])
        if unit.level == UnitLevel.ESTATE and street in estates:
            buildings = [child for child in units.values() if child.parent_id == unit.pk]
            estates[street].append((unit, buildings))
    return _Context(
        now=now,
        people=people,
        subcategories={s.code: s for s in Subcategory.objects.select_related("department")},
        case_types={t.code: t for t in CaseType.objects.all()},
        departments={d.code: d for d in Department.objects.all()},
        streets={code: units[code] for code in STREET_WEIGHTS},
        estates=estates,
        units_by_pk={unit.pk: unit for unit in units.values()},
    )


def _subcategory_draws(count: int, *, rng: random.Random) -> list[str]:
    """Every subcategory once (when there is room), the rest by how often residents raise them."""
    codes = sorted(TEXTS)
    weights = [TEXTS[code][0] for code in codes]
    draws = list(codes) if count >= len(codes) else []
    draws += rng.choices(codes, weights=weights, k=count - len(draws))
    rng.shuffle(draws)
    return draws


def _last_month_storm(now: dt.datetime) -> dt.datetime:
    """The tenth of the month before `now` (local midnight)."""
    first = timezone.localtime(now, LOCAL_TZ).date().replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=10)
    return dt.datetime.combine(previous, dt.time.min, tzinfo=LOCAL_TZ)


def _story(
    code: str,
    *,
    rng: random.Random,
    context: _Context,
    street: str | None = None,
    received_at: dt.datetime | None = None,
) -> _Story:
    """A new case of this subcategory, taken as far as its age suggests."""
    now = context.now
    template = rng.choice(TEXTS[code][1])
    street = street or _weighted(rng, STREET_WEIGHTS)
    estate, buildings = rng.choice(context.estates[street])
    building = rng.choice(buildings)
    channel = _weighted(rng, vocabulary.CHANNEL_WEIGHTS)
    reporter = None
    if street == HH and channel in SELF_SERVICE_CHANNELS and rng.random() < RESIDENT_SHARE:
        reporter = context.people[rng.choice(("resident1", "resident2"))]
        building = context.units_by_pk[reporter.home_unit_id]
        estate = context.units_by_pk[building.parent_id]
    at_building = reporter is not None or "{building}" in template.text or rng.random() < BUILDING_SHARE
    unit = building if at_building else estate
    values = _values(rng, street=street, community=context.streets[street].name, estate=estate, building=building)
    contact_name, phone = _contact(rng, channel=channel)
    if reporter is not None:
        contact_name, phone = reporter.display_name, reporter.phone

    case = Case(
        unit=unit,
        case_type=context.case_types[template.case_type],
        subcategory=context.subcategories[code],
        urgent=template.urgent and rng.random() < URGENT_SHARE,
        text=template.text.format(**values),
        address=_address(template.text, street=street, values=values, building=building if at_building else None),
        channel=channel,
        contact_name=contact_name,
        phone=phone,
        reporter=reporter,
        received_at=received_at or _received_at(rng, now=now),
    )
    case.created_by = _creator(context, street=street, channel=channel, reporter=reporter)
    case.deadline = case.compute_deadline()
    story = _Story(case=case, rng=rng, street=street, values=values)
    story.create(actor=case.created_by)

    target = _target(rng, age=now - case.received_at, urgent=case.urgent)
    path = PATHS[target]
    if target == "received" and rng.random() < 0.5:
        path = ("accept",)
    if target == "closed" and rng.random() < MISROUTED_SHARE:
        path = MISROUTED
    if target == "returned" and rng.random() < 0.5:
        path = ("accept", "misdispatch", "sign", "return")
    _walk(story, path=path, target=target, context=context)
    return story


def _duplicate(stories: list[_Story], *, rng: random.Random, context: _Context) -> _Story | None:
    """A second report of an earlier incident, merged into the first case by the clerk."""
    now = context.now
    candidates = [story for story in stories if now - story.case.received_at > dt.timedelta(hours=3)]
    if not candidates:
        return None
    target = rng.choice(candidates)
    first = target.case
    gap = dt.timedelta(minutes=rng.uniform(20, 48 * 60))
    if first.received_at + gap > now - dt.timedelta(hours=1):
        gap = (now - first.received_at - dt.timedelta(hours=1)) / 2
    channel = _weighted(rng, vocabulary.CHANNEL_WEIGHTS)
    contact_name, phone = _contact(rng, channel=channel)
    case = Case(
        unit=first.unit,
        case_type=first.case_type,
        subcategory=first.subcategory,
        text=rng.choice(vocabulary.DUPLICATE_OPENINGS) + first.text,
        address=first.address,
        channel=channel,
        contact_name=contact_name,
        phone=phone,
        received_at=first.received_at + gap,
    )
    case.created_by = _creator(context, street=target.street, channel=channel, reporter=None)
    case.deadline = case.compute_deadline()
    story = _Story(case=case, rng=rng, street=target.street, values=target.values, merge_into=target)
    story.create(actor=case.created_by)
    clerk = context.staff("clerk", target.street)
    steps = ["merge"] if rng.random() < 0.5 else ["accept", "merge"]
    offsets = list(itertools.accumulate(dt.timedelta(minutes=rng.uniform(3, 90)) for _ in steps))
    offsets = _fit(offsets, available=now - case.received_at)
    for step, offset in zip(steps, offsets, strict=True):
        at = case.received_at + offset
        if step == "accept":
            story.record("accept", at=at, actor=clerk, changes={"classification_confirmed": True})
        else:
            story.record("merge", at=at, actor=clerk, to_status=Status.MERGED, changes={"merged_into": first})
    return story


def _walk(story: _Story, *, path: tuple[str, ...], target: str, context: _Context) -> None:
    """Take the case through the steps of `path`, timed by its limit and before now."""
    rng, case, street = story.rng, story.case, story.street
    satisfaction = _weighted(rng, SATISFACTION_WEIGHTS)
    if target == "visited":
        satisfaction = Satisfaction.DISSATISFIED
    late = rng.random() < LATE_SHARE
    offsets = _schedule(
        path,
        rng=rng,
        span=case.deadline - case.received_at,
        urgent=case.urgent,
        late=late,
        dissatisfied=satisfaction == Satisfaction.DISSATISFIED,
    )
    offsets = _fit(offsets, available=context.now - case.received_at)
    clerk, reviewer = context.staff("clerk", street), context.staff("reviewer", street)
    right = context.departments[case.subcategory.department.code]
    wrong = context.departments[replies.MISROUTES.get(right.code, replies.DEFAULT_MISROUTE)]
    values = story.values

    for step, offset in zip(path, offsets, strict=True):
        at = case.received_at + offset
        if step == "accept":
            story.record("accept", at=at, actor=clerk, changes={"classification_confirmed": True})
        elif step in ("dispatch", "misdispatch"):
            department = wrong if step == "misdispatch" else right
            changes = {"department": department, "dispatched_at": at, "signed_at": None}
            story.record("dispatch", at=at, actor=clerk, to_status=Status.DISPATCHED, changes=changes)
        elif step == "sign":
            handler = context.handler(case.department, street)
            story.record("sign", at=at, actor=handler, to_status=Status.IN_PROGRESS, changes={"signed_at": at})
        elif step == "return":
            handler = context.handler(case.department, street)
            reason = rng.choice(replies.RETURN_REASONS)
            story.record("return", at=at, actor=handler, to_status=Status.RETURNED, reason=reason)
        elif step == "suspend":
            reason = rng.choice(replies.SUSPEND_REASONS)
            until = timezone.localtime(at, LOCAL_TZ).date() + dt.timedelta(days=rng.randint(7, 30))
            changes = {
                "status_before_suspension": case.status,
                "suspended_at": at,
                "suspension_reason": reason,
                "suspended_until": until,
            }
            story.record("suspend", at=at, actor=reviewer, to_status=Status.SUSPENDED, changes=changes, reason=reason)
        elif step == "submit_review":
            handler = context.handler(case.department, street)
            result = rng.choice(replies.RESULTS[case.department.code]).format(**values)
            review: dict[str, Any] = {"result": result}
            if case.case_type.code == "dispute":
                success = rng.random() < MEDIATION_SUCCESS_SHARE
                outcome = replies.MEDIATION_SUCCESS if success else replies.MEDIATION_FAILURE
                opening = rng.choice(replies.MEDIATION_OPENINGS).format(department=case.department.name, **values)
                review["result"] = result = opening + rng.choice(outcome)
                review["mediation_result"] = MediationResult.SUCCESS if success else MediationResult.FAILURE
            story.record(
                "submit_review", at=at, actor=handler, to_status=Status.UNDER_REVIEW, changes=review, reason=result
            )
        elif step == "reply":
            message = replies.REPLY.format(
                department=case.department.name, result=case.result, community=context.streets[street].name
            )
            changes = {"reply_message": message, "replied_at": at}
            story.record("reply", at=at, actor=reviewer, to_status=Status.REPLIED, changes=changes, reason=message)
        elif step == "visit":
            resolved = rng.random() < RESOLVED_SHARE[satisfaction]
            note = rng.choice(replies.DISSATISFIED_NOTES) if satisfaction == Satisfaction.DISSATISFIED else ""
            visitor = case.reporter if case.reporter and rng.random() < 0.7 else clerk
            story.record(
                "visit",
                at=at,
                actor=visitor,
                to_status=Status.VISITED,
                changes={"satisfaction": satisfaction, "resolved": resolved, "visited_at": at},
                reason=note,
                data={"satisfaction": str(satisfaction), "resolved": resolved},
            )
        elif step == "close":
            # A satisfied visit closes the case at once (the system); otherwise the clerk does.
            by_clerk = satisfaction == Satisfaction.DISSATISFIED
            reason = rng.choice(replies.CLOSE_AFTER_DISSATISFIED) if by_clerk else ""
            story.record(
                "close",
                at=at,
                actor=clerk if by_clerk else None,
                to_status=Status.CLOSED,
                changes={"closed_at": at},
                reason=reason,
            )


def _schedule(
    path: tuple[str, ...], *, rng: random.Random, span: dt.timedelta, urgent: bool, late: bool, dissatisfied: bool
) -> list[dt.timedelta]:
    """The time of each step after reception. The reply lands at a share of the time limit
    (`span`), past it for the late ones; the other gates take minutes to days."""

    def minutes(low: float, high: float) -> dt.timedelta:
        return dt.timedelta(minutes=rng.uniform(low, high))

    offsets = []
    elapsed = dt.timedelta(0)
    reply_at = dt.timedelta(0)
    for step in path:
        if step == "accept":
            elapsed += minutes(1, 8) if urgent else minutes(3, 90)
        elif step in ("dispatch", "misdispatch"):
            elapsed += minutes(2, 10) if urgent else minutes(5, 180)
        elif step == "sign":
            elapsed += minutes(5, 20) if urgent else minutes(10, 480)
        elif step == "return":
            elapsed += minutes(10, 40) if urgent else minutes(30, 600)
        elif step == "suspend":
            elapsed += minutes(60, 72 * 60)
        elif step == "submit_review":
            reply_at = span * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.25, 0.9))
            reply_at = max(reply_at, elapsed + (minutes(15, 45) if urgent else minutes(60, 360)))
            elapsed += (reply_at - elapsed) * rng.uniform(0.55, 0.9)
        elif step == "reply":
            elapsed = reply_at
        elif step == "visit":
            elapsed += minutes(120, 72 * 60)
        elif step == "close":
            # Right after a satisfied visit; hours later when the clerk closes a dissatisfied one.
            elapsed += minutes(120, 48 * 60) if dissatisfied else dt.timedelta(seconds=rng.uniform(2, 8))
        offsets.append(elapsed)
    return offsets


def _fit(offsets: list[dt.timedelta], *, available: dt.timedelta) -> list[dt.timedelta]:
    """Squeeze a story that would run past now into the time it has had, keeping the order."""
    limit = available - dt.timedelta(minutes=1)
    if not offsets or offsets[-1] <= limit:
        return offsets
    factor = max(limit, dt.timedelta(seconds=1)) / offsets[-1] * 0.95
    return [offset * factor for offset in offsets]


def _target(rng: random.Random, *, age: dt.timedelta, urgent: bool) -> str:
    days = age / dt.timedelta(days=1)
    if urgent and days > 2:
        return "closed"
    for bound, weights in TARGETS_BY_AGE:
        if days <= bound:
            return _weighted(rng, weights)
    return "closed"


def _values(rng: random.Random, *, street: str, community: str, estate: Unit, building: Unit) -> dict[str, str]:
    road, road2 = rng.sample(ROADS[street], 2)
    floor = rng.randint(2, 18)
    return {
        "community": community,
        "estate": estate.name,
        "building": building.name,
        "room": f"{rng.randint(1, 3)}单元{floor}{rng.randint(1, 4):02d}",
        "floor": str(floor),
        "place": rng.choice(vocabulary.PLACES),
        "road": road,
        "road2": road2,
        "shop": rng.choice(vocabulary.SHOPS),
        "time": rng.choice(vocabulary.TIMES),
        "days": rng.choice(vocabulary.DAYS),
    }


def _address(template: str, *, street: str, values: dict[str, str], building: Unit | None) -> str:
    district = DISTRICT_LABELS[street.rsplit("-", 1)[0]]
    prefix = f"{district}{values['community']}"
    if "{estate}" not in template and "{road}" in template:
        return f"{prefix} {values['road']}"
    return f"{prefix} {values['estate']}{building.name if building else ''}"


def _contact(rng: random.Random, *, channel: str) -> tuple[str, str]:
    surname = rng.choice(vocabulary.SURNAMES)
    if rng.random() < 0.6:
        name = surname + rng.choice(("女士", "先生", "阿姨", "师傅"))
    else:
        name = surname + rng.choice(vocabulary.GIVEN_NAMES)
    phone = rng.choice(vocabulary.PHONE_PREFIXES) + f"{rng.randrange(10000):04d}"
    if channel in SELF_SERVICE_CHANNELS and rng.random() < ANONYMOUS_SHARE:
        return "", ""
    return name, phone


def _creator(context: _Context, *, street: str, channel: str, reporter: User | None) -> User | None:
    """Who recorded the appeal: the resident online, the grid worker, or the clerk."""
    if channel in SELF_SERVICE_CHANNELS:
        return reporter
    if channel == "grid":
        return context.staff("gridworker", street)
    return context.staff("clerk", street)


def _received_at(rng: random.Random, *, now: dt.datetime) -> dt.datetime:
    """A moment in the 365 days before now, at a plausible hour, at least half an hour ago."""
    day = timezone.localtime(now, LOCAL_TZ).date() - dt.timedelta(days=rng.randrange(365))
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=LOCAL_TZ)
    if moment > now - dt.timedelta(minutes=30):
        moment -= dt.timedelta(days=1)
    return moment


def _weighted(rng: random.Random, weights: dict) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# Writing ----------------------------------------------------------------------------------


def _number(stories: list[_Story]) -> None:
    """Numbers as the intake gives them: the local date and a six-digit running sequence,
    continuing after the highest case id so that they cannot meet the intake's own."""
    start = Case.objects.aggregate(highest=Max("id"))["highest"] or 0
    for sequence, story in enumerate(stories, start=start + 1):
        story.case.number = f"{timezone.localtime(story.case.received_at, LOCAL_TZ):%Y%m%d}{sequence:06d}"
    numbers = [story.case.number for story in stories]
    for first in range(0, len(numbers), BATCH_SIZE):
        if Case.objects.filter(number__in=numbers[first : first + BATCH_SIZE]).exists():
            raise ValueError("demo case numbers collide with existing cases")


def _insert_cases(cases: list[Case]) -> None:
    """bulk_create, then make sure every case knows its id (re-read by number if the backend
    did not return them)."""
    Case.objects.bulk_create(cases, batch_size=BATCH_SIZE)
    missing = [case for case in cases if case.pk is None]
    for start in range(0, len(missing), BATCH_SIZE):
        chunk = missing[start : start + BATCH_SIZE]
        ids = dict(Case.objects.filter(number__in=[case.number for case in chunk]).values_list("number", "id"))
        for case in chunk:
            case.pk = ids[case.number]
