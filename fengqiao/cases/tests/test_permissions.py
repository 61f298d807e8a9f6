"""Who may do what, through the API: the action matrix (200 / 403 / 404), what each persona
sees in the list, who may record a case, and who sees the reporter's personal data."""

import pytest
from rest_framework.test import APIClient

from fengqiao.cases.actions import perform_action
from fengqiao.cases.models import Case
from fengqiao.core.models import PersonalDataAccess
from fengqiao.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED_PHONE = "138****5678"

# Persona names as used here → keys of the `people` fixture.
PERSONAS = {
    "resident1": "resident1",  # the reporter
    "resident2": "resident2",  # another resident of 海恒社区
    "clerk": "clerk",
    "handler": "handler",  # D02, the department the case goes to
    "handler12": "handler_d12",  # D12, another department
    "reviewer": "reviewer",
    "gridworker": "gridworker",
    "mediator": "mediator",
    "leader": "leader",  # the street: reads everything below it, acts on nothing
    "other_clerk": "other_clerk",  # 临湖社区: must not learn that the case exists
    "other_reviewer": "other_reviewer",
}

# For each action: the state the case is put in, then the answer for each persona in the order
# of PERSONAS. A handler sees only cases dispatched to its department, so a case still in 受理
# is invisible to it (404), like everything is to the other community's staff.
MATRIX = """
action         state         res1 res2 clerk hdl  hdl12 rev  grid med  lead oclk orev
accept         received      403  404  200   404  404   403  403  403  403  404  404
answer         received      403  404  200   404  404   403  403  403  403  404  404
dispatch       received      403  404  200   404  404   403  403  403  403  404  404
merge          received      403  404  200   404  404   403  403  403  403  404  404
whistle        received      403  404  200   404  404   403  200  403  403  404  404
sign           dispatched    403  404  403   200  404   403  403  403  403  404  404
return         dispatched    403  404  403   200  404   403  403  403  403  404  404
handle         in_progress   403  404  403   200  404   403  403  403  403  404  404
submit_review  in_progress   403  404  403   200  404   403  403  403  403  404  404
suspend        in_progress   403  404  403   200  404   200  403  403  403  404  404
reject         under_review  403  404  403   403  404   200  403  403  403  404  404
reply          under_review  403  404  200   403  404   200  403  403  403  404  404
visit          replied       200  404  200   403  404   403  403  403  403  404  404
close          visited       403  404  200   403  404   403  403  403  403  404  404
reopen         visited       403  404  200   403  404   403  403  403  403  404  404
resume         suspended     403  404  403   200  404   200  403  403  403  404  404
"""


def _matrix():
    rows = []
    for line in MATRIX.strip().splitlines()[1:]:
        action, state, *codes = line.split()
        assert len(codes) == len(PERSONAS), line
        rows += [(action, state, persona, int(code)) for persona, code in zip(PERSONAS, codes, strict=True)]
    return rows


MATRIX_ROWS = _matrix()

BODY = {
    "accept": {"subcategory": "01.02"},
    "answer": {"message": "请到社区服务中心办理"},
    "dispatch": {"department": "D02"},
    "whistle": {"departments": ["D02"], "place": "1栋楼下"},
    "sign": {},
    "return": {"reason": "不归物业管"},
    "handle": {"note": "已联系电工"},
    "submit_review": {"result": "已更换灯泡"},
    "suspend": {"reason": "等待配件"},
    "reject": {"reason": "请补充照片"},
    "reply": {"message": "灯已修好"},
    "visit": {"satisfaction": "dissatisfied", "resolved": False},
    "close": {},
    "reopen": {"reason": "灯又坏了"},
    "resume": {},
}

