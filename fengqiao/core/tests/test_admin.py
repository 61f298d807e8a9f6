"""The Django admin: every reference table opens, cases stay read-only, calendar edits take effect."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client

from fengqiao.cases.models import Case, CaseEvent, Status, Whistle, WhistleSummons
from fengqiao.core import workcalendar
from fengqiao.core.models import CalendarDay, CalendarYear, PersonalDataAccess
from fengqiao.notifications.models import Notification
from fengqiao.org.models import PartyOrganisation, Role, RoleAssignment
from fengqiao.taxonomy.models import RoutingRule, Subcategory
from fengqiao.testing.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = workcalendar.LOCAL_TZ

EDITABLE = [
    "core/calendarday",
    "core/calendaryear",
    "org/unit",
    "org/department",
    "org/user",
    "org/roleassignment",
    "org/partyorganisation",
    "taxonomy/casetype",
    "taxonomy/category",
    "taxonomy/subcategory",
    "taxonomy/routingrule",
    "notifications/notification",
]
READ_ONLY = ["core/personaldataaccess", "cases/case", "cases/whistle"]


@pytest.fixture(autouse=True)
def fresh_calendar():
    workcalendar.clear_cache()
    yield
    workcalendar.clear_cache()


@pytest.fixture
def superuser(db, password):
    return UserFactory(username="root", display_name="管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser, password):
    client = Client()
    assert client.login(username=superuser.username, password=password)
    return client


@pytest.fixture
def case(people, tree, d02):
    received = dt.datetime(2026, 9, 30, 10, tzinfo=TZ)
    subcategory = Subcategory.objects.get(code="01.02")
    case = CaseFactory(
        number="FQ2026093000001",
        unit=tree["building1"],
        subcategory=subcategory,
        department=d02,
        status=Status.DISPATCHED,
        contact_name="王小明",
        phone="13812345678",
        received_at=received,
        deadline=Case(subcategory=subcategory, received_at=received).compute_deadline(),
    )
    CaseEvent.objects.create(case=case, action="case.create", to_status=Status.RECEIVED, created_at=received)
    CaseEvent.objects.create(
        case=case,
        action="case.dispatch",
        actor=people["clerk"],
        from_status=Status.RECEIVED,
        to_status=Status.DISPATCHED,
        created_at=received + dt.timedelta(hours=1),
    )
    return case


@pytest.fixture
def data(case, people, tree, d02, d12, superuser):
    """At least one row in every table, so each changelist renders real rows."""
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    CalendarYear.objects.create(year=2027, note="国务院办公厅通知")
    PersonalDataAccess.objects.create(user=people["clerk"], subject="case X", fields="phone", purpose="test")
    RoutingRule.objects.create(unit=tree["lh"], subcategory=Subcategory.objects.get(code="01.02"), department=d12)
    PartyOrganisation.objects.create(name="海恒社区党委", kind=PartyOrganisation.Kind.COMMITTEE, unit=tree["hh"])
    whistle = Whistle.objects.create(case=case, place="海恒家园1栋", blown_by=people["clerk"])
    WhistleSummons.objects.create(whistle=whistle, department=d02)
    Notification.objects.create(recipient=people["handler"], case=case, verb="dispatched", message="新工单")
    return {"case": case, "whistle": whistle}


def test_every_project_model_is_registered():
    project_models = {
        f"{model._meta.app_label}/{model._meta.model_name}"
        for model in apps.get_models()
        if model.__module__.startswith("fengqiao.")
    }
    registered = {f"{model._meta.app_label}/{model._meta.model_name}" for model in admin.site._registry}
    # Case events and whistle summonses are shown inline under their case and whistle.
    assert project_models - registered == {"cases/caseevent", "cases/whistlesummons"}
    assert set(EDITABLE + READ_ONLY) <= registered


@pytest.mark.parametrize("model", EDITABLE + READ_ONLY)
def test_changelist_opens(admin_client, data, model):
    response = admin_client.get(f"/admin/{model}/")
    assert response.status_code == 200, response.content[:500]
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", EDITABLE)
def test_add_page_opens(admin_client, model):
    assert admin_client.get(f"/admin/{model}/add/").status_code == 200


@pytest.mark.parametrize("model", READ_ONLY)
def test_read_only_models_have_no_add_page(admin_client, model):
    assert admin_client.get(f"/admin/{model}/add/").status_code == 403


def test_case_admin_grants_no_add_change_or_delete(superuser, rf):
    request = rf.get("/admin/cases/case/")
    request.user = superuser
    case_admin = admin.site._registry[Case]
    assert not case_admin.has_add_permission(request)
    assert not case_admin.has_change_permission(request)
    assert not case_admin.has_delete_permission(request)
    assert case_admin.has_view_permission(request)


def test_case_cannot_be_changed_or_deleted_through_the_admin(admin_client, case):
    url = f"/admin/cases/case/{case.pk}/change/"
    assert admin_client.post(url, {"status": Status.CLOSED, "text": "改了"}).status_code == 403
    assert admin_client.post(f"/admin/cases/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.text == "楼道灯坏了一个星期没人修"


def test_case_detail_is_view_only_with_events_oldest_first(admin_client, case):
    response = admin_client.get(f"/admin/cases/case/{case.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert html.index("case.create") < html.index("case.dispatch")
    inline = response.context["inline_admin_formsets"][0]
    assert inline.has_add_permission is False
    assert inline.has_change_permission is False


def test_case_list_masks_the_phone(admin_client, case):
    html = admin_client.get("/admin/cases/case/").content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html


def test_superuser_sees_the_phone_in_the_detail_and_the_view_is_logged(admin_client, superuser, case):
    html = admin_client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "13812345678" in html
    access = PersonalDataAccess.objects.get(user=superuser)
    assert access.subject == f"case {case.number}"
    assert access.purpose == "admin case detail"


def test_staff_with_view_permission_sees_the_phone_masked(case, password):
    staff = UserFactory(username="auditor", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_case"))
    client = Client()
    assert client.login(username="auditor", password=password)
    response = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html
    assert "王小明" not in html
    assert not PersonalDataAccess.objects.filter(user=staff).exists()


def test_search_and_filters_of_the_case_list(admin_client, case):
    assert admin_client.get("/admin/cases/case/", {"q": "楼道灯"}).context["cl"].result_count == 1
    assert admin_client.get("/admin/cases/case/", {"q": "没有这个"}).context["cl"].result_count == 0
    assert admin_client.get("/admin/cases/case/", {"status__exact": "closed"}).context["cl"].result_count == 0
    assert admin_client.get("/admin/cases/case/", {"urgent__exact": "0"}).context["cl"].result_count == 1


def test_calendar_day_added_in_the_admin_changes_the_working_calendar(admin_client):
    typhoon = dt.date(2026, 7, 14)  # a normal Tuesday
    received = dt.datetime(2026, 7, 13, 9, tzinfo=TZ)
    assert workcalendar.is_workday(typhoon) is True  # loads (and caches) the overrides
    assert workcalendar.compute_deadline(received, unit="workday", count=1) == dt.datetime(2026, 7, 14, 9, tzinfo=TZ)

    response = admin_client.post(
        "/admin/core/calendarday/add/", {"date": "2026-07-14", "name": "台风停工", "_save": "1"}
    )

    assert response.status_code == 302, response.content[:2000]
    day = CalendarDay.objects.get(date=typhoon)
    assert day.is_workday is False
    assert day.name == "台风停工"
    assert workcalendar.is_workday(typhoon) is False
    assert workcalendar.compute_deadline(received, unit="workday", count=1) == dt.datetime(2026, 7, 15, 9, tzinfo=TZ)


def test_calendar_year_added_in_the_admin_covers_the_year(admin_client):
    assert workcalendar.is_year_covered(2027) is False
    response = admin_client.post("/admin/core/calendaryear/add/", {"year": "2027", "note": "", "_save": "1"})
    assert response.status_code == 302
    assert workcalendar.is_year_covered(2027) is True


def test_unit_added_in_the_admin_gets_its_path(admin_client, tree):
    response = admin_client.post(
        "/admin/org/unit/add/",
        {"code": "HF-JK-FR-HH-E2", "name": "海恒花园", "level": "estate", "parent": tree["hh"].pk, "_save": "1"},
    )
    assert response.status_code == 302, response.content[:2000]
    unit = tree["hh"].children.get(code="HF-JK-FR-HH-E2")
    assert unit.path == "/HF/HF-JK/HF-JK-FR/HF-JK-FR-HH/HF-JK-FR-HH-E2/"
    assert unit.depth == 4


def test_user_detail_shows_fengqiao_fields_and_roles(admin_client, people):
    handler = people["handler"]
    response = admin_client.get(f"/admin/org/user/{handler.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    for field in ("display_name", "phone", "id_number", "home_unit"):
        assert field in form.fields
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.model is RoleAssignment
    assert [f.instance.role for f in formset.forms if f.instance.pk] == [Role.HANDLER]


def test_subcategory_time_limit_is_editable_in_the_list(admin_client):
    subcategory = Subcategory.objects.get(code="01.02")
    response = admin_client.get("/admin/taxonomy/subcategory/", {"q": "01.02"})
    formset = response.context["cl"].formset
    assert {"department", "limit_unit", "limit_count", "is_active"} <= set(formset.forms[0].fields)
    assert formset.forms[0].instance == subcategory
