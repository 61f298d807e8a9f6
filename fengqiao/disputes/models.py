"""Mediation (人民调解), mediation venues and bookings, and petitions (信访).

The case itself (Case.mediation_result, group labour fields, whistles) lives in
fengqiao.cases and changes only through its actions; these models hold what the dispute
paths add around a case. Foreign keys to people are SET_NULL or CASCADE so that removing
the demo's users and units removes their records too.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case
from fengqiao.org.models import Unit

COURT_CONFIRMATION_DAYS = 30  # 人民调解法 art. 33: apply jointly within 30 days


# Mediation -------------------------------------------------------------------------------------


class MediationStatus(models.TextChoices):
    CONSENT = "consent", _("Waiting for the parties' consent")
    MEDIATING = "mediating", _("Mediating")
    AGREEMENT = "agreement", _("Agreement reached")
    TERMINATED = "terminated", _("Terminated")
    REFUSED = "refused", _("Refused by a party")


MEDIATION_OPEN = (MediationStatus.CONSENT, MediationStatus.MEDIATING)


class PerformanceStatus(models.TextChoices):
    PENDING = "pending", _("Not yet due")
    PERFORMED = "performed", _("Performed")
    NOT_PERFORMED = "not_performed", _("Not performed")


class MediationRecord(models.Model):
    """One mediation of a dispute case, from registration to agreement or termination."""

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="mediation")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=MediationStatus.choices, default=MediationStatus.CONSENT
    )
    is_public = models.BooleanField(
        _("public mediation"), default=False, help_text=_("人民调解法 art. 23: the parties may ask for it.")
    )
    mediators = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("mediators"), related_name="+")
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    # The agreement (人民调解法 art. 29).
    facts = models.TextField(_("facts"), blank=True)
    disputed_points = models.TextField(_("disputed points"), blank=True)
    terms = models.TextField(_("agreed terms"), blank=True)
    performance_method = models.TextField(_("how the agreement is performed"), blank=True)
    performance_due = models.DateField(_("to be performed by"), null=True, blank=True)
    performance_status = models.CharField(
        _("performance"), max_length=16, choices=PerformanceStatus.choices, blank=True
    )
    performance_checked_at = models.DateTimeField(_("performance checked at"), null=True, blank=True)
    performance_note = models.TextField(_("performance follow-up"), blank=True)

    # Termination (人民调解法 art. 26).
    termination_reason = models.TextField(_("why the mediation ended"), blank=True)
    other_routes = models.TextField(_("other routes the parties were told"), blank=True)

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = _("mediation record")
        verbose_name_plural = _("mediation records")
        indexes = [models.Index(fields=["unit", "registered_at"], name="mediation_unit_registered")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="agreement") | (~models.Q(terms="") & models.Q(ended_at__isnull=False)),
                name="mediation_agreement_has_terms",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="terminated") | ~models.Q(other_routes=""),
                name="mediation_termination_tells_routes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in MEDIATION_OPEN

    @property
    def court_confirmation_until(self) -> dt.date | None:
        """The last day to ask a court to confirm the agreement (30 days after it took effect)."""
        if self.status != MediationStatus.AGREEMENT or self.ended_at is None:
            return None
        return timezone.localdate(self.ended_at) + dt.timedelta(days=COURT_CONFIRMATION_DAYS)


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    OTHER = "other", _("Other party")


class Consent(models.TextChoices):
    PENDING = "pending", _("Not asked yet")
    AGREED = "agreed", _("Agrees to mediation")
    REFUSED = "refused", _("Refuses mediation")


class MediationParty(models.Model):
    record = models.ForeignKey(MediationRecord, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    consent = models.CharField(_("consent"), max_length=16, choices=Consent.choices, default=Consent.PENDING)
    consented_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed the agreement at"), null=True, blank=True)

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class MediationSession(models.Model):
    record = models.ForeignKey(MediationRecord, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"), default=timezone.now)
    place = models.CharField(_("place"), max_length=200, blank=True)
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["record", "held_at", "id"]
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")

    def __str__(self) -> str:
        return f"{self.record_id} {self.held_at:%Y-%m-%d}"


# Venues and bookings --------------------------------------------------------------------------------


class VenueKind(models.TextChoices):
    MEDIATION_ROOM = "mediation_room", _("Mediation room")
    POLICE_ROOM = "police_room", _("Police room")
    COUNCIL_HALL = "council_hall", _("Council hall")
    STUDIO = "studio", _("Mediation studio")
    OTHER = "other", _("Other")


class Venue(models.Model):
    """调解室, 警务室, 议事厅 …: where residents meet mediators, police officers and lawyers."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=VenueKind.choices, default=VenueKind.MEDIATION_ROOM)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("open for booking"), default=True)

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="venue_name_per_unit")]

    def __str__(self) -> str:
        return self.name


