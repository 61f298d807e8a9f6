"""``manage.py load_demo``: the demo city, its personas, a consistent case history and
open work for every persona; idempotent, and rebuilt the same way by --reset."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fengqiao.cases.models import Case, CaseEvent, Status
from fengqiao.cases.selectors import case_list
from fengqiao.demo.builder import ALREADY_LOADED
from fengqiao.demo.data.personas import PASSWORD, PERSONAS
from fengqiao.notifications.models import Notification
from fengqiao.org.models import CODE_PATTERN, PartyOrganisation, Role, RoleAssignment, Unit, UnitLevel, User

pytestmark = pytest.mark.django_db


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **{"cases": 200, **options})
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "party": PartyOrganisation.objects.count(),
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_every_persona_exists_with_the_demo_password_and_its_role():
    output = load()
    hh = Unit.objects.get(code="HF-JK-HH")
    for persona in PERSONAS:
        person = user(persona.username)
        assert person.check_password(PASSWORD), persona.username
        assert person.is_staff == persona.superuser
        assert RoleAssignment.objects.filter(user=person, role=persona.role, unit__code=persona.unit).exists()
        assert persona.username in output
    assert PASSWORD in output

    resident1, resident2 = user("resident1"), user("resident2")
    for resident in (resident1, resident2):
        assert resident.home_unit.level == UnitLevel.BUILDING
        assert resident.home_unit.is_within(hh)
        assert resident.phone and resident.display_name
    assert resident1.home_unit != resident2.home_unit

    handler = RoleAssignment.objects.get(user__username="handler")
    assert (handler.role, handler.unit, handler.department.code) == (Role.HANDLER, hh, "D02")
    for username in ("clerk", "reviewer", "mediator", "gridworker"):
        assert RoleAssignment.objects.get(user__username=username).unit == hh
    assert RoleAssignment.objects.get(user__username="clerk").on_duty
    assert RoleAssignment.objects.get(user__username="leader").unit.code == "HF-JK-HH"
    assert RoleAssignment.objects.get(user__username="leader_jk").unit.code == "HF-JK"
    admin = user("admin")
    assert admin.is_superuser and admin.is_staff
    for username in ("clerk_lh", "reviewer_lh", "clerk_fr", "reviewer_jx", "clerk_bh", "handler_d04", "handler_d22"):
        assert user(username).check_password(PASSWORD)


def test_the_unit_tree_follows_the_seed_page():
    load()
    streets = Unit.objects.filter(code__in=["HF-JK-LH", "HF-JK-FR", "HF-JK-JX", "HF-JK-HH", "HF-BH-BS"])
    assert {unit.level for unit in streets} == {UnitLevel.STREET}
    assert Unit.objects.get(code="HF-JK").parent.code == "HF"
    names = " ".join(Unit.objects.values_list("name", flat=True))
    for name in ("临湖", "芙蓉", "锦绣", "海恒", "滨湖世纪", "金星家园", "徽贵苑", "嘉禾县", "渣林村", "株洲市"):
        assert name in names
    hh = Unit.objects.get(code="HF-JK-HH")
    under_hh = Unit.objects.filter(path__startswith=hh.path)
    for level in (UnitLevel.COMMUNITY, UnitLevel.ESTATE, UnitLevel.BUILDING, UnitLevel.GRID):
        assert under_hh.filter(level=level).exists()
    assert Unit.objects.filter(code="HF-JK-HH-C01-E01-B03", name="3栋").exists()
    assert 5 <= Unit.objects.filter(path__startswith="/CZ/CZ-JH/", level=UnitLevel.COMMUNITY).count() <= 6
    assert all(CODE_PATTERN.fullmatch(code) for code in Unit.objects.values_list("code", flat=True))
    kinds = set(PartyOrganisation.objects.values_list("kind", flat=True))
    assert {"committee", "branch", "group"} <= kinds
    assert PartyOrganisation.objects.filter(name="海恒社区大社区党委", unit=hh).exists()


def test_the_history_follows_the_workflow():
    load()
    now = timezone.now()
    cases = list(Case.objects.select_related("subcategory", "department"))
    assert len(cases) >= 200
    assert len({case.number for case in cases}) == len(cases)
    last_status = {}
    for event in CaseEvent.objects.order_by("created_at", "id"):
        assert event.created_at <= now
        last_status[event.case_id] = event.to_status
    for case in cases:
        assert case.status == last_status[case.pk], case.number
        assert (
            case.deadline
            == Case(received_at=case.received_at, subcategory=case.subcategory, urgent=case.urgent).compute_deadline()
        )
        if case.status == Status.CLOSED:
            times = [case.received_at, case.dispatched_at, case.signed_at, case.replied_at, case.visited_at]
            times.append(case.closed_at)
            assert all(earlier < later for earlier, later in itertools.pairwise(times)), case.number
            assert times[-1] < now
            assert case.satisfaction and case.resolved is not None
            assert case.department == case.subcategory.department
        if case.status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.UNDER_REVIEW):
            assert case.classification_confirmed and case.department_id
        if case.status == Status.MERGED:
            assert case.merged_into.received_at <= case.received_at
    statuses = {case.status for case in cases}
    assert {Status.CLOSED, Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED} <= statuses


def test_the_personas_have_open_work():
    load()
    clerk, handler, reviewer, resident1 = (user(name) for name in ("clerk", "handler", "reviewer", "resident1"))
    received = case_list(viewer=clerk, filters={"status": "received"})
    assert received.filter(urgent=True, created_by=clerk, unit__path__startswith="/HF/HF-JK/HF-JK-HH/").exists()
    assert received.filter(reporter=resident1).exists()
    assert received.filter(reporter__username="resident2").exists()
    assert case_list(viewer=clerk, filters={"status": "returned"}).filter(events__action="case.return").exists()
    for status in ("dispatched", "in_progress"):
        assert case_list(viewer=handler, filters={"status": status, "department": "D02"}).count() >= 2
    assert case_list(viewer=reviewer, filters={"status": "under_review"}).count() >= 2
    replied = case_list(viewer=resident1, filters={"status": "replied"})
    assert replied.filter(reporter=resident1, reply_message__gt="").exists()
    signed = Case.objects.filter(events__action="case.sign", events__actor=handler, status=Status.IN_PROGRESS)
    assert signed.count() >= 2


def test_a_second_run_changes_nothing():
    load()
    before = counts()
    output = load()
    assert ALREADY_LOADED in output
    assert counts() == before


def test_reset_rebuilds_the_same_demo():
    load()
    before = counts()
    load(reset=True)
    assert counts() == before
    assert len(set(Case.objects.values_list("number", flat=True))) == before["cases"]
    assert user("clerk").check_password(PASSWORD)


def test_every_subcategory_appears():
    load(cases=400)
    assert Case.objects.values("subcategory").distinct().count() >= 50


def test_refuses_to_build_over_units_it_does_not_own():
    Unit.objects.create(code="HF", name="合肥市", level=UnitLevel.CITY)
    with pytest.raises(CommandError, match="--reset"):
        load()
