from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.org.models import Department, Unit
from fengqiao.taxonomy.models import Category, Subcategory

from .models import Status


class SubmitAppealForm(forms.Form):
    """What a resident fills in on the phone: the problem, where, and how to reach them."""

    text = forms.CharField(
        label=_("What is the problem?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("Describe what happened, where and since when.")}),
    )
    address = forms.CharField(label=_("Where (estate, building, road)"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^[0-9+\- ]{0,20}$",
        max_length=20,
        required=False,
        error_messages={"invalid": _("Enter a phone number (digits only).")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)


class StaffRecordForm(SubmitAppealForm):
    """A clerk or grid worker records an appeal taken by phone, in person or on a visit."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    channel = forms.ChoiceField(label=_("Channel"), choices=())
    urgent = forms.BooleanField(label=_("Urgent: immediate danger to life or property"), required=False)

    def __init__(self, *args, units, channels, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        cast(forms.ChoiceField, self.fields["channel"]).choices = channels


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Status.choices)
    unit = forms.ModelChoiceField(label=_("Unit"), required=False, queryset=Unit.objects.none(), to_field_name="code")
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.all(), to_field_name="code"
    )
    subcategory = forms.ModelChoiceField(
        label=_("Subcategory"), required=False, queryset=Subcategory.objects.all(), to_field_name="code"
    )
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.all(), to_field_name="code"
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", _("All")), ("true", _("Overdue")), ("false", _("Not overdue"))],
    )
    received_after = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_before = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units

    def selector_filters(self) -> dict:
        """The cleaned filters as the strings `case_list` takes."""
        filters = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            filters[name] = getattr(value, "code", None) or (
                value.isoformat() if hasattr(value, "isoformat") else value
            )
        return filters
