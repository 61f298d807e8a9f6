"""Server-rendered pages: thin views over the selectors and the actions."""

from __future__ import annotations

import json
import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.core.errors import DomainError, NotFound, ValidationFailed
from fengqiao.core.masking import mask_name, mask_phone
from fengqiao.org import access as org_access
from fengqiao.org.models import Department, Role
from fengqiao.taxonomy.models import CaseType, Subcategory, route
from fengqiao.triage import services as triage

from . import access, actions, ledger, personal_data, selectors, workflow
from .forms import LedgerFilterForm, StaffRecordForm, SubmitAppealForm
from .models import Case, Channel, Satisfaction, Status

PAGE_SIZE = 50
GATES = [
    (Status.RECEIVED, gettext_lazy("Received")),
    (Status.DISPATCHED, gettext_lazy("Dispatched")),
    (Status.IN_PROGRESS, gettext_lazy("In progress")),
    (Status.UNDER_REVIEW, gettext_lazy("Under review")),
    (Status.REPLIED, gettext_lazy("Replied")),
    (Status.VISITED, gettext_lazy("Visited")),
    (Status.CLOSED, gettext_lazy("Closed")),
]
GATE_ORDER: list[str] = [status for status, _label in GATES]
# What a resident sees of the timeline: the milestones, not staff's internal notes.
PUBLIC_EVENTS = {
    "case.create",
    "case.dispatch",
    "case.sign",
    "case.reply",
    "case.answer",
    "case.visit",
    "case.close",
    "case.merge",
    "case.reopen",
    "case.suspend",
    "case.resume",
}


def role_required(*roles):
    """Staff pages: the user must hold one of these roles somewhere (or be a superuser)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not (request.user.is_superuser or org_access.role_names(request.user) & set(roles)):
                raise PermissionDenied(_("This page is for staff with another role."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _annotate(cases, *, user=None):
    """Attach the flags every list shows (computed once per row, no extra queries)."""
    now = timezone.now()
    for case in cases:
        case.flag_overdue = case.is_overdue(now)
        case.flag_due_soon = case.is_due_soon(now)
        if user is not None:
            case.suggested_department = (
                route(unit=case.unit, subcategory=case.subcategory) if case.subcategory else None
            )
    return cases


@login_required
def home(request):
    roles = org_access.role_names(request.user)
    for role, target in (
        (Role.CLERK, "workbench"),
        (Role.HANDLER, "inbox"),
        (Role.REVIEWER, "review"),
        (Role.ADMIN, "ledger"),
        (Role.LEADER, "ledger"),
        (Role.MEDIATOR, "ledger"),
        (Role.GRID_WORKER, "record-case"),
    ):
        if role in roles:
            return redirect(target)
    return redirect("my-cases")


# Residents ----------------------------------------------------------------------------------------


@login_required
def my_cases(request):
    cases = Case.objects.filter(reporter=request.user).select_related(*selectors.LIST_RELATED).order_by("-received_at")
    page = _page(request, cases)
    _annotate(page.object_list)
    return render(request, "cases/my_cases.html", {"page": page, "nav": "my"})


@login_required
def my_data(request):
    """个人信息: everything held about the signed-in person, as a JSON file to keep."""
    data = personal_data.export_for(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="fengqiao-{request.user.username}.json"'
    return response


@login_required
def submit_case(request):
    """The resident's phone form. A hidden key makes a double tap create one case, not two."""
    user = request.user
    if request.method == "POST":
        form = SubmitAppealForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            unit = user.home_unit
            if unit is None:
                form.add_error(None, _("Your account has no home unit yet; please ask your community to add it."))
            else:
                try:
                    case, _created = actions.do_create_case(
                        actor=user,
                        unit=unit,
                        reporter=user,
                        text=data["text"],
                        address=data["address"],
                        contact_name=data["contact_name"] or user.display_name,
                        phone=data["phone"] or user.phone,
                        channel=Channel.ONLINE,
                        idempotency_key=data["idempotency_key"],
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("Your appeal %(number)s has been received.") % {"number": case.number})
                    return redirect("case-detail", case_id=case.pk)
    else:
        form = SubmitAppealForm(
            initial={"idempotency_key": uuid.uuid4().hex, "contact_name": user.display_name, "phone": user.phone}
        )
    return render(
        request,
        "cases/appeal_form.html",
        {
            "form": form,
            "nav": "my",
            "title": _("Submit an appeal"),
            "hint": _("Your phone number is only shown to the staff who handle your appeal."),
        },
    )


