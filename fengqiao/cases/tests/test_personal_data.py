"""A resident downloads everything held about them (个人信息保护法 art. 45), and nobody else's."""

import json

import pytest
from django.urls import reverse

from fengqiao.cases.access import log_personal_data_read
from fengqiao.cases.actions import do_create_case, perform_action
from fengqiao.notifications.models import Notification
from fengqiao.taxonomy.models import Subcategory

pytestmark = pytest.mark.django_db


def test_a_resident_downloads_their_appeals_history_notifications_and_who_saw_their_phone(client, people, tree):
    resident = people["resident1"]
    case, _ = do_create_case(
        actor=resident,
        reporter=resident,
        unit=tree["building1"],
        text="楼道灯坏了",
        phone="13812345678",
        contact_name="王小明",
        subcategory=Subcategory.objects.get(code="01.02"),
    )
    perform_action(actor=people["clerk"], case_id=case.pk, action="dispatch", data={"department": "D02"})
    log_personal_data_read(people["clerk"], case, purpose="case page")
    other, _ = do_create_case(
        actor=people["resident2"], reporter=people["resident2"], unit=tree["building2"], text="噪音"
    )
    Notification.objects.create(recipient=resident, case=case, verb="case.reply", message="已答复")

    client.force_login(resident)
    assert 'data-testid="my-data"' in client.get(reverse("my-cases")).content.decode()
    response = client.get(reverse("my-data"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["phone"] == "13812345678"
    assert [appeal["number"] for appeal in data["appeals"]] == [case.number]
    assert len(data["appeals"][0]["history"]) == 2  # submitted, dispatched
    assert "已答复" in [note["message"] for note in data["notifications"]]
    seen = data["personal_data_shown_to_staff"]
    assert [(entry["staff"], entry["what"]) for entry in seen] == [("张受理", f"case {case.number}")]
    assert other.number not in response.content.decode()


def test_the_download_needs_a_signed_in_user(client, tree):
    assert client.get(reverse("my-data")).status_code == 302
