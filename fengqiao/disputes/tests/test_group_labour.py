"""群体性劳资纠纷: one case for many claimants, routed to labour inspection (D09)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fengqiao.cases import actions
from fengqiao.cases.models import Case, CaseEvent, Status
from fengqiao.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_group_claim_routes_to_labour_inspection(client, people, tree):
    case, _ = actions.do_create_case(actor=people["clerk"], unit=tree["hh"], text="某建筑公司拖欠58名农民工工资")
    client.force_login(people["clerk"])
    response = client.post(
        reverse("group-claim", args=[case.pk]), {"claimants": "58", "amount_owed": "1260000.50", "note": "工地"}
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert (case.group_claimants, case.amount_owed) == (58, Decimal("1260000.50"))
    assert case.status == Status.DISPATCHED and case.department.code == "D09" and case.subcategory.code == "06.01"
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "case.create",
        "case.group_claim",
        "case.accept",
        "case.dispatch",
    ]
    page = client.get(reverse("labour-ledger")).content.decode()
    assert case.number in page and "1260000.50" in page


def test_a_group_has_two_or_more(people, tree):
    case, _ = actions.do_create_case(actor=people["clerk"], unit=tree["hh"], text="欠薪")
    with pytest.raises(ValidationFailed):
        actions.do_record_group_claim(case, actor=people["clerk"], claimants=1, amount_owed=Decimal("100"))
