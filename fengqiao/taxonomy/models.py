"""Case types, categories, subcategories with their default department and time limit,
and the per-unit routing table that overrides the default department."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fengqiao.core.workcalendar import LimitUnit
from fengqiao.org.models import Department, Unit, path_codes


class LocalisedName(models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        """The name in the active language (Chinese unless English is chosen)."""
        language = get_language() or ""
        return self.name_en if language.startswith("en") and self.name_en else self.name


class CaseType(LocalisedName):
    code = models.CharField(_("code"), max_length=32, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("case type")
        verbose_name_plural = _("case types")

    def __str__(self) -> str:
        return self.label


class Category(LocalisedName):
    code = models.CharField(_("code"), max_length=8, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Subcategory(LocalisedName):
    class LimitUnitChoice(models.TextChoices):
        HOUR = LimitUnit.HOUR, _("clock hours")
        DAY = LimitUnit.DAY, pgettext_lazy("time limit unit", "calendar days")
        WORKDAY = LimitUnit.WORKDAY, _("working days")

    code = models.CharField(_("code"), max_length=8, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="subcategories"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("default department"), on_delete=models.PROTECT, related_name="+"
    )
    limit_unit = models.CharField(_("time-limit unit"), max_length=8, choices=LimitUnitChoice.choices)
    limit_count = models.PositiveIntegerField(_("time limit"), validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("subcategory")
        verbose_name_plural = _("subcategories")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def limit_label(self) -> str:
        return f"{self.limit_count} {self.get_limit_unit_display()}"


class RoutingRule(models.Model):
    """In this unit's subtree, cases of this subcategory go to this department."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="routing_rules")
    subcategory = models.ForeignKey(
        Subcategory, verbose_name=_("subcategory"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["unit__path", "subcategory__code"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing table")
        constraints = [models.UniqueConstraint(fields=["unit", "subcategory"], name="one_route_per_unit_subcategory")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.subcategory.code} → {self.department}"


def route(*, unit: Unit, subcategory: Subcategory) -> Department:
    """The department for a subcategory in a unit: the nearest rule up the tree, else the default."""
    ancestor_codes = path_codes(unit.path)
    rules = {
        rule.unit.code: rule.department
        for rule in RoutingRule.objects.filter(unit__code__in=ancestor_codes, subcategory=subcategory).select_related(
            "unit", "department"
        )
    }
    for code in reversed(ancestor_codes):
        if code in rules:
            return rules[code]
    return subcategory.department
