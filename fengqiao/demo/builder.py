"""Build and remove the demo city behind ``manage.py load_demo``.

The demo is the unit tree of `data.units`, the people of `data.personas`, a year of cases
written in bulk by `history`, and open work for the personas created through the real
case actions by `workitems`. Everything the demo creates is found again by its unit codes
and usernames, which is how `remove_demo` takes it away.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fengqiao.analytics import early_warning, rollups
from fengqiao.cases.models import Case, CaseEvent, Whistle, WhistleSummons
from fengqiao.core.models import PersonalDataAccess
from fengqiao.deliberation.models import Topic
from fengqiao.notifications.models import Notification
from fengqiao.open311.models import Jurisdiction
from fengqiao.org.models import Department, PartyOrganisation, Role, RoleAssignment, Unit, User

from . import history, workitems
from .data import personas as persona_data
from .data import units as unit_data

MARKER_USERNAME = "clerk"
# The demo answers Open311 clients as Hefei (合肥市).
JURISDICTION = ("hefei.gov.cn", "合肥市", "HF")
ALREADY_LOADED = "Demo data already loaded; use --reset to rebuild it."
SEED = 2026


class DemoConflict(Exception):
    """Units or users with the demo's codes and names exist, but the demo is not loaded."""


@dataclass(frozen=True)
class PersonaRow:
    username: str
    role: str
    unit: str
    password: str


@dataclass(frozen=True)
class DemoSummary:
    units: int
    party_organisations: int
    users: int
    cases: int
    events: int
    live_cases: int
    personas: list[PersonaRow]


def is_loaded() -> bool:
    """The demo counts as loaded when its intake clerk exists."""
    return User.objects.filter(username=MARKER_USERNAME).exists()


@transaction.atomic
def load_demo(*, cases: int = 2000, reset: bool = False, seed: int = SEED) -> DemoSummary | None:
    """Build the demo city; None (and no change) when it is already loaded and `reset` is off.

    With `reset` the old demo is removed first, in the same transaction as the rebuild.
    """
    if reset:
        remove_demo()
    elif is_loaded():
        return None
    _check_free()
    now = timezone.now()
    units = _create_units()
    _create_jurisdiction(units=units)
    party_count = _create_party_organisations(units=units)
    people = _create_people(units=units)
    history.write_history(count=cases, units=units, people=people, rng=random.Random(seed), now=now)
    live = workitems.create_work_items(units=units, people=people, now=timezone.now())
    rollups.rebuild()
    _compute_warnings(now)
    demo_cases = Case.objects.filter(unit__code__in=unit_data.UNIT_CODES)
    return DemoSummary(
        units=len(units),
        party_organisations=party_count,
        users=len(people),
        cases=demo_cases.count(),
        events=CaseEvent.objects.filter(case__in=demo_cases).count(),
        live_cases=live,
        personas=persona_rows(),
    )


def _compute_warnings(now) -> None:
    """The nightly job's work, done once so that the warning page is not empty on day one."""
    this_month = timezone.localtime(now).date().replace(day=1)
    for month in (early_warning.month_add(this_month, -1), this_month):
        early_warning.run(month)


def remove_demo() -> None:
    """Delete everything the demo created: notifications, cases and their trail, roles,
    party organisations, the demo users and the demo units (children before parents)."""
    with transaction.atomic():
        units = Unit.objects.filter(code__in=unit_data.UNIT_CODES)
        users = User.objects.filter(username__in=persona_data.USERNAMES)
        cases = Case.objects.filter(unit__in=units)
        Notification.objects.filter(Q(case__in=cases) | Q(recipient__in=users)).delete()
        CaseEvent.objects.filter(case__in=cases).delete()
        whistles = Whistle.objects.filter(Q(case__in=cases) | Q(case__isnull=True, blown_by__in=users))
        WhistleSummons.objects.filter(whistle__in=whistles).delete()
        whistles.delete()
        # merged_into is PROTECT: the duplicates go before the cases they were merged into.
        cases.filter(merged_into__isnull=False).delete()
        cases.delete()
        PersonalDataAccess.objects.filter(user__in=users).delete()
        Topic.objects.filter(unit__in=units).delete()
        Jurisdiction.objects.filter(unit__in=units).delete()
        RoleAssignment.objects.filter(Q(user__in=users) | Q(unit__in=units)).delete()
        party = PartyOrganisation.objects.filter(unit__in=units)
        party.update(parent=None)
        party.delete()
        users.delete()
        for depth in sorted(set(units.values_list("depth", flat=True)), reverse=True):
            Unit.objects.filter(code__in=unit_data.UNIT_CODES, depth=depth).delete()