class VenueSession(models.Model):
    """A sitting at a venue (e.g. Saturday 9:00–12:00 with a police officer and a lawyer),
    divided into bookable slots of `slot_minutes`."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per slot"), default=30)
    hosts = models.CharField(_("who sits in"), max_length=300, blank=True)
    with_police = models.BooleanField(_("police officer present"), default=False)
    with_lawyer = models.BooleanField(_("lawyer present"), default=False)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("venue session")
        verbose_name_plural = _("venue sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=5), name="session_slot_at_least_5_minutes"),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def slot_starts(self) -> list[dt.datetime]:
        step = dt.timedelta(minutes=self.slot_minutes)
        slots, current = [], self.starts_at
        while current + step <= self.ends_at:
            slots.append(current)
            current += step
        return slots


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class Booking(models.Model):
    session = models.ForeignKey(
        VenueSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="bookings"
    )
    slot_start = models.DateTimeField(_("slot"))
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="+"
    )
    topic = models.CharField(_("what it is about"), max_length=300)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["slot_start"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            # No double booking: one live booking per slot; cancelled ones free it again.
            models.UniqueConstraint(
                fields=["session", "slot_start"], condition=models.Q(status="booked"), name="one_booking_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session.venue} {timezone.localtime(self.slot_start):%Y-%m-%d %H:%M}"


# Petitions -------------------------------------------------------------------------------------------


class PetitionStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered, acceptance to decide")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    HANDLING = "handling", _("Accepted, being handled")
    ANSWERED = "answered", _("Answered")
    REVIEW = "review", _("Review (复查) requested")
    REVIEWED = "reviewed", _("Review answered")
    SECOND_REVIEW = "second_review", _("Second review (复核) requested")
    CLOSED = "closed", _("Closed")


PETITION_OPEN = (
    PetitionStatus.REGISTERED,
    PetitionStatus.HANDLING,
    PetitionStatus.ANSWERED,
    PetitionStatus.REVIEW,
    PetitionStatus.REVIEWED,
    PetitionStatus.SECOND_REVIEW,
)


class Petition(models.Model):
    """A petition (信访事项) under the 信访工作条例, with its statutory time limits.

    Every due date is a calendar date counted the Civil Code's way (deadlines.py); the
    period ends at the end of that day.
    """

    number = models.CharField(_("number"), max_length=40, unique=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.CASCADE, related_name="petitions"
    )
    petitioner_name = models.CharField(_("petitioner"), max_length=100)
    petitioner_count = models.PositiveIntegerField(_("people in the visit"), default=1)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("what the petition asks"))
    status = models.CharField(
        _("status"), max_length=16, choices=PetitionStatus.choices, default=PetitionStatus.REGISTERED
    )
    is_hard = models.BooleanField(_("hard case (重难点)"), default=False)
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader (包保)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    received_on = models.DateField(_("received on"))
    accept_due = models.DateField(_("acceptance decision due"))
    decided_on = models.DateField(_("acceptance decided on"), null=True, blank=True)
    decision_notice = models.TextField(_("written notice of the decision"), blank=True)
    handling_due = models.DateField(_("handling due"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("handling opinion"), blank=True)
    review_request_due = models.DateField(_("review may be requested until"), null=True, blank=True)
    review_requested_on = models.DateField(_("review requested on"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    review_answer = models.TextField(_("review opinion"), blank=True)
    review_answered_on = models.DateField(_("review answered on"), null=True, blank=True)
    second_review_request_due = models.DateField(_("second review may be requested until"), null=True, blank=True)
    second_review_requested_on = models.DateField(_("second review requested on"), null=True, blank=True)
    second_review_due = models.DateField(_("second review due"), null=True, blank=True)
    second_review_answer = models.TextField(_("second review opinion"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [models.Index(fields=["unit", "received_on"], name="petition_unit_received")]
        constraints = [
            # 信访工作条例 art. 35: at most one extension, of at most 30 days.
            models.CheckConstraint(condition=models.Q(extension_days__lte=30), name="petition_one_extension_30_days"),
            models.CheckConstraint(
                condition=models.Q(extension_days=0) | ~models.Q(extension_reason=""),
                name="petition_extension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in PETITION_OPEN


class PetitionProgress(models.Model):
    """A progress note on a petition: what the responsible leader and the handlers did, read
    out at the monthly review meeting (一月一调度)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="progress")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=32, default="note")
    note = models.TextField(_("note"))

    class Meta:
        ordering = ["petition", "created_at", "id"]
        verbose_name = _("petition progress")
        verbose_name_plural = _("petition progress notes")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.created_at:%Y-%m-%d}"
