"""Pre-aggregated case counts (rollups) and the early warnings computed from them.

The rollup tables hold plain integer keys rather than foreign keys: a row is a sum, not an
object, and the upsert that keeps it current (``INSERT … ON CONFLICT … DO UPDATE SET n = n +
excluded.n``) needs a unique key without NULLs. ``0`` stands for "none" in the id columns and
``NEVER`` for "never overdue" in ``overdue_day``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NEVER = dt.date(9999, 12, 31)


class StatusClass(models.TextChoices):
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")


# The measures every rollup row carries, in a fixed order (the SQL and the Python agree on it).
MEASURES = (
    "received",
    "closed",
    "closed_on_time",
    "dispatched",
    "responded",
    "answered",
    "resolved",
    "rated",
    "satisfied",
    "mediation_ended",
    "mediation_success",
)


class RollupMeasures(models.Model):
    received = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    mediation_ended = models.IntegerField(default=0)
    mediation_success = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(RollupMeasures):
    """Cases received on `day` (Asia/Shanghai) in `unit`'s subtree, per subcategory, case type,
    status class and the day from which an open case counts as overdue.

    Every case is counted at its own unit and at each unit above it, so the figures of any
    subtree are read from the rows of one unit, without a scan of the units below.
    """

    unit_id = models.IntegerField()
    day = models.DateField()
    subcategory_id = models.IntegerField()
    category_id = models.IntegerField()
    case_type_id = models.IntegerField()
    status_class = models.CharField(max_length=10, choices=StatusClass.choices)
    overdue_day = models.DateField()

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "day", "subcategory_id", "case_type_id", "status_class", "overdue_day"],
                name="daily_rollup_key",
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="daily_rollup_day"),
            # The few rows of open cases, which the on-time rate's "still open past the
            # deadline" reads over a whole period.
            models.Index(
                fields=["unit_id", "overdue_day"],
                condition=models.Q(status_class__in=["open", "suspended"]),
                name="daily_rollup_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.subcategory_id} {self.status_class}: {self.received}"


class UnitDayRollup(RollupMeasures):
    """The daily rows summed per unit and day, nothing finer: what the days at either end of a
    period, rankings and hotspots read (one row per unit and day)."""

    unit_id = models.IntegerField()
    day = models.DateField()

    class Meta:
        verbose_name = _("unit-day rollup")
        verbose_name_plural = _("unit-day rollups")
        constraints = [models.UniqueConstraint(fields=["unit_id", "day"], name="unit_day_rollup_key")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.received}"


class OpenRollup(RollupMeasures):
    """The cases not yet finished (open or suspended) per unit, day received and the day from
    which they count as overdue: what "still open past the deadline" reads, a few rows per
    unit and day instead of the daily table's every subcategory and case type."""

    unit_id = models.IntegerField()
    day = models.DateField()
    overdue_day = models.DateField()

    class Meta:
        verbose_name = _("open-case rollup")
        verbose_name_plural = _("open-case rollups")
        constraints = [models.UniqueConstraint(fields=["unit_id", "day", "overdue_day"], name="open_rollup_key")]
        indexes = [models.Index(fields=["unit_id", "overdue_day"], name="open_rollup_overdue")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} → {self.overdue_day}: {self.received}"


class MonthlyRollup(RollupMeasures):
    """The daily rows summed per calendar month and category (no finer): what long periods,
    trends and early warning read, a few rows per unit and month."""

    unit_id = models.IntegerField()
    month = models.DateField()
    category_id = models.IntegerField()

    class Meta:
        verbose_name = _("monthly rollup")
        verbose_name_plural = _("monthly rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "month", "category_id"],
                name="monthly_rollup_key",
            )
        ]
        indexes = [models.Index(fields=["month"], name="monthly_rollup_month")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.category_id}: {self.received}"


class WarningKind(models.TextChoices):
    MONTH_ON_MONTH = "month_on_month", _("Above its own history")
    CROSS_CATEGORY = "cross_category", _("Out of line with other categories and units")
    TREND = "trend", _("Rising trend")


class WarningLevel(models.TextChoices):
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")


class WarningStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    TOPIC = "topic", _("Deliberation topic")
    TASK = "task", _("Supervised task")


class EarlyWarning(models.Model):
    """One (unit, category) cell that stood out in a month (interfaces §6), and what the
    leaders did about it."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        "taxonomy.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    count = models.PositiveIntegerField(_("count"))
    baseline = models.FloatField(_("baseline"))
    ratio = models.FloatField(_("ratio"))
    kind = models.CharField(_("kind"), max_length=16, choices=WarningKind.choices)
    level = models.CharField(_("level"), max_length=8, choices=WarningLevel.choices)
    reason = models.TextField(_("reason"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=WarningStatus.choices, default=WarningStatus.NEW)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    task = models.ForeignKey(
        "cases.Case",
        verbose_name=_("supervised task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.ForeignKey(
        "deliberation.Topic",
        verbose_name=_("deliberation topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-month", "level", "-ratio"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        constraints = [models.UniqueConstraint(fields=["unit", "category", "month"], name="one_warning_per_cell")]

    def __str__(self) -> str:
        return f"{self.unit} {self.category} {self.month:%Y-%m} {self.level}"


class WarningRun(models.Model):
    """When the warnings of a month were last computed (the API computes a month it has never
    seen, and otherwise reads what the nightly run stored)."""

    month = models.DateField(unique=True)
    computed_at = models.DateTimeField(default=timezone.now)
    cells = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("warning run")
        verbose_name_plural = _("warning runs")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.computed_at:%Y-%m-%d %H:%M}"
