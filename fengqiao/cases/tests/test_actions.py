"""The case actions (cases/actions.py), called through `perform_action`: what each one does to
the case, the audit row it writes, the transitions it refuses, and who hears about it."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from fengqiao.cases import workflow
from fengqiao.cases.actions import do_create_case, do_decline_suspension, perform_action
from fengqiao.cases.models import Case, CaseEvent, Status, Whistle, WhistleSummons
from fengqiao.core import workcalendar
from fengqiao.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from fengqiao.notifications.channels import OutboxSmsBackend
from fengqiao.notifications.models import Notification
from fengqiao.org.models import Department, Role, RoleAssignment
from fengqiao.taxonomy.models import CaseType, Subcategory
from fengqiao.testing.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"

# How each state is reached from 受理, one action at a time: (previous state, persona, action, body).
ROUTE = {
    "dispatched": ("received", "clerk", "dispatch", {"department": "D02", "note": "请物业处理"}),
    "in_progress": ("dispatched", "handler", "sign", {}),
    "under_review": ("in_progress", "handler", "submit_review", {"result": "已更换灯泡"}),
    "replied": ("under_review", "reviewer", "reply", {"message": "灯已修好"}),
    "visited": ("replied", "clerk", "visit", {"satisfaction": "dissatisfied", "resolved": False}),
    "closed": ("visited", "clerk", "close", {}),
    "returned": ("dispatched", "handler", "return", {"reason": "不属于物业"}),
    "suspended": ("in_progress", "reviewer", "suspend", {"reason": "等待居民补充材料"}),
}


def new_case(tree, people, **fields) -> Case:
    """A fresh appeal of resident1 in 海恒社区 1栋, classified 01.02 物业服务质量."""
    fields.setdefault("unit", tree["building1"])
    fields.setdefault("reporter", people["resident1"])
    fields.setdefault("phone", PHONE)
    fields.setdefault("contact_name", "王小明")
    return CaseFactory(**fields)


def act(people, who: str, case: Case, action: str, body: dict | None = None, **kwargs) -> Case:
    return perform_action(actor=people[who], case_id=case.pk, action=action, data=body or {}, **kwargs)


def advance(case: Case, status: str, people) -> Case:
    """Move `case` from 受理 to `status` through the actions, each taken by the right persona."""
    if status == "merged":
        target = CaseFactory(unit=case.unit)
        return act(people, "clerk", case, "merge", {"into": str(target.pk)})
    route = []
    while status != "received":
        previous, who, action, body = ROUTE[status]
        route.append((who, action, body))
        status = previous
    for who, action, body in reversed(route):
        case = act(people, who, case, action, body)
    return case


def events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).order_by("created_at", "id"))


def last_event(case: Case) -> CaseEvent:
    return events(case)[-1]


def instants(values: list[str]) -> list[dt.datetime]:
    """The [old, new] pair of an audited time, parsed (the offset it is written with may vary)."""
    return [dt.datetime.fromisoformat(value) for value in values]


# Each action's effect and its audit row ------------------------------------------------------


def test_accept_confirms_the_classification_and_recomputes_the_deadline(tree, people):
    """accept keeps the case in 受理, stores the corrected classification, and the deadline
    follows the new subcategory's limit (01.01: 24 clock hours)."""
    case = new_case(tree, people)
    old_deadline = case.deadline
    case = act(people, "clerk", case, "accept", {"case_type": "consult", "subcategory": "01.01"})

    assert case.status == "received"
    assert case.classification_confirmed is True
    assert case.subcategory.code == "01.01"
    assert case.case_type.code == "consult"
    assert case.deadline == case.received_at + dt.timedelta(hours=24)
    assert case.version == 2
    event = last_event(case)
    assert event.action == "case.accept"
    assert event.actor == people["clerk"]
    assert (event.from_status, event.to_status) == ("received", "received")
    assert event.changes["classification_confirmed"] == [False, True]
    assert event.changes["subcategory"] == ["01.02", "01.01"]
    assert event.changes["case_type"] == ["complaint", "consult"]
    assert instants(event.changes["deadline"]) == [old_deadline, case.deadline]


