"""Placing a request in the unit tree: coordinates by distance and level, addresses by names."""

from decimal import Decimal

import pytest

from fengqiao.open311 import locating
from fengqiao.org.models import Unit, UnitLevel
from fengqiao.testing.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_distance_between_two_points_of_hefei():
    # About 0.01° of latitude is 1.11 km.
    assert locating.distance_km(31.76, 117.22, 31.77, 117.22) == pytest.approx(1.112, abs=0.01)


def test_an_estate_within_1_km_wins_over_a_nearer_community(located_tree):
    # 600 m from 海恒家园 and 500 m from 海恒社区's centre: the estate is the more specific answer.
    Unit.objects.filter(pk=located_tree["hh"].pk).update(latitude=Decimal("31.757000"), longitude=Decimal("117.226200"))
    unit = locating.unit_by_coordinates(Decimal("31.755800"), Decimal("117.226200"), within=None)
    assert unit == located_tree["estate"]


def test_coordinates_are_searched_inside_the_jurisdiction_only(located_tree):
    near_lh_estate = (Decimal("31.796400"), Decimal("117.195400"))
    assert locating.unit_by_coordinates(*near_lh_estate, within=None) == located_tree["lh_estate"]
    assert locating.unit_by_coordinates(*near_lh_estate, within=located_tree["hh"]) is None


def test_two_estates_of_the_same_name_are_told_apart_by_their_community(tree):
    other = UnitFactory(code="HF-JK-FR-LH-E9", name="海恒家园", level=UnitLevel.ESTATE, parent=tree["lh"])
    assert locating.unit_by_address("临湖社区海恒家园", within=None) == other
    assert locating.unit_by_address("海恒社区海恒家园", within=None) == tree["estate"]


def test_names_of_one_character_are_not_matched(tree):
    UnitFactory(code="HF-X", name="园", level=UnitLevel.ESTATE, parent=tree["street"])
    assert locating.unit_by_address("某某园", within=None) is None


def test_locate_reports_how(located_tree):
    unit, how = locating.locate(lat=None, long=None, address="", within=located_tree["district"])
    assert (unit, how) == (located_tree["district"], "default")
    unit, how = locating.locate(lat=None, long=None, address="临湖小区", within=None)
    assert (unit, how) == (located_tree["lh_estate"], "address")
