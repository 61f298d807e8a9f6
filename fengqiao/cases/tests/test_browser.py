"""The pages in a real browser: Debian's Chromium through Playwright against the live server.

Elements are found by stable attributes (data-action, data-testid, data-case, names, hrefs), never
by visible text, so the tests pass whether or not the Chinese translations are compiled.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fengqiao.cases import actions
from fengqiao.cases.models import Case, CaseEvent, Status
from fengqiao.org.models import Department, Role
from fengqiao.taxonomy.loader import install_taxonomy
from fengqiao.taxonomy.models import CaseType, Category, Subcategory
from fengqiao.testing.factories import UserFactory, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def taxonomy(transactional_db):
    """The live server needs committed data, so each of these tests ends with a flush, which also
    empties the taxonomy the migrations installed (departments, subcategories, case types).
    Install it again. (`serialized_rollback=True` would do this job in plain Django, but once
    Playwright's sync API runs, Django sees a running event loop in this thread and hands the
    tests a different connection object, one without the serialized copy: it silently restores
    nothing.)"""
    install_taxonomy(
        case_type_model=CaseType,
        category_model=Category,
        subcategory_model=Subcategory,
        department_model=Department,
    )


CASE_PAGE = re.compile(r"/cases/(\d+)/$")


def new_case(people, tree, *, text="楼道灯坏了一个星期没人修", subcategory="01.02"):
    case, _ = actions.do_create_case(
        actor=people["resident1"],
        reporter=people["resident1"],
        unit=tree["building1"],
        text=text,
        phone="13812345678",
        contact_name="王小明",
        subcategory=Subcategory.objects.get(code=subcategory) if subcategory else None,
    )
    return case


def case_url(case) -> str:
    return reverse("case-detail", args=[case.pk])


def open_case_from_list(page, case) -> None:
    """Follow the case's link on a list page (inbox, review, my appeals)."""
    page.locator(f'main a[href="{case_url(case)}"]').first.click()
    expect(page).to_have_url(re.compile(re.escape(case_url(case)) + "$"))


def status_of(page):
    return page.locator("[data-testid=status]")


def submit_action(page, action: str, **fields) -> None:
    """Fill the case page's form for `action` (textareas, inputs and selects by name) and send it."""
    form = page.locator(f'form[data-action="{action}"]')
    for name, value in fields.items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()


