from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.fields import UnreadableValue
from aftersales.core.generic import ScopedModelForm
from aftersales.notifications.choices import WebhookKind
from aftersales.notifications.models import WebhookEndpoint
from aftersales.tickets.choices import Level


class WebhookEndpointForm(ScopedModelForm):
    """A robot or receiver; levels are ticked, and stored as "L1,L2" (none ticked: all).

    The address and the secret are credentials: the edit form never sends them to the
    browser. Left empty when editing, each keeps its stored value; the secret is removed with
    the tick box, or by switching to a kind that does not sign."""

    levels = forms.MultipleChoiceField(label=_("only for levels"), choices=Level.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("None ticked: every level."))

    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https",
                         help_text=_("The robot's webhook address, key or access token included."))
    secret = forms.CharField(label=_("signing secret"), max_length=200, required=False, strip=True,
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                             help_text=_("DingTalk robots with “sign” security: the SEC... secret."))
    clear_secret = forms.BooleanField(label=_("Remove the stored secret"), required=False)

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "kind", "url", "secret", "clear_secret", "active", "group", "levels", "mobiles"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["levels"].widget.attrs["class"] = ""  # checkboxes, not a form-control box
        if self.instance.pk and "levels" not in self.initial:
            self.initial["levels"] = self.instance.level_list
        elif isinstance(self.initial.get("levels"), str):
            self.initial["levels"] = [lv for lv in self.initial["levels"].split(",") if lv]
        if self.instance.pk:
            # Never put the stored credentials into the page.
            self.initial["url"] = ""
            self.initial["secret"] = ""
            self.fields["url"].required = False
            self.fields["url"].help_text = _("Leave empty to keep the current address (%(masked)s).") % {
                "masked": self.instance.get_url_display()}
            if self.instance.secret or self.instance.credentials_unreadable:
                self.fields["secret"].help_text = _("A secret is stored; leave empty to keep it.")
            else:
                del self.fields["clear_secret"]
        else:
            del self.fields["clear_secret"]

    def clean_levels(self) -> str:
        chosen = self.cleaned_data.get("levels") or []
        return ",".join(lv for lv in Level.values if lv in chosen)

    def clean_url(self):
        url = self.cleaned_data.get("url")
        if not url and self.instance.pk:
            if isinstance(self.instance.url, UnreadableValue):
                raise forms.ValidationError(_("The stored address cannot be decrypted; enter it again."),
                                            code="unreadable")
            return self.instance.url
        return url

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not cleaned.get("secret"):
            signs = cleaned.get("kind", self.instance.kind) == WebhookKind.DINGTALK
            keep = signs and not cleaned.get("clear_secret")
            cleaned["secret"] = self.instance.secret if keep else ""
        return cleaned
