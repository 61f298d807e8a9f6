"""The six-gate workflow as a table: for each action, the states it starts from, the state
it leads to, and who may take it. Nothing else in the code decides a transition."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fengqiao.core.errors import Conflict

from .models import OPEN_STATES, Status

# Who may act, besides administrators of the case's unit:
CLERK = "clerk"  # intake clerk of the case's unit
HANDLER = "handler"  # handler of the department the case is dispatched to
REVIEWER = "reviewer"  # reviewer / supervisor of the case's unit
REPORTER = "reporter"  # the resident who submitted the case
GRID_WORKER = "grid_worker"  # grid worker of the case's unit

SAME = None  # the action leaves the state as it is


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None
    actors: tuple[str, ...]
    label: str | Promise  # a lazy translation


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition((Status.RECEIVED,), SAME, (CLERK,), _("Accept")),
    "answer": Transition((Status.RECEIVED,), Status.REPLIED, (CLERK,), _("Answer directly")),
    "dispatch": Transition((Status.RECEIVED, Status.RETURNED), Status.DISPATCHED, (CLERK,), _("Dispatch")),
    "sign": Transition((Status.DISPATCHED,), Status.IN_PROGRESS, (HANDLER,), _("Sign for")),
    "return": Transition((Status.DISPATCHED, Status.IN_PROGRESS), Status.RETURNED, (HANDLER,), _("Return")),
    "handle": Transition((Status.IN_PROGRESS,), SAME, (HANDLER,), _("Progress note")),
    "submit_review": Transition((Status.IN_PROGRESS,), Status.UNDER_REVIEW, (HANDLER,), _("Submit for review")),
    "reject": Transition((Status.UNDER_REVIEW,), Status.IN_PROGRESS, (REVIEWER,), _("Send back")),
    "reply": Transition((Status.UNDER_REVIEW,), Status.REPLIED, (REVIEWER, CLERK), _("Approve and reply")),
    "visit": Transition((Status.REPLIED,), Status.VISITED, (CLERK, REPORTER), _("Follow-up visit")),
    "close": Transition((Status.VISITED,), Status.CLOSED, (CLERK,), _("Close")),
    "reopen": Transition((Status.VISITED, Status.CLOSED), Status.DISPATCHED, (CLERK,), _("Reopen")),
    "suspend": Transition((Status.DISPATCHED, Status.IN_PROGRESS), Status.SUSPENDED, (HANDLER, REVIEWER), _("Suspend")),
    "resume": Transition((Status.SUSPENDED,), SAME, (HANDLER, REVIEWER), _("Resume")),
    "merge": Transition(OPEN_STATES, Status.MERGED, (CLERK,), _("Merge as duplicate")),
    "whistle": Transition(
        (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS), SAME, (CLERK, GRID_WORKER), _("Blow the whistle")
    ),
}

ACTION_NAMES = tuple(TRANSITIONS)

# Events that are not themselves actions of the table.
EVENT_LABELS = {
    "create": _("Submitted"),
    "suspend_request": _("Suspension requested"),
    "suspend_decline": _("Suspension declined"),
    "import": _("Imported from a ledger file"),
    "mediation_result": _("Mediation ended"),
    "group_claim": _("Group labour claim recorded"),
    "whistle_confirm": _("Whistle: department confirmed"),
    "whistle_arrive": _("Whistle: department arrived"),
    **{name: transition.label for name, transition in TRANSITIONS.items()},
}


def event_label(action: str) -> str:
    name = action.removeprefix("case.")
    return str(EVENT_LABELS.get(name, name))


def check_transition(status: str, action: str) -> Transition:
    """The transition for `action` from `status`, or Conflict (409) if it is not allowed."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise Conflict(
            _("A case that is “%(status)s” cannot be given the action “%(action)s”.")
            % {"status": Status(status).label, "action": transition.label}
        )
    return transition