def test_one_appeal_through_the_six_gates(open_as, people, screenshot):
    # 受理: the resident submits on the phone.
    resident = open_as("resident1", phone=True)
    expect(resident).to_have_url(re.compile(re.escape(reverse("my-cases")) + "$"))
    resident.locator(f'main a[href="{reverse("submit-case")}"]').click()
    resident.locator("textarea[name=text]").fill(
        "海恒家园1栋2单元的楼道灯坏了一个星期，晚上上下楼很不安全，请尽快修理。"
    )
    resident.locator("input[name=address]").fill("海恒家园1栋2单元")
    screenshot(resident, "1-resident-submit-phone")
    resident.locator("[data-testid=submit-appeal]").click()
    expect(resident).to_have_url(CASE_PAGE)
    expect(status_of(resident)).to_have_attribute("data-status", Status.RECEIVED)
    case = Case.objects.get()
    assert resident.url.endswith(case_url(case))
    assert case.reporter == people["resident1"] and case.subcategory is None
    screenshot(resident, "2-resident-case-received-phone")

    # 派发: the clerk classifies the row on the workbench and dispatches it in one click.
    clerk = open_as("clerk")
    expect(clerk).to_have_url(re.compile(re.escape(reverse("workbench")) + "$"))
    row = clerk.locator(f'tr[data-case="{case.number}"]')
    row.locator(f'select[name="subcategory_{case.pk}"]').select_option("01.02")
    screenshot(clerk, "3-clerk-workbench")
    row.locator("button[name=one]").click()
    expect(row).to_have_count(0)  # dispatched cases leave the queue
    expect(clerk.locator(".messages li.success")).to_be_visible()
    expect(clerk.locator(".messages li.error")).to_have_count(0)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.department.code == "D02"
    assert case.subcategory.code == "01.02" and case.classification_confirmed
    clerk.goto(case_url(case))
    expect(status_of(clerk)).to_have_attribute("data-status", Status.DISPATCHED)
    expect(clerk.locator("[data-testid=department]")).to_have_text(case.department.name)

    # 办理: the D02 handler opens it from the inbox, signs for it and submits a result.
    handler = open_as("handler")
    expect(handler).to_have_url(re.compile(re.escape(reverse("inbox")) + "$"))
    open_case_from_list(handler, case)
    submit_action(handler, "sign")
    expect(status_of(handler)).to_have_attribute("data-status", Status.IN_PROGRESS)
    result = "已更换楼道灯泡和声控开关，经测试照明正常。"
    submit_action(handler, "submit_review", result=result)
    expect(status_of(handler)).to_have_attribute("data-status", Status.UNDER_REVIEW)

    # 审核 and 回复: the reviewer approves; the reply is prefilled with the handler's result.
    reviewer = open_as("reviewer")
    expect(reviewer).to_have_url(re.compile(re.escape(reverse("review")) + "$"))
    open_case_from_list(reviewer, case)
    expect(reviewer.locator('form[data-action="reply"] textarea[name=message]')).to_have_value(result)
    submit_action(reviewer, "reply")
    expect(status_of(reviewer)).to_have_attribute("data-status", Status.REPLIED)

    # 回访: the resident rates the reply on the phone; a satisfied verdict closes the case.
    resident.goto(reverse("my-cases"))
    open_case_from_list(resident, case)
    visit = resident.locator('form[data-action="visit"]')
    visit.locator("input[name=satisfaction][value=satisfied]").check()
    visit.locator("input[name=resolved][value=true]").check()
    visit.locator("button[type=submit]").click()
    expect(status_of(resident)).to_have_attribute("data-status", Status.CLOSED)
    screenshot(resident, "4-resident-case-closed-phone")

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert (case.satisfaction, case.resolved) == ("satisfied", True)
    assert list(case.events.order_by("created_at", "id").values_list("action", flat=True)) == [
        "case.create",
        "case.accept",
        "case.dispatch",
        "case.sign",
        "case.submit_review",
        "case.reply",
        "case.visit",
        "case.close",
    ]
    clerk.goto(case_url(case))
    expect(status_of(clerk)).to_have_attribute("data-status", Status.CLOSED)
    expect(clerk.locator("[data-testid=timeline] > li")).to_have_count(8)
    screenshot(clerk, "5-clerk-case-timeline")


def test_a_returned_case_goes_back_to_the_workbench_and_out_again(open_as, people, tree):
    case = new_case(people, tree)
    actions.perform_action(actor=people["clerk"], case_id=case.pk, action="dispatch", data={"department": "D12"})

    # 退单: the D12 handler says it is not theirs.
    handler12 = open_as("handler12")
    open_case_from_list(handler12, case)
    reason = "楼道照明属于物业维修范围，请派给物业服务企业。"
    submit_action(handler12, "return", reason=reason)
    expect(status_of(handler12)).to_have_attribute("data-status", Status.RETURNED)
    case.refresh_from_db()
    assert case.status == Status.RETURNED
    returned = case.events.get(action="case.return")
    assert (returned.actor, returned.reason) == (people["handler_d12"], reason)

    # The clerk finds it back in the queue and dispatches it to D02 from the row.
    clerk = open_as("clerk")
    row = clerk.locator(f'tr[data-case="{case.number}"]')
    expect(row).to_be_visible()
    row.locator(f'select[name="department_{case.pk}"]').select_option("D02")
    row.locator("button[name=one]").click()
    expect(row).to_have_count(0)
    expect(clerk.locator(".messages li.error")).to_have_count(0)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.department.code == "D02"

    # The D02 handler can now sign for it.
    handler = open_as("handler")
    open_case_from_list(handler, case)
    submit_action(handler, "sign")
    expect(status_of(handler)).to_have_attribute("data-status", Status.IN_PROGRESS)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.events.order_by("created_at", "id").last().actor == people["handler"]


