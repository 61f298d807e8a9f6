"""The one write path for cases.

Every function here takes a case locked by `perform_action` (or by the caller, inside a
transaction), changes it with a version-checked UPDATE, writes its CaseEvent and schedules
notifications after commit. Views, the API, commands and tasks call these; nothing else
saves a case.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.analytics import rollups
from fengqiao.core import workcalendar
from fengqiao.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from fengqiao.core.middleware import current_request_id
from fengqiao.notifications import services as notifications
from fengqiao.org import access as org_access
from fengqiao.org.models import Department, Role, Unit, User
from fengqiao.taxonomy.models import CaseType, Subcategory
from fengqiao.triage import services as triage

from . import access, workflow
from .models import Case, CaseEvent, Satisfaction, Status, Whistle, WhistleSummons

SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
DEFAULT_CASE_TYPE = "help"


def _json_value(value: Any) -> Any:
    """How a value appears in the audit trail: codes for references, ISO times."""
    if isinstance(value, models.Model):
        return getattr(value, "code", None) or getattr(value, "number", None) or value.pk
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def apply_changes(case: Case, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """Set `changes` on the case in memory; return the audit diff {field: [old, new]} of
    the fields whose value really changes."""
    diff = {}
    for field, new in changes.items():
        old = getattr(case, field)
        if old != new:
            diff[field] = [_json_value(old), _json_value(new)]
        setattr(case, field, new)
    return diff


def _apply(
    case: Case,
    *,
    action: str,
    actor: User | None,
    changes: dict[str, Any] | None = None,
    to_status: str | None = None,
    reason: str = "",
    data: dict | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """Write `changes` (and the new status) if nobody changed the case since it was read."""
    changes = dict(changes or {})
    from_status = case.status
    if to_status is not None:
        changes["status"] = to_status
    counted_as = rollups.before(case)
    diff = apply_changes(case, changes)
    now = now or timezone.now()
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        **changes, version=case.version + 1, updated_at=now
    )
    if not updated:
        raise Conflict(_("The case was changed by someone else. Reload it and try again."))
    case.version += 1
    rollups.after(case, counted_as)
    event = CaseEvent.objects.create(
        case=case,
        action=f"case.{action}",
        actor=actor,
        created_at=now,
        request_id=current_request_id(),
        from_status=from_status,
        to_status=case.status,
        changes=diff,
        reason=reason,
        data=data or {},
    )
    notifications.case_event(event)
    return event


# Creating a case ----------------------------------------------------------------------------


@transaction.atomic
def do_create_case(
    *,
    actor: User | None,
    unit: Unit,
    text: str,
    case_type: CaseType | None = None,
    subcategory: Subcategory | None = None,
    urgent: bool = False,
    channel: str = "",
    address: str = "",
    contact_name: str = "",
    phone: str = "",
    reporter: User | None = None,
    idempotency_key: str = "",
    received_at: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Record a new appeal. Returns (case, created); a repeated idempotency key returns the
    case the first request created."""
    if idempotency_key and actor is not None:
        existing = Case.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
    text = text.strip()
    if not text:
        raise ValidationFailed(_("Please describe the problem."))
    received_at = received_at or timezone.now()
    # The model may make the case urgent (2-hour deadline, on-duty person told at once).
    suggestion = triage.suggest_at_intake(text=text, address=address, unit=unit, received_at=received_at)
    urgent = urgent or bool(suggestion and suggestion.urgent_confident)
    case = Case(
        number=f"tmp-{uuid.uuid4().hex}",
        unit=unit,
        case_type=case_type or CaseType.objects.get(code=DEFAULT_CASE_TYPE),
        subcategory=subcategory,
        urgent=urgent,
        text=text,
        address=address.strip(),
        channel=channel,
        contact_name=contact_name.strip(),
        phone=phone.strip(),
        reporter=reporter,
        created_by=actor,
        idempotency_key=idempotency_key,
        received_at=received_at,
    )
    case.deadline = case.compute_deadline()
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # A concurrent request with the same idempotency key won the race.
        existing = Case.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
        raise
    case.number = f"{timezone.localtime(received_at):%Y%m%d}{case.pk:06d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)
    triage.record_at_intake(case=case, suggestion=suggestion)
    rollups.after(case, None)
    CaseEvent.objects.create(
        case=case,
        action="case.create",
        actor=actor,
        created_at=received_at if received_at < timezone.now() else timezone.now(),
        request_id=current_request_id(),
        to_status=case.status,
        data={"channel": channel, "unit": unit.code, "urgent": urgent},
    )
    notifications.case_created(case)
    return case, True


