"""Pages for mediation, venue booking, petitions, whistles and group labour claims: thin
views that parse the form, call one service or selector and render."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.cases import access as case_access
from fengqiao.cases import actions as case_actions
from fengqiao.cases.views import role_required
from fengqiao.core.errors import DomainError, NotFound, ValidationFailed
from fengqiao.core.masking import mask_id_number, mask_name, mask_phone
from fengqiao.org import access as org_access
from fengqiao.org.models import Department, Role, User

from . import access, pdf, selectors, services
from .models import Booking, MediationParty, PartyRole, PetitionStatus, VenueSession

MEDIATION_ROLES = (Role.MEDIATOR, Role.CLERK, Role.REVIEWER, Role.LEADER, Role.ADMIN)
PETITION_ROLES = (Role.CLERK, Role.REVIEWER, Role.LEADER, Role.ADMIN)
WHISTLE_ROLES = (Role.CLERK, Role.GRID_WORKER, Role.HANDLER, Role.REVIEWER, Role.LEADER, Role.ADMIN)


def _date(value: str, *, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ValidationFailed(_("%(field)s: give a date as YYYY-MM-DD.") % {"field": field}) from None


def _optional_date(value: str | None, *, field: str) -> dt.date | None:
    return _date(value, field=field) if value and value.strip() else None


def _run(request: HttpRequest, work: Callable[[], object], success: str) -> bool:
    """Run one service call; a domain error becomes a message on the page (never a 500)."""
    try:
        work()
    except NotFound:
        raise Http404(_("Not found.")) from None
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


# Mediation ----------------------------------------------------------------------------------------


@role_required(*MEDIATION_ROLES)
def mediation_ledger(request):
    """调解台账 with the success rate over the chosen period."""
    try:
        date_from = _optional_date(request.GET.get("from"), field=_("from"))
        date_to = _optional_date(request.GET.get("to"), field=_("to"))
    except ValidationFailed as error:
        messages.error(request, error.message)
        date_from = date_to = None
    records, stats = selectors.mediation_ledger(viewer=request.user, registered_from=date_from, registered_to=date_to)
    return render(
        request,
        "disputes/mediation_ledger.html",
        {
            "records": records[:300],
            "stats": stats,
            "date_from": date_from,
            "date_to": date_to,
            "waiting": selectors.disputes_without_mediation(viewer=request.user)[:50],
            "performance_due": selectors.performance_due(viewer=request.user, today=timezone.localdate()),
            "nav": "mediation",
        },
    )


@role_required(Role.MEDIATOR, Role.CLERK, Role.ADMIN)
def mediation_register(request, case_id: int):
    try:
        case = case_access.access_case(request.user, case_id)
    except NotFound:
        raise Http404(_("No such case.")) from None
    committee = services.mediation_committee(case.unit)
    if request.method == "POST":
        parties = []
        for prefix, role in (("applicant", PartyRole.APPLICANT), ("respondent", PartyRole.RESPONDENT)):
            parties.append(
                services.PartyInput(
                    role=role,
                    name=request.POST.get(f"{prefix}_name", ""),
                    phone=request.POST.get(f"{prefix}_phone", ""),
                    id_number=request.POST.get(f"{prefix}_id_number", ""),
                    address=request.POST.get(f"{prefix}_address", ""),
                )
            )
        if request.POST.get("other_name", "").strip():
            parties.append(
                services.PartyInput(
                    role=PartyRole.OTHER,
                    name=request.POST["other_name"],
                    phone=request.POST.get("other_phone", ""),
                    id_number=request.POST.get("other_id_number", ""),
                )
            )
        chosen = {int(pk) for pk in request.POST.getlist("mediators") if pk.isdigit()}
        mediators = [person for person in committee if person.pk in chosen]
        created = {}

        def work():
            created["record"] = services.register_mediation(
                actor=request.user,
                case=case,
                parties=parties,
                mediators=mediators,
                is_public=request.POST.get("is_public") == "true",
            )

        if _run(request, work, _("Mediation registered. Ask each party for consent.")):
            return redirect("mediation-detail", record_id=created["record"].pk)
    return render(
        request,
        "disputes/mediation_register.html",
        {
            "case": case,
            "committee": committee,
            "post": request.POST,
            "default_applicant": case.contact_name,
            "default_phone": case.phone if case_access.can_see_personal_data(request.user, case) else "",
            "nav": "mediation",
        },
    )


@role_required(*MEDIATION_ROLES)
def mediation_detail(request, record_id: int):
    try:
        record = access.access_mediation(request.user, record_id)
    except NotFound:
        raise Http404(_("No such mediation record.")) from None
    unmasked = access.can_see_party_data(request.user, record)
    parties = list(record.parties.all())
    if unmasked and any(party.phone or party.id_number for party in parties):
        access.log_party_data_read(request.user, record, purpose="mediation page")
    return render(
        request,
        "disputes/mediation_detail.html",
        {
            "record": record,
            "case": record.case,
            "parties": selectors.party_views(parties, unmasked=unmasked),
            "sessions": record.sessions.select_related("recorded_by"),
            "mediators": record.mediators.all(),
            "may_mediate": access.may_mediate(request.user, record.unit),
            "unmasked": unmasked,
            "today": timezone.localdate(),
            "nav": "mediation",
        },
    )


@require_POST
@role_required(Role.MEDIATOR, Role.ADMIN)
def mediation_act(request, record_id: int, action: str):
    """One form per step of the mediation: consent, publicity, session, agreement,
    termination, performance follow-up."""
    post = request.POST

    def work():
        with transaction.atomic():
            record = access.access_mediation(request.user, record_id, lock=True)
            if action == "consent":
                party_id = int(post.get("party", "0") or 0)
                services.record_consent(
                    actor=request.user, record=record, party_id=party_id, agrees=post.get("agrees") == "true"
                )
            elif action == "publicity":
                services.set_publicity(actor=request.user, record=record, is_public=post.get("is_public") == "true")
            elif action == "session":
                services.add_session(
                    actor=request.user, record=record, notes=post.get("notes", ""), place=post.get("place", "")
                )
            elif action == "agreement":
                services.record_agreement(
                    actor=request.user,
                    record=record,
                    facts=post.get("facts", ""),
                    disputed_points=post.get("disputed_points", ""),
                    terms=post.get("terms", ""),
                    performance_method=post.get("performance_method", ""),
                    performance_due=_date(post.get("performance_due", ""), field=_("to be performed by")),
                    signed_party_ids=[int(pk) for pk in post.getlist("signed") if pk.isdigit()],
                )
            elif action == "terminate":
                services.terminate_mediation(
                    actor=request.user,
                    record=record,
                    reason=post.get("reason", ""),
                    other_routes=post.get("other_routes", ""),
                )
            elif action == "performance":
                services.record_performance(
                    actor=request.user,
                    record=record,
                    performed=post.get("performed") == "true",
                    note=post.get("note", ""),
                )
            else:
                raise NotFound(_("Unknown step."))

    _run(request, work, _("Saved."))
    return redirect("mediation-detail", record_id=record_id)


@role_required(*MEDIATION_ROLES)
def agreement_pdf(request, record_id: int, party_id: int):
    """One copy of the agreement per party, as a PDF."""
    try:
        record = access.access_mediation(request.user, record_id)
        party = record.parties.get(pk=party_id)
    except (NotFound, MediationParty.DoesNotExist):
        raise Http404(_("No such mediation record.")) from None
    if record.status != "agreement":
        raise Http404(_("There is no agreement yet."))
    if not access.can_see_party_data(request.user, record):
        raise Http404(_("Only the mediators and the unit's clerks print the agreement."))
    access.log_party_data_read(request.user, record, purpose="agreement PDF")
    response = HttpResponse(pdf.agreement_pdf(record, party), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mediation-{record.case.number}-{party.pk}.pdf"'
    return response


# Venues and bookings ------------------------------------------------------------------------------


@login_required
def booking_page(request):
    """预约调解: a resident picks a free slot of a coming session and books it from the phone."""
    if request.method == "POST":
        booked = {}

        def work():
            try:
                session = VenueSession.objects.select_related("venue").get(
                    pk=int(request.POST.get("session", "0") or 0),
                    venue__in=selectors.bookable_venues(viewer=request.user),
                )
                slot = dt.datetime.fromisoformat(request.POST.get("slot", ""))
            except (VenueSession.DoesNotExist, ValueError):
                raise ValidationFailed(_("Choose a slot from the list.")) from None
            booked["booking"] = services.book_slot(
                resident=request.user,
                session=session,
                slot_start=slot,
                topic=request.POST.get("topic", ""),
                phone=request.POST.get("phone", "") or request.user.phone,
            )

        if _run(request, work, _("Booked. The mediators will expect you.")):
            return redirect("booking")
    return render(
        request,
        "disputes/booking.html",
        {
            "sessions": selectors.upcoming_sessions(viewer=request.user),
            "bookings": selectors.my_bookings(viewer=request.user)[:20],
            "now": timezone.now(),
            "nav": "booking",
        },
    )


@require_POST
@login_required
def booking_cancel(request, booking_id: int):
    def work():
        with transaction.atomic():
            try:
                booking = Booking.objects.select_for_update().select_related("session__venue__unit").get(pk=booking_id)
            except Booking.DoesNotExist:
                raise NotFound(_("No such booking.")) from None
            services.cancel_booking(actor=request.user, booking=booking)

    _run(request, work, _("The booking is cancelled."))
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/") and not next_url.startswith("//") else "booking")


@role_required(*MEDIATION_ROLES)
def venue_schedule(request):
    """The venues' coming sessions and who booked them (names masked for roles that do not need them)."""
    bookings = list(selectors.venue_bookings(viewer=request.user))
    for booking in bookings:
        unit = booking.session.venue.unit
        full = access.holds_any(request.user, access.PARTY_DATA_ROLES, unit)
        # What this viewer may see of the resident, for the template.
        setattr(booking, "shown_name", str(booking.resident) if full else mask_name(str(booking.resident)))  # noqa: B010
        setattr(booking, "shown_phone", booking.phone if full else mask_phone(booking.phone))  # noqa: B010
    return render(
        request,
        "disputes/venues.html",
        {
            "sessions": selectors.upcoming_sessions(viewer=request.user),
            "bookings": bookings,
            "nav": "mediation",
        },
    )