def test_accept_as_urgent_gives_a_two_hour_deadline(tree, people):
    """An urgent case is due two clock hours after it was received."""
    case = act(people, "clerk", new_case(tree, people), "accept", {"urgent": True})

    assert case.urgent is True
    assert case.deadline == case.received_at + dt.timedelta(hours=2)
    assert last_event(case).changes["urgent"] == [False, True]


def test_answer_replies_directly_at_intake(tree, people):
    """answer takes an enquiry straight from 受理 to 回复, keeping the message as the reason."""
    case = act(people, "clerk", new_case(tree, people), "answer", {"message": "办理居住证请到社区服务中心"})

    assert case.status == "replied"
    assert case.reply_message == "办理居住证请到社区服务中心"
    assert case.replied_at is not None
    event = last_event(case)
    assert event.action == "case.answer"
    assert (event.from_status, event.to_status) == ("received", "replied")
    assert event.changes["status"] == ["received", "replied"]
    assert event.changes["reply_message"] == ["", "办理居住证请到社区服务中心"]
    assert event.reason == "办理居住证请到社区服务中心"


def test_dispatch_sends_the_case_to_a_department(tree, people, d02):
    """dispatch records the department and the time, with the note as the event's reason."""
    case = act(people, "clerk", new_case(tree, people), "dispatch", {"department": "D02", "note": "请物业处理"})

    assert case.status == "dispatched"
    assert case.department == d02
    assert case.dispatched_at is not None
    event = last_event(case)
    assert event.action == "case.dispatch"
    assert event.actor == people["clerk"]
    assert (event.from_status, event.to_status) == ("received", "dispatched")
    assert event.changes["department"] == [None, "D02"]
    assert event.changes["status"] == ["received", "dispatched"]
    assert event.reason == "请物业处理"


def test_dispatch_of_an_unclassified_case_is_refused(tree, people):
    """A case without a subcategory has no time limit yet: dispatch asks to classify it first (400)."""
    case = new_case(tree, people, subcategory=None)
    with pytest.raises(ValidationFailed):
        act(people, "clerk", case, "dispatch", {"department": "D02"})
    case.refresh_from_db()
    assert case.status == "received"
    assert events(case) == []


def test_sign_starts_the_handling(tree, people):
    """sign takes the case into 办理 and stamps the signing time."""
    case = advance(new_case(tree, people), "dispatched", people)
    case = act(people, "handler", case, "sign")

    assert case.status == "in_progress"
    assert case.signed_at is not None
    event = last_event(case)
    assert event.action == "case.sign"
    assert event.actor == people["handler"]
    assert (event.from_status, event.to_status) == ("dispatched", "in_progress")
    assert event.changes["signed_at"][0] is None


def test_return_and_redispatch_to_another_department(tree, people, d12):
    """A department returns a misrouted case with a reason; the clerk dispatches it to another
    department, whose handler may then sign it while the first handler no longer sees it."""
    case = advance(new_case(tree, people), "dispatched", people)
    case = act(people, "handler", case, "return", {"reason": "路灯归市政管"})

    assert case.status == "returned"
    event = last_event(case)
    assert event.action == "case.return"
    assert event.actor == people["handler"]
    assert (event.from_status, event.to_status) == ("dispatched", "returned")
    assert event.reason == "路灯归市政管"

    case = act(people, "clerk", case, "dispatch", {"department": "D12"})
    assert case.status == "dispatched"
    assert case.department == d12
    assert last_event(case).changes["department"] == ["D02", "D12"]

    with pytest.raises(NotFound):
        act(people, "handler", case, "sign")
    case = act(people, "handler_d12", case, "sign")
    assert case.status == "in_progress"


def test_return_after_signing(tree, people):
    """A department may also return a case it has already signed for."""
    case = advance(new_case(tree, people), "in_progress", people)
    case = act(people, "handler", case, "return", {"reason": "需要住建部门处理"})
    assert case.status == "returned"
    assert (last_event(case).from_status, last_event(case).to_status) == ("in_progress", "returned")


def test_handle_records_a_progress_note(tree, people):
    """handle leaves the state as it is but bumps the version and records the note."""
    case = advance(new_case(tree, people), "in_progress", people)
    version = case.version
    case = act(people, "handler", case, "handle", {"note": "已联系电工，明天上门"})

    assert case.status == "in_progress"
    assert case.version == version + 1
    event = last_event(case)
    assert event.action == "case.handle"
    assert (event.from_status, event.to_status) == ("in_progress", "in_progress")
    assert event.changes == {}
    assert event.reason == "已联系电工，明天上门"


