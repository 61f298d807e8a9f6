"""Appeals and disputes (cases) and their audit trail.

A case changes only through the functions in actions.py; each writes one CaseEvent in the
same transaction and bumps `version`, which the API uses for optimistic locking.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fengqiao.core import workcalendar
from fengqiao.org.models import Department, Unit
from fengqiao.taxonomy.models import CaseType, Subcategory


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    UNDER_REVIEW = "under_review", _("Under review")
    REPLIED = "replied", _("Replied")
    VISITED = "visited", _("Visited")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    SUSPENDED = "suspended", _("Suspended")
    MERGED = "merged", _("Merged")


# States in which the handling clock runs: a case in one of them past its deadline is overdue.
CLOCK_RUNNING = (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS, Status.UNDER_REVIEW, Status.RETURNED)
FINISHED = (Status.CLOSED, Status.MERGED)
OPEN_STATES = tuple(status for status in Status if status not in FINISHED)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class MediationResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("In person")
    LETTER = "letter", _("Letter")
    GRID = "grid", _("Found by a grid worker")
    ASSIGNED = "assigned", _("Assigned by a higher level")
    TRANSFERRED = "transferred", _("Transferred by a department")
    OPEN311 = "open311", _("Open311 app")


class Case(models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cases")
    case_type = models.ForeignKey(CaseType, verbose_name=_("case type"), on_delete=models.PROTECT, related_name="+")
    subcategory = models.ForeignKey(
        Subcategory, verbose_name=_("subcategory"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    status_before_suspension = models.CharField(max_length=16, choices=Status.choices, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    whistled = models.BooleanField(_("whistle blown"), default=False)
    classification_confirmed = models.BooleanField(_("classification confirmed"), default=False)

    text = models.TextField(_("appeal"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=32, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, blank=True)

    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    result = models.TextField(_("handling result"), blank=True)
    reply_message = models.TextField(_("reply to the resident"), blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=24, choices=Satisfaction.choices, blank=True)
    resolved = models.BooleanField(_("resolved"), null=True, blank=True)
    mediation_result = models.CharField(
        _("mediation result"), max_length=16, choices=MediationResult.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # A group labour dispute (群体性劳资纠纷): one case speaks for many claimants.
    group_claimants = models.PositiveIntegerField(_("claimants in the group"), null=True, blank=True)
    amount_owed = models.DecimalField(_("amount owed (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    suspension_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suspension_reason = models.TextField(_("suspension reason"), blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)

    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["unit", "received_at"], name="case_unit_received"),
            models.Index(fields=["department", "status"], name="case_department_status"),
            models.Index(fields=["received_at"], name="case_received"),
            # What is overdue now, by department and unit, read from the index alone (the
            # dashboard counts it city-wide): the running clocks only.
            models.Index(
                fields=["deadline", "department", "unit"],
                condition=models.Q(status__in=["received", "dispatched", "in_progress", "under_review", "returned"]),
                name="case_running_deadline",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="case_idempotency_key_per_creator",
            ),
            models.CheckConstraint(
                condition=models.Q(status="merged", merged_into__isnull=False)
                | (~models.Q(status="merged") & models.Q(merged_into__isnull=True)),
                name="case_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_at__isnull=False),
                name="case_closed_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["dispatched", "in_progress", "under_review"])
                | models.Q(department__isnull=False),
                name="case_in_handling_has_department",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    # Deadlines ---------------------------------------------------------------------------

    @property
    def limit_unit(self) -> str:
        if self.urgent or self.subcategory is None:
            return workcalendar.LimitUnit.HOUR
        return self.subcategory.limit_unit

    def compute_deadline(self, start: dt.datetime | None = None) -> dt.datetime | None:
        """The deadline from the taxonomy limit (2 clock hours when urgent)."""
        start = start or self.received_at
        if self.urgent:
            return workcalendar.compute_deadline(start, unit=workcalendar.LimitUnit.HOUR, count=URGENT_LIMIT_HOURS)
        if self.subcategory is None:
            return None
        return workcalendar.compute_deadline(
            start, unit=self.subcategory.limit_unit, count=self.subcategory.limit_count
        )

    def limit_duration(self) -> dt.timedelta | None:
        if self.urgent:
            return dt.timedelta(hours=URGENT_LIMIT_HOURS)
        if self.subcategory is None:
            return None
        return workcalendar.limit_duration(unit=self.subcategory.limit_unit, count=self.subcategory.limit_count)

    def _clock_time(self, now: dt.datetime | None) -> dt.datetime:
        if self.status == Status.SUSPENDED and self.suspended_at:
            return self.suspended_at
        return now or timezone.now()

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        if self.deadline is None:
            return False
        if self.status in CLOCK_RUNNING or self.status == Status.SUSPENDED:
            return self._clock_time(now) > self.deadline
        return False

    def is_due_soon(self, now: dt.datetime | None = None) -> bool:
        """Open, not yet overdue, and inside the last share of its time limit."""
        if self.deadline is None or self.status not in CLOCK_RUNNING or self.is_overdue(now):
            return False
        duration = self.limit_duration() or dt.timedelta(0)
        window = max(duration * settings.FENGQIAO_DUE_SOON_SHARE, dt.timedelta(hours=1))
        return self.deadline - self._clock_time(now) <= window

    def finished_late(self) -> bool:
        return bool(self.deadline and self.replied_at and self.replied_at > self.deadline)

    @property
    def deadline_calendar_warning(self) -> str:
        """Set when the deadline falls in a year whose holidays nobody has entered."""
        if not self.deadline or self.limit_unit != workcalendar.LimitUnit.WORKDAY:
            return ""
        years = workcalendar.uncovered_years(self.received_at, self.deadline)
        if not years:
            return ""
        return _("No holiday calendar covers %(years)s; the deadline counts Monday to Friday only.") % {
            "years": ", ".join(map(str, years))
        }

    @property
    def channel_label(self) -> str | Promise:
        """The channel's name for a known channel code; free text from imports as it is."""
        return Channel(self.channel).label if self.channel in Channel.values else self.channel

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED


URGENT_LIMIT_HOURS = 2


class CaseEvent(models.Model):
    """One row per action on a case: who, when, what changed (old → new) and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    request_id = models.UUIDField(default=uuid.uuid4)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason or note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        from .workflow import event_label

        return event_label(self.action)


class Whistle(models.Model):
    """吹哨报到: departments summoned to a place, expected on site within 30 minutes."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="whistles")
    place = models.CharField(_("place"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    blown_at = models.DateTimeField(_("blown at"), default=timezone.now)
    # Where a whistle without a case was blown (with a case, the case's unit counts).
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-blown_at"]
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")

    def __str__(self) -> str:
        return f"{self.place} {self.blown_at:%Y-%m-%d %H:%M}"


class WhistleSummons(models.Model):
    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # WGS84 position of the arrival, when the phone gave one.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("whistle summons")
        verbose_name_plural = _("whistle summonses")
        constraints = [models.UniqueConstraint(fields=["whistle", "department"], name="one_summons_per_department")]

    def __str__(self) -> str:
        return f"{self.whistle} → {self.department}"
