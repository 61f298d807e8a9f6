"""The pages, through Django's test client: what each persona sees and can do."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fengqiao.cases import actions
from fengqiao.cases.ledger import COLUMNS
from fengqiao.cases.models import Case, Status
from fengqiao.core.models import PersonalDataAccess
from fengqiao.taxonomy.models import Subcategory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def new_case(people, tree, *, text="楼道灯坏了一个星期没人修", subcategory="01.02", reporter="resident1"):
    case, _ = actions.do_create_case(
        actor=people[reporter],
        reporter=people[reporter],
        unit=tree["building1"],
        text=text,
        phone="13812345678",
        contact_name="王小明",
        subcategory=Subcategory.objects.get(code=subcategory) if subcategory else None,
    )
    return case


def test_home_sends_each_persona_to_their_page(client, people):
    expectations = {
        "clerk": "workbench",
        "handler": "inbox",
        "reviewer": "review",
        "leader": "ledger",
        "resident1": "my-cases",
        "gridworker": "record-case",
    }
    for persona, url_name in expectations.items():
        login(client, people[persona])
        assert client.get(reverse("home")).url == reverse(url_name), persona


def test_resident_submits_once_even_when_the_form_is_sent_twice(client, people):
    login(client, people["resident1"])
    form = client.get(reverse("submit-case")).context["form"]
    key = form.initial["idempotency_key"]
    body = {
        "text": "小区门口的路灯不亮了",
        "address": "1栋门口",
        "phone": "",
        "contact_name": "",
        "idempotency_key": key,
    }
    first = client.post(reverse("submit-case"), body)
    second = client.post(reverse("submit-case"), body)
    assert first.status_code == 302 and second.status_code == 302
    assert first.url == second.url
    case = Case.objects.get()
    assert case.reporter == people["resident1"]
    assert case.phone == "13812345678"  # from the resident's profile
    assert case.unit.code == "HF-JK-FR-HH-E1-B1"


def test_resident_form_rejects_an_empty_appeal(client, people):
    login(client, people["resident1"])
    response = client.post(reverse("submit-case"), {"text": "", "idempotency_key": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert not Case.objects.exists()


def test_workbench_one_click_dispatch_uses_the_routing_suggestion(client, people, tree):
    case = new_case(people, tree)
    login(client, people["clerk"])
    page = client.get(reverse("workbench"))
    assert case in page.context["page"].object_list
    assert "物业服务企业" in page.content.decode()  # the suggestion for 01.02 is D02
    response = client.post(reverse("workbench-dispatch"), {"one": case.pk, f"subcategory_{case.pk}": "01.02"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.department.code == "D02"
    assert case.classification_confirmed
    assert list(case.events.values_list("action", flat=True)) == ["case.create", "case.accept", "case.dispatch"]


def test_workbench_bulk_dispatch_classifies_and_reports_failures(client, people, tree):
    light = new_case(people, tree, subcategory=None)
    noise = new_case(people, tree, text="楼上装修噪音", subcategory=None)
    unclassified = new_case(people, tree, text="不知道怎么分类", subcategory=None)
    login(client, people["clerk"])
    response = client.post(
        reverse("workbench-dispatch"),
        {
            "case": [light.pk, noise.pk, unclassified.pk],
            f"subcategory_{light.pk}": "01.02",
            f"subcategory_{noise.pk}": "11.01",
            f"department_{noise.pk}": "D04",
        },
        follow=True,
    )
    light.refresh_from_db(), noise.refresh_from_db(), unclassified.refresh_from_db()
    assert (light.status, light.department.code) == (Status.DISPATCHED, "D02")
    assert (noise.status, noise.department.code) == (Status.DISPATCHED, "D04")
    assert unclassified.status == Status.RECEIVED
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1
    assert unclassified.number in errors[0]


def test_staff_pages_refuse_residents_and_other_roles(client, people):
    login(client, people["resident1"])
    for name in ("workbench", "inbox", "review", "ledger", "ledger-export"):
        assert client.get(reverse(name)).status_code == 403, name
    login(client, people["handler"])
    assert client.get(reverse("workbench")).status_code == 403
    assert client.get(reverse("inbox")).status_code == 200


def test_case_page_actions_with_a_stale_version_change_nothing(client, people, tree):
    case = new_case(people, tree)
    login(client, people["clerk"])
    stale = case.version
    actions.perform_action(actor=people["clerk"], case_id=case.pk, action="accept", data={})
    response = client.post(
        reverse("case-act", args=[case.pk, "dispatch"]), {"version": stale, "department": "D02"}, follow=True
    )
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
    assert any("version" in str(m) or "版本" in str(m) for m in response.context["messages"])


def test_case_page_is_404_for_people_who_cannot_see_it(client, people, tree):
    case = new_case(people, tree)
    for persona in ("resident2", "other_clerk", "handler"):
        login(client, people[persona])
        assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404, persona
        assert client.post(reverse("case-act", args=[case.pk, "accept"]), {}).status_code == 404, persona


def test_case_page_masks_the_phone_for_a_reviewer_and_logs_the_clerks_read(client, people, tree):
    case = new_case(people, tree)
    login(client, people["reviewer"])
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    login(client, people["clerk"])
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "13812345678" in page
    assert PersonalDataAccess.objects.filter(user=people["clerk"], subject=f"case {case.number}").count() == 1


def test_resident_rates_the_reply_from_the_case_page(client, people, tree):
    case = new_case(people, tree)
    clerk, handler, reviewer = people["clerk"], people["handler"], people["reviewer"]
    for actor, action, data in (
        (clerk, "dispatch", {"department": "D02"}),
        (handler, "sign", {}),
        (handler, "submit_review", {"result": "已修好"}),
        (reviewer, "reply", {"message": "灯已经修好了"}),
    ):
        actions.perform_action(actor=actor, case_id=case.pk, action=action, data=data)
    login(client, people["resident1"])
    page = client.get(reverse("case-detail", args=[case.pk]))
    assert [name for name, _label in page.context["action_forms"]] == ["visit"]
    client.post(reverse("case-act", args=[case.pk, "visit"]), {"satisfaction": "satisfied", "resolved": "true"})
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.resolved is True


def test_ledger_filters_and_exports_the_same_rows(client, people, tree):
    new_case(people, tree, text="路灯不亮")
    other = new_case(people, tree, text="噪音扰民", subcategory="11.01")
    login(client, people["leader"])
    page = client.get(reverse("ledger"), {"subcategory": "11.01"})
    assert list(page.context["page"].object_list) == [other]
    export = client.get(reverse("ledger-export"), {"subcategory": "11.01"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(chinese for _english, chinese in COLUMNS)
    assert len(rows) == 2
    assert rows[1][0] == other.number and rows[1][5] == "11.01" and rows[1][9] == "受理"
    assert "13812345678" not in str(rows)  # no personal data in the ledger file


def test_ledger_rejects_a_bad_filter_with_a_message_not_an_error_page(client, people):
    login(client, people["clerk"])
    response = client.get(reverse("ledger"), {"received_after": "not-a-date"})
    assert response.status_code == 200
    assert response.context["form"].errors["received_after"]