def test_submit_review_stores_the_result(tree, people):
    """submit_review hands the result to the reviewer."""
    case = advance(new_case(tree, people), "in_progress", people)
    case = act(people, "handler", case, "submit_review", {"result": "已更换灯泡"})

    assert case.status == "under_review"
    assert case.result == "已更换灯泡"
    event = last_event(case)
    assert event.action == "case.submit_review"
    assert (event.from_status, event.to_status) == ("in_progress", "under_review")
    assert event.changes["result"] == ["", "已更换灯泡"]
    assert event.reason == "已更换灯泡"
    assert Notification.objects.filter(recipient=people["reviewer"], case=case, verb="case.submit_review").exists()


def test_reject_then_resubmit(tree, people):
    """The reviewer sends a case back to 办理 with a reason; the handler submits it again."""
    case = advance(new_case(tree, people), "under_review", people)
    case = act(people, "reviewer", case, "reject", {"reason": "请附上维修照片"})

    assert case.status == "in_progress"
    event = last_event(case)
    assert event.action == "case.reject"
    assert event.actor == people["reviewer"]
    assert (event.from_status, event.to_status) == ("under_review", "in_progress")
    assert event.reason == "请附上维修照片"
    assert Notification.objects.filter(recipient=people["handler"], case=case, verb="case.reject").exists()

    case = act(people, "handler", case, "submit_review", {"result": "已更换灯泡，照片见附件"})
    assert case.status == "under_review"
    assert last_event(case).changes["result"] == ["已更换灯泡", "已更换灯泡，照片见附件"]
    assert [e.action for e in events(case)][-3:] == ["case.submit_review", "case.reject", "case.submit_review"]


@pytest.mark.parametrize("who", ["reviewer", "clerk"])
def test_reply_approves_and_tells_the_resident(tree, people, who):
    """reply (by the reviewer or the clerk) takes the case to 回复 with the message."""
    case = advance(new_case(tree, people), "under_review", people)
    case = act(people, who, case, "reply", {"message": "灯已修好"})

    assert case.status == "replied"
    assert case.reply_message == "灯已修好"
    assert case.replied_at is not None
    event = last_event(case)
    assert event.action == "case.reply"
    assert event.actor == people[who]
    assert (event.from_status, event.to_status) == ("under_review", "replied")
    assert event.changes["reply_message"] == ["", "灯已修好"]
    assert Notification.objects.filter(recipient=people["resident1"], case=case, verb="case.reply").exists()


@pytest.mark.parametrize("satisfaction", ["satisfied", "basically_satisfied"])
def test_a_satisfied_visit_closes_the_case(tree, people, satisfaction):
    """A (basically) satisfied verdict writes the visit event and a system close event."""
    case = advance(new_case(tree, people), "replied", people)
    case = act(people, "resident1", case, "visit", {"satisfaction": satisfaction, "resolved": True, "note": "谢谢"})

    assert case.status == "closed"
    assert case.satisfaction == satisfaction
    assert case.resolved is True
    assert case.closed_at is not None
    visit, close = events(case)[-2:]
    assert visit.action == "case.visit"
    assert visit.actor == people["resident1"]
    assert (visit.from_status, visit.to_status) == ("replied", "visited")
    assert visit.changes["satisfaction"] == ["", satisfaction]
    assert visit.changes["resolved"] == [None, True]
    assert visit.reason == "谢谢"
    assert close.action == "case.close"
    assert close.actor is None
    assert (close.from_status, close.to_status) == ("visited", "closed")
    assert close.changes["closed_at"][0] is None


def test_a_dissatisfied_visit_waits_for_the_clerk(tree, people):
    """A dissatisfied verdict leaves the case in 回访 and alerts the clerk and the reviewer."""
    case = advance(new_case(tree, people), "replied", people)
    case = act(people, "resident1", case, "visit", {"satisfaction": "dissatisfied", "resolved": False})

    assert case.status == "visited"
    assert case.closed_at is None
    assert last_event(case).action == "case.visit"
    assert Notification.objects.filter(case=case, verb="case.visit", recipient=people["clerk"]).exists()
    assert Notification.objects.filter(case=case, verb="case.visit", recipient=people["reviewer"]).exists()