# The gates ------------------------------------------------------------------------------------


def do_accept(
    case: Case,
    *,
    actor: User,
    case_type: CaseType | None = None,
    subcategory: Subcategory | None = None,
    urgent: bool | None = None,
) -> CaseEvent:
    """受理: the clerk confirms (or corrects) the classification; the deadline follows it."""
    changes: dict[str, Any] = {"classification_confirmed": True}
    if case_type is not None:
        changes["case_type"] = case_type
    if subcategory is not None:
        changes["subcategory"] = subcategory
    if urgent is not None:
        changes["urgent"] = urgent
    probe = Case(
        received_at=case.received_at,
        subcategory=changes.get("subcategory", case.subcategory),
        urgent=changes.get("urgent", case.urgent),
    )
    changes["deadline"] = probe.compute_deadline()
    event = _apply(case, action="accept", actor=actor, changes=changes)
    triage.record_decision(case=case, actor=actor)
    return event


def do_answer(case: Case, *, actor: User, message: str) -> CaseEvent:
    """An enquiry answered at intake: straight to 回复."""
    now = timezone.now()
    return _apply(
        case,
        action="answer",
        actor=actor,
        to_status=Status.REPLIED,
        changes={"reply_message": message, "replied_at": now},
        reason=message,
        now=now,
    )


def do_dispatch(case: Case, *, actor: User, department: Department, note: str = "") -> CaseEvent:
    """派发: to a department, which must sign for it."""
    if case.subcategory_id is None:
        raise ValidationFailed(_("Classify the case (accept it with a subcategory) before dispatching it."))
    now = timezone.now()
    changes: dict[str, Any] = {"department": department, "dispatched_at": now, "signed_at": None}
    if case.deadline is None:
        changes["deadline"] = case.compute_deadline()
    return _apply(
        case, action="dispatch", actor=actor, to_status=Status.DISPATCHED, changes=changes, reason=note, now=now
    )


def do_sign(case: Case, *, actor: User) -> CaseEvent:
    now = timezone.now()
    return _apply(case, action="sign", actor=actor, to_status=Status.IN_PROGRESS, changes={"signed_at": now}, now=now)


def do_return(case: Case, *, actor: User, reason: str) -> CaseEvent:
    """退单: the department says the case is not theirs; the clerk dispatches it again."""
    return _apply(case, action="return", actor=actor, to_status=Status.RETURNED, reason=reason)


def do_handle(case: Case, *, actor: User, note: str) -> CaseEvent:
    return _apply(case, action="handle", actor=actor, reason=note)


def do_submit_review(case: Case, *, actor: User, result: str) -> CaseEvent:
    return _apply(
        case,
        action="submit_review",
        actor=actor,
        to_status=Status.UNDER_REVIEW,
        changes={"result": result},
        reason=result,
    )


def do_reject(case: Case, *, actor: User, reason: str) -> CaseEvent:
    return _apply(case, action="reject", actor=actor, to_status=Status.IN_PROGRESS, reason=reason)


def do_reply(case: Case, *, actor: User, message: str) -> CaseEvent:
    now = timezone.now()
    return _apply(
        case,
        action="reply",
        actor=actor,
        to_status=Status.REPLIED,
        changes={"reply_message": message, "replied_at": now},
        reason=message,
        now=now,
    )