# The route from 受理 to each state: (persona, action, body) steps.
ROUTES = {
    "received": [],
    "dispatched": [("clerk", "dispatch", {"department": "D02"})],
    "in_progress": [("clerk", "dispatch", {"department": "D02"}), ("handler", "sign", {})],
}
ROUTES["under_review"] = [*ROUTES["in_progress"], ("handler", "submit_review", {"result": "已更换灯泡"})]
ROUTES["replied"] = [*ROUTES["under_review"], ("reviewer", "reply", {"message": "灯已修好"})]
ROUTES["visited"] = [*ROUTES["replied"], ("clerk", "visit", {"satisfaction": "dissatisfied", "resolved": False})]
ROUTES["suspended"] = [*ROUTES["in_progress"], ("reviewer", "suspend", {"reason": "等待居民补充材料"})]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def reported_case(tree, people, status: str = "received", **fields) -> Case:
    """resident1's appeal in 海恒社区 1栋, moved to `status` through the actions."""
    fields.setdefault("unit", tree["building1"])
    fields.setdefault("reporter", people["resident1"])
    fields.setdefault("phone", PHONE)
    fields.setdefault("contact_name", "王小明")
    case = CaseFactory(**fields)
    for who, action, body in ROUTES[status]:
        case = perform_action(actor=people[who], case_id=case.pk, action=action, data=body)
    return case


# The action matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "state", "persona", "expected"), MATRIX_ROWS)
def test_action_permission_matrix(tree, people, action, state, persona, expected):
    """Each persona gets 200 when its role allows the action, 403 when it can see the case but
    may not act, and 404 when it cannot see the case at all (never 403, which would leak it).
    A refused action leaves the case untouched."""
    case = reported_case(tree, people, state)
    body = dict(BODY.get(action, {}))
    if action == "merge":
        body["into"] = str(reported_case(tree, people, reporter=people["resident2"], unit=tree["building2"]).pk)

    response = api(people[PERSONAS[persona]]).post(f"/api/v1/cases/{case.pk}/actions/{action}/", body, format="json")

    assert response.status_code == expected, response.content
    fresh = Case.objects.get(pk=case.pk)
    if expected == 200:
        assert response.data["id"] == case.pk
        assert response.data["version"] == fresh.version > case.version
    else:
        assert isinstance(response.data["detail"], str) and response.data["detail"]
        assert fresh.version == case.version
        assert fresh.status == case.status


def test_the_matrix_covers_every_action():
    """Every action of the workflow table appears in the matrix."""
    from fengqiao.cases.workflow import TRANSITIONS

    assert {action for action, *_ in MATRIX_ROWS} == set(TRANSITIONS)


def test_the_department_handler_loses_a_case_sent_elsewhere(tree, people):
    """After a return and a dispatch to D12, D02's handler gets 404 and D12's handler may act."""
    case = reported_case(tree, people, "dispatched")
    perform_action(actor=people["handler"], case_id=case.pk, action="return", data={"reason": "归市政"})
    perform_action(actor=people["clerk"], case_id=case.pk, action="dispatch", data={"department": "D12"})

    assert api(people["handler"]).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api(people["handler"]).post(f"/api/v1/cases/{case.pk}/actions/sign/", {}).status_code == 404
    assert api(people["handler_d12"]).post(f"/api/v1/cases/{case.pk}/actions/sign/", {}).status_code == 200


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("resident1", 200),
        ("resident2", 404),
        ("clerk", 200),
        ("handler", 200),
        ("handler12", 404),
        ("reviewer", 200),
        ("gridworker", 200),
        ("mediator", 200),
        ("leader", 200),
        ("other_clerk", 404),
        ("other_reviewer", 404),
    ],
)
def test_detail_and_events_visibility(tree, people, persona, expected):
    """The detail and the events of a dispatched case answer 200 to those who may see it and
    404 to everyone else."""
    case = reported_case(tree, people, "dispatched")
    client = api(people[PERSONAS[persona]])
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == expected
    assert client.get(f"/api/v1/cases/{case.pk}/events/").status_code == expected


def test_actions_listed_on_the_case_follow_the_matrix(tree, people):
    """The `actions` field tells each persona what it may do now."""
    case = reported_case(tree, people, "in_progress")
    expected = {
        "handler": ["return", "handle", "submit_review", "suspend"],
        "reviewer": ["suspend"],
        "clerk": ["merge", "whistle"],
        "gridworker": ["whistle"],
        "leader": [],
        "resident1": [],
    }
    for persona, names in expected.items():
        response = api(people[PERSONAS[persona]]).get(f"/api/v1/cases/{case.pk}/")
        assert response.data["actions"] == names, persona