def test_close_by_the_clerk(tree, people):
    """The clerk closes a visited case; the actor is recorded."""
    case = advance(new_case(tree, people), "visited", people)
    case = act(people, "clerk", case, "close")

    assert case.status == "closed"
    assert case.closed_at is not None
    event = last_event(case)
    assert event.action == "case.close"
    assert event.actor == people["clerk"]
    assert (event.from_status, event.to_status) == ("visited", "closed")


def test_reopen_after_a_dissatisfied_visit(tree, people, d02):
    """reopen goes back to 派发 with the same department, a fresh deadline counted from the
    reopening, reopen_count 1, and the earlier verdict cleared."""
    received = timezone.now() - dt.timedelta(days=20)
    case = advance(new_case(tree, people, received_at=received), "visited", people)
    old_deadline = case.deadline
    case = act(people, "clerk", case, "reopen", {"reason": "灯又坏了"})

    event = last_event(case)
    assert case.status == "dispatched"
    assert case.department == d02
    assert case.reopen_count == 1
    assert case.satisfaction == ""
    assert case.resolved is None
    assert case.deadline > old_deadline
    assert case.deadline == case.compute_deadline(start=event.created_at)
    assert case.deadline > timezone.now()
    assert event.action == "case.reopen"
    assert event.actor == people["clerk"]
    assert (event.from_status, event.to_status) == ("visited", "dispatched")
    assert event.changes["reopen_count"] == [0, 1]
    assert event.changes["satisfaction"] == ["dissatisfied", ""]
    assert instants(event.changes["deadline"]) == [old_deadline, case.deadline]
    assert event.reason == "灯又坏了"
    assert Notification.objects.filter(recipient=people["handler"], case=case, verb="case.reopen").exists()


def test_reopen_a_closed_case(tree, people):
    """A closed case reopens too; its closing time is cleared."""
    case = advance(new_case(tree, people), "closed", people)
    case = act(people, "clerk", case, "reopen", {"reason": "居民再次来电"})

    assert case.status == "dispatched"
    assert case.closed_at is None
    assert case.reopen_count == 1
    assert last_event(case).from_status == "closed"


def test_reopen_a_case_answered_at_intake_goes_back_to_received(tree, people):
    """A case answered directly has no department: reopening returns it to 受理."""
    case = act(people, "clerk", new_case(tree, people), "answer", {"message": "请拨打12345"})
    case = act(people, "resident1", case, "visit", {"satisfaction": "dissatisfied", "resolved": False})
    case = act(people, "clerk", case, "reopen", {"reason": "电话打不通"})

    assert case.status == "received"
    assert case.department is None
    assert case.reopen_count == 1
    assert (last_event(case).from_status, last_event(case).to_status) == ("visited", "received")


# Suspension --------------------------------------------------------------------------------------


def test_a_handlers_suspend_is_a_request_for_the_reviewer(tree, people):
    """The handler's suspend leaves the state unchanged, writes case.suspend_request and tells
    the reviewer; a second request while one waits is a conflict."""
    case = advance(new_case(tree, people), "in_progress", people)
    case = act(people, "handler", case, "suspend", {"reason": "等待居民提供照片", "until": "2031-01-15"})

    assert case.status == "in_progress"
    assert case.suspension_requested_by == people["handler"]
    assert case.suspension_reason == "等待居民提供照片"
    assert case.suspended_until == dt.date(2031, 1, 15)
    event = last_event(case)
    assert event.action == "case.suspend_request"
    assert event.actor == people["handler"]
    assert (event.from_status, event.to_status) == ("in_progress", "in_progress")
    assert event.changes["suspension_requested_by"] == [None, people["handler"].pk]
    assert event.changes["suspended_until"] == [None, "2031-01-15"]
    assert event.reason == "等待居民提供照片"
    assert Notification.objects.filter(recipient=people["reviewer"], verb="case.suspend_request").exists()

    with pytest.raises(Conflict):
        act(people, "handler", case, "suspend", {"reason": "再次申请"})