def do_visit(case: Case, *, actor: User, satisfaction: str, resolved: bool, note: str = "") -> CaseEvent:
    """回访: the resident's verdict. A satisfied verdict closes the case at once."""
    now = timezone.now()
    event = _apply(
        case,
        action="visit",
        actor=actor,
        to_status=Status.VISITED,
        changes={"satisfaction": satisfaction, "resolved": resolved, "visited_at": now},
        reason=note,
        data={"satisfaction": satisfaction, "resolved": resolved},
        now=now,
    )
    if satisfaction in SATISFIED:
        do_close(case, actor=None)
    return event


def do_close(case: Case, *, actor: User | None) -> CaseEvent:
    """办结. `actor` is None when the system closes a case after a satisfied visit."""
    now = timezone.now()
    return _apply(case, action="close", actor=actor, to_status=Status.CLOSED, changes={"closed_at": now}, now=now)


def do_reopen(case: Case, *, actor: User, reason: str) -> CaseEvent:
    """重办: back to the same department with a fresh time limit. A case that was answered
    at intake has no department and goes back to 受理 for dispatch."""
    now = timezone.now()
    changes: dict[str, Any] = {
        "reopen_count": case.reopen_count + 1,
        "satisfaction": "",
        "resolved": None,
        "replied_at": None,
        "visited_at": None,
        "closed_at": None,
        "signed_at": None,
        "deadline": case.compute_deadline(start=now),
    }
    target = Status.DISPATCHED
    if case.department_id is None:
        target = Status.RECEIVED
    else:
        changes["dispatched_at"] = now
    return _apply(case, action="reopen", actor=actor, to_status=target, changes=changes, reason=reason, now=now)


def do_suspend(case: Case, *, actor: User, reason: str, until: dt.date | None = None) -> CaseEvent:
    """挂起 needs the reviewer's consent. A handler's suspend is a request that waits for
    the reviewer; a reviewer's suspend takes effect (granting a pending request)."""
    if not (org_access.holds_role(actor, Role.REVIEWER, case.unit) or actor.is_superuser):
        if case.suspension_requested_by_id:
            raise Conflict(_("A suspension request is already waiting for the reviewer."))
        return _apply(
            case,
            action="suspend_request",
            actor=actor,
            changes={"suspension_requested_by": actor, "suspension_reason": reason, "suspended_until": until},
            reason=reason,
            data={"until": until.isoformat() if until else None},
        )
    now = timezone.now()
    return _apply(
        case,
        action="suspend",
        actor=actor,
        to_status=Status.SUSPENDED,
        changes={
            "status_before_suspension": case.status,
            "suspended_at": now,
            "suspension_reason": reason or case.suspension_reason,
            "suspended_until": until or case.suspended_until,
            "suspension_requested_by": None,
        },
        reason=reason or case.suspension_reason,
        now=now,
    )


def do_decline_suspension(case: Case, *, actor: User, reason: str) -> CaseEvent:
    """The reviewer refuses a handler's suspension request; the clock keeps running."""
    if not case.suspension_requested_by_id:
        raise Conflict(_("There is no suspension request to decline."))
    access.check_may_act(actor, case, "suspend")
    if not (org_access.holds_role(actor, Role.REVIEWER, case.unit) or actor.is_superuser):
        raise NotPermitted(_("Only the reviewer may decide on a suspension."))
    return _apply(
        case,
        action="suspend_decline",
        actor=actor,
        changes={"suspension_requested_by": None, "suspension_reason": "", "suspended_until": None},
        reason=reason,
    )


def do_resume(case: Case, *, actor: User) -> CaseEvent:
    """恢复: back to the state before; the deadline moves by the time the pause used."""
    now = timezone.now()
    changes: dict[str, Any] = {
        "status_before_suspension": "",
        "suspended_at": None,
        "suspended_until": None,
        "suspension_reason": "",
    }
    if case.deadline and case.suspended_at:
        changes["deadline"] = workcalendar.extend_for_pause(
            case.deadline, unit=case.limit_unit, paused_from=case.suspended_at, paused_to=now
        )
    return _apply(
        case,
        action="resume",
        actor=actor,
        to_status=case.status_before_suspension or Status.IN_PROGRESS,
        changes=changes,
        now=now,
    )


