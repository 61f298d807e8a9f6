"""Triage in the product: suggestions at intake, one-click accept, merge, urgency, the API
block and the acceptance page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fengqiao.cases import actions
from fengqiao.cases.models import Case, Status
from fengqiao.notifications.models import Notification
from fengqiao.org.models import Role, RoleAssignment
from fengqiao.taxonomy.models import RoutingRule, Subcategory
from fengqiao.testing.factories import UserFactory, grant
from fengqiao.triage import services, store
from fengqiao.triage.models import Decision, TriageSuggestion

pytestmark = pytest.mark.django_db

LIGHT = "这条路的路灯晚上一直不亮"
GAS = "厨房里煤气味很浓，不敢开火，请燃气公司马上来"


def create(people, tree, text, *, by="resident1", address=""):
    user = people[by]
    case, _created = actions.do_create_case(
        actor=user,
        reporter=user if by.startswith("resident") else None,
        unit=tree["building1"],
        text=text,
        address=address,
    )
    return case


def test_every_new_case_gets_a_suggestion_routed_by_the_unit(people, tree, d12):
    # The street sends street lights to another department than the taxonomy's default.
    other = d12.__class__.objects.get(code="D04")
    RoutingRule.objects.create(unit=tree["street"], subcategory=Subcategory.objects.get(code="07.01"), department=other)
    case = create(people, tree, LIGHT)
    suggestion = TriageSuggestion.objects.get(case=case)
    assert suggestion.subcategory.code == "07.01"
    assert suggestion.department == other
    assert suggestion.urgent is False
    assert "路灯" in suggestion.explanation
    assert suggestion.model_version == store.get_model().info["version"]
    case.refresh_from_db()
    assert case.subcategory is None and not case.classification_confirmed  # a suggestion, not a decision


def test_an_urgent_appeal_jumps_the_queue_and_wakes_the_person_on_duty(client, people, tree):
    on_duty = UserFactory(username="duty")
    grant(on_duty, Role.REVIEWER, tree["street"])
    RoleAssignment.objects.filter(user=on_duty).update(on_duty=True)
    calm = create(people, tree, LIGHT)
    urgent = create(people, tree, GAS)
    urgent.refresh_from_db()
    assert urgent.urgent is True
    assert urgent.deadline == urgent.compute_deadline()  # the 2-hour urgent limit
    assert Notification.objects.filter(recipient=on_duty, case=urgent).exists()
    assert not Notification.objects.filter(recipient=on_duty, case=calm).exists()
    client.force_login(people["clerk"])
    page = client.get(reverse("workbench")).content.decode()
    assert page.index(urgent.number) < page.index(calm.number)


def test_the_workbench_shows_the_suggestion_and_accepts_it_with_one_click(client, people, tree):
    case = create(people, tree, LIGHT)
    client.force_login(people["clerk"])
    page = client.get(reverse("workbench")).content.decode()
    assert 'data-testid="triage-suggestion"' in page
    assert "07.01" in page and "路灯" in page
    response = client.post(reverse("triage-accept", args=[case.pk]), {"next": reverse("workbench")})
    assert response.status_code == 302 and response.url == reverse("workbench")
    case.refresh_from_db()
    assert case.subcategory.code == "07.01"
    assert case.classification_confirmed
    assert case.status == Status.DISPATCHED
    assert case.department.code == "D12"
    assert list(case.events.values_list("action", flat=True)) == ["case.create", "case.accept", "case.dispatch"]
    suggestion = TriageSuggestion.objects.get(case=case)
    assert suggestion.decision == Decision.ACCEPTED
    assert suggestion.decided_by == people["clerk"]
    assert suggestion.final_subcategory.code == "07.01"


def test_a_correction_is_recorded_as_corrected(people, tree):
    case = create(people, tree, LIGHT)
    actions.perform_action(actor=people["clerk"], case_id=case.pk, action="accept", data={"subcategory": "07.02"})
    suggestion = TriageSuggestion.objects.get(case=case)
    assert suggestion.decision == Decision.CORRECTED
    assert suggestion.final_subcategory.code == "07.02"


def test_a_suspected_duplicate_is_linked_and_merged_with_one_click(client, people, tree):
    first = create(people, tree, LIGHT, address="株洲市芦淞区建设中路128号")
    second = create(people, tree, "建设中路路灯不亮，晚上很黑", by="resident2", address="株洲市芦淞区建设中路")
    elsewhere = create(people, tree, "红旗路的路灯坏了，晚上很黑", address="株洲市芦淞区红旗路")
    assert TriageSuggestion.objects.get(case=second).duplicate_of == first
    assert TriageSuggestion.objects.get(case=elsewhere).duplicate_of is None
    client.force_login(people["clerk"])
    page = client.get(reverse("case-detail", args=[second.pk])).content.decode()
    assert 'data-testid="triage-card"' in page and first.number in page
    client.post(reverse("triage-merge", args=[second.pk]))
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first


def test_residents_see_no_suggestion(client, people, tree):
    case = create(people, tree, LIGHT)
    client.force_login(people["resident1"])
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "triage-card" not in page
    assert client.post(reverse("triage-accept", args=[case.pk])).status_code == 403


def test_the_api_carries_a_triage_block_on_a_case(people, tree):
    case = create(people, tree, GAS)
    api = APIClient()
    api.force_authenticate(people["clerk"])
    block = api.get(f"/api/v1/cases/{case.pk}/").data["triage"]
    assert block["subcategory"] == "08.03" and block["category"] == "08" and block["department"] == "D15"
    assert block["urgent"] is True and block["decision"] == ""
    assert block["explanation"] and block["alternatives"][0].keys() == {"subcategory", "confidence"}
    assert api.get("/api/v1/cases/").data["results"][0]["triage"] is None  # not in lists
    api.force_authenticate(people["resident1"])
    assert api.get(f"/api/v1/cases/{case.pk}/").data["triage"] is None


def test_the_triage_preview_api(people):
    api = APIClient()
    api.force_authenticate(people["clerk"])
    response = api.post("/api/v1/triage/", {"text": LIGHT}, format="json")
    assert response.status_code == 200
    assert response.data["subcategory"] == "07.01" and response.data["department"] == "D12"
    assert api.post("/api/v1/triage/", {}, format="json").status_code == 400
    api.force_authenticate(people["resident1"])
    assert api.post("/api/v1/triage/", {"text": LIGHT}, format="json").status_code == 403


def test_the_acceptance_page_shows_the_rate_per_category(client, people, tree):
    for text in (LIGHT, "路口好几盏路灯坏了，晚上黑漆漆的", GAS):
        create(people, tree, text)
    light_cases = list(Case.objects.filter(triage_suggestions__subcategory__code="07.01").order_by("pk"))
    actions.perform_action(
        actor=people["clerk"], case_id=light_cases[0].pk, action="accept", data={"subcategory": "07.01"}
    )
    actions.perform_action(
        actor=people["clerk"], case_id=light_cases[1].pk, action="accept", data={"subcategory": "07.02"}
    )
    client.force_login(people["leader"])
    page = client.get(reverse("triage-acceptance")).content.decode()
    assert "50.00%" in page and "(1/2)" in page
    rows = {row["category"]: row for row in services.acceptance_by_month(cases=Case.objects.all())}
    assert (rows["07"]["total"], rows["07"]["decided"], rows["07"]["accepted"]) == (2, 2, 1)
    assert (rows["08"]["decided"], rows["08"]["rate"]) == (0, None)
    client.force_login(people["resident1"])
    assert client.get(reverse("triage-acceptance")).status_code == 403


def test_intake_does_not_fail_when_triage_fails(people, tree, monkeypatch):
    def broken():
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(store, "get_model", broken)
    case = create(people, tree, GAS)
    assert Case.objects.filter(pk=case.pk).exists()
    assert not TriageSuggestion.objects.filter(case=case).exists()