# The list endpoint ---------------------------------------------------------------------------


def test_each_persona_lists_exactly_the_cases_it_may_see(tree, people, d12):
    """Residents list their own cases; staff their units' subtrees; handlers the cases sent to
    their department; the street leader both communities; nobody anything else."""
    a = reported_case(tree, people, "dispatched")  # resident1, D02
    b = reported_case(tree, people, reporter=people["resident2"], unit=tree["building2"])  # resident2, 受理
    c = CaseFactory(unit=tree["lh_estate"])  # 临湖社区
    d = CaseFactory(unit=tree["estate"], status="dispatched", department=d12)  # 海恒, D12
    hh = {a.pk, b.pk, d.pk}
    expected = {
        "resident1": {a.pk},
        "resident2": {b.pk},
        "clerk": hh,
        "handler": {a.pk},
        "handler12": {d.pk},
        "reviewer": hh,
        "gridworker": hh,
        "mediator": hh,
        "leader": {a.pk, b.pk, c.pk, d.pk},
        "other_clerk": {c.pk},
        "other_reviewer": {c.pk},
    }
    for persona, ids in expected.items():
        response = api(people[PERSONAS[persona]]).get("/api/v1/cases/")
        assert response.status_code == 200
        assert {row["id"] for row in response.data["results"]} == ids, persona
        assert response.data["count"] == len(ids), persona


def test_anonymous_callers_are_refused(tree, people):
    """Without credentials the API answers 401/403 and lists nothing."""
    reported_case(tree, people)
    assert APIClient().get("/api/v1/cases/").status_code in (401, 403)
    assert APIClient().post("/api/v1/cases/", {"text": "x"}, format="json").status_code in (401, 403)


# Recording a case -----------------------------------------------------------------------------


def test_a_resident_cannot_create_an_urgent_case(tree, people):
    """Residents describe, staff decide what is urgent: `urgent` from a resident is ignored and
    the case gets the ordinary time limit; it belongs to the resident's home unit. (What the
    appeal says can still make it urgent: triage decides that, see fengqiao/triage/tests.)"""
    response = api(people["resident1"]).post(
        "/api/v1/cases/", {"text": "保洁很久没有打扫楼道了", "urgent": True, "subcategory": "01.02"}, format="json"
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.data["id"])
    assert case.urgent is False
    assert response.data["urgent"] is False
    assert case.reporter == people["resident1"]
    assert case.unit == tree["building1"]
    assert case.deadline == case.compute_deadline()


def test_staff_may_create_an_urgent_case(tree, people):
    """A clerk may record an urgent case: two clock hours."""
    response = api(people["clerk"]).post(
        "/api/v1/cases/", {"text": "燃气泄漏", "unit": "HF-JK-FR-HH-E1", "urgent": True}, format="json"
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.data["id"])
    assert case.urgent is True
    assert case.reporter is None
    assert case.created_by == people["clerk"]


def test_staff_must_name_a_unit(tree, people):
    """Staff have no home unit: a case without one is a bad request."""
    response = api(people["clerk"]).post("/api/v1/cases/", {"text": "路灯不亮"}, format="json")
    assert response.status_code == 400
    assert "unit" in response.data["detail"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["clerk", "gridworker", "reviewer"])
def test_staff_may_not_record_cases_outside_their_scope(tree, people, persona):
    """A unit outside the caller's subtree is refused with 403; one inside is accepted."""
    client = api(people[persona])
    outside = client.post("/api/v1/cases/", {"text": "路灯不亮", "unit": "HF-JK-FR-LH-E1"}, format="json")
    assert outside.status_code == 403
    assert not Case.objects.exists()
    inside = client.post("/api/v1/cases/", {"text": "路灯不亮", "unit": "HF-JK-FR-HH-E1-B2"}, format="json")
    assert inside.status_code == 201
    assert inside.data["unit"] == "HF-JK-FR-HH-E1-B2"