def do_merge(case: Case, *, actor: User, into: Case) -> CaseEvent:
    """合并: fold a duplicate into the case that reported the incident first."""
    if into.pk == case.pk:
        raise ValidationFailed(_("A case cannot be merged into itself."))
    if into.status == Status.MERGED:
        raise ValidationFailed(
            _("Case %(number)s is itself merged into another; merge into that one.") % {"number": into.number}
        )
    return _apply(
        case,
        action="merge",
        actor=actor,
        to_status=Status.MERGED,
        changes={"merged_into": into},
        data={"into": into.pk, "into_number": into.number},
    )


def do_whistle(case: Case, *, actor: User, departments: list[Department], place: str, note: str = "") -> CaseEvent:
    """吹哨: summon departments to the scene; each is expected within 30 minutes."""
    whistle = Whistle.objects.create(case=case, place=place, note=note, blown_by=actor)
    WhistleSummons.objects.bulk_create(WhistleSummons(whistle=whistle, department=dep) for dep in departments)
    return _apply(
        case,
        action="whistle",
        actor=actor,
        changes={"whistled": True},
        reason=note,
        data={"whistle": whistle.pk, "place": place, "departments": [dep.code for dep in departments]},
    )


# Disputes, group labour claims and whistle arrivals (fengqiao.disputes) -----------------------

LABOUR_INSPECTION = "D09"  # 劳动保障监察大队
LABOUR_SUBCATEGORY = "06.01"  # 拖欠工资与劳资纠纷


def do_set_mediation_result(case: Case, *, actor: User, result: str, reason: str = "") -> CaseEvent:
    """The mediation of a dispute ended: success (an agreement) or failure (terminated).
    The KPI 调解成功率 is computed from `Case.mediation_result`."""
    return _apply(
        case,
        action="mediation_result",
        actor=actor,
        changes={"mediation_result": result},
        reason=reason,
        data={"result": result},
    )


def do_record_group_claim(
    case: Case, *, actor: User, claimants: int, amount_owed: decimal.Decimal, note: str = ""
) -> CaseEvent:
    """群体性劳资纠纷: the case speaks for `claimants` people owed `amount_owed` yuan. A case
    still at intake (received or returned) is classified as unpaid wages and dispatched to
    labour inspection at once; one already with a department keeps it."""
    if claimants < 2:
        raise ValidationFailed(_("A group claim has at least two claimants."))
    if amount_owed < 0:
        raise ValidationFailed(_("The amount owed cannot be negative."))
    event = _apply(
        case,
        action="group_claim",
        actor=actor,
        changes={"group_claimants": claimants, "amount_owed": amount_owed},
        reason=note,
        data={"claimants": claimants, "amount_owed": str(amount_owed)},
    )
    if case.status in (Status.RECEIVED, Status.RETURNED):
        if case.subcategory_id is None:
            do_accept(case, actor=actor, subcategory=Subcategory.objects.get(code=LABOUR_SUBCATEGORY))
        do_dispatch(case, actor=actor, department=Department.objects.get(code=LABOUR_INSPECTION), note=note)
    return event


def _locked_summons(summons_id: int) -> WhistleSummons:
    try:
        return WhistleSummons.objects.select_for_update().select_related("whistle", "department").get(pk=summons_id)
    except WhistleSummons.DoesNotExist:
        raise NotFound(_("No such summons.")) from None


