"""The unit tree keeps its materialised paths right when units move."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from fengqiao.org.models import Unit, UnitLevel
from fengqiao.testing.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_moving_a_unit_moves_its_whole_subtree(tree):
    estate = tree["estate"]
    estate.parent = tree["lh"]
    estate.save()
    building = Unit.objects.get(code="HF-JK-FR-HH-E1-B1")
    assert building.path == "/HF/HF-JK/HF-JK-FR/HF-JK-FR-LH/HF-JK-FR-HH-E1/HF-JK-FR-HH-E1-B1/"
    assert building.depth == 5
    assert building.is_within(tree["lh"]) and not building.is_within(tree["hh"])


def test_moving_up_a_level_shifts_depths(tree):
    estate = tree["estate"]
    estate.parent = tree["street"]
    estate.save()
    assert Unit.objects.get(code="HF-JK-FR-HH-E1").depth == 3
    assert Unit.objects.get(code="HF-JK-FR-HH-E1-B2").depth == 4


def test_a_unit_cannot_be_moved_under_its_own_descendant(tree):
    hh = Unit.objects.get(code="HF-JK-FR-HH")
    hh.parent = Unit.objects.get(code="HF-JK-FR-HH-E1-B1")
    with pytest.raises(ValueError, match="under itself"):
        hh.save()
    assert Unit.objects.get(code="HF-JK-FR-HH").path == "/HF/HF-JK/HF-JK-FR/HF-JK-FR-HH/"
    with pytest.raises(ValidationError) as error:
        hh.clean()
    assert "parent" in error.value.message_dict


def test_clean_rejects_bad_codes_and_inverted_levels(tree):
    unit = Unit(code="HF/bad", name="坏", level=UnitLevel.CITY, parent=tree["building1"])
    with pytest.raises(ValidationError) as error:
        unit.clean()
    assert set(error.value.message_dict) == {"code", "level"}


def test_codes_are_unique_ignoring_case(tree):
    with pytest.raises(IntegrityError):
        UnitFactory(code="hf-jk", name="重复", level=UnitLevel.DISTRICT, parent=None)


def test_ancestors_and_full_name(tree):
    building = tree["building1"]
    assert [unit.code for unit in building.ancestors()] == [
        "HF",
        "HF-JK",
        "HF-JK-FR",
        "HF-JK-FR-HH",
        "HF-JK-FR-HH-E1",
        "HF-JK-FR-HH-E1-B1",
    ]
    assert building.full_name == "经开区 芙蓉街道 海恒社区 海恒家园 1栋"
