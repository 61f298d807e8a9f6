"""jurisdiction_id: optional with none or one configured, required with several; an unknown one
is 404 everywhere; a jurisdiction sees (and files into) its own unit's subtree only."""

from urllib.parse import urlencode

import pytest

from fengqiao.cases.models import Case
from fengqiao.open311.models import Jurisdiction, Open311Request
from fengqiao.org.models import UnitLevel
from fengqiao.testing.factories import CaseFactory, UnitFactory

from .conftest import errors, records, url
from .test_post_request import created_case, post

pytestmark = pytest.mark.django_db

FORMATS = ["xml", "json"]


@pytest.fixture
def chenzhou(tree):
    city = UnitFactory(code="CZ", name="郴州市", level=UnitLevel.CITY)
    village = UnitFactory(code="CZ-JH-V1", name="渣林村", level=UnitLevel.COMMUNITY, parent=city)
    return {"city": city, "village": village}


@pytest.fixture
def cases(tree, chenzhou):
    return {
        "hf": CaseFactory(number="HF0001", unit=tree["estate"]),
        "cz": CaseFactory(number="CZ0001", unit=chenzhou["village"]),
    }


@pytest.fixture
def two_jurisdictions(tree, chenzhou):
    return [
        Jurisdiction.objects.create(jurisdiction_id="hefei.gov.cn", name="合肥市", unit=tree["city"]),
        Jurisdiction.objects.create(jurisdiction_id="czs.gov.cn", name="郴州市", unit=chenzhou["city"]),
    ]


def get(client, path, **params):
    return client.get(url(path) + (f"?{urlencode(params)}" if params else ""))


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["service_request_id"] for row in records(response, root="service_requests", item="request")}


# None configured --------------------------------------------------------------------------------------


def test_without_jurisdictions_everything_is_served(client, cases):
    assert numbers(get(client, "requests.json")) == {"HF0001", "CZ0001"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "path",
    [
        "services.{fmt}",
        "services/01.01.{fmt}",
        "requests.{fmt}",
        "requests/HF0001.{fmt}",
        "servicerequestupdates.{fmt}",
    ],
)
def test_an_unknown_jurisdiction_is_404(client, cases, fmt, path):
    response = get(client, path.format(fmt=fmt), jurisdiction_id="sfgov.org")
    assert response.status_code == 404
    ((code, description),) = errors(response, fmt)
    assert code == 404 and "sfgov.org" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_to_an_unknown_jurisdiction_is_404(client, tree, api_key, fmt):
    response = post(client, fmt, api_key=api_key, jurisdiction_id="sfgov.org", service_code="01.02", address_string="x")
    assert response.status_code == 404
    assert not Case.objects.exists()


# One configured -------------------------------------------------------------------------------------------


def test_with_one_jurisdiction_the_id_is_optional_and_the_subtree_is_served(client, tree, cases):
    Jurisdiction.objects.create(jurisdiction_id="hefei.gov.cn", name="合肥市", unit=tree["city"])
    assert numbers(get(client, "requests.json")) == {"HF0001"}
    assert numbers(get(client, "requests.json", jurisdiction_id="hefei.gov.cn")) == {"HF0001"}
    assert numbers(get(client, "requests.json", jurisdiction_id="Hefei.Gov.CN")) == {"HF0001"}
    assert get(client, "requests/CZ0001.json").status_code == 404
    assert get(client, "requests.json", jurisdiction_id="czs.gov.cn").status_code == 404


# Several configured --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "path",
    [
        "services.{fmt}",
        "services/01.01.{fmt}",
        "requests.{fmt}",
        "requests/HF0001.{fmt}",
        "servicerequestupdates.{fmt}",
    ],
)
def test_with_several_jurisdictions_the_id_is_required(client, cases, two_jurisdictions, fmt, path):
    response = get(client, path.format(fmt=fmt))
    assert response.status_code == 400
    ((code, description),) = errors(response, fmt)
    assert code == 400 and "jurisdiction_id is required" in description
    assert "hefei.gov.cn" in description and "czs.gov.cn" in description


def test_the_token_lookup_needs_the_jurisdiction_too(client, tree, api_key, two_jurisdictions):
    case = created_case(
        post(client, api_key=api_key, jurisdiction_id="hefei.gov.cn", service_code="01.02", address_string="海恒家园")
    )
    token = str(Open311Request.objects.get(case=case).token)
    assert get(client, f"tokens/{token}.json").status_code == 400
    assert get(client, f"tokens/{token}.json", jurisdiction_id="hefei.gov.cn").status_code == 200
    assert get(client, f"tokens/{token}.json", jurisdiction_id="czs.gov.cn").status_code == 404


def test_discovery_needs_no_jurisdiction(client, two_jurisdictions):
    assert get(client, "discovery.xml").status_code == 200


def test_each_jurisdiction_sees_its_own_requests(client, cases, two_jurisdictions):
    assert numbers(get(client, "requests.json", jurisdiction_id="hefei.gov.cn")) == {"HF0001"}
    assert numbers(get(client, "requests.json", jurisdiction_id="czs.gov.cn")) == {"CZ0001"}
    assert numbers(get(client, "requests.json", jurisdiction_id="czs.gov.cn", service_request_id="HF0001,CZ0001")) == {
        "CZ0001"
    }
    assert get(client, "requests/HF0001.json", jurisdiction_id="czs.gov.cn").status_code == 404
    assert numbers(get(client, "requests/HF0001.json", jurisdiction_id="hefei.gov.cn")) == {"HF0001"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_without_the_id_is_400_with_the_other_problems(client, tree, api_key, two_jurisdictions, fmt):
    response = post(client, fmt, api_key=api_key, service_code="01.02")
    assert response.status_code == 400
    descriptions = [description for _code, description in errors(response, fmt)]
    assert len(descriptions) == 2
    assert "jurisdiction_id is required" in descriptions[0]
    assert "A location is required" in descriptions[1]


def test_a_request_is_located_inside_its_jurisdiction(client, tree, chenzhou, api_key, two_jurisdictions):
    # 海恒家园 is in Hefei: filed with Chenzhou's id, the address names no unit of Chenzhou.
    case = created_case(
        post(client, api_key=api_key, jurisdiction_id="czs.gov.cn", service_code="01.02", address_string="海恒家园")
    )
    assert case.unit == chenzhou["city"]
    assert case.open311.jurisdiction.jurisdiction_id == "czs.gov.cn"
    case = created_case(
        post(client, api_key=api_key, jurisdiction_id="czs.gov.cn", service_code="01.02", address_string="渣林村村委会")
    )
    assert case.unit == chenzhou["village"]
