"""Fetch-and-authorise for mediation records, petitions and whistles: one answer ("not
found") for missing and invisible, as in fengqiao.cases.access.

Who sees the parties' and petitioners' phones and ID numbers: mediators and intake clerks
over the unit (and, for petitions, its reviewers, leaders and the responsible leader).
Everyone else who may see the record gets them masked; public pages never show them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.cases.access import UNIT_SCOPED_ROLES
from fengqiao.cases.models import Whistle, WhistleSummons
from fengqiao.core.errors import NotFound, NotPermitted
from fengqiao.core.models import PersonalDataAccess
from fengqiao.org import access as org_access
from fengqiao.org.models import Role, Unit, User

from .models import MediationRecord, Petition

PARTY_DATA_ROLES = (Role.MEDIATOR, Role.CLERK)
PETITIONER_DATA_ROLES = (Role.CLERK, Role.REVIEWER, Role.LEADER)


def holds_any(user: User, roles, unit: Unit) -> bool:
    return any(org_access.holds_role(user, role, unit) for role in roles)


# Mediation ---------------------------------------------------------------------------------------


def visible_mediations(user: User) -> QuerySet[MediationRecord]:
    if not user.is_authenticated:
        return MediationRecord.objects.none()
    queryset = MediationRecord.objects.select_related("case", "unit")
    if user.is_superuser:
        return queryset
    return queryset.filter(org_access.unit_scope_q(user, UNIT_SCOPED_ROLES))


def access_mediation(user: User, record_id, *, lock: bool = False) -> MediationRecord:
    queryset = visible_mediations(user)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=record_id)
    except (MediationRecord.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such mediation record.")) from None


def may_mediate(user: User, unit: Unit) -> bool:
    """Mediators of the unit's mediation committee (a mediator role over the unit)."""
    return org_access.holds_role(user, Role.MEDIATOR, unit)


def check_may_mediate(user: User, unit: Unit) -> None:
    if not may_mediate(user, unit):
        raise NotPermitted(_("Only a mediator of this unit may do this."))


def check_may_register_mediation(user: User, unit: Unit) -> None:
    if not holds_any(user, (Role.MEDIATOR, Role.CLERK), unit):
        raise NotPermitted(_("Only a mediator or an intake clerk of this unit may register a mediation."))


def can_see_party_data(user: User, record: MediationRecord) -> bool:
    return holds_any(user, PARTY_DATA_ROLES, record.unit)


def log_party_data_read(user: User, record: MediationRecord, *, purpose: str) -> None:
    """Record that a member of staff was shown the parties' phones and ID numbers."""
    PersonalDataAccess.objects.create(
        user=user,
        subject=f"mediation {record.case.number}",
        fields="parties: name, phone, ID number",
        purpose=purpose,
    )


# Petitions ---------------------------------------------------------------------------------------


def visible_petitions(user: User) -> QuerySet[Petition]:
    if not user.is_authenticated:
        return Petition.objects.none()
    queryset = Petition.objects.select_related("unit", "responsible_leader")
    if user.is_superuser:
        return queryset
    return queryset.filter(
        org_access.unit_scope_q(user, (Role.CLERK, Role.REVIEWER, Role.LEADER)) | Q(responsible_leader=user)
    )


def access_petition(user: User, petition_id, *, lock: bool = False) -> Petition:
    queryset = visible_petitions(user)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=petition_id)
    except (Petition.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such petition.")) from None


def check_may_handle_petition(user: User, petition: Petition) -> None:
    if not (holds_any(user, PETITIONER_DATA_ROLES, petition.unit) or petition.responsible_leader_id == user.pk):
        raise NotPermitted(_("Your role does not allow this on the petition."))


def can_see_petitioner_data(user: User, petition: Petition) -> bool:
    return holds_any(user, PETITIONER_DATA_ROLES, petition.unit) or petition.responsible_leader_id == user.pk


def log_petitioner_data_read(user: User, petition: Petition, *, purpose: str) -> None:
    PersonalDataAccess.objects.create(
        user=user, subject=f"petition {petition.number}", fields="petitioner: phone, ID number", purpose=purpose
    )


# Whistles -----------------------------------------------------------------------------------------


def whistle_unit(whistle: Whistle) -> Unit | None:
    case = whistle.case
    return case.unit if case is not None else whistle.unit


def visible_whistles(user: User) -> QuerySet[Whistle]:
    """Staff over the whistle's unit, and handlers of a summoned department serving it."""
    if not user.is_authenticated:
        return Whistle.objects.none()
    queryset = Whistle.objects.select_related("case__unit", "unit", "blown_by")
    if user.is_superuser:
        return queryset
    q = org_access.unit_scope_q(user, UNIT_SCOPED_ROLES, prefix="case__unit__path")
    q |= org_access.unit_scope_q(user, UNIT_SCOPED_ROLES, prefix="unit__path")
    for assignment in org_access.assignments(user):
        if assignment.role == Role.HANDLER and assignment.department_id is not None:
            served = Q(case__unit__path__startswith=assignment.unit.path) | Q(
                unit__path__startswith=assignment.unit.path
            )
            summoned = Whistle.objects.filter(summonses__department_id=assignment.department_id).values("pk")
            q |= served & Q(pk__in=summoned)
    return queryset.filter(q)


def access_whistle(user: User, whistle_id) -> Whistle:
    try:
        return visible_whistles(user).get(pk=whistle_id)
    except (Whistle.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such whistle.")) from None


def may_report_for(user: User, summons: WhistleSummons) -> bool:
    """The summoned department's handlers (over the whistle's unit) confirm and arrive."""
    unit = whistle_unit(summons.whistle)
    if unit is None:
        return bool(user.is_superuser)
    if org_access.holds_role(user, Role.ADMIN, unit):
        return True
    return org_access.handles_department(user, department_id=summons.department_id, unit=unit)


def access_summons_for_report(user: User, summons_id) -> WhistleSummons:
    """The summons, if the user sees its whistle (404 otherwise) and may report for it (403)."""
    try:
        summons = WhistleSummons.objects.select_related("whistle__case__unit", "whistle__unit", "department").get(
            pk=summons_id
        )
    except (WhistleSummons.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such summons.")) from None
    access_whistle(user, summons.whistle_id)
    if not may_report_for(user, summons):
        raise NotPermitted(_("Only the summoned department may confirm or report its arrival."))
    return summons
