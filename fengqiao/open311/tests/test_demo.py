"""The demo answers Open311 as hefei.gov.cn, and a request with coordinates lands in an estate
that the demo clerk of 海恒社区 sees in the workbench."""

from io import StringIO

import pytest
from django.core.management import call_command

from fengqiao.cases.models import Case
from fengqiao.cases.selectors import intake_queue
from fengqiao.demo.data.units import COORDINATES
from fengqiao.open311.models import Jurisdiction
from fengqiao.org.models import Unit, UnitLevel, User

from .test_post_request import LIFT, created_case, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", cases=0, stdout=StringIO())


def test_demo_estates_and_communities_have_centres_in_hefei(demo):
    estates = Unit.objects.filter(path__startswith="/HF/", level=UnitLevel.ESTATE)
    communities = Unit.objects.filter(path__startswith="/HF/", level=UnitLevel.COMMUNITY)
    for unit in [*estates, *communities]:
        assert unit.latitude is not None and unit.longitude is not None, unit.code
        assert 31.7 < float(unit.latitude) < 31.85 and 117.15 < float(unit.longitude) < 117.35
    positions = [COORDINATES[unit.code] for unit in estates]
    assert len(set(positions)) == len(positions)
    jurisdiction = Jurisdiction.objects.get()
    assert (jurisdiction.jurisdiction_id, jurisdiction.unit.code) == ("hefei.gov.cn", "HF")


def test_a_request_with_coordinates_lands_in_a_demo_estate(client, demo, api_key):
    estate = Unit.objects.get(name="海恒家园", level=UnitLevel.ESTATE)
    lat = f"{float(estate.latitude) + 0.0002:.6f}"
    long = f"{float(estate.longitude) - 0.0002:.6f}"

    case = created_case(post(client, api_key=api_key, jurisdiction_id="hefei.gov.cn", lat=lat, long=long, **LIFT))

    assert case.unit == estate
    assert case in intake_queue(viewer=User.objects.get(username="clerk"))


def test_the_demo_is_removed_with_its_jurisdiction(demo, client, api_key):
    created_case(post(client, api_key=api_key, address_string="海恒家园", **LIFT))
    call_command("load_demo", cases=0, reset=True, stdout=StringIO())
    assert Jurisdiction.objects.count() == 1
    assert not Case.objects.filter(channel="open311").exists()
