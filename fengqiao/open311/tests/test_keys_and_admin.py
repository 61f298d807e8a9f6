"""`manage.py open311_key NAME`, keys stored as hashes, and the Open311 admin: revoking keys,
jurisdictions, attributes, and requests shown read-only with personal data masked."""

import hashlib
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command, execute_from_command_line
from django.db import connections
from django.test import Client

from fengqiao.open311.models import ApiKey, Jurisdiction, Open311Request, ServiceAttribute
from fengqiao.taxonomy.models import Subcategory
from fengqiao.testing.factories import UserFactory

from .test_post_request import REPORTER, created_case, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    return client


# The command -------------------------------------------------------------------------------------------


def test_open311_key_prints_a_key_that_is_stored_only_as_a_hash():
    out, err = StringIO(), StringIO()
    call_command("open311_key", "Hefei 12345 app", stdout=out, stderr=err)

    raw = out.getvalue().strip()
    assert len(raw) >= 40
    key = ApiKey.objects.get()
    assert key.name == "Hefei 12345 app"
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert key.prefix == raw[:8] and key.prefix in err.getvalue()
    assert raw not in {key.name, key.prefix, key.key_hash}
    assert key.is_active and key.last_used_at is None


def test_the_printed_key_files_requests(client, tree):
    out = StringIO()
    call_command("open311_key", "App", stdout=out, stderr=StringIO())
    created_case(post(client, api_key=out.getvalue().strip(), service_code="01.02", address_string="海恒家园"))


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_exits_with_1(capsys, monkeypatch, name):
    # The command line closes the database connections when it ends; the test's must stay open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "open311_key", name])
    assert exit_info.value.code == 1
    assert "Give the key a name" in capsys.readouterr().err
    assert not ApiKey.objects.exists()


# The admin ---------------------------------------------------------------------------------------------


def test_every_open311_model_is_in_the_admin():
    for model in (ApiKey, Jurisdiction, ServiceAttribute, Open311Request):
        assert model in admin.site._registry


@pytest.mark.parametrize(
    "model", ["open311/apikey", "open311/jurisdiction", "open311/serviceattribute", "open311/open311request"]
)
def test_changelists_open(admin_client, client, tree, api_key, model):
    Jurisdiction.objects.create(jurisdiction_id="hefei.gov.cn", name="合肥市", unit=tree["city"])
    created_case(post(client, api_key=api_key, service_code="01.02", address_string="海恒家园"))
    response = admin_client.get(f"/admin/{model}/")
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_a_key_made_in_the_admin_is_shown_once(admin_client):
    response = admin_client.post("/admin/open311/apikey/add/", {"name": "Partner app", "_save": "1"})
    assert response.status_code == 302
    key = ApiKey.objects.get(name="Partner app")
    words = [word for text in get_messages(response.wsgi_request) for word in str(text).split()]
    (raw,) = [word for word in words if word.startswith(key.prefix) and len(word) > 40]
    assert hashlib.sha256(raw.encode()).hexdigest() == key.key_hash
    assert raw in admin_client.get(response["Location"]).content.decode()  # the message, once
    page = admin_client.get(f"/admin/open311/apikey/{key.pk}/change/").content.decode()
    assert raw not in page and key.key_hash not in page and key.prefix in page


def test_keys_are_revoked_in_the_admin_and_filtered_by_state(admin_client, client, tree, api_key):
    key = ApiKey.objects.get()
    response = admin_client.post(
        "/admin/open311/apikey/", {"action": "revoke", "_selected_action": [str(key.pk)]}, follow=True
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert post(client, api_key=api_key, service_code="01.02", address_string="海恒家园").status_code == 403
    assert admin_client.get("/admin/open311/apikey/", {"state": "revoked"}).context["cl"].result_count == 1
    assert admin_client.get("/admin/open311/apikey/", {"state": "active"}).context["cl"].result_count == 0
    assert admin_client.post(f"/admin/open311/apikey/{key.pk}/delete/", {"post": "yes"}).status_code == 403


def test_requests_in_the_admin_are_read_only_and_masked(admin_client, client, tree, api_key):
    case = created_case(post(client, api_key=api_key, service_code="01.02", address_string="海恒家园", **REPORTER))
    request = case.open311
    html = admin_client.get(f"/admin/open311/open311request/{request.pk}/change/").content.decode()
    for secret in ("13812345678", "xiaoming.wang@example.org", "小明", "device-7f3a9c", "acct-55821"):
        assert secret not in html
    assert "138****5678" in html and "x***@example.org" in html
    assert admin_client.get("/admin/open311/open311request/add/").status_code == 403
    assert 'name="_save"' not in html


def test_a_jurisdiction_is_a_city_or_a_district(tree):
    with pytest.raises(ValidationError):
        Jurisdiction(jurisdiction_id="hh.example", name="海恒", unit=tree["hh"]).full_clean()
    with pytest.raises(ValidationError):
        Jurisdiction(jurisdiction_id="Not A Domain", name="x", unit=tree["city"]).full_clean()
    Jurisdiction(jurisdiction_id="jk.hefei.gov.cn", name="经开区", unit=tree["district"]).full_clean()


def test_attribute_values_are_checked():
    lift = Subcategory.objects.get(code="01.01")
    bad = [
        {"datatype": "singlevaluelist", "values": []},
        {"datatype": "singlevaluelist", "values": [{"key": "a"}]},
        {"datatype": "multivaluelist", "values": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]},
        {"datatype": "string", "values": [{"key": "a", "name": "A"}]},
    ]
    for fields in bad:
        with pytest.raises(ValidationError):
            ServiceAttribute(subcategory=lift, code="extra", description="x", order=9, **fields).full_clean()
    ServiceAttribute(
        subcategory=lift,
        code="extra",
        description="x",
        order=9,
        datatype="singlevaluelist",
        values=[{"key": "a", "name": "A"}],
    ).full_clean()


def test_the_migration_installed_the_default_attributes():
    lift = ServiceAttribute.objects.filter(subcategory__code="01.01").order_by("order")
    assert [(a.code, a.datatype, a.required) for a in lift][:2] == [
        ("building", "string", True),
        ("floor", "number", True),
    ]
    assert set(ServiceAttribute.objects.values_list("datatype", flat=True)) == {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }
