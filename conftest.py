"""Shared fixtures: a small unit tree and one named persona per role.

海恒社区 (HH) with two estates and buildings under a street; a second community (LH) whose
staff must not see HH's cases.
"""

import pytest

from fengqiao.org.models import Department, Role, UnitLevel
from fengqiao.testing.browser import chromium, open_as, screenshot, screenshot_dir  # noqa: F401 (fixtures)
from fengqiao.testing.factories import PASSWORD, UnitFactory, UserFactory, grant


@pytest.fixture(scope="session", autouse=True)
def triage_model(tmp_path_factory):
    """Every case created in a test is triaged by a small model trained once per session from
    the triage app's fixture corpus (never the real corpus, never a model file in var/)."""
    from fengqiao.triage.testing import install_fixture_model

    return install_fixture_model(tmp_path_factory.mktemp("triage"))


@pytest.fixture
def tree(db):
    city = UnitFactory(code="HF", name="合肥市", level=UnitLevel.CITY)
    district = UnitFactory(code="HF-JK", name="经开区", level=UnitLevel.DISTRICT, parent=city)
    street = UnitFactory(code="HF-JK-FR", name="芙蓉街道", level=UnitLevel.STREET, parent=district)
    hh = UnitFactory(code="HF-JK-FR-HH", name="海恒社区", level=UnitLevel.COMMUNITY, parent=street)
    lh = UnitFactory(code="HF-JK-FR-LH", name="临湖社区", level=UnitLevel.COMMUNITY, parent=street)
    estate = UnitFactory(code="HF-JK-FR-HH-E1", name="海恒家园", level=UnitLevel.ESTATE, parent=hh)
    building1 = UnitFactory(code="HF-JK-FR-HH-E1-B1", name="1栋", level=UnitLevel.BUILDING, parent=estate)
    building2 = UnitFactory(code="HF-JK-FR-HH-E1-B2", name="2栋", level=UnitLevel.BUILDING, parent=estate)
    lh_estate = UnitFactory(code="HF-JK-FR-LH-E1", name="临湖小区", level=UnitLevel.ESTATE, parent=lh)
    return {
        "city": city,
        "district": district,
        "street": street,
        "hh": hh,
        "lh": lh,
        "estate": estate,
        "building1": building1,
        "building2": building2,
        "lh_estate": lh_estate,
    }


@pytest.fixture
def d02(db):
    return Department.objects.get(code="D02")


@pytest.fixture
def d12(db):
    return Department.objects.get(code="D12")


@pytest.fixture
def people(tree, d02, d12):
    hh = tree["hh"]
    resident1 = UserFactory(
        username="resident1", display_name="王小明", phone="13812345678", home_unit=tree["building1"]
    )
    resident2 = UserFactory(username="resident2", display_name="李芳", phone="13987654321", home_unit=tree["building2"])
    return {
        "resident1": resident1,
        "resident2": resident2,
        "clerk": grant(UserFactory(username="clerk", display_name="张受理"), Role.CLERK, hh),
        "handler": grant(UserFactory(username="handler", display_name="刘承办"), Role.HANDLER, hh, d02),
        "handler_d12": grant(UserFactory(username="handler12", display_name="陈市政"), Role.HANDLER, hh, d12),
        "reviewer": grant(UserFactory(username="reviewer", display_name="赵审核"), Role.REVIEWER, hh),
        "gridworker": grant(UserFactory(username="gridworker", display_name="孙网格"), Role.GRID_WORKER, hh),
        "mediator": grant(UserFactory(username="mediator", display_name="周调解"), Role.MEDIATOR, hh),
        "leader": grant(UserFactory(username="leader", display_name="吴书记"), Role.LEADER, tree["street"]),
        "other_clerk": grant(UserFactory(username="lhclerk", display_name="郑临湖"), Role.CLERK, tree["lh"]),
        "other_reviewer": grant(UserFactory(username="lhreviewer", display_name="冯临湖"), Role.REVIEWER, tree["lh"]),
    }


@pytest.fixture
def password():
    return PASSWORD