def test_a_stale_case_page_changes_nothing(open_as, people, tree, screenshot):
    case = new_case(people, tree)
    clerk = open_as("clerk")
    clerk.goto(case_url(case))
    expect(clerk.locator('form[data-action="dispatch"]')).to_be_visible()

    # Meanwhile a second clerk reclassifies the case: the open page now shows an old version.
    other_clerk = grant(UserFactory(username="clerk2", display_name="钱受理"), Role.CLERK, tree["hh"])
    actions.perform_action(actor=other_clerk, case_id=case.pk, action="accept", data={"subcategory": "11.01"})
    case.refresh_from_db()
    before = (case.status, case.version, case.department_id, case.subcategory.code, case.events.count())

    submit_action(clerk, "dispatch", department="D02")
    expect(clerk.locator(".messages li.error")).to_be_visible()
    screenshot(clerk, "6-clerk-stale-page-error")
    case.refresh_from_db()
    assert (case.status, case.version, case.department_id, case.subcategory.code, case.events.count()) == before
    assert before[:4] == (Status.RECEIVED, before[1], None, "11.01")
    assert not case.events.filter(action="case.dispatch").exists()


def test_the_phone_form_fits_and_a_double_tap_creates_one_case(open_as, people):
    resident = open_as("resident1", phone=True)
    resident.goto(reverse("submit-case"))
    assert resident.evaluate("document.documentElement.scrollWidth") <= 390
    resident.locator("textarea[name=text]").fill("小区东门的路灯不亮了，晚上很黑。")

    posts = []
    resident.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    resident.locator("[data-testid=submit-appeal]").dblclick()
    expect(resident).to_have_url(CASE_PAGE)
    expect(status_of(resident)).to_have_attribute("data-status", Status.RECEIVED)

    # Chromium itself folds a double click into one request; the idempotency key is for the taps
    # it cannot fold (next test).
    assert posts, "the form was not sent"
    case = Case.objects.get()
    assert resident.url.endswith(case_url(case))
    assert case.reporter == people["resident1"]
    assert CaseEvent.objects.filter(action="case.create").count() == 1


def test_a_second_tap_while_the_first_is_on_its_way_creates_one_case(open_as, people):
    """A slow network: the server has handled the first tap but its answer has not arrived when the
    resident taps again, so the browser really sends the form twice (with the same hidden key)."""
    resident = open_as("resident1", phone=True)
    resident.goto(reverse("submit-case"))
    resident.locator("textarea[name=text]").fill("小区东门的路灯不亮了，晚上很黑。")

    sent, held = [], []

    def slow_network(route):
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(route.request.post_data)
        if not held:
            route.fetch(max_redirects=0)  # the server gets and handles the first tap ...
            held.append(route)  # ... but the browser is still waiting for the answer
        else:
            route.continue_()

    resident.route("**" + reverse("submit-case"), slow_network)
    # Raw taps at the button's place: unlike locator.click(), they do not wait for the first
    # tap's page, which is exactly what an impatient thumb does not do either.
    box = resident.locator("[data-testid=submit-appeal]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    resident.touchscreen.tap(x, y)
    for _ in range(250):
        if held:
            break
        resident.wait_for_timeout(20)
    assert held, "the first tap never reached the server"
    assert Case.objects.count() == 1
    resident.touchscreen.tap(x, y)  # the second tap, on the same (still displayed) form
    expect(resident).to_have_url(CASE_PAGE)
    expect(status_of(resident)).to_have_attribute("data-status", Status.RECEIVED)

    assert len(sent) == 2 and sent[0] == sent[1]  # the same form, hidden key included, twice
    case = Case.objects.get()
    assert resident.url.endswith(case_url(case))
    assert CaseEvent.objects.filter(action="case.create").count() == 1
