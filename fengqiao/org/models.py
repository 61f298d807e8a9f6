"""The organisation: the unit tree, departments, people and their roles, party organisations."""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Lower, Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .signals import unit_moved


class UnitLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")
    ESTATE = "estate", _("Estate")
    BUILDING = "building", _("Building")
    GRID = "grid", _("Grid")


# Chinese names accepted in import files, and the order of levels from the top.
LEVEL_ALIASES = {
    "市": UnitLevel.CITY,
    "区县": UnitLevel.DISTRICT,
    "区": UnitLevel.DISTRICT,
    "县": UnitLevel.DISTRICT,
    "街道乡镇": UnitLevel.STREET,
    "街道": UnitLevel.STREET,
    "乡镇": UnitLevel.STREET,
    "社区村": UnitLevel.COMMUNITY,
    "社区": UnitLevel.COMMUNITY,
    "村": UnitLevel.COMMUNITY,
    "小区": UnitLevel.ESTATE,
    "楼栋": UnitLevel.BUILDING,
    "网格": UnitLevel.GRID,
}
# Keyed by the stored level strings (UnitLevel members are equal to them).
LEVEL_RANK: dict[str, int] = {
    UnitLevel.CITY: 0,
    UnitLevel.DISTRICT: 1,
    UnitLevel.STREET: 2,
    UnitLevel.COMMUNITY: 3,
    UnitLevel.ESTATE: 4,
    UnitLevel.GRID: 4,
    UnitLevel.BUILDING: 5,
}


CODE_PATTERN = re.compile(r"[A-Za-z0-9._-]+")


def path_codes(path: str) -> list[str]:
    """The unit codes in a materialised path, from the root down: "/HF/HF-JK/" → ["HF", "HF-JK"]."""
    return [code for code in path.strip("/").split("/") if code]


def ancestor_paths(path: str) -> list[str]:
    """The paths of the unit at `path` and of every unit above it, from the root down."""
    codes = path_codes(path)
    return ["/" + "/".join(codes[: depth + 1]) + "/" for depth in range(len(codes))]


class Unit(models.Model):
    """One node of the tree city → district → street → community → estate → building.

    Grids hang under a community (or street) beside the estates. `path` is the chain of
    codes from the root, so a subtree is one indexed prefix query.
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=1000, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, help_text=_("WGS84, of the unit's centre")
    )
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            # Subtree queries match path prefixes, case-insensitively on SQLite: codes that
            # differ only in case would see into each other's subtrees.
            models.UniqueConstraint(Lower("code"), name="unit_code_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs):
        """Keep `path` and `depth` right, from the parent as stored, and move the subtree with it."""
        old_path = self._stored_path()
        parent_path, parent_depth = "/", -1
        if self.parent_id:
            parent_path, parent_depth = Unit.objects.filter(pk=self.parent_id).values_list("path", "depth").get()
            if old_path and parent_path.startswith(old_path):
                raise ValueError(f"unit {self.code} cannot be placed under itself or its own descendant")
        self.path = parent_path + self.code + "/"
        self.depth = parent_depth + 1
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # One UPDATE moves the whole subtree: swap the path prefix, shift the depth.
            Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + (self.path.count("/") - old_path.count("/")),
            )
            unit_moved.send(sender=Unit, unit_id=self.pk, old_path=old_path, new_path=self.path)

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if self.code and not CODE_PATTERN.fullmatch(self.code):
            errors["code"] = _("Use letters, digits, dots, hyphens and underscores only.")
        if self.parent_id:
            parent = Unit.objects.filter(pk=self.parent_id).first()
            if parent and self.pk and parent.path.startswith(self._stored_path() or "\0"):
                errors["parent"] = _("A unit cannot be placed under itself or one of its own units.")
            elif parent and self.level and LEVEL_RANK[self.level] < LEVEL_RANK[parent.level]:
                errors["level"] = _("Level “%(level)s” cannot be placed under level “%(parent)s”.") % {
                    "level": self.get_level_display(),
                    "parent": parent.get_level_display(),
                }
        if errors:
            raise ValidationError(errors)

    def _stored_path(self) -> str | None:
        return Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first() if self.pk else None

    def subtree(self):
        return Unit.objects.filter(path__startswith=self.path)

    def ancestors(self, *, include_self: bool = True) -> list[Unit]:
        """From the root down to this unit."""
        codes = path_codes(self.path)
        if not include_self:
            codes = codes[:-1]
        by_code = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
        return [by_code[code] for code in codes if code in by_code]

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    @property
    def full_name(self) -> str:
        return " ".join(unit.name for unit in self.ancestors() if unit.level != UnitLevel.CITY) or self.name


class Department(models.Model):
    """A handling department (承办单位), e.g. D02 物业服务企业."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    email = models.EmailField(_("duty e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class User(AbstractUser):
    """A person who signs in: a resident or a member of staff."""

    display_name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    home_unit = models.ForeignKey(
        Unit,
        verbose_name=_("home unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
        help_text=_("For residents: the building or estate they live in."),
    )

    # Set by fengqiao.org.access.assignments(): the user's role assignments, cached per object.
    _fengqiao_roles: list[RoleAssignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    CLERK = "clerk", _("Intake clerk")
    HANDLER = "handler", _("Department handler")
    MEDIATOR = "mediator", _("Mediator")
    REVIEWER = "reviewer", _("Reviewer / supervisor")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


class RoleAssignment(models.Model):
    """A person holds a role over a unit's subtree; handlers also for one department."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_assignments")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    on_duty = models.BooleanField(_("on duty for urgent cases"), default=False)

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit", "department"], name="unique_role_assignment"),
            models.CheckConstraint(
                condition=~models.Q(role="handler") | models.Q(department__isnull=False),
                name="handler_has_department",
            ),
        ]

    def __str__(self) -> str:
        scope = f"{self.unit} · {self.department.name}" if self.department is not None else str(self.unit)
        return f"{self.user} — {self.get_role_display()} ({scope})"


class PartyOrganisation(models.Model):
    """大社区党委 — 居民区党委 — 小区党支部 — 楼栋党小组, attached to units."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Party committee")
        GENERAL_BRANCH = "general_branch", _("General branch")
        BRANCH = "branch", _("Branch")
        GROUP = "group", _("Party group")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="party_organisations")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    secretary = models.ForeignKey(
        User, verbose_name=_("secretary"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")

    def __str__(self) -> str:
        return self.name
