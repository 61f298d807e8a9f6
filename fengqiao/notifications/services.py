"""Who hears about what. Called by the case actions inside their transaction: the in-app
notifications are written there, e-mail, SMS and webhooks go out after commit."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fengqiao.org.access import people_over, people_with_role
from fengqiao.org.models import Role, User

from . import channels
from .models import Notification


def _handlers(case, department_id=None) -> list[User]:
    return people_with_role(Role.HANDLER, unit=case.unit, department_id=department_id or case.department_id)


def holders(case) -> list[User]:
    """Who has the case in hand: the department's handlers, or the unit's clerks while it waits
    for dispatch."""
    return _handlers(case) if case.department_id else people_with_role(Role.CLERK, unit=case.unit)


def _recipients(event) -> tuple[list[User], bool]:
    """(staff and residents to tell, whether the reporter's phone gets an SMS)."""
    case = event.case
    action = event.action.removeprefix("case.")
    reporter = [case.reporter] if case.reporter_id else []
    if action in ("dispatch", "reopen", "reject", "suspend", "suspend_decline", "resume"):
        return holders(case), False
    if action == "return":
        return people_with_role(Role.CLERK, unit=case.unit), False
    if action in ("submit_review", "suspend_request"):
        return people_with_role(Role.REVIEWER, unit=case.unit), False
    if action in ("reply", "answer", "close", "merge"):
        return reporter, action in ("reply", "answer")
    if action == "visit" and event.data.get("satisfaction") == "dissatisfied":
        return people_with_role(Role.CLERK, unit=case.unit) + people_with_role(Role.REVIEWER, unit=case.unit), False
    if action == "whistle":
        return people_over(case.unit, role=Role.HANDLER, department__code__in=event.data.get("departments", [])), False
    return [], False


def _text(event) -> str:
    case = event.case
    action = event.action.removeprefix("case.")
    texts = {
        "dispatch": _("Case %(number)s has been dispatched to your department. Please sign for it."),
        "reopen": _("Case %(number)s was reopened: the resident was not satisfied. %(reason)s"),
        "return": _("Case %(number)s was returned by the department: %(reason)s"),
        "submit_review": _("Case %(number)s is waiting for your review."),
        "reject": _("Case %(number)s was sent back by the reviewer: %(reason)s"),
        "reply": _("Your appeal %(number)s has been answered: %(reason)s"),
        "answer": _("Your appeal %(number)s has been answered: %(reason)s"),
        "close": _("Your appeal %(number)s is closed. Thank you."),
        "merge": _("Your appeal %(number)s reports the same incident as another case and is handled with it."),
        "visit": _("The resident is not satisfied with case %(number)s. %(reason)s"),
        "suspend_request": _("A suspension of case %(number)s is waiting for your consent: %(reason)s"),
        "suspend": _("Case %(number)s is suspended: %(reason)s"),
        "suspend_decline": _("The suspension of case %(number)s was declined: %(reason)s"),
        "resume": _("Case %(number)s is resumed."),
        "whistle": _(
            "Whistle! Your department is summoned to %(place)s for case %(number)s. Be there within 30 minutes."
        ),
    }
    return texts[action] % {"number": case.number, "reason": event.reason, "place": event.data.get("place", "")}


def _notify(*, case, verb: str, text: str, people: list[User], actor: User | None, sms_phone: str = "") -> None:
    people = [person for person in {person.pk: person for person in people}.values() if person != actor]
    Notification.objects.bulk_create(
        Notification(recipient=person, case=case, verb=verb, message=text[:500]) for person in people
    )
    message = channels.Message(
        verb=verb,
        subject=_("[Fengqiao] Case %(number)s") % {"number": case.number},
        body=text,
        case_number=case.number,
        case_id=case.pk,
        emails=tuple(person.email for person in people if person.email),
        phones=(sms_phone,) if sms_phone else (),
    )
    transaction.on_commit(lambda: channels.deliver(message))


def notify_people(*, case, verb: str, text: str, people: list[User]) -> None:
    """A message about a case from the system (no actor), e.g. a deadline reminder."""
    _notify(case=case, verb=verb, text=text, people=people, actor=None)


def case_event(event) -> None:
    people, sms = _recipients(event)
    if not people and not sms:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _text(event)
    _notify(
        case=event.case,
        verb=event.action,
        text=text,
        people=people,
        actor=event.actor,
        sms_phone=event.case.phone if sms else "",
    )


def case_created(case) -> None:
    """New appeals go to the unit's clerks; urgent ones also to whoever is on duty at once."""
    people = people_with_role(Role.CLERK, unit=case.unit)
    with translation.override(settings.LANGUAGE_CODE):
        if case.urgent:
            people += people_over(case.unit, on_duty=True)
            text = _("URGENT appeal %(number)s: %(text)s") % {"number": case.number, "text": case.text[:200]}
        else:
            text = _("New appeal %(number)s: %(text)s") % {"number": case.number, "text": case.text[:200]}
    _notify(case=case, verb="case.create", text=text, people=people, actor=case.created_by)
