"""The routing table: a unit's rule overrides the default department for its whole subtree,
and the nearest rule up the tree wins."""

import pytest

from fengqiao.org.models import Department
from fengqiao.taxonomy.loader import read_taxonomy
from fengqiao.taxonomy.models import CaseType, Category, RoutingRule, Subcategory, route

pytestmark = pytest.mark.django_db


def test_migrations_install_the_default_taxonomy():
    data = read_taxonomy()
    assert CaseType.objects.count() == len(data["case_types"]) == 8
    assert Category.objects.count() == len(data["categories"]) == 17
    assert Subcategory.objects.count() == 56
    assert Department.objects.count() == len(data["departments"]) == 23
    lift = Subcategory.objects.get(code="01.01")
    assert (lift.department.code, lift.limit_unit, lift.limit_count) == ("D02", "hour", 24)


def test_without_a_rule_the_subcategory_default_department(tree):
    assert route(unit=tree["building1"], subcategory=Subcategory.objects.get(code="01.02")).code == "D02"


def test_a_rule_covers_the_subtree_and_the_nearest_rule_wins(tree):
    streetlights = Subcategory.objects.get(code="01.02")
    RoutingRule.objects.create(
        unit=tree["street"], subcategory=streetlights, department=Department.objects.get(code="D03")
    )
    RoutingRule.objects.create(
        unit=tree["estate"], subcategory=streetlights, department=Department.objects.get(code="D01")
    )
    assert route(unit=tree["building1"], subcategory=streetlights).code == "D01"  # the estate's rule
    assert route(unit=tree["lh_estate"], subcategory=streetlights).code == "D03"  # the street's rule
    assert route(unit=tree["city"], subcategory=streetlights).code == "D02"  # above every rule
    other = Subcategory.objects.get(code="11.01")
    assert route(unit=tree["building1"], subcategory=other) == other.department
