from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CalendarDay(models.Model):
    """A day whose working status differs from the packaged holiday calendar.

    The packaged calendar (chinesecalendar) knows the State Council's schedule up to its
    last published year. Administrators enter later years here, and local changes (a
    day off for a typhoon) for any year. A row wins over the package.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("e.g. National Day, make-up working day")
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = pgettext_lazy("holiday calendar entries", "calendar days")

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("day off")
        return f"{self.date} {kind} {self.name}".strip()

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .workcalendar import clear_cache

        clear_cache()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from .workcalendar import clear_cache

        clear_cache()
        return result


class CalendarYear(models.Model):
    """A year an administrator has entered in full, so deadlines in it can be trusted."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("covered calendar year")
        verbose_name_plural = _("covered calendar years")

    def __str__(self) -> str:
        return str(self.year)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .workcalendar import clear_cache

        clear_cache()


class PersonalDataAccess(models.Model):
    """Every time a member of staff is shown a resident's unmasked personal data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("whose data"), max_length=200)
    fields = models.CharField(_("fields"), max_length=200)
    purpose = models.CharField(_("where"), max_length=200)
    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self) -> str:
        return f"{self.user} {self.subject} {self.fields}"