def test_the_street_leader_may_record_cases_anywhere_below_the_street(tree, people):
    """The street's scope covers both communities."""
    response = api(people["leader"]).post(
        "/api/v1/cases/", {"text": "路灯不亮", "unit": "HF-JK-FR-LH-E1"}, format="json"
    )
    assert response.status_code == 201


# Personal data ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "phone", "name"),
    [
        ("resident1", PHONE, "王小明"),
        ("clerk", PHONE, "王小明"),
        ("handler", PHONE, "王小明"),
        ("mediator", PHONE, "王小明"),
        ("reviewer", MASKED_PHONE, "王**"),
        ("gridworker", MASKED_PHONE, "王**"),
        ("leader", MASKED_PHONE, "王**"),
    ],
)
def test_detail_masks_personal_data_for_roles_that_do_not_need_it(tree, people, persona, phone, name):
    """On the detail endpoint the reporter, the clerk, the department's handler and the mediator
    see the phone and name; the reviewer, grid worker and leader see them masked."""
    case = reported_case(tree, people, "dispatched")
    response = api(people[PERSONAS[persona]]).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    assert response.data["phone"] == phone
    assert response.data["contact_name"] == name


def test_the_handler_of_another_department_never_sees_the_phone(tree, people, d12):
    """A handler sees the phone only on cases of its own department; D12's handler gets the
    case only when it is dispatched there, and D02's handler then gets 404."""
    case = reported_case(tree, people, "dispatched")
    perform_action(actor=people["handler"], case_id=case.pk, action="return", data={"reason": "归市政"})
    perform_action(actor=people["clerk"], case_id=case.pk, action="dispatch", data={"department": "D12"})
    response = api(people["handler_d12"]).get(f"/api/v1/cases/{case.pk}/")
    assert response.data["phone"] == PHONE
    assert api(people["handler"]).get(f"/api/v1/cases/{case.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["resident1", "clerk", "handler", "reviewer", "mediator", "leader"])
def test_every_list_is_masked(tree, people, persona):
    """Lists never show a phone or a name in full, whoever asks."""
    reported_case(tree, people, "dispatched")
    response = api(people[PERSONAS[persona]]).get("/api/v1/cases/")
    assert response.status_code == 200
    (row,) = response.data["results"]
    assert row["phone"] == MASKED_PHONE
    assert row["contact_name"] == "王**"
    assert PHONE not in response.content.decode()


def test_an_unmasked_read_by_staff_is_logged(tree, people):
    """Every time staff are shown the phone in full, a PersonalDataAccess row records who and
    whose; masked reads and the reporter's own reads are not logged."""
    case = reported_case(tree, people, "dispatched")
    PersonalDataAccess.objects.all().delete()

    api(people["clerk"]).get(f"/api/v1/cases/{case.pk}/")
    api(people["handler"]).get(f"/api/v1/cases/{case.pk}/")
    rows = PersonalDataAccess.objects.order_by("id")
    assert [row.user for row in rows] == [people["clerk"], people["handler"]]
    assert all(case.number in row.subject for row in rows)
    assert all("phone" in row.fields for row in rows)

    api(people["reviewer"]).get(f"/api/v1/cases/{case.pk}/")
    api(people["resident1"]).get(f"/api/v1/cases/{case.pk}/")
    api(people["clerk"]).get("/api/v1/cases/")
    assert PersonalDataAccess.objects.count() == 2


def test_an_action_response_that_shows_the_phone_is_logged(tree, people):
    """An action's response carries the case unmasked for the handler; that read is logged too."""
    case = reported_case(tree, people, "dispatched")
    PersonalDataAccess.objects.all().delete()

    response = api(people["handler"]).post(f"/api/v1/cases/{case.pk}/actions/sign/", {}, format="json")
    assert response.status_code == 200
    assert response.data["phone"] == PHONE
    assert PersonalDataAccess.objects.filter(user=people["handler"], subject__contains=case.number).count() == 1

    response = api(people["reviewer"]).post(
        f"/api/v1/cases/{case.pk}/actions/suspend/", {"reason": "等待配件"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["phone"] == MASKED_PHONE
    assert not PersonalDataAccess.objects.filter(user=people["reviewer"]).exists()
