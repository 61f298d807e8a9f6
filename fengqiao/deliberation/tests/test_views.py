"""The agenda page lists the topics of the viewer's units only."""

import pytest
from django.urls import reverse

from fengqiao.deliberation.models import Topic, TopicSource

pytestmark = pytest.mark.django_db


def test_topics_of_ones_own_units_are_listed(client, people, tree):
    Topic.objects.create(unit=tree["hh"], title="海恒物业议题", description="d", proposed_by=people["leader"])
    Topic.objects.create(
        unit=tree["lh"], title="临湖停车议题", description="d", proposed_by=people["leader"], source=TopicSource.WARNING
    )
    client.force_login(people["clerk"])
    page = client.get(reverse("topics")).content.decode()
    assert "海恒物业议题" in page and "临湖停车议题" not in page
    client.force_login(people["leader"])
    page = client.get(reverse("topics")).content.decode()
    assert page.count('data-testid="topic"') == 2
    client.force_login(people["resident1"])
    assert client.get(reverse("topics")).status_code == 403
