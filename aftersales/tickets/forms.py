"""Forms of the agent console: the fast new-ticket form, the small action forms of a ticket
page, the replay moment, and the service group / routing rule archives."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.choices import Role
from aftersales.assets.models import Equipment
from aftersales.core.generic import ScopedModelForm, style_widget
from aftersales.core.scoping import scoped
from aftersales.customers.models import Customer, Site
from aftersales.tickets.choices import Category, Channel, Impact, Level, Status
from aftersales.tickets.models import RoutingRule, ServiceGroup

# The channels an agent registers by hand; e-mail, portal and API tickets arrive by themselves.
MANUAL_CHANNELS = [(c.value, c.label) for c in (Channel.PHONE, Channel.ONSITE, Channel.EMAIL)]


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; read in the active time zone (Asia/Shanghai)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def staff_users():
    return get_user_model().objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("username")


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)


class TicketCreateForm(StyledForm):
    """One call on the hotline. The customer, site and unit come from the lookup box (hidden
    fields filled by picking a result); the rest is typed while the caller talks."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.all(), widget=forms.HiddenInput,
                                      label=_("customer"),
                                      error_messages={"required": _("Find the caller's unit or customer and pick it."),
                                                      "invalid_choice": _("This customer does not exist.")})
    equipment = forms.ModelChoiceField(queryset=Equipment.objects.select_related("site", "contract", "product"),
                                       required=False, widget=forms.HiddenInput, label=_("equipment"),
                                       error_messages={"invalid_choice": _("This unit does not exist.")})
    site = forms.ModelChoiceField(queryset=Site.objects.all(), required=False, label=_("site"),
                                  error_messages={"invalid_choice": _("This site does not exist.")})
    category = forms.ChoiceField(choices=Category.choices, initial=Category.FAULT, label=_("category"))
    impact = forms.ChoiceField(choices=Impact.choices, initial=Impact.CORE_FUNCTION, label=_("impact"))
    outage_started_at = forms.DateTimeField(required=False, widget=DateTimeLocalInput, label=_("outage started at"))
    outage_ended_at = forms.DateTimeField(required=False, widget=DateTimeLocalInput, label=_("outage ended at"))
    subject = forms.CharField(max_length=200, label=_("subject"))
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("description"))
    caller_name = forms.CharField(required=False, max_length=100, label=_("caller name"))
    caller_phone = forms.CharField(required=False, max_length=40, label=_("caller phone"))
    channel = forms.ChoiceField(choices=MANUAL_CHANNELS, initial=Channel.PHONE, label=_("channel"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in ("customer", "equipment", "site"):
            self.fields[name].queryset = scoped(self.fields[name].queryset, user)

    def service_data(self) -> dict:
        """The cleaned values `ticket_create` takes (everything but the channel)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "channel"}


class RegradeForm(StyledForm):
    level = forms.ChoiceField(choices=Level.choices, label=_("new level"))
    reason = forms.CharField(max_length=300, label=_("reason"),
                             error_messages={"required": _("Say why the level changes.")})


class PauseForm(StyledForm):
    reason = forms.CharField(max_length=300, label=_("waiting for"),
                             error_messages={"required": _("Say what the customer has to provide.")})


class MarkMetForm(StyledForm):
    kind = forms.ChoiceField(choices=(), label=_("target"))
    at = forms.DateTimeField(required=False, widget=DateTimeLocalInput, label=_("met at"),
                             help_text=_("Leave empty for now."))

    def __init__(self, *args, open_kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = open_kinds


class AssignForm(StyledForm):
    group = forms.ModelChoiceField(queryset=ServiceGroup.objects.all(), required=False, label=_("group"))
    assignee = forms.ModelChoiceField(queryset=staff_users(), required=False, label=_("assignee"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_users()
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class StatusForm(StyledForm):
    # Waiting for the customer needs a reason: it goes through the pause form.
    status = forms.ChoiceField(choices=[c for c in Status.choices if c[0] != Status.WAITING_CUSTOMER],
                               label=_("status"))


class CommentForm(StyledForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("comment"),
                           error_messages={"required": _("Write the comment.")})


class ReplayForm(StyledForm):
    at = forms.DateTimeField(required=False, widget=DateTimeLocalInput, label=_("show as at"))


class ServiceGroupForm(ScopedModelForm):
    class Meta:
        model = ServiceGroup
        fields = ["name", "lead", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = staff_users()


class RoutingRuleForm(ScopedModelForm):
    class Meta:
        model = RoutingRule
        fields = ["group", "priority", "category", "product", "region", "tier"]