def test_suspend_request_granted_then_resume_extends_the_deadline(tree, people):
    """The reviewer grants the request (the case is 挂起, the request cleared); resume returns
    to the state before and moves the deadline by the paused time (01.01: clock hours)."""
    case = advance(new_case(tree, people, subcategory=Subcategory.objects.get(code="01.01")), "in_progress", people)
    case = act(people, "handler", case, "suspend", {"reason": "等待配件"})
    case = act(people, "reviewer", case, "suspend", {"reason": "同意挂起"})

    assert case.status == "suspended"
    assert case.status_before_suspension == "in_progress"
    assert case.suspension_requested_by is None
    assert case.suspended_at is not None
    grant = last_event(case)
    assert grant.action == "case.suspend"
    assert grant.actor == people["reviewer"]
    assert (grant.from_status, grant.to_status) == ("in_progress", "suspended")
    assert grant.changes["status"] == ["in_progress", "suspended"]
    assert grant.changes["suspension_requested_by"] == [people["handler"].pk, None]

    Case.objects.filter(pk=case.pk).update(suspended_at=timezone.now() - dt.timedelta(hours=3))
    case.refresh_from_db()
    paused_from, old_deadline = case.suspended_at, case.deadline
    case = act(people, "handler", case, "resume")

    resume = last_event(case)
    assert case.status == "in_progress"
    assert case.suspended_at is None
    assert case.status_before_suspension == ""
    assert case.deadline == old_deadline + (resume.created_at - paused_from)
    assert dt.timedelta(hours=3) <= case.deadline - old_deadline < dt.timedelta(hours=3, minutes=1)
    assert resume.action == "case.resume"
    assert (resume.from_status, resume.to_status) == ("suspended", "in_progress")
    assert instants(resume.changes["deadline"]) == [old_deadline, case.deadline]


def test_resume_of_a_working_day_limit_adds_the_working_time_paused(tree, people):
    """For a working-day limit the deadline moves by the working time the pause used."""
    case = advance(new_case(tree, people), "suspended", people)
    Case.objects.filter(pk=case.pk).update(suspended_at=timezone.now() - dt.timedelta(days=14))
    case.refresh_from_db()
    paused_from, old_deadline = case.suspended_at, case.deadline
    case = act(people, "reviewer", case, "resume")

    resume = last_event(case)
    expected = workcalendar.extend_for_pause(
        old_deadline, unit="workday", paused_from=paused_from, paused_to=resume.created_at
    )
    assert case.deadline == expected
    # Two weeks hold working days even around the Spring Festival.
    assert case.deadline - old_deadline >= dt.timedelta(days=2)


def test_resume_returns_to_dispatched_when_suspended_before_signing(tree, people):
    """A case suspended in 派发 resumes in 派发."""
    case = advance(new_case(tree, people), "dispatched", people)
    case = act(people, "reviewer", case, "suspend", {"reason": "等待居民回来"})
    assert case.status_before_suspension == "dispatched"
    case = act(people, "reviewer", case, "resume")
    assert case.status == "dispatched"


def test_the_reviewer_declines_a_suspension_request(tree, people):
    """do_decline_suspension clears the request, keeps the clock running, tells the handler;
    the handler may not decline, and there must be a request to decline."""
    case = advance(new_case(tree, people), "in_progress", people)
    with pytest.raises(Conflict):
        do_decline_suspension(Case.objects.get(pk=case.pk), actor=people["reviewer"], reason="无")
    case = act(people, "handler", case, "suspend", {"reason": "等待配件"})

    with pytest.raises(NotPermitted):
        do_decline_suspension(Case.objects.get(pk=case.pk), actor=people["handler"], reason="自己拒绝")

    with transaction.atomic():
        event = do_decline_suspension(
            Case.objects.select_for_update().get(pk=case.pk), actor=people["reviewer"], reason="配件可先借用"
        )
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.suspension_requested_by is None
    assert case.suspension_reason == ""
    assert event.action == "case.suspend_decline"
    assert event.actor == people["reviewer"]
    assert (event.from_status, event.to_status) == ("in_progress", "in_progress")
    assert event.changes["suspension_requested_by"] == [people["handler"].pk, None]
    assert event.reason == "配件可先借用"
    assert Notification.objects.filter(recipient=people["handler"], verb="case.suspend_decline").exists()

    # Declined, the handler may ask again.
    case = act(people, "handler", case, "suspend", {"reason": "仍在等待配件"})
    assert last_event(case).action == "case.suspend_request"


