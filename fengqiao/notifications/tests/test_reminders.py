"""Deadline reminders: the department hears once when a deadline is near, and again with the
reviewers when it has passed; a new deadline can be reminded of again."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from fengqiao.cases.models import Status
from fengqiao.core.management.commands.scheduler import next_run
from fengqiao.notifications.models import DeadlineReminder, Notification
from fengqiao.notifications.reminders import send_deadline_reminders
from fengqiao.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def received(people, **fields):
    return list(
        Notification.objects.filter(recipient=people[fields.pop("who")], **fields).values_list("verb", flat=True)
    )


def test_a_case_due_soon_is_reminded_to_its_department_once(tree, people, d02):
    # 01.02 has a five-working-day limit: due in an hour is inside its last fifth.
    case = CaseFactory(
        unit=tree["building1"], status=Status.IN_PROGRESS, department=d02, deadline=NOW + dt.timedelta(hours=1)
    )
    CaseFactory(unit=tree["building1"], status=Status.IN_PROGRESS, department=d02, deadline=NOW + dt.timedelta(days=20))
    assert send_deadline_reminders(NOW) == (1, 0)
    assert received(people, who="handler", case=case) == ["deadline.due_soon"]
    assert received(people, who="reviewer", case=case) == []
    assert send_deadline_reminders(NOW + dt.timedelta(minutes=15)) == (0, 0)


def test_an_overdue_case_is_reminded_to_the_department_and_the_reviewers(tree, people, d02):
    case = CaseFactory(
        unit=tree["building1"], status=Status.IN_PROGRESS, department=d02, deadline=NOW - dt.timedelta(minutes=5)
    )
    assert send_deadline_reminders(NOW) == (0, 1)
    assert received(people, who="handler", case=case) == ["deadline.overdue"]
    assert received(people, who="reviewer", case=case) == ["deadline.overdue"]
    # A new deadline (after a resume, say) is a new reminder.
    case.deadline = NOW + dt.timedelta(minutes=30)
    case.save()
    assert send_deadline_reminders(NOW) == (1, 0)
    assert DeadlineReminder.objects.filter(case=case).count() == 2


def test_an_undispatched_case_is_reminded_to_the_clerks_and_finished_ones_not_at_all(tree, people):
    waiting = CaseFactory(unit=tree["hh"], status=Status.RECEIVED, deadline=NOW - dt.timedelta(hours=2))
    CaseFactory(unit=tree["hh"], status=Status.CLOSED, closed_at=NOW, deadline=NOW - dt.timedelta(hours=2))
    CaseFactory(unit=tree["hh"], status=Status.RECEIVED, deadline=NOW - dt.timedelta(days=3))  # missed long ago
    assert send_deadline_reminders(NOW) == (0, 1)
    assert received(people, who="clerk", case=waiting) == ["deadline.overdue"]


def test_the_scheduler_runs_reminders_every_quarter_hour(db, capsys):
    at = timezone.localtime(NOW).replace(hour=9, minute=7, second=30)
    assert timezone.localtime(next_run("*/15", at)).strftime("%H:%M") == "09:15"
    assert timezone.localtime(next_run("*/15", at.replace(minute=45, second=0))).strftime("%H:%M") == "10:00"
    call_command("scheduler", "--run", "deadline_reminders")
    assert "0 due-soon and 0 overdue reminders sent" in capsys.readouterr().out
