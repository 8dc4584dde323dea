from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.generic import ScopedModelForm
from aftersales.notifications.models import WebhookEndpoint
from aftersales.tickets.choices import Level


class WebhookEndpointForm(ScopedModelForm):
    """A robot or receiver; levels are ticked, and stored as "L1,L2" (none ticked: all)."""

    levels = forms.MultipleChoiceField(label=_("only for levels"), choices=Level.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("None ticked: every level."))

    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https",
                         help_text=_("The robot's webhook address, key or access token included."))

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "kind", "url", "secret", "active", "group", "levels", "mobiles"]
        widgets = {"secret": forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["levels"].widget.attrs["class"] = ""  # checkboxes, not a form-control box
        if self.instance.pk and "levels" not in self.initial:
            self.initial["levels"] = self.instance.level_list
        elif isinstance(self.initial.get("levels"), str):
            self.initial["levels"] = [lv for lv in self.initial["levels"].split(",") if lv]

    def clean_levels(self) -> str:
        chosen = self.cleaned_data.get("levels") or []
        return ",".join(lv for lv in Level.values if lv in chosen)
