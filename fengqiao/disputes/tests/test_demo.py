"""The dispute part of ``load_demo``: venues with weekend sessions, one agreement and one
mediation in progress, a petition with a 包保 leader, a whistle with one late department."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fengqiao.cases.models import Whistle
from fengqiao.disputes import selectors
from fengqiao.disputes.demo import load_disputes_demo
from fengqiao.disputes.models import MediationRecord, Petition, Venue, VenueSession
from fengqiao.org.models import User

pytestmark = pytest.mark.django_db


def test_demo_disputes_and_a_second_run_changes_nothing():
    call_command("load_demo", cases=0, stdout=StringIO())
    assert Venue.objects.count() == 4
    assert all(timezone.localtime(session.starts_at).weekday() in (5, 6) for session in VenueSession.objects.all())
    assert sorted(MediationRecord.objects.values_list("status", flat=True)) == ["agreement", "mediating"]
    petition = Petition.objects.get()
    assert petition.is_hard and petition.responsible_leader.username == "leader"
    clerk = User.objects.get(username="clerk")
    board = selectors.whistle_log(viewer=clerk)
    assert [(row.summons.department.code, row.late) for row in board[0].rows] == [("D04", True), ("D06", False)]

    before = (Venue.objects.count(), MediationRecord.objects.count(), Whistle.objects.count())
    assert load_disputes_demo() is False
    call_command("load_demo", cases=0, stdout=StringIO())
    assert (Venue.objects.count(), MediationRecord.objects.count(), Whistle.objects.count()) == before