# Petitions ----------------------------------------------------------------------------------------


@role_required(*PETITION_ROLES)
def petition_ledger(request):
    today = timezone.localdate()
    petitions = list(
        selectors.petition_ledger(
            viewer=request.user, filters={"status": request.GET.get("status", ""), "hard": request.GET.get("hard")}
        )[:300]
    )
    for petition in petitions:
        setattr(petition, "flags", selectors.petition_flags(petition, today=today))  # noqa: B010
    return render(
        request,
        "disputes/petition_ledger.html",
        {
            "petitions": petitions,
            "statuses": PetitionStatus.choices,
            "status": request.GET.get("status", ""),
            "nav": "petitions",
        },
    )


@role_required(Role.CLERK, Role.REVIEWER, Role.LEADER, Role.ADMIN)
def petition_register(request):
    units = org_access.visible_units(request.user).order_by("path")
    if request.method == "POST":
        created = {}

        def work():
            unit = units.filter(code=request.POST.get("unit", "")).first()
            if unit is None:
                raise ValidationFailed(_("Choose the unit."))
            created["petition"] = services.register_petition(
                actor=request.user,
                unit=unit,
                petitioner_name=request.POST.get("petitioner_name", ""),
                petitioner_count=int(request.POST.get("petitioner_count", "1") or 1),
                phone=request.POST.get("phone", ""),
                id_number=request.POST.get("id_number", ""),
                subject=request.POST.get("subject", ""),
                text=request.POST.get("text", ""),
                received_on=_date(request.POST.get("received_on", ""), field=_("received on")),
            )

        if _run(request, work, _("Petition registered.")):
            return redirect("petition-detail", petition_id=created["petition"].pk)
    return render(
        request,
        "disputes/petition_register.html",
        {"units": units, "post": request.POST, "today": timezone.localdate(), "nav": "petitions"},
    )


