"""What leaders do with an early warning: acknowledge it, put it on the deliberation agenda,
or hand the unit a supervised task (a case assigned from above)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases.actions import do_create_case
from fengqiao.cases.models import Channel
from fengqiao.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from fengqiao.deliberation.models import Topic, TopicSource
from fengqiao.org.models import User

from . import access
from .models import EarlyWarning, WarningStatus

FINAL = (WarningStatus.TOPIC, WarningStatus.TASK)


def access_warning(user: User, warning_id, *, lock: bool = False) -> EarlyWarning:
    """The warning if the user may see its unit's figures (404 otherwise, as for a missing one)."""
    queryset = EarlyWarning.objects.select_related("unit", "category")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        warning = queryset.get(pk=warning_id)
    except (EarlyWarning.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such warning.")) from None
    if not access.may_view(user, warning.unit):
        raise NotFound(_("No such warning."))
    return warning


def _check(user: User, warning: EarlyWarning) -> None:
    if not access.may_handle_warning(user, warning.unit):
        raise NotPermitted(_("Only the unit's leaders decide what to do with a warning."))
    if warning.status in FINAL:
        raise Conflict(_("This warning has already been turned into a topic or a task."))


def _close(warning: EarlyWarning, *, actor: User, status: str, note: str) -> EarlyWarning:
    warning.status = status
    warning.handled_by = actor
    warning.handled_at = timezone.now()
    warning.note = note.strip() or warning.note
    warning.save(update_fields=["status", "handled_by", "handled_at", "note", "topic", "task"])
    return warning


@transaction.atomic
def do_acknowledge_warning(*, actor: User, warning_id, note: str = "") -> EarlyWarning:
    warning = access_warning(actor, warning_id, lock=True)
    _check(actor, warning)
    return _close(warning, actor=actor, status=WarningStatus.ACKNOWLEDGED, note=note)


@transaction.atomic
def do_warning_to_topic(*, actor: User, warning_id, title: str = "", note: str = "") -> EarlyWarning:
    """Put the warning on the unit's deliberation agenda."""
    warning = access_warning(actor, warning_id, lock=True)
    _check(actor, warning)
    title = title.strip() or _("%(unit)s: %(category)s cases rising") % {
        "unit": warning.unit.name,
        "category": warning.category.name,
    }
    warning.topic = Topic.objects.create(
        unit=warning.unit,
        title=title[:200],
        description="\n\n".join(part for part in (warning.reason, note.strip()) if part),
        source=TopicSource.WARNING,
        proposed_by=actor,
    )
    return _close(warning, actor=actor, status=WarningStatus.TOPIC, note=note)


@transaction.atomic
def do_warning_to_task(*, actor: User, warning_id, instruction: str) -> EarlyWarning:
    """督办: a case assigned to the unit from above, which its clerk dispatches and the leader
    follows on the case page."""
    warning = access_warning(actor, warning_id, lock=True)
    _check(actor, warning)
    instruction = instruction.strip()
    if not instruction:
        raise ValidationFailed(_("Say what the unit should look into."))
    text = _("Supervised task from an early warning (%(month)s): %(reason)s\n\nInstruction: %(instruction)s") % {
        "month": f"{warning.month:%Y-%m}",
        "reason": warning.reason,
        "instruction": instruction,
    }
    warning.task, _created = do_create_case(actor=actor, unit=warning.unit, text=text, channel=Channel.ASSIGNED)
    return _close(warning, actor=actor, status=WarningStatus.TASK, note=instruction)