# Merge and whistle -------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["id", "number"])
def test_merge_into_an_open_case(tree, people, by):
    """merge folds a duplicate into a visible open case, named by id or by number."""
    target = advance(new_case(tree, people), "in_progress", people)
    case = new_case(tree, people, reporter=people["resident2"], unit=tree["building2"])
    case = act(people, "clerk", case, "merge", {"into": str(target.pk) if by == "id" else target.number})

    assert case.status == "merged"
    assert case.merged_into == target
    event = last_event(case)
    assert event.action == "case.merge"
    assert event.actor == people["clerk"]
    assert (event.from_status, event.to_status) == ("received", "merged")
    assert event.changes["merged_into"] == [None, target.number]
    assert event.data == {"into": target.pk, "into_number": target.number}


def test_merge_into_itself_is_a_bad_request(tree, people):
    """A case cannot be its own duplicate (400); nothing changes."""
    case = new_case(tree, people)
    with pytest.raises(ValidationFailed):
        act(people, "clerk", case, "merge", {"into": str(case.pk)})
    case.refresh_from_db()
    assert case.status == "received"
    assert case.version == 1


def test_merge_into_a_merged_case_is_a_bad_request(tree, people):
    """Merging into a case that is itself merged is refused (400): merge into its target."""
    merged = advance(new_case(tree, people), "merged", people)
    case = new_case(tree, people)
    with pytest.raises(ValidationFailed):
        act(people, "clerk", case, "merge", {"into": str(merged.pk)})
    assert Case.objects.get(pk=case.pk).status == "received"


def test_merge_into_a_case_the_clerk_cannot_see_is_a_bad_request(tree, people):
    """The target must be a case the clerk can see; another community's case is unknown (400)."""
    elsewhere = CaseFactory(unit=tree["lh_estate"])
    with pytest.raises(ValidationFailed):
        act(people, "clerk", new_case(tree, people), "merge", {"into": str(elsewhere.pk)})


@pytest.mark.parametrize("who", ["clerk", "gridworker"])
def test_whistle_summons_each_department(tree, people, who, d02, d12):
    """whistle creates a Whistle with one summons per department, marks the case whistled,
    leaves the state, and tells the summoned departments' handlers."""
    case = new_case(tree, people)
    case = act(people, who, case, "whistle", {"departments": ["D02", "D12"], "place": "1栋楼下", "note": "漏水"})

    assert case.status == "received"
    assert case.whistled is True
    whistle = Whistle.objects.get(case=case)
    assert whistle.place == "1栋楼下"
    assert whistle.note == "漏水"
    assert whistle.blown_by == people[who]
    assert {s.department for s in WhistleSummons.objects.filter(whistle=whistle)} == {d02, d12}
    event = last_event(case)
    assert event.action == "case.whistle"
    assert event.actor == people[who]
    assert event.changes == {"whistled": [False, True]}
    assert event.data["departments"] == ["D02", "D12"]
    assert event.data["place"] == "1栋楼下"
    notified = set(Notification.objects.filter(case=case, verb="case.whistle").values_list("recipient", flat=True))
    assert notified == {people["handler"].pk, people["handler_d12"].pk}


def test_whistle_needs_departments_and_a_place(tree, people):
    """A whistle without departments or without a place is a bad request; nothing is written."""
    case = new_case(tree, people)
    with pytest.raises(ValidationFailed):
        act(people, "clerk", case, "whistle", {"departments": [], "place": "1栋楼下"})
    with pytest.raises(ValidationFailed):
        act(people, "clerk", case, "whistle", {"departments": ["D02"]})
    with pytest.raises(ValidationFailed):
        act(people, "clerk", case, "whistle", {"departments": ["D99"], "place": "1栋楼下"})
    assert not Whistle.objects.exists()
    assert Case.objects.get(pk=case.pk).whistled is False


# Illegal transitions -----------------------------------------------------------------------------