def persona_rows() -> list[PersonaRow]:
    """One row per demo user for the table the command prints."""
    rows_by_code = {row.code: row for row in unit_data.UNITS}

    def label(code: str) -> str:
        # A building reads better with its estate: “海恒家园 3栋”.
        row = rows_by_code[code]
        name = f"{rows_by_code[row.parent].name} {row.name}" if row.level == "building" and row.parent else row.name
        return f"{code} {name}"

    rows = []
    for persona in persona_data.PERSONAS:
        role = f"{persona.role} {Role(persona.role).label}"
        if persona.department:
            role = f"{role} {persona.department}"
        if persona.superuser:
            role = f"{role} (superuser)"
        scopes = persona_data.HANDLER_UNITS if persona in persona_data.HANDLERS else (persona.unit,)
        rows.append(PersonaRow(persona.username, role, ", ".join(map(label, scopes)), persona_data.PASSWORD))
    return rows


def _check_free() -> None:
    taken_units = list(Unit.objects.filter(code__in=unit_data.UNIT_CODES).values_list("code", flat=True)[:5])
    taken_users = list(User.objects.filter(username__in=persona_data.USERNAMES).values_list("username", flat=True)[:5])
    if taken_units or taken_users:
        raise DemoConflict(
            "The demo's units or users exist already ("
            + ", ".join(taken_units + taken_users)
            + "); use --reset to replace them."
        )


def _create_units() -> dict[str, Unit]:
    """Create the tree parents first: Unit.save() derives path and depth from the parent."""
    units: dict[str, Unit] = {}
    for row in unit_data.UNITS:
        latitude, longitude = unit_data.COORDINATES.get(row.code, (None, None))
        unit = Unit(
            code=row.code,
            name=row.name,
            level=row.level,
            parent=units[row.parent] if row.parent else None,
            latitude=latitude,
            longitude=longitude,
        )
        unit.save()
        units[row.code] = unit
    return units


def _create_jurisdiction(*, units: dict[str, Unit]) -> None:
    jurisdiction_id, name, unit_code = JURISDICTION
    Jurisdiction.objects.get_or_create(
        jurisdiction_id=jurisdiction_id, defaults={"name": name, "unit": units[unit_code]}
    )


def _create_party_organisations(*, units: dict[str, Unit]) -> int:
    organisations: dict[str, PartyOrganisation] = {}
    for row in unit_data.PARTY_ORGANISATIONS:
        if row.name in organisations:
            raise ValueError(f"duplicate party organisation {row.name}")
        organisations[row.name] = PartyOrganisation.objects.create(
            name=row.name,
            kind=row.kind,
            unit=units[row.unit],
            parent=organisations[row.parent] if row.parent else None,
        )
    return len(organisations)


def _create_people(*, units: dict[str, Unit]) -> dict[str, User]:
    """The demo users and their roles. The password is hashed once and shared: hashing it
    for each of the ~50 users would cost seconds with the production hasher."""
    password = make_password(persona_data.PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=persona.username,
            display_name=persona.display_name,
            first_name=persona.display_name[1:],
            last_name=persona.display_name[:1],
            phone=persona.phone,
            home_unit=units[persona.home_unit] if persona.home_unit else None,
            is_superuser=persona.superuser,
            is_staff=persona.superuser,
            password=password,
        )
        for persona in persona_data.PERSONAS
    )
    people = {user.username: user for user in users}
    if any(user.pk is None for user in users):
        people = {user.username: user for user in User.objects.filter(username__in=persona_data.USERNAMES)}
    departments = {department.code: department for department in Department.objects.all()}
    assignments = []
    for persona in persona_data.PERSONAS:
        scopes = persona_data.HANDLER_UNITS if persona in persona_data.HANDLERS else (persona.unit,)
        for scope in scopes:
            assignments.append(
                RoleAssignment(
                    user=people[persona.username],
                    role=persona.role,
                    unit=units[scope],
                    department=departments[persona.department] if persona.department else None,
                    on_duty=persona.on_duty,
                )
            )
    RoleAssignment.objects.bulk_create(assignments)
    return people
