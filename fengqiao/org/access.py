"""Who holds which role over which part of the tree.

A role assignment covers its unit's whole subtree. Superusers and holders of the admin
role over a subtree may do everything there.
"""

from __future__ import annotations

from django.db.models import Q

from .models import Role, RoleAssignment, Unit, User, ancestor_paths

STAFF_ROLES = (Role.GRID_WORKER, Role.CLERK, Role.HANDLER, Role.MEDIATOR, Role.REVIEWER, Role.LEADER, Role.ADMIN)


def assignments(user: User) -> list[RoleAssignment]:
    """The user's role assignments, loaded once per user object (i.e. once per request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_fengqiao_roles", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("unit", "department"))
        user._fengqiao_roles = cached
    return cached


def role_names(user: User) -> set[str]:
    names = {assignment.role for assignment in assignments(user)}
    if user.is_authenticated and user.is_superuser:
        names.add(Role.ADMIN)
    return names


def is_staff_member(user: User) -> bool:
    return bool(role_names(user) & set(STAFF_ROLES))


def holds_role(user: User, role: str, unit: Unit) -> bool:
    """True when the user holds `role` (or admin) over a unit containing `unit`."""
    if user.is_superuser:
        return True
    return any(
        assignment.role in (role, Role.ADMIN) and unit.path.startswith(assignment.unit.path)
        for assignment in assignments(user)
    )


def handles_department(user: User, *, department_id: int | None, unit: Unit) -> bool:
    if department_id is None:
        return False
    return any(
        assignment.role == Role.HANDLER
        and assignment.department_id == department_id
        and unit.path.startswith(assignment.unit.path)
        for assignment in assignments(user)
    )


def unit_scope_q(user: User, roles, *, prefix: str = "unit__path") -> Q:
    """A filter matching objects whose unit lies under one of the user's units for these roles."""
    q = Q(pk__in=[])
    for assignment in assignments(user):
        if assignment.role in roles or assignment.role == Role.ADMIN:
            q |= Q(**{f"{prefix}__startswith": assignment.unit.path})
    return q


def department_scope_q(user: User) -> Q:
    q = Q(pk__in=[])
    for assignment in assignments(user):
        if assignment.role == Role.HANDLER:
            q |= Q(department_id=assignment.department_id, unit__path__startswith=assignment.unit.path)
    return q


def visible_units(user: User):
    """The units a member of staff may pick: their subtrees (all for a superuser)."""
    if user.is_superuser:
        return Unit.objects.all()
    return Unit.objects.filter(unit_scope_q(user, STAFF_ROLES, prefix="path"))


def people_over(unit: Unit, **assignment_filters) -> list[User]:
    """Active people with a role assignment (matching the filters) over a unit that contains
    `unit`: one query, for notifications."""
    assignments = RoleAssignment.objects.filter(
        unit__path__in=ancestor_paths(unit.path), user__is_active=True, **assignment_filters
    )
    return list(User.objects.filter(id__in=assignments.values("user_id")))


def people_with_role(role: str, *, unit: Unit, department_id: int | None = None) -> list[User]:
    """Everyone holding `role` over a unit that contains `unit` (for notifications)."""
    if department_id is not None:
        return people_over(unit, role=role, department_id=department_id)
    return people_over(unit, role=role)