# Someone whose role allows the action, so that only the state can be at fault.
ACTOR_FOR = {
    "accept": "clerk",
    "answer": "clerk",
    "dispatch": "clerk",
    "sign": "handler",
    "return": "handler",
    "handle": "handler",
    "submit_review": "handler",
    "reject": "reviewer",
    "reply": "reviewer",
    "visit": "clerk",
    "close": "clerk",
    "reopen": "clerk",
    "suspend": "reviewer",
    "resume": "reviewer",
    "merge": "clerk",
    "whistle": "clerk",
}
VALID_BODY = {
    "accept": {},
    "answer": {"message": "答复"},
    "dispatch": {"department": "D02"},
    "sign": {},
    "return": {"reason": "不归我们"},
    "handle": {"note": "进展"},
    "submit_review": {"result": "已处理"},
    "reject": {"reason": "不合格"},
    "reply": {"message": "已处理"},
    "visit": {"satisfaction": "satisfied", "resolved": True},
    "close": {},
    "reopen": {"reason": "重办"},
    "suspend": {"reason": "等待"},
    "resume": {},
    "whistle": {"departments": ["D02"], "place": "现场"},
}
ILLEGAL = [
    (action, status)
    for action, transition in workflow.TRANSITIONS.items()
    for status in Status.values
    if status not in transition.sources
]


def raw_case(tree, status: str) -> Case:
    """A case written straight into `status`, satisfying the database's check constraints."""
    d02 = Department.objects.get(code="D02")
    fields = {"status": status, "department": d02, "unit": tree["building1"]}
    if status == "merged":
        fields["merged_into"] = CaseFactory(unit=tree["building1"])
    if status == "closed":
        fields["closed_at"] = timezone.now()
    if status == "suspended":
        fields.update(status_before_suspension="in_progress", suspended_at=timezone.now())
    return CaseFactory(**fields)


def test_the_illegal_list_covers_every_action():
    """Sanity: every action is refused somewhere (merge only in closed and merged)."""
    assert {action for action, _ in ILLEGAL} == set(workflow.TRANSITIONS)
    assert [status for action, status in ILLEGAL if action == "merge"] == ["closed", "merged"]


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_illegal_transition_is_a_conflict(tree, people, action, status):
    """An action the workflow table does not allow from a state raises Conflict (409) and
    changes nothing: same status, same version, no event."""
    case = raw_case(tree, status)
    body = dict(VALID_BODY.get(action, {}))
    if action == "merge":
        body["into"] = str(CaseFactory(unit=tree["building1"]).pk)
    with pytest.raises(Conflict):
        act(people, ACTOR_FOR[action], case, action, body)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == status
    assert fresh.version == case.version
    assert not CaseEvent.objects.filter(case=case).exists()


# Optimistic locking ------------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_and_changes_nothing(tree, people):
    """expected_version must be the current version: an old one raises Conflict and leaves the
    case, its version and its trail as they were; the current one succeeds."""
    case = new_case(tree, people)
    old_version = case.version
    case = act(people, "clerk", case, "accept", {"urgent": True})
    assert case.version == old_version + 1

    with pytest.raises(Conflict):
        act(people, "clerk", case, "dispatch", {"department": "D02"}, expected_version=old_version)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == "received"
    assert fresh.department is None
    assert fresh.version == case.version
    assert [e.action for e in events(case)] == ["case.accept"]

    case = act(people, "clerk", case, "dispatch", {"department": "D02"}, expected_version=case.version)
    assert case.status == "dispatched"


# Notifications -----------------------------------------------------------------------------------


