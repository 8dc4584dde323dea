from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.generic import ScopedModelForm
from aftersales.customers.models import (
    Contact,
    Contract,
    ContractDocument,
    ContractItem,
    Customer,
    Site,
)


class CustomerForm(ScopedModelForm):
    class Meta:
        model = Customer
        fields = ["code", "name", "tier", "region", "address", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class SiteForm(ScopedModelForm):
    class Meta:
        model = Site
        fields = ["customer", "name", "address", "city", "latitude", "longitude"]


class ContactForm(ScopedModelForm):
    class Meta:
        model = Contact
        fields = ["customer", "site", "name", "title", "phone", "email", "is_primary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = self.fields["site"].queryset.select_related("customer")

    def clean(self):
        cleaned = super().clean()
        # A mistyped e-mail already has its own error; without this the model would also say
        # "give a phone or an e-mail", as if nothing had been typed. Nothing is saved either way.
        if "email" in self.errors and self.data.get("email"):
            self.instance.email = self.data["email"]
        return cleaned


class ContractForm(ScopedModelForm):
    class Meta:
        model = Contract
        fields = ["customer", "number", "title", "status", "signed_on", "accepted_on", "ends_on",
                  "service_calendar", "performance_deposit", "deposit_currency", "sales_owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only staff can own a contract; customer users never appear as sales owners.
        self.fields["sales_owner"].queryset = self.fields["sales_owner"].queryset.exclude(role="customer").filter(is_active=True)


class ContractItemForm(ScopedModelForm):
    class Meta:
        model = ContractItem
        fields = ["contract", "product", "quantity", "description"]


class ContractDocumentForm(ScopedModelForm):
    """Upload of one contract document; size and type limits come from settings through the
    model field's validator."""

    class Meta:
        model = ContractDocument
        fields = ["title", "file"]
        labels = {"file": _("file")}
