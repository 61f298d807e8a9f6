"""Writes for mediation, petitions, bookings and whistles on a place.

Each function checks the actor's role and the record's state, changes the rows in one
transaction and leaves a trace (a session note, a progress note, an audit event on the
case). Whatever changes a Case goes through fengqiao.cases.actions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengqiao.cases import actions as case_actions
from fengqiao.cases.models import Case, MediationResult, Whistle, WhistleSummons
from fengqiao.core.errors import Conflict, NotPermitted, ValidationFailed
from fengqiao.notifications.models import Notification
from fengqiao.org import access as org_access
from fengqiao.org.models import Department, Role, Unit, User

from . import access, deadlines
from .models import (
    Booking,
    BookingStatus,
    Consent,
    MediationParty,
    MediationRecord,
    MediationSession,
    MediationStatus,
    PartyRole,
    PerformanceStatus,
    Petition,
    PetitionProgress,
    PetitionStatus,
    VenueSession,
)

DISPUTE_CASE_TYPE = "dispute"


def _locked_case(case_id: int) -> Case:
    return Case.objects.select_for_update().select_related("unit").get(pk=case_id)


# Mediation (人民调解法) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""


@transaction.atomic
def register_mediation(
    *, actor: User, case: Case, parties: list[PartyInput], mediators: list[User], is_public: bool = False
) -> MediationRecord:
    """登记: a dispute case gets its mediation record with the parties and the mediators
    (mediators of the unit's committee). Mediation starts once every party consents (art. 17)."""
    access.check_may_register_mediation(actor, case.unit)
    if case.case_type.code != DISPUTE_CASE_TYPE:
        raise ValidationFailed(_("Only a dispute case (矛盾纠纷) can be mediated."))
    if MediationRecord.objects.filter(case=case).exists():
        raise Conflict(_("This case already has a mediation record."))
    roles = [party.role for party in parties]
    if PartyRole.APPLICANT not in roles or PartyRole.RESPONDENT not in roles:
        raise ValidationFailed(_("A mediation needs at least an applicant and a respondent."))
    if any(not party.name.strip() for party in parties):
        raise ValidationFailed(_("Every party needs a name."))
    if not mediators:
        raise ValidationFailed(_("Choose at least one mediator."))
    for mediator in mediators:
        if not _holds_exactly(mediator, Role.MEDIATOR, case.unit):
            raise ValidationFailed(
                _("%(name)s is not on this unit's mediation committee.") % {"name": mediator.display_name or mediator}
            )
    record = MediationRecord.objects.create(case=case, unit=case.unit, is_public=is_public, registered_by=actor)
    record.mediators.set(mediators)
    MediationParty.objects.bulk_create(
        MediationParty(
            record=record,
            role=party.role,
            name=party.name.strip(),
            phone=party.phone.strip(),
            id_number=party.id_number.strip(),
            address=party.address.strip(),
        )
        for party in parties
    )
    return record


def _holds_exactly(user: User, role: str, unit: Unit) -> bool:
    """The user really holds `role` over the unit (not merely admin rights there)."""
    return any(
        assignment.role == role and unit.path.startswith(assignment.unit.path)
        for assignment in org_access.assignments(user)
    )


def mediation_committee(unit: Unit) -> list[User]:
    """The people holding the mediator role over the unit: whom a record may name."""
    return org_access.people_with_role(Role.MEDIATOR, unit=unit)


@transaction.atomic
def record_consent(*, actor: User, record: MediationRecord, party_id: int, agrees: bool) -> MediationRecord:
    """A party agrees to or refuses mediation. A refusal ends the record (art. 17: no
    mediation when a party refuses); the case's mediation result stays empty, since no
    mediation took place. When every party agrees, mediation starts."""
    access.check_may_mediate(actor, record.unit)
    if record.status != MediationStatus.CONSENT:
        raise Conflict(_("Consent is asked before mediation starts."))
    party = _party(record, party_id)
    now = timezone.now()
    party.consent = Consent.AGREED if agrees else Consent.REFUSED
    party.consented_at = now
    party.save(update_fields=["consent", "consented_at"])
    if not agrees:
        record.status, record.ended_at = MediationStatus.REFUSED, now
        record.save(update_fields=["status", "ended_at"])
    elif not record.parties.exclude(consent=Consent.AGREED).exists():
        record.status = MediationStatus.MEDIATING
        record.save(update_fields=["status"])
    return record


def _party(record: MediationRecord, party_id: int) -> MediationParty:
    try:
        return record.parties.get(pk=party_id)
    except (MediationParty.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("No such party in this mediation.")) from None


@transaction.atomic
def set_publicity(*, actor: User, record: MediationRecord, is_public: bool) -> MediationRecord:
    """Public or private mediation, as the parties ask (art. 23)."""
    access.check_may_mediate(actor, record.unit)
    if not record.is_open:
        raise Conflict(_("The mediation has ended."))
    record.is_public = is_public
    record.save(update_fields=["is_public"])
    return record


@transaction.atomic
def add_session(
    *, actor: User, record: MediationRecord, notes: str, place: str = "", held_at: dt.datetime | None = None
) -> MediationSession:
    access.check_may_mediate(actor, record.unit)
    if record.status != MediationStatus.MEDIATING:
        raise Conflict(_("Sessions are recorded while mediating, after every party has consented."))
    if not notes.strip():
        raise ValidationFailed(_("Write down what happened in the session."))
    return MediationSession.objects.create(
        record=record, notes=notes.strip(), place=place.strip(), held_at=held_at or timezone.now(), recorded_by=actor
    )


@transaction.atomic
def record_agreement(
    *,
    actor: User,
    record: MediationRecord,
    facts: str,
    disputed_points: str,
    terms: str,
    performance_method: str,
    performance_due: dt.date,
    signed_party_ids: list[int],
) -> MediationRecord:
    """调解协议 (art. 28–29): facts, disputed points, terms, how and by when they are performed;
    it takes effect when every party has signed. The case's mediation result becomes success."""
    access.check_may_mediate(actor, record.unit)
    if record.status != MediationStatus.MEDIATING:
        raise Conflict(_("An agreement is recorded while mediating."))
    missing = [
        label
        for label, value in ((_("facts"), facts), (_("disputed points"), disputed_points), (_("terms"), terms))
        if not value.strip()
    ]
    if missing:
        raise ValidationFailed(_("The agreement needs: %(fields)s.") % {"fields": ", ".join(map(str, missing))})
    now = timezone.now()
    if performance_due < timezone.localdate(now):
        raise ValidationFailed(_("The performance date cannot be in the past."))
    parties = list(record.parties.all())
    if {party.pk for party in parties} - set(signed_party_ids):
        raise ValidationFailed(_("Every party must sign the agreement before it takes effect."))
    MediationParty.objects.filter(record=record).update(signed_at=now)
    record.facts, record.disputed_points, record.terms = facts.strip(), disputed_points.strip(), terms.strip()
    record.performance_method, record.performance_due = performance_method.strip(), performance_due
    record.status, record.ended_at, record.performance_status = (
        MediationStatus.AGREEMENT,
        now,
        PerformanceStatus.PENDING,
    )
    record.save()
    case_actions.do_set_mediation_result(
        _locked_case(record.case_id), actor=actor, result=MediationResult.SUCCESS, reason=terms.strip()
    )
    return record


@transaction.atomic
def terminate_mediation(*, actor: User, record: MediationRecord, reason: str, other_routes: str) -> MediationRecord:
    """终止调解 (art. 26): the parties are told the other routes (arbitration, administrative
    handling, a lawsuit). The case's mediation result becomes failure."""
    access.check_may_mediate(actor, record.unit)
    if record.status != MediationStatus.MEDIATING:
        raise Conflict(_("Only a mediation in progress can be terminated."))
    if not reason.strip() or not other_routes.strip():
        raise ValidationFailed(_("Give the reason and the other routes the parties were told."))
    record.status, record.ended_at = MediationStatus.TERMINATED, timezone.now()
    record.termination_reason, record.other_routes = reason.strip(), other_routes.strip()
    record.save(update_fields=["status", "ended_at", "termination_reason", "other_routes"])
    case_actions.do_set_mediation_result(
        _locked_case(record.case_id), actor=actor, result=MediationResult.FAILURE, reason=reason.strip()
    )
    return record


@transaction.atomic
def record_performance(*, actor: User, record: MediationRecord, performed: bool, note: str = "") -> MediationRecord:
    """履行回访 (art. 31): the mediator checks whether the agreement was carried out."""
    access.check_may_mediate(actor, record.unit)
    if record.status != MediationStatus.AGREEMENT:
        raise Conflict(_("Only an agreement has a performance follow-up."))
    record.performance_status = PerformanceStatus.PERFORMED if performed else PerformanceStatus.NOT_PERFORMED
    record.performance_checked_at, record.performance_note = timezone.now(), note.strip()
    record.save(update_fields=["performance_status", "performance_checked_at", "performance_note"])
    return record


# Bookings --------------------------------------------------------------------------------------------


@transaction.atomic
def book_slot(
    *, resident: User, session: VenueSession, slot_start: dt.datetime, topic: str, phone: str = ""
) -> Booking:
    """A resident books one slot of a session. The database refuses a second live booking
    of the same slot, so two residents tapping at once get one booking and one refusal."""
    if not session.venue.is_active:
        raise ValidationFailed(_("This venue does not take bookings."))
    if slot_start not in session.slot_starts():
        raise ValidationFailed(_("There is no such slot in this session."))
    if slot_start <= timezone.now():
        raise ValidationFailed(_("This slot has already begun."))
    if not topic.strip():
        raise ValidationFailed(_("Say in a few words what you would like to talk about."))
    try:
        with transaction.atomic():
            return Booking.objects.create(
                session=session, slot_start=slot_start, resident=resident, topic=topic.strip(), phone=phone.strip()
            )
    except IntegrityError:
        raise Conflict(_("Someone has just booked this slot. Please choose another.")) from None


@transaction.atomic
def cancel_booking(*, actor: User, booking: Booking) -> Booking:
    if booking.resident_id != actor.pk and not access.holds_any(
        actor, (Role.MEDIATOR, Role.CLERK), booking.session.venue.unit
    ):
        raise NotPermitted(_("Only the resident who booked, or the venue's staff, may cancel."))
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(_("This booking is already cancelled."))
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    return booking


# Petitions (信访工作条例) ---------------------------------------------------------------------------


def _progress(petition: Petition, *, actor: User | None, kind: str, note: str) -> None:
    PetitionProgress.objects.create(petition=petition, author=actor, kind=kind, note=note)


def _check_status(petition: Petition, *allowed: str) -> None:
    if petition.status not in allowed:
        raise Conflict(
            _("A petition that is “%(status)s” does not allow this.") % {"status": petition.get_status_display()}
        )


@transaction.atomic
def register_petition(
    *,
    actor: User,
    unit: Unit,
    petitioner_name: str,
    subject: str,
    text: str,
    received_on: dt.date,
    phone: str = "",
    id_number: str = "",
    petitioner_count: int = 1,
    case: Case | None = None,
) -> Petition:
    """登记: the acceptance decision is due 15 days after the day of receipt."""
    if not access.holds_any(actor, access.PETITIONER_DATA_ROLES, unit):
        raise NotPermitted(_("You may not register petitions for %(unit)s.") % {"unit": unit.name})
    if not petitioner_name.strip() or not subject.strip() or not text.strip():
        raise ValidationFailed(_("The petitioner, the subject and the request are required."))
    if received_on > timezone.localdate():
        raise ValidationFailed(_("The day of receipt cannot be in the future."))
    petition = Petition.objects.create(
        number=f"tmp-{timezone.now().timestamp()}-{actor.pk}",
        unit=unit,
        case=case,
        petitioner_name=petitioner_name.strip(),
        petitioner_count=max(petitioner_count, 1),
        phone=phone.strip(),
        id_number=id_number.strip(),
        subject=subject.strip(),
        text=text.strip(),
        received_on=received_on,
        accept_due=deadlines.accept_due(received_on),
        registered_by=actor,
    )
    petition.number = f"XF{received_on:%Y%m%d}{petition.pk:05d}"
    petition.save(update_fields=["number"])
    _progress(petition, actor=actor, kind="register", note=_("Registered."))
    return petition


@transaction.atomic
def decide_acceptance(
    *, actor: User, petition: Petition, accepted: bool, notice: str, on: dt.date | None = None
) -> Petition:
    """受理 or 不予受理, with the written notice to the petitioner. Acceptance starts the
    60-day handling period."""
    access.check_may_handle_petition(actor, petition)
    _check_status(petition, PetitionStatus.REGISTERED)
    if not notice.strip():
        raise ValidationFailed(_("Write the notice the petitioner receives."))
    on = on or timezone.localdate()
    if on < petition.received_on:
        raise ValidationFailed(_("The decision cannot come before the petition was received."))
    petition.decided_on, petition.decision_notice = on, notice.strip()
    if accepted:
        petition.status, petition.handling_due = PetitionStatus.HANDLING, deadlines.handling_due(on)
    else:
        petition.status, petition.closed_on = PetitionStatus.NOT_ACCEPTED, on
    petition.save()
    _progress(petition, actor=actor, kind="accept" if accepted else "not_accept", note=notice.strip())
    return petition


@transaction.atomic
def extend_handling(*, actor: User, petition: Petition, days: int, reason: str) -> Petition:
    """延期: once, at most 30 days, approved by the unit's head (a leader over the unit), with a reason."""
    if not org_access.holds_role(actor, Role.LEADER, petition.unit):
        raise NotPermitted(_("Only the head of the unit may approve an extension."))
    _check_status(petition, PetitionStatus.HANDLING)
    if petition.extension_days:
        raise Conflict(_("The handling period has already been extended once."))
    if not 1 <= days <= deadlines.MAX_EXTENSION_DAYS:
        raise ValidationFailed(_("An extension is 1 to 30 days."))
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for the extension."))
    if petition.decided_on is None:
        raise Conflict(_("The petition has no acceptance date."))
    if deadlines.is_past(petition.handling_due, today=timezone.localdate()):
        raise Conflict(_("The handling period has already run out; it can no longer be extended."))
    petition.extension_days, petition.extension_reason, petition.extension_approved_by = days, reason.strip(), actor
    petition.handling_due = deadlines.handling_due(petition.decided_on, extension_days=days)
    petition.save(update_fields=["extension_days", "extension_reason", "extension_approved_by", "handling_due"])
    _progress(petition, actor=actor, kind="extend", note=reason.strip())
    return petition


@transaction.atomic
def answer_petition(*, actor: User, petition: Petition, answer: str, on: dt.date | None = None) -> Petition:
    """办理意见: the petitioner may ask for a review within 30 days of receiving it."""
    access.check_may_handle_petition(actor, petition)
    _check_status(petition, PetitionStatus.HANDLING)
    if not answer.strip():
        raise ValidationFailed(_("Write the handling opinion."))
    on = on or timezone.localdate()
    petition.status, petition.answer, petition.answered_on = PetitionStatus.ANSWERED, answer.strip(), on
    petition.review_request_due = deadlines.request_due(on)
    petition.save()
    _progress(petition, actor=actor, kind="answer", note=answer.strip())
    return petition


@transaction.atomic
def request_review(*, actor: User, petition: Petition, on: dt.date | None = None) -> Petition:
    """复查 (after an answer) or 复核 (after a review), each asked within 30 days."""
    access.check_may_handle_petition(actor, petition)
    on = on or timezone.localdate()
    if petition.status == PetitionStatus.ANSWERED:
        if deadlines.is_past(petition.review_request_due, today=on):
            raise ValidationFailed(_("The 30 days to ask for a review have passed."))
        petition.status, petition.review_requested_on, petition.review_due = (
            PetitionStatus.REVIEW,
            on,
            deadlines.review_due(on),
        )
        kind = "review_request"
    elif petition.status == PetitionStatus.REVIEWED:
        if deadlines.is_past(petition.second_review_request_due, today=on):
            raise ValidationFailed(_("The 30 days to ask for a second review have passed."))
        petition.status, petition.second_review_requested_on, petition.second_review_due = (
            PetitionStatus.SECOND_REVIEW,
            on,
            deadlines.review_due(on),
        )
        kind = "second_review_request"
    else:
        _check_status(petition, PetitionStatus.ANSWERED, PetitionStatus.REVIEWED)
        raise AssertionError("unreachable")
    petition.save()
    _progress(petition, actor=actor, kind=kind, note=_("Review requested."))
    return petition


@transaction.atomic
def answer_review(*, actor: User, petition: Petition, answer: str, on: dt.date | None = None) -> Petition:
    """The review's opinion (then a second review may be asked within 30 days), or the second
    review's, which is final and closes the petition."""
    access.check_may_handle_petition(actor, petition)
    _check_status(petition, PetitionStatus.REVIEW, PetitionStatus.SECOND_REVIEW)
    if not answer.strip():
        raise ValidationFailed(_("Write the review opinion."))
    on = on or timezone.localdate()
    if petition.status == PetitionStatus.REVIEW:
        petition.status, petition.review_answer, petition.review_answered_on = PetitionStatus.REVIEWED, answer, on
        petition.second_review_request_due = deadlines.request_due(on)
    else:
        petition.status, petition.second_review_answer, petition.closed_on = PetitionStatus.CLOSED, answer, on
    petition.save()
    _progress(petition, actor=actor, kind="review_answer", note=answer.strip())
    return petition


@transaction.atomic
def close_petition(*, actor: User, petition: Petition, note: str) -> Petition:
    """办结 after an answer or a review that the petitioner accepts (息访)."""
    access.check_may_handle_petition(actor, petition)
    _check_status(petition, PetitionStatus.ANSWERED, PetitionStatus.REVIEWED)
    petition.status, petition.closed_on = PetitionStatus.CLOSED, timezone.localdate()
    petition.save(update_fields=["status", "closed_on"])
    _progress(petition, actor=actor, kind="close", note=note.strip() or _("Closed."))
    return petition


@transaction.atomic
def assign_leader(*, actor: User, petition: Petition, leader: User, is_hard: bool = True) -> Petition:
    """信访包保: a leader over the unit answers for a hard case until it is resolved."""
    if not access.holds_any(actor, (Role.REVIEWER, Role.LEADER), petition.unit):
        raise NotPermitted(_("Only a reviewer or a leader may assign the responsible leader."))
    if not _holds_exactly(leader, Role.LEADER, petition.unit):
        raise ValidationFailed(_("The responsible leader must be a leader over this unit."))
    petition.responsible_leader, petition.is_hard = leader, is_hard
    petition.save(update_fields=["responsible_leader", "is_hard"])
    _progress(
        petition,
        actor=actor,
        kind="assign_leader",
        note=_("Responsible leader: %(name)s") % {"name": leader.display_name or leader.username},
    )
    return petition


@transaction.atomic
def add_progress(*, actor: User, petition: Petition, note: str) -> PetitionProgress:
    access.check_may_handle_petition(actor, petition)
    if not note.strip():
        raise ValidationFailed(_("Write what was done."))
    return PetitionProgress.objects.create(petition=petition, author=actor, kind="note", note=note.strip())


# Whistles on a place ------------------------------------------------------------------------------


@transaction.atomic
def blow_place_whistle(
    *, actor: User, unit: Unit, place: str, departments: list[Department], note: str = ""
) -> Whistle:
    """吹哨 without a case (a hazard found on patrol): the departments are summoned to the
    place and told in their inbox. A whistle on a case goes through the case action."""
    if not access.holds_any(actor, (Role.CLERK, Role.GRID_WORKER), unit):
        raise NotPermitted(_("Only an intake clerk or a grid worker of this unit may blow the whistle."))
    if not place.strip():
        raise ValidationFailed(_("Say where the departments should come."))
    if not departments:
        raise ValidationFailed(_("Name at least one department."))
    whistle = Whistle.objects.create(case=None, unit=unit, place=place.strip(), note=note.strip(), blown_by=actor)
    WhistleSummons.objects.bulk_create(WhistleSummons(whistle=whistle, department=dep) for dep in departments)
    people = org_access.people_over(unit, role=Role.HANDLER, department__in=departments)
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Whistle! Your department is summoned to %(place)s. Be there within 30 minutes.") % {
            "place": whistle.place
        }
    Notification.objects.bulk_create(
        Notification(recipient=person, verb="whistle", message=text[:500]) for person in people if person != actor
    )
    return whistle
