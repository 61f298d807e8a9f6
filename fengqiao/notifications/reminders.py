"""Deadline reminders, run every quarter of an hour by the scheduler: the department holding a
case hears when its deadline is near (the last share of the time limit, FENGQIAO_DUE_SOON_SHARE)
and again, with the unit's reviewers, when it has passed. Each deadline is reminded of once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengqiao.cases.models import CLOCK_RUNNING, Case
from fengqiao.org.access import people_with_role
from fengqiao.org.models import Role

from .models import DeadlineReminder
from .services import holders, notify_people

# No time limit in the taxonomy is longer than this, so no case is due soon further ahead.
LOOKAHEAD = dt.timedelta(days=30)
# A deadline that passed longer ago than this was missed before reminders were running.
OVERDUE_REACH = dt.timedelta(days=1)


def send_deadline_reminders(now: dt.datetime | None = None) -> tuple[int, int]:
    """Remind of the deadlines now near or just passed; returns (due soon, overdue) sent."""
    now = now or timezone.now()
    running = Case.objects.filter(status__in=CLOCK_RUNNING).select_related("unit", "subcategory")
    due_soon = [
        case for case in running.filter(deadline__gte=now, deadline__lt=now + LOOKAHEAD) if case.is_due_soon(now)
    ]
    overdue = list(running.filter(deadline__gte=now - OVERDUE_REACH, deadline__lt=now))
    sent_soon = sum(_remind(case, kind=DeadlineReminder.Kind.DUE_SOON) for case in due_soon)
    sent_overdue = sum(_remind(case, kind=DeadlineReminder.Kind.OVERDUE) for case in overdue)
    return sent_soon, sent_overdue


@transaction.atomic
def _remind(case: Case, *, kind: str) -> bool:
    assert case.deadline is not None
    _reminder, created = DeadlineReminder.objects.get_or_create(case=case, kind=kind, deadline=case.deadline)
    if not created:
        return False
    people = holders(case)
    with translation.override(settings.LANGUAGE_CODE):
        deadline = f"{timezone.localtime(case.deadline):%m-%d %H:%M}"
        if kind == DeadlineReminder.Kind.OVERDUE:
            people += people_with_role(Role.REVIEWER, unit=case.unit)
            text = _("Case %(number)s is overdue: its deadline was %(deadline)s.")
        else:
            text = _("Case %(number)s is due at %(deadline)s.")
        text = text % {"number": case.number, "deadline": deadline}
    notify_people(case=case, verb=f"deadline.{kind}", text=text, people=people)
    return True


def job(now: dt.datetime) -> str:
    soon, overdue = send_deadline_reminders(now)
    return f"{soon} due-soon and {overdue} overdue reminders sent"
