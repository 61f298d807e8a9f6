"""Pages: accept a suggestion with one click, merge a suspected duplicate, acceptance rates."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases import access, actions
from fengqiao.cases.models import Status
from fengqiao.cases.views import role_required
from fengqiao.core.errors import DomainError, NotFound, ValidationFailed
from fengqiao.org import access as org_access
from fengqiao.org.models import Role

from . import services


def _back(request, case_id: int):
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("case-detail", case_id=case_id)


def _suggestion(request, case_id: int):
    try:
        case = access.access_case(request.user, case_id)
    except NotFound:
        raise Http404(_("No such case.")) from None
    suggestion = services.latest_suggestion(case)
    if suggestion is None:
        raise Http404(_("This case has no triage suggestion."))
    return case, suggestion


@require_POST
@role_required(Role.CLERK, Role.ADMIN)
def accept_suggestion(request, case_id: int):
    """One click: classify the case as suggested (subcategory, case type, urgency) and, unless
    `dispatch=no`, dispatch it to the department the unit's routing table gives."""
    case, suggestion = _suggestion(request, case_id)
    dispatch = request.POST.get("dispatch", "yes") != "no"
    try:
        with transaction.atomic():
            if case.status != Status.RECEIVED:
                raise ValidationFailed(_("Only a case waiting at intake can take the suggestion."))
            body = {"subcategory": suggestion.subcategory.code, "case_type": suggestion.case_type.code}
            if suggestion.urgent and not case.urgent:
                body["urgent"] = True
            case = actions.perform_action(actor=request.user, case_id=case.pk, action="accept", data=body)
            if dispatch and suggestion.department is not None:
                case = actions.perform_action(
                    actor=request.user,
                    case_id=case.pk,
                    action="dispatch",
                    data={"department": suggestion.department.code},
                )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if dispatch:
            messages.success(
                request,
                _("Case %(number)s classified as suggested and dispatched to %(department)s.")
                % {"number": case.number, "department": suggestion.department.name if suggestion.department else "—"},
            )
        else:
            messages.success(request, _("Case %(number)s classified as suggested.") % {"number": case.number})
    return _back(request, case_id)


@require_POST
@role_required(Role.CLERK, Role.ADMIN)
def merge_duplicate(request, case_id: int):
    """Fold the case into the earlier case the model found (the merge action)."""
    case, suggestion = _suggestion(request, case_id)
    if suggestion.duplicate_of is None:
        raise Http404(_("No duplicate was suggested for this case."))
    try:
        case = actions.perform_action(
            actor=request.user, case_id=case.pk, action="merge", data={"into": suggestion.duplicate_of.number}
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Case %(number)s merged into %(into)s.")
            % {"number": case.number, "into": suggestion.duplicate_of.number},
        )
    return _back(request, case_id)


@role_required(*org_access.STAFF_ROLES)
def acceptance(request):
    """How often clerks take the model's subcategory, per category and month (the cases the
    viewer may see)."""
    rows = services.acceptance_by_month(cases=access.visible_cases(request.user))
    total = sum(row["decided"] for row in rows)
    accepted = sum(row["accepted"] for row in rows)
    return render(
        request,
        "triage/acceptance.html",
        {
            "rows": rows,
            "decided": total,
            "accepted": accepted,
            "rate_label": services.percent_label(accepted, total),
            "model": services.model_info(),
            "nav": "ledger",
        },
    )