@role_required(Role.CLERK, Role.GRID_WORKER, Role.ADMIN)
def record_case(request):
    """Staff record an appeal received by phone, in person or on a grid visit."""
    user = request.user
    units = org_access.visible_units(user).order_by("path")
    channels = [(value, label) for value, label in Channel.choices if value != Channel.OPEN311]
    form = StaffRecordForm(
        request.POST or None,
        units=units,
        channels=channels,
        initial={"idempotency_key": uuid.uuid4().hex, "channel": Channel.PHONE},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, _created = actions.do_create_case(
                actor=user,
                unit=data["unit"],
                text=data["text"],
                address=data["address"],
                contact_name=data["contact_name"],
                phone=data["phone"],
                channel=data["channel"],
                urgent=data["urgent"],
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Case %(number)s recorded.") % {"number": case.number})
            return redirect("case-detail", case_id=case.pk)
    return render(
        request,
        "cases/appeal_form.html",
        {
            "form": form,
            "nav": "workbench",
            "title": _("Record an appeal"),
            "hint": _("Record what the resident said in their own words."),
        },
    )


# Staff queues -------------------------------------------------------------------------------------


@role_required(Role.CLERK, Role.ADMIN)
def workbench(request):
    """受理工作台: new and returned cases by due time, with the routing table's suggestion."""
    queue = selectors.intake_queue(viewer=request.user)
    page = _page(request, queue)
    _annotate(page.object_list, user=request.user)
    triage.attach_suggestions(page.object_list)
    replied = selectors.case_list(viewer=request.user, filters={"status": "replied"}).order_by("replied_at")[:20]
    dissatisfied = selectors.case_list(viewer=request.user, filters={"status": "visited"}).order_by("visited_at")[:20]
    return render(
        request,
        "cases/workbench.html",
        {
            "page": page,
            "to_visit": _annotate(list(replied)),
            "dissatisfied": _annotate(list(dissatisfied)),
            "subcategories": Subcategory.objects.filter(is_active=True).select_related("category"),
            "departments": Department.objects.filter(is_active=True),
            "case_types": CaseType.objects.all(),
            "nav": "workbench",
        },
    )


@require_POST
@role_required(Role.CLERK, Role.ADMIN)
def workbench_dispatch(request):
    """One click (one row) or bulk (the ticked rows): classify if needed, then dispatch to the
    chosen department or, when none is chosen, to the routing table's department."""
    case_ids = [request.POST["one"]] if request.POST.get("one") else request.POST.getlist("case")
    if not case_ids:
        messages.warning(request, _("Tick the cases to dispatch first."))
        return redirect("workbench")
    done, failed = [], []
    for case_id in case_ids:
        try:
            with transaction.atomic():
                number = _classify_and_dispatch(request, case_id)
            done.append(number)
        except DomainError as error:
            failed.append(f"{case_id}: {error.message}")
    if done:
        messages.success(request, _("Dispatched: %(numbers)s") % {"numbers": ", ".join(done)})
    for failure in failed:
        messages.error(request, failure)
    return redirect("workbench")


def _classify_and_dispatch(request, case_id) -> str:
    case = access.access_case(request.user, case_id)
    subcategory_code = request.POST.get(f"subcategory_{case_id}", "")
    reclassify = subcategory_code != getattr(case.subcategory, "code", None) or not case.classification_confirmed
    if subcategory_code and reclassify and case.status == Status.RECEIVED:
        case = actions.perform_action(
            actor=request.user, case_id=case.pk, action="accept", data={"subcategory": subcategory_code}
        )
    if case.subcategory is None:
        raise ValidationFailed(_("Choose a subcategory for case %(number)s first.") % {"number": case.number})
    department_code = (
        request.POST.get(f"department_{case_id}", "") or route(unit=case.unit, subcategory=case.subcategory).code
    )
    actions.perform_action(actor=request.user, case_id=case.pk, action="dispatch", data={"department": department_code})
    return case.number


@role_required(Role.HANDLER, Role.ADMIN)
def inbox(request):
    """The department's inbox: to sign for, in hand, waiting for review."""
    mine = selectors.case_list(viewer=request.user).filter(org_access.department_scope_q(request.user))
    sections = [
        (_("To sign for"), mine.filter(status=Status.DISPATCHED)),
        (_("In progress"), mine.filter(status=Status.IN_PROGRESS)),
        (_("Suspended"), mine.filter(status=Status.SUSPENDED)),
        (_("Waiting for review"), mine.filter(status=Status.UNDER_REVIEW)),
    ]
    sections = [
        (title, _annotate(list(queryset.order_by("-urgent", "deadline")[:200]))) for title, queryset in sections
    ]
    return render(request, "cases/inbox.html", {"sections": sections, "nav": "inbox"})


@role_required(Role.REVIEWER, Role.ADMIN)
def review(request):
    """审核督办: results to approve, suspension requests, and the overdue list."""
    visible = (
        selectors.case_list(viewer=request.user).filter(org_access.unit_scope_q(request.user, (Role.REVIEWER,)))
        if not request.user.is_superuser
        else selectors.case_list(viewer=request.user)
    )
    sections = [
        (_("Results to review"), visible.filter(status=Status.UNDER_REVIEW).order_by("deadline")),
        (_("Suspension requests"), visible.filter(suspension_requested_by__isnull=False).order_by("deadline")),
        (_("Overdue cases"), visible.filter(selectors.overdue_q()).order_by("deadline")),
    ]
    sections = [(title, _annotate(list(queryset[:200]))) for title, queryset in sections]
    return render(request, "cases/review.html", {"sections": sections, "nav": "review"})


# One case ---------------------------------------------------------------------------------------


@login_required
def case_detail(request, case_id: int):
    try:
        case = access.access_case(request.user, case_id)
    except NotFound:
        raise Http404(_("No such case.")) from None
    user = request.user
    unmasked = access.can_see_personal_data(user, case)
    if unmasked:
        access.log_personal_data_read(user, case, purpose="case page")
    staff = org_access.is_staff_member(user) or user.is_superuser
    events = list(selectors.case_events(case=case))
    if not staff:
        events = [event for event in events if event.action in PUBLIC_EVENTS]
    available = access.available_actions(user, case)
    if case.suspension_requested_by_id and "suspend" in available and "reviewer" not in org_access.role_names(user):
        available.remove("suspend")  # the handler already asked; the reviewer decides
    current = case.status if case.status in GATE_ORDER else None
    reached = GATE_ORDER.index(current) if current else -1
    context = {
        "case": case,
        "flag_overdue": case.is_overdue(),
        "flag_due_soon": case.is_due_soon(),
        "events": events,
        "staff": staff,
        "contact_name": case.contact_name if unmasked else mask_name(case.contact_name),
        "phone": case.phone if unmasked else mask_phone(case.phone),
        "gates": [(status, label, index < reached, index == reached) for index, (status, label) in enumerate(GATES)],
        "action_forms": [(name, workflow.TRANSITIONS[name].label) for name in available],
        "can_decline_suspension": bool(case.suspension_requested_by_id)
        and (user.is_superuser or org_access.holds_role(user, Role.REVIEWER, case.unit)),
        "suggested_department": route(unit=case.unit, subcategory=case.subcategory) if case.subcategory else None,
        "subcategories": Subcategory.objects.filter(is_active=True).select_related("category"),
        "departments": Department.objects.filter(is_active=True),
        "case_types": CaseType.objects.all(),
        "satisfaction_choices": Satisfaction.choices,
        "duplicates": case.duplicates.all() if staff else [],
        "triage": triage.latest_suggestion(case) if staff else None,
        "can_triage": "accept" in available,
    }
    return render(request, "cases/detail.html", context)


def _form_data(request) -> dict:
    """The POSTed fields as an action body: empty fields are left out, lists stay lists."""
    data: dict = {}
    for key in request.POST:
        if key in ("csrfmiddlewaretoken", "version", "next"):
            continue
        values = [value for value in request.POST.getlist(key) if value != ""]
        if not values:
            continue
        data[key] = values if key == "departments" else values[-1]
    return data


@require_POST
@login_required
def case_act(request, case_id: int, action: str):
    version = request.POST.get("version")
    try:
        case = actions.perform_action(
            actor=request.user,
            case_id=case_id,
            action=action,
            data=_form_data(request),
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except NotFound:
        raise Http404(_("No such case.")) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Done: %(action)s. The case is now “%(status)s”.")
            % {"action": workflow.TRANSITIONS[action].label, "status": case.get_status_display()},
        )
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("case-detail", case_id=case_id)


@require_POST
@role_required(Role.REVIEWER, Role.ADMIN)
def decline_suspension(request, case_id: int):
    try:
        with transaction.atomic():
            case = access.access_case(request.user, case_id, lock=True)
            actions.do_decline_suspension(case, actor=request.user, reason=request.POST.get("reason", ""))
    except NotFound:
        raise Http404(_("No such case.")) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The suspension request was declined."))
    return redirect("case-detail", case_id=case_id)


# Ledger -----------------------------------------------------------------------------------------------


def _ledger_queryset(request):
    form = LedgerFilterForm(request.GET or None, units=org_access.visible_units(request.user).order_by("path"))
    filters = form.selector_filters() if form.is_valid() else {}
    try:
        queryset = selectors.case_list(viewer=request.user, filters=filters).order_by("-received_at")
    except DomainError as error:
        messages.error(request, error.message)
        queryset = Case.objects.none()
    return form, queryset


@role_required(*org_access.STAFF_ROLES)
def ledger_view(request):
    """台账: every case the viewer may see, filtered, with an Excel export of the same view."""
    form, queryset = _ledger_queryset(request)
    page = _page(request, queryset)
    _annotate(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/ledger.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "nav": "ledger",
            "export_url": reverse("ledger-export") + ("?" + query.urlencode() if query else ""),
        },
    )


@role_required(*org_access.STAFF_ROLES)
def ledger_export(request):
    _form, queryset = _ledger_queryset(request)
    content = ledger.export_xlsx(queryset.iterator(chunk_size=2000))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="fengqiao-ledger-{stamp}.xlsx"'
    return response