@role_required(*PETITION_ROLES)
def petition_detail(request, petition_id: int):
    try:
        petition = access.access_petition(request.user, petition_id)
    except NotFound:
        raise Http404(_("No such petition.")) from None
    unmasked = access.can_see_petitioner_data(request.user, petition)
    if unmasked and (petition.phone or petition.id_number):
        access.log_petitioner_data_read(request.user, petition, purpose="petition page")
    today = timezone.localdate()
    leaders = org_access.people_with_role(Role.LEADER, unit=petition.unit)
    return render(
        request,
        "disputes/petition_detail.html",
        {
            "petition": petition,
            "phone": petition.phone if unmasked else mask_phone(petition.phone),
            "id_number": petition.id_number if unmasked else mask_id_number(petition.id_number),
            "flags": selectors.petition_flags(petition, today=today),
            "progress": petition.progress.select_related("author"),
            "leaders": leaders,
            "is_head": org_access.holds_role(request.user, Role.LEADER, petition.unit),
            "today": today,
            "nav": "petitions",
        },
    )


@require_POST
@role_required(*PETITION_ROLES)
def petition_act(request, petition_id: int, action: str):
    post = request.POST

    def work():
        with transaction.atomic():
            petition = access.access_petition(request.user, petition_id, lock=True)
            on = _optional_date(post.get("on"), field=_("date"))
            if action == "decide":
                services.decide_acceptance(
                    actor=request.user,
                    petition=petition,
                    accepted=post.get("accepted") == "true",
                    notice=post.get("notice", ""),
                    on=on,
                )
            elif action == "extend":
                services.extend_handling(
                    actor=request.user,
                    petition=petition,
                    days=int(post.get("days", "0") or 0),
                    reason=post.get("reason", ""),
                )
            elif action == "answer":
                services.answer_petition(actor=request.user, petition=petition, answer=post.get("answer", ""), on=on)
            elif action == "request_review":
                services.request_review(actor=request.user, petition=petition, on=on)
            elif action == "answer_review":
                services.answer_review(actor=request.user, petition=petition, answer=post.get("answer", ""), on=on)
            elif action == "close":
                services.close_petition(actor=request.user, petition=petition, note=post.get("note", ""))
            elif action == "leader":
                leader = User.objects.filter(pk=int(post.get("leader", "0") or 0)).first()
                if leader is None:
                    raise ValidationFailed(_("Choose the responsible leader."))
                services.assign_leader(actor=request.user, petition=petition, leader=leader, is_hard=True)
            elif action == "progress":
                services.add_progress(actor=request.user, petition=petition, note=post.get("note", ""))
            else:
                raise NotFound(_("Unknown step."))

    _run(request, work, _("Saved."))
    return redirect("petition-detail", petition_id=petition_id)


