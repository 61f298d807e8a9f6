"""Who may see whose figures, and who may act on a warning.

Figures are not personal data, but they are internal: any member of staff sees the figures of
the units under their role assignments (a superuser sees everything). Warnings are turned into
topics and tasks by the leaders of the unit (or an administrator).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from fengqiao.core.errors import NotPermitted
from fengqiao.org import access as org_access
from fengqiao.org.models import Role, Unit, User, ancestor_paths


def scope_units(user: User) -> list[Unit]:
    """The top units whose subtrees the user may see figures of, highest first."""
    if user.is_superuser:
        return list(Unit.objects.filter(parent__isnull=True).order_by("code"))
    units = {
        assignment.unit.pk: assignment.unit
        for assignment in org_access.assignments(user)
        if assignment.role in org_access.STAFF_ROLES
    }
    tops: list[Unit] = []
    for unit in sorted(units.values(), key=lambda unit: (unit.depth, unit.path)):
        if not any(unit.path.startswith(top.path) for top in tops):
            tops.append(unit)
    return tops


def scope_q(user: User, *, prefix: str = "unit__path") -> Q:
    """A filter for objects whose unit lies in the user's units (everything for a superuser)."""
    if user.is_superuser:
        return Q()
    return org_access.unit_scope_q(user, org_access.STAFF_ROLES, prefix=prefix)


def may_view(user: User, unit: Unit | None) -> bool:
    if user.is_superuser:
        return True
    if unit is None:
        return False
    return any(unit.path.startswith(top.path) for top in scope_units(user))


def check_may_view(user: User, unit: Unit | None) -> None:
    if not may_view(user, unit):
        raise NotPermitted(_("You may not see the figures of this unit."))


def default_unit(user: User) -> Unit | None:
    """The unit a page opens on: the user's highest unit (None: everything, for a superuser
    when there are several top units)."""
    tops = scope_units(user)
    if user.is_superuser and len(tops) != 1:
        return None
    return tops[0] if tops else None


def may_handle_warning(user: User, unit: Unit) -> bool:
    if user.is_superuser:
        return True
    paths = set(ancestor_paths(unit.path))
    return any(
        assignment.role in (Role.LEADER, Role.ADMIN) and assignment.unit.path in paths
        for assignment in org_access.assignments(user)
    )
