"""Fetch-and-authorise for cases: one answer ("not found") for missing and invisible.

Visibility: staff see the cases of their units' subtrees; handlers also the cases
dispatched to their department in their units; residents their own cases.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.core.errors import NotFound, NotPermitted
from fengqiao.core.models import PersonalDataAccess
from fengqiao.org import access as org_access
from fengqiao.org.models import Role, User

from . import workflow
from .models import Case

UNIT_SCOPED_ROLES = (Role.GRID_WORKER, Role.CLERK, Role.MEDIATOR, Role.REVIEWER, Role.LEADER, Role.ADMIN)


def visibility_q(user: User) -> Q:
    q = Q(reporter_id=user.pk) | org_access.unit_scope_q(user, UNIT_SCOPED_ROLES)
    return q | org_access.department_scope_q(user)


def visible_cases(user: User) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    return Case.objects.filter(visibility_q(user))


def access_case(user: User, case_id, *, lock: bool = False) -> Case:
    queryset = visible_cases(user).select_related("unit", "case_type", "subcategory", "department")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such case.")) from None


def access_case_by_number(user: User, number: str) -> Case:
    try:
        return visible_cases(user).get(number=number)
    except Case.DoesNotExist:
        raise NotFound(_("No such case.")) from None


def may_act(user: User, case: Case, action: str) -> bool:
    """Whether the user's role lets them take `action` on this case (state not considered)."""
    if user.is_superuser or org_access.holds_role(user, Role.ADMIN, case.unit):
        return True
    for actor in workflow.TRANSITIONS[action].actors:
        if actor == workflow.HANDLER and org_access.handles_department(
            user, department_id=case.department_id, unit=case.unit
        ):
            return True
        if actor == workflow.REPORTER and case.reporter_id == user.pk:
            return True
        if actor in (workflow.CLERK, workflow.REVIEWER, workflow.GRID_WORKER) and org_access.holds_role(
            user, actor, case.unit
        ):
            return True
    return False


def check_may_act(user: User, case: Case, action: str) -> None:
    if not may_act(user, case, action):
        raise NotPermitted(
            _("Your role does not allow “%(action)s” on this case.") % {"action": workflow.TRANSITIONS[action].label}
        )


def available_actions(user: User, case: Case) -> list[str]:
    """The actions this user may take on the case in its current state (for the pages)."""
    return [
        name
        for name, transition in workflow.TRANSITIONS.items()
        if case.status in transition.sources and may_act(user, case, name)
    ]


def can_see_personal_data(user: User, case: Case) -> bool:
    """Reporter's phone: the reporter, clerks, handlers of the case, mediators, admins."""
    if case.reporter_id == user.pk or user.is_superuser:
        return True
    if org_access.handles_department(user, department_id=case.department_id, unit=case.unit):
        return True
    return any(org_access.holds_role(user, role, case.unit) for role in (Role.CLERK, Role.MEDIATOR))


def log_personal_data_read(user: User, case: Case, *, purpose: str) -> None:
    """Record that a member of staff was shown the reporter's name and phone unmasked.
    The reporter reading their own case, and cases without such data, are not logged."""
    if case.reporter_id == user.pk or not (case.phone or case.contact_name):
        return
    PersonalDataAccess.objects.create(
        user=user, subject=f"case {case.number}", fields="contact_name, phone", purpose=purpose
    )
