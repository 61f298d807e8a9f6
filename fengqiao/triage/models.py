"""What the triage model suggested for a case, and what the clerk then decided."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.org.models import Department
from fengqiao.taxonomy.models import CaseType, Subcategory


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    CORRECTED = "corrected", _("Corrected")


class TriageSuggestion(models.Model):
    """One suggestion, made when the case was created. `decision` is filled in when a clerk
    confirms the classification: accepted when the clerk kept the suggested subcategory,
    corrected when they chose another (the case's classification is then the training label)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="triage_suggestions"
    )
    subcategory = models.ForeignKey(
        Subcategory, verbose_name=_("suggested subcategory"), on_delete=models.PROTECT, related_name="+"
    )
    case_type = models.ForeignKey(
        CaseType, verbose_name=_("suggested case type"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("suggested department"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    urgent = models.BooleanField(_("suggested urgent"), default=False)
    duplicate_of = models.ForeignKey(
        "cases.Case",
        verbose_name=_("suspected duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confidence = models.FloatField(_("confidence"))
    case_type_confidence = models.FloatField(_("case type confidence"))
    urgent_probability = models.FloatField(_("urgency probability"))
    alternatives = models.JSONField(_("alternatives"), default=list, blank=True)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    danger_words = models.JSONField(_("danger words"), default=list, blank=True)
    model_version = models.CharField(_("model version"), max_length=40)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    final_subcategory = models.ForeignKey(
        Subcategory,
        verbose_name=_("final subcategory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    final_case_type = models.ForeignKey(
        CaseType, verbose_name=_("final case type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("triage suggestion")
        verbose_name_plural = _("triage suggestions")
        indexes = [
            models.Index(fields=["case", "created_at"], name="triage_case_created"),
            models.Index(fields=["created_at"], name="triage_created"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.subcategory_id} ({self.confidence:.2f})"

    @property
    def confidence_percent(self) -> int:
        return round(self.confidence * 100)
