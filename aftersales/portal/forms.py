"""Forms of the customer portal. Site and unit choices pass through `scoped()`, so another
customer's site or unit is not a valid choice (and its name is never shown)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.generic import style_widget
from aftersales.portal import selectors
from aftersales.tickets.choices import Category, Impact, Status


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.product.model} #{obj.serial} · {obj.site.name}"


class ReportForm(forms.Form):
    equipment = UnitChoiceField(label=_("unit"), queryset=None, required=False,
                                help_text=_("The machine with the problem; its QR code label fills this in."))
    site = forms.ModelChoiceField(label=_("site"), queryset=None, required=False,
                                  help_text=_("Where the problem is; taken from the unit when you choose one."))
    category = forms.ChoiceField(label=_("what do you need"), choices=Category.choices, initial=Category.FAULT)
    impact = forms.ChoiceField(label=_("impact"), choices=Impact.choices, initial=Impact.CORE_FUNCTION)
    outage_started_at = forms.DateTimeField(
        label=_("out of service since"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty if nothing is out of service. Beijing time."))
    subject = forms.CharField(label=_("subject"), max_length=200,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}))
    description = forms.CharField(label=_("what happened"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = selectors.customer_equipment(user=user)
        self.fields["site"].queryset = selectors.customer_sites(user=user)
        for field in self.fields.values():
            style_widget(field)

    def clean(self):
        cleaned = super().clean()
        unit, site = cleaned.get("equipment"), cleaned.get("site")
        if "equipment" in self.errors or "site" in self.errors:
            return cleaned
        if unit is None and site is None:
            self.add_error("site", _("Choose the unit or at least the site."))
        elif unit is not None and site is not None and unit.site_id != site.pk:
            self.add_error("equipment", _("This unit is at another site."))
        elif unit is not None:
            cleaned["site"] = unit.site
        return cleaned


class CommentForm(forms.Form):
    text = forms.CharField(label=_("your comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widget(self.fields["text"])


class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All statuses")), *Status.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)