@role_required(*PETITION_ROLES)
def petition_notice_pdf(request, petition_id: int):
    try:
        petition = access.access_petition(request.user, petition_id)
    except NotFound:
        raise Http404(_("No such petition.")) from None
    if petition.decided_on is None:
        raise Http404(_("No decision yet."))
    response = HttpResponse(pdf.notice_pdf(petition), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="petition-notice-{petition.number}.pdf"'
    return response


@role_required(*PETITION_ROLES)
def hard_cases(request):
    """一月一调度: the monthly review meeting's list of hard cases with their progress."""
    month_text = request.GET.get("month", "")
    try:
        month = dt.date.fromisoformat(month_text + "-01") if month_text else timezone.localdate().replace(day=1)
    except ValueError:
        messages.error(request, _("month: give it as YYYY-MM."))
        month = timezone.localdate().replace(day=1)
    today = timezone.localdate()
    rows = selectors.hard_cases_for_month(viewer=request.user, month=month)
    for petition, _notes in rows:
        setattr(petition, "flags", selectors.petition_flags(petition, today=today))  # noqa: B010
    return render(request, "disputes/hard_cases.html", {"rows": rows, "month": month, "nav": "petitions"})


# Whistles -----------------------------------------------------------------------------------------


@role_required(*WHISTLE_ROLES)
def whistle_board(request):
    """The live board (the page reloads itself every 30 seconds)."""
    return render(
        request,
        "disputes/whistle_board.html",
        {"rows": selectors.whistle_board(viewer=request.user), "live": True, "nav": "whistles"},
    )


@role_required(*WHISTLE_ROLES)
def whistle_log(request):
    return render(
        request,
        "disputes/whistle_log.html",
        {"rows": selectors.whistle_log(viewer=request.user), "nav": "whistles"},
    )


@role_required(*WHISTLE_ROLES)
def whistle_detail(request, whistle_id: int):
    try:
        row = selectors.whistle_detail(viewer=request.user, whistle_id=whistle_id)
    except NotFound:
        raise Http404(_("No such whistle.")) from None
    for summons_row in row.rows:
        setattr(summons_row, "may_report", access.may_report_for(request.user, summons_row.summons))  # noqa: B010
    return render(request, "disputes/whistle_detail.html", {"row": row, "nav": "whistles"})


@role_required(Role.CLERK, Role.GRID_WORKER, Role.ADMIN)
def whistle_place(request):
    """吹哨 on a place without a case (a hazard found on patrol)."""
    units = org_access.visible_units(request.user).order_by("path")
    departments = Department.objects.filter(is_active=True)
    if request.method == "POST":
        created = {}

        def work():
            unit = units.filter(code=request.POST.get("unit", "")).first()
            if unit is None:
                raise ValidationFailed(_("Choose the unit."))
            chosen = list(departments.filter(code__in=request.POST.getlist("departments")))
            created["whistle"] = services.blow_place_whistle(
                actor=request.user,
                unit=unit,
                place=request.POST.get("place", ""),
                departments=chosen,
                note=request.POST.get("note", ""),
            )

        if _run(request, work, _("Whistle blown: the departments are summoned.")):
            return redirect("whistle-detail", whistle_id=created["whistle"].pk)
    return render(
        request, "disputes/whistle_place.html", {"units": units, "departments": departments, "nav": "whistles"}
    )


def _decimal(value: str | None) -> decimal.Decimal | None:
    if not value or not value.strip():
        return None
    try:
        return decimal.Decimal(value.strip()).quantize(decimal.Decimal("0.000001"))
    except decimal.InvalidOperation:
        raise ValidationFailed(_("The position is not a number.")) from None


@require_POST
@role_required(Role.HANDLER, Role.ADMIN)
def summons_report(request, summons_id: int, step: str):
    """报到: the summoned department confirms, then records its arrival (with the phone's
    position when the browser gives it)."""
    holder = {}

    def work():
        summons = access.access_summons_for_report(request.user, summons_id)
        holder["whistle"] = summons.whistle_id
        if step == "confirm":
            case_actions.do_confirm_summons(summons.pk, actor=request.user)
        elif step == "arrive":
            case_actions.do_arrive_summons(
                summons.pk,
                actor=request.user,
                latitude=_decimal(request.POST.get("latitude")),
                longitude=_decimal(request.POST.get("longitude")),
                note=request.POST.get("note", ""),
            )
        else:
            raise NotFound(_("Unknown step."))

    _run(request, work, _("Recorded."))
    if "whistle" in holder:
        return redirect("whistle-detail", whistle_id=holder["whistle"])
    return redirect("whistle-board")


# Group labour disputes ------------------------------------------------------------------------------


@role_required(Role.CLERK, Role.ADMIN)
def group_claim(request, case_id: int):
    """群体性劳资纠纷: record the headcount and the amount owed; the case goes to labour inspection."""
    try:
        case = case_access.access_case(request.user, case_id)
    except NotFound:
        raise Http404(_("No such case.")) from None
    if request.method == "POST":

        def work():
            try:
                claimants = int(request.POST.get("claimants", ""))
                amount = decimal.Decimal(request.POST.get("amount_owed", "").strip() or "x")
            except (ValueError, decimal.InvalidOperation):
                raise ValidationFailed(_("Give the number of claimants and the amount owed in yuan.")) from None
            with transaction.atomic():
                locked = case_access.access_case(request.user, case.pk, lock=True)
                case_access.check_may_act(request.user, locked, "dispatch")
                case_actions.do_record_group_claim(
                    locked,
                    actor=request.user,
                    claimants=claimants,
                    amount_owed=amount.quantize(decimal.Decimal("0.01")),
                    note=request.POST.get("note", ""),
                )

        if _run(request, work, _("Group claim recorded.")):
            return redirect("case-detail", case_id=case.pk)
    return render(request, "disputes/group_claim.html", {"case": case, "nav": "labour"})


@role_required(*MEDIATION_ROLES, Role.HANDLER)
def labour_ledger(request):
    cases = (
        case_access.visible_cases(request.user)
        .filter(group_claimants__isnull=False)
        .select_related("unit", "department")
        .order_by("-received_at")
    )
    rows = list(cases[:500])
    totals = {
        "cases": len(rows),
        "claimants": sum(case.group_claimants or 0 for case in rows),
        "amount": sum((case.amount_owed or decimal.Decimal("0") for case in rows), decimal.Decimal("0")),
    }
    return render(
        request,
        "disputes/labour.html",
        {"cases": rows, "totals": totals, "nav": "labour"},
    )
