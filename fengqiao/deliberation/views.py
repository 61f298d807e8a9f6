"""The deliberation agenda: topics proposed for the units a member of staff works in."""

from __future__ import annotations

from django.shortcuts import render

from fengqiao.analytics import access
from fengqiao.cases.views import role_required
from fengqiao.org import access as org_access

from .models import Topic, TopicStatus


@role_required(*org_access.STAFF_ROLES)
def topic_list(request):
    """议事议题: open topics first, then the decided and dropped ones, newest first."""
    topics = list(
        Topic.objects.filter(access.scope_q(request.user))
        .select_related("unit", "proposed_by")
        .order_by("-created_at")[:500]
    )
    open_states = (TopicStatus.PROPOSED, TopicStatus.SCHEDULED)
    topics.sort(key=lambda topic: topic.status not in open_states)
    return render(request, "deliberation/topics.html", {"nav": "topics", "topics": topics})
