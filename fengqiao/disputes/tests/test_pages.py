"""Every dispute page renders for the roles it is for and turns the others away."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = {
    "mediator": ["mediation-ledger", "venue-schedule", "labour-ledger"],
    "clerk": [
        "petition-ledger",
        "petition-register",
        "petition-hard-cases",
        "whistle-board",
        "whistle-log",
        "whistle-place",
    ],
    "leader": ["mediation-ledger", "petition-ledger", "whistle-board"],
    "resident1": ["booking"],
}


@pytest.mark.parametrize(("persona", "name"), [(p, n) for p, names in PAGES.items() for n in names])
def test_page_renders(client, people, persona, name):
    client.force_login(people[persona])
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["mediation-ledger", "petition-ledger", "whistle-board"])
def test_residents_are_turned_away(client, people, name):
    client.force_login(people["resident1"])
    assert client.get(reverse(name)).status_code == 403


def test_nav_links_by_role(client, people):
    client.force_login(people["resident1"])
    page = client.get(reverse("booking")).content.decode()
    assert reverse("booking") in page and reverse("mediation-ledger") not in page
    client.force_login(people["mediator"])
    page = client.get(reverse("mediation-ledger")).content.decode()
    assert reverse("mediation-ledger") in page and reverse("petition-ledger") not in page


def test_case_page_links_a_dispute_to_its_mediation(client, people, dispute):
    client.force_login(people["mediator"])
    page = client.get(reverse("case-detail", args=[dispute.pk])).content.decode()
    assert reverse("mediation-register", args=[dispute.pk]) in page
    client.force_login(people["resident1"])  # not staff: nothing of it
    assert reverse("mediation-register", args=[dispute.pk]) not in client.get(reverse("booking")).content.decode()
