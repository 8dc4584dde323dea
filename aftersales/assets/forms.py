from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.assets.models import Component, Equipment, Product, WarrantyTerm
from aftersales.core.generic import ScopedModelForm, style_widget


class ProductForm(ScopedModelForm):
    class Meta:
        model = Product
        fields = ["model", "name", "category", "manufacturer", "discontinued"]


class ComponentForm(ScopedModelForm):
    class Meta:
        model = Component
        fields = ["product", "code", "name", "is_core"]


class EquipmentForm(ScopedModelForm):
    """Create or edit a unit. A changed software version or configuration is kept in the
    unit's history with the note (assets.services.equipment_update)."""

    note = forms.CharField(label=_("note"), max_length=300, required=False,
                           help_text=_("Why the software or configuration changed (kept in the history)."))

    class Meta:
        model = Equipment
        fields = ["product", "serial", "site", "contract", "accepted_on", "software_version", "configuration",
                  "status", "location"]
        widgets = {"configuration": forms.Textarea(attrs={"rows": 6, "class": "font-monospace"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = self.fields["site"].queryset.select_related("customer")
        if self.instance.pk is None:
            del self.fields["note"]
        else:
            style_widget(self.fields["note"])


class WarrantyTermForm(ScopedModelForm):
    class Meta:
        model = WarrantyTerm
        fields = ["contract_item", "component", "months", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_item"].queryset = self.fields["contract_item"].queryset.select_related("contract", "product")
        self.fields["component"].queryset = self.fields["component"].queryset.select_related("product")


class WarrantyCardIssueForm(forms.Form):
    number = forms.CharField(label=_("card number"), max_length=40)
    issued_on = forms.DateField(label=_("issued on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)