@transaction.atomic
def do_confirm_summons(summons_id: int, *, actor: User) -> WhistleSummons:
    """报到 (1): the summoned department says it is on its way. Confirming twice is refused."""
    summons = _locked_summons(summons_id)
    if summons.confirmed_at is not None:
        raise Conflict(_("This department has already confirmed."))
    now = timezone.now()
    WhistleSummons.objects.filter(pk=summons.pk).update(confirmed_at=now, confirmed_by=actor)
    summons.confirmed_at, summons.confirmed_by = now, actor
    _whistle_case_event(summons, action="whistle_confirm", actor=actor, now=now)
    return summons


@transaction.atomic
def do_arrive_summons(
    summons_id: int,
    *,
    actor: User,
    latitude: decimal.Decimal | None = None,
    longitude: decimal.Decimal | None = None,
    note: str = "",
) -> WhistleSummons:
    """报到 (2): the department is on site. Arriving implies confirming; the time, the phone's
    position when it gave one, and what was done are kept for the whistle log."""
    summons = _locked_summons(summons_id)
    if summons.arrived_at is not None:
        raise Conflict(_("This department's arrival is already recorded."))
    if (latitude is None) != (longitude is None):
        raise ValidationFailed(_("Give both latitude and longitude, or neither."))
    now = timezone.now()
    fields: dict[str, Any] = {
        "arrived_at": now,
        "arrived_by": actor,
        "latitude": latitude,
        "longitude": longitude,
        "note": note.strip(),
    }
    if summons.confirmed_at is None:
        fields.update(confirmed_at=now, confirmed_by=actor)
    WhistleSummons.objects.filter(pk=summons.pk).update(**fields)
    for field, value in fields.items():
        setattr(summons, field, value)
    _whistle_case_event(summons, action="whistle_arrive", actor=actor, now=now, note=note)
    return summons


def _whistle_case_event(summons: WhistleSummons, *, action: str, actor: User, now: dt.datetime, note: str = "") -> None:
    """A whistle on a case leaves its confirmations and arrivals in the case's audit trail."""
    if summons.whistle.case_id is None:
        return
    case = Case.objects.select_for_update().get(pk=summons.whistle.case_id)
    minutes = int((now - summons.whistle.blown_at).total_seconds() // 60)
    _apply(
        case,
        action=action,
        actor=actor,
        reason=note,
        now=now,
        data={"whistle": summons.whistle_id, "department": summons.department.code, "minutes": minutes},
    )


# Each takes (case, *, actor, **the action's parsed body).
ACTION_FUNCTIONS: dict[str, Callable[..., CaseEvent]] = {
    "accept": do_accept,
    "answer": do_answer,
    "dispatch": do_dispatch,
    "sign": do_sign,
    "return": do_return,
    "handle": do_handle,
    "submit_review": do_submit_review,
    "reject": do_reject,
    "reply": do_reply,
    "visit": do_visit,
    "close": do_close,
    "reopen": do_reopen,
    "suspend": do_suspend,
    "resume": do_resume,
    "merge": do_merge,
    "whistle": do_whistle,
}
assert set(ACTION_FUNCTIONS) == set(workflow.TRANSITIONS)


@transaction.atomic
def perform_action(
    *, actor: User, case_id, action: str, data: Mapping[str, Any] | list[Any], expected_version: int | None = None
) -> Case:
    """Authorise, check the state and the version, validate the body, act.

    404 for a case the actor cannot see, 403 for a role that may not act, 409 for a stale
    version or a state that does not allow the action, 400 for a bad body.
    """
    from .inputs import parse_action_input

    if action not in workflow.TRANSITIONS:
        raise NotFound(_("Unknown action “%(action)s”.") % {"action": action})
    case = access.access_case(actor, case_id, lock=True)
    access.check_may_act(actor, case, action)
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            _("The case has changed (version %(current)s, you had %(yours)s). Reload it and try again.")
            % {"current": case.version, "yours": expected_version}
        )
    workflow.check_transition(case.status, action)
    arguments = parse_action_input(action, data, actor=actor, case=case)
    ACTION_FUNCTIONS[action](case, actor=actor, **arguments)
    case.refresh_from_db()
    return case
