"""One appeal through all six gates via the API, with its audit trail."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_six_gates_through_the_api(people):
    resident = api(people["resident1"])
    response = resident.post("/api/v1/cases/", {"text": "楼道灯坏了一个星期", "idempotency_key": "k1"}, format="json")
    assert response.status_code == 201, response.content
    case_id = response.data["id"]
    assert response.data["status"] == "received"
    assert response.data["unit"] == "HF-JK-FR-HH-E1-B1"

    clerk = api(people["clerk"])
    steps = [
        (clerk, "accept", {"subcategory": "01.02", "case_type": "complaint"}, "received"),
        (clerk, "dispatch", {"department": "D02"}, "dispatched"),
        (api(people["handler"]), "sign", {}, "in_progress"),
        (api(people["handler"]), "submit_review", {"result": "已更换灯泡"}, "under_review"),
        (api(people["reviewer"]), "reply", {"message": "灯已修好"}, "replied"),
        (resident, "visit", {"satisfaction": "satisfied", "resolved": True}, "closed"),
    ]
    for client, action, body, expected in steps:
        response = client.post(f"/api/v1/cases/{case_id}/actions/{action}/", body, format="json")
        assert response.status_code == 200, (action, response.content)
        assert response.data["status"] == expected, action

    events = clerk.get(f"/api/v1/cases/{case_id}/events/").data["results"]
    assert [event["action"] for event in events] == [
        "case.create",
        "case.accept",
        "case.dispatch",
        "case.sign",
        "case.submit_review",
        "case.reply",
        "case.visit",
        "case.close",
    ]
    assert events[-1]["actor"] is None
    assert events[2]["changes"]["department"] == [None, "D02"]
