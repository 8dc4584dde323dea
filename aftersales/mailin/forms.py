"""Forms of the triage actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.generic import style_widget
from aftersales.core.scoping import scoped
from aftersales.customers.models import Customer
from aftersales.tickets.models import Ticket


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)


class CreateTicketForm(StyledForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    add_contact = forms.BooleanField(label=_("Add the sender as a contact of this customer"), required=False,
                                     initial=True)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False,
                                   help_text=_("Defaults to the name in the mail."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = scoped(Customer.objects.order_by("name"), user).only("id", "name", "code")


class AttachForm(StyledForm):
    ticket = forms.CharField(label=_("Service request number"), max_length=20,
                             widget=forms.TextInput(attrs={"placeholder": "SR-2026-000123"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_ticket(self):
        number = self.cleaned_data["ticket"].strip().upper()
        ticket = scoped(Ticket.objects.filter(number=number), self.user).first()
        if ticket is None:
            raise forms.ValidationError(_("No service request has the number %(number)s.") % {"number": number})
        return ticket


class DiscardForm(StyledForm):
    reason = forms.CharField(label=_("Why discard it?"), max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": _("Spam, out-of-office answer, ...")}))