def test_dispatch_notifies_the_departments_handler_in_app(tree, people):
    """Dispatch writes an in-app notification for the handler of that department only."""
    case = advance(new_case(tree, people), "dispatched", people)

    rows = Notification.objects.filter(case=case, verb="case.dispatch")
    assert [row.recipient for row in rows] == [people["handler"]]
    assert case.number in rows[0].message
    assert rows[0].read_at is None


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the name http.server calls)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"headers": self.headers, "body": body, "path": self.path})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server(monkeypatch):
    """A local HTTP server recording the webhook POSTs it receives."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def sms_outbox(settings, monkeypatch):
    settings.FENGQIAO_SMS_BACKEND = "fengqiao.notifications.channels.OutboxSmsBackend"
    monkeypatch.setattr(OutboxSmsBackend, "outbox", [])
    return OutboxSmsBackend.outbox


def test_reply_emails_texts_and_posts_a_signed_webhook(
    tree, people, settings, webhook_server, sms_outbox, django_capture_on_commit_callbacks
):
    """After the reply commits, the resident gets an e-mail and an SMS, and each webhook URL
    receives the event as JSON signed with HMAC-SHA256 of the body."""
    settings.FENGQIAO_WEBHOOK_URLS = [f"http://127.0.0.1:{webhook_server.server_port}/hook"]
    settings.FENGQIAO_WEBHOOK_SECRET = "s3cret"
    case = advance(new_case(tree, people), "under_review", people)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        act(people, "reviewer", case, "reply", {"message": "灯已修好"})
    assert len(callbacks) == 1

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [people["resident1"].email]
    assert case.number in email.subject
    assert "灯已修好" in email.body

    assert len(sms_outbox) == 1
    phone, text = sms_outbox[0]
    assert phone == PHONE
    assert case.number in text

    assert len(webhook_server.received) == 1
    request = webhook_server.received[0]
    assert request["path"] == "/hook"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert json.loads(request["body"]) == {
        "event": "case.reply",
        "case": case.pk,
        "number": case.number,
        "message": email.body,
    }
    expected = hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Fengqiao-Signature"] == f"sha256={expected}"


def test_webhook_without_a_secret_is_unsigned(
    tree, people, settings, webhook_server, django_capture_on_commit_callbacks
):
    """Without FENGQIAO_WEBHOOK_SECRET the webhook goes out without a signature header."""
    settings.FENGQIAO_WEBHOOK_URLS = [f"http://127.0.0.1:{webhook_server.server_port}/hook"]
    settings.FENGQIAO_WEBHOOK_SECRET = ""
    case = new_case(tree, people)
    with django_capture_on_commit_callbacks(execute=True):
        act(people, "clerk", case, "dispatch", {"department": "D02"})

    assert len(webhook_server.received) == 1
    request = webhook_server.received[0]
    assert json.loads(request["body"])["event"] == "case.dispatch"
    assert request["headers"]["X-Fengqiao-Signature"] is None


def test_nothing_is_delivered_before_the_commit(tree, people, settings, sms_outbox, django_capture_on_commit_callbacks):
    """E-mail and SMS wait for the commit: the callbacks are queued, not yet run."""
    case = advance(new_case(tree, people), "under_review", people)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        act(people, "reviewer", case, "reply", {"message": "灯已修好"})
    assert len(callbacks) == 1
    assert mail.outbox == []
    assert sms_outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert len(sms_outbox) == 1


def test_an_urgent_case_notifies_whoever_is_on_duty(tree, people):
    """A new urgent case reaches the on-duty person at once; an ordinary one does not."""
    duty = UserFactory(username="duty", display_name="值班员")
    RoleAssignment.objects.create(user=duty, role=Role.LEADER, unit=tree["street"], on_duty=True)
    off_duty = UserFactory(username="offduty", display_name="休息员")
    RoleAssignment.objects.create(user=off_duty, role=Role.LEADER, unit=tree["street"], on_duty=False)
    elsewhere = UserFactory(username="lhduty", display_name="临湖值班")
    RoleAssignment.objects.create(user=elsewhere, role=Role.LEADER, unit=tree["lh"], on_duty=True)
    complaint = CaseType.objects.get(code="complaint")

    urgent, created = do_create_case(
        actor=people["clerk"], unit=tree["estate"], text="燃气泄漏", case_type=complaint, urgent=True
    )
    assert created
    assert urgent.deadline == urgent.received_at + dt.timedelta(hours=2)
    rows = Notification.objects.filter(case=urgent, verb="case.create")
    assert set(rows.values_list("recipient", flat=True)) == {duty.pk}
    assert "燃气泄漏" in rows.get(recipient=duty).message

    ordinary, _ = do_create_case(actor=people["clerk"], unit=tree["estate"], text="楼道堆物", case_type=complaint)
    assert not Notification.objects.filter(case=ordinary, recipient=duty).exists()


def test_a_residents_new_case_notifies_the_clerk(tree, people):
    """A resident's appeal lands in the clerk's inbox, with a case.create event as its first row."""
    case, created = do_create_case(
        actor=people["resident1"], reporter=people["resident1"], unit=tree["building1"], text="电梯困人"
    )
    assert created
    assert Notification.objects.filter(case=case, recipient=people["clerk"], verb="case.create").exists()
    event = last_event(case)
    assert event.action == "case.create"
    assert event.actor == people["resident1"]
    assert (event.from_status, event.to_status) == ("", "received")
    assert case.number.endswith(f"{case.pk:06d}")
