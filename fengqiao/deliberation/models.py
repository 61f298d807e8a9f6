"""Topics for the community's deliberation meetings (议事协商): what residents, grid workers or
leaders put on the agenda, including the early warnings leaders turn into topics."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    SCHEDULED = "scheduled", _("On a meeting's agenda")
    DECIDED = "decided", _("Decided")
    DROPPED = "dropped", _("Dropped")


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("Raised by residents")
    STAFF = "staff", _("Raised by staff")
    WARNING = "warning", _("From an early warning")


class Topic(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=16, choices=TopicSource.choices, default=TopicSource.STAFF)
    status = models.CharField(_("status"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deliberation topic")
        verbose_name_plural = _("deliberation topics")

    def __str__(self) -> str:
        return self.title
