"""The Open311 GeoReport v2 endpoint's own data: API keys for the apps that file requests,
the jurisdictions a deployment serves, the extra questions a service asks (attributes), and
what an app sent with each request it filed (the case itself lives in fengqiao.cases)."""

from __future__ import annotations

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case
from fengqiao.org.models import Unit, UnitLevel
from fengqiao.taxonomy.models import Subcategory

KEY_PREFIX_LENGTH = 8


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


class ApiKey(models.Model):
    """A key for one client app. Only the SHA-256 of the key is stored, with its first
    characters so people can tell keys apart; the key itself is shown once, when made."""

    name = models.CharField(_("name"), max_length=100, help_text=_("The app or organisation the key is for."))
    prefix = models.CharField(_("prefix"), max_length=KEY_PREFIX_LENGTH, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Jurisdiction(models.Model):
    """A city or district this deployment answers for, named as Open311 clients name it
    (the government's web domain without "www", e.g. hefei.gov.cn)."""

    jurisdiction_id = models.CharField(
        _("jurisdiction id"),
        max_length=100,
        unique=True,
        validators=[
            RegexValidator(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", _("Lower-case letters, digits, dots, hyphens."))
        ],
        help_text=_("The city's web domain without www, e.g. hefei.gov.cn"),
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": (UnitLevel.CITY, UnitLevel.DISTRICT)},
    )

    class Meta:
        ordering = ["jurisdiction_id"]
        verbose_name = _("Open311 jurisdiction")
        verbose_name_plural = _("Open311 jurisdictions")

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} ({self.name})"

    def clean(self) -> None:
        if self.unit_id and self.unit.level not in (UnitLevel.CITY, UnitLevel.DISTRICT):
            raise ValidationError({"unit": _("A jurisdiction is a city or a district.")})


class Datatype(models.TextChoices):
    STRING = "string", _("Single line of text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Several lines of text")
    SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
    MULTIVALUELIST = "multivaluelist", _("Several choices from a list")


LIST_DATATYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)


class ServiceAttribute(models.Model):
    """An extra question a service asks when a request is filed (the floor of a broken lift)."""

    subcategory = models.ForeignKey(
        Subcategory, verbose_name=_("service"), on_delete=models.CASCADE, related_name="open311_attributes"
    )
    code = models.CharField(
        _("code"), max_length=50, validators=[RegexValidator(r"^[A-Za-z0-9_]+$", _("Letters, digits, underscores."))]
    )
    datatype = models.CharField(_("datatype"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("variable"), default=True, help_text=_("Off for a notice that only informs and takes no answer.")
    )
    description = models.CharField(_("description"), max_length=300)
    datatype_description = models.CharField(_("hint"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(1)])
    values = models.JSONField(
        _("values"), default=list, blank=True, help_text=_('For lists: [{"key": "yes", "name": "有"}, ...]')
    )

    class Meta:
        ordering = ["subcategory__code", "order"]
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        constraints = [
            models.UniqueConstraint(fields=["subcategory", "order"], name="open311_attribute_order_per_service"),
            models.UniqueConstraint(fields=["subcategory", "code"], name="open311_attribute_code_per_service"),
            models.CheckConstraint(condition=models.Q(order__gte=1), name="open311_attribute_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.subcategory.code} {self.code}"

    def clean(self) -> None:
        if not isinstance(self.values, list) or not all(
            isinstance(value, dict) and set(value) == {"key", "name"} and str(value["key"]).strip()
            for value in self.values
        ):
            raise ValidationError({"values": _('Give a list of {"key": …, "name": …} pairs.')})
        keys = [str(value["key"]) for value in self.values]
        if len(keys) != len(set(keys)):
            raise ValidationError({"values": _("Each key may appear once.")})
        if self.datatype in LIST_DATATYPES and not keys:
            raise ValidationError({"values": _("A list needs values to choose from.")})
        if self.datatype not in LIST_DATATYPES and keys:
            raise ValidationError({"values": _("Only lists have values.")})

    def value_name(self, key: str) -> str:
        return next((str(value["name"]) for value in self.values if str(value["key"]) == key), key)


class Open311Request(models.Model):
    """What a client app sent with a request; the case holds the appeal itself.

    Names, e-mail, device and account ids are personal data: stored here, shown masked in the
    admin, never returned by the public GETs. The phone goes to the case like any resident's.
    """

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="open311")
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    address_string = models.CharField(_("address"), max_length=300, blank=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    located_by = models.CharField(_("located by"), max_length=16, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    media_url = models.URLField(_("media URL"), max_length=1000, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return str(self.case)
