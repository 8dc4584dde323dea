"""The page of a contract's SLA policy: a grid of levels (L1-L5) x targets (respond,
diagnose, on site, resolve, loaner), each cell minutes and business or clock time.

Permission: customers.view_contract to see it, customers.change_contract to change it.
Another customer's contract is 404. Bad input shows the errors on the cells and saves
nothing; a save is audited (tickets.policies.contract_policy_set)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from aftersales.core.scoping import get_scoped_or_404
from aftersales.customers.models import Contract
from aftersales.domain import sla as clocks
from aftersales.domain.grading import Level
from aftersales.tickets import policies


def _minutes_name(level: Level, kind: clocks.TargetKind) -> str:
    return f"{level.value}_{kind.value}_minutes"


def _business_name(level: Level, kind: clocks.TargetKind) -> str:
    return f"{level.value}_{kind.value}_business"


class PolicyForm(forms.Form):
    """One minutes box and one "business time" tick per level and target; a blank box is
    "not promised". The rules are the domain's (policy_from_data), so page and API agree."""

    def __init__(self, *args, policy: clocks.Policy, **kwargs):
        initial = {}
        for level in Level:
            for kind in clocks.POLICY_KINDS:
                initial[_business_name(level, kind)] = kind is not clocks.TargetKind.LOANER
            for spec in policy.specs(level):
                initial[_minutes_name(level, spec.kind)] = spec.minutes
                initial[_business_name(level, spec.kind)] = spec.business_time
        super().__init__(*args, initial=initial, **kwargs)
        for level in Level:
            for kind in clocks.POLICY_KINDS:
                label = f"{level.value} {policies.TARGET_LABELS[kind]}"
                self.fields[_minutes_name(level, kind)] = forms.IntegerField(
                    label=label, required=False, min_value=1, max_value=clocks.MAX_TARGET_MINUTES,
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 1,
                                                    "inputmode": "numeric", "aria-label": label}))
                self.fields[_business_name(level, kind)] = forms.BooleanField(
                    label=gettext_lazy("business time"), required=False,
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def policy_data(self) -> dict:
        data: dict = {}
        for level in Level:
            data[level.value] = {}
            for kind in clocks.POLICY_KINDS:
                minutes = self.cleaned_data.get(_minutes_name(level, kind))
                if minutes is not None:
                    data[level.value][kind.value] = {
                        "minutes": minutes, "business_time": bool(self.cleaned_data.get(_business_name(level, kind)))}
        return data

    def add_policy_errors(self, exc: ValidationError) -> None:
        for path, messages_ in exc.message_dict.items():
            level, _sep, rest = path.partition(".")
            kind, _sep, field = rest.partition(".")
            name = f"{level}_{kind}_{'business' if field == 'business_time' else 'minutes'}"
            for message in messages_:
                self.add_error(name if name in self.fields else None, message)

    def rows(self):
        """(level, [(target label, minutes field, business field)]) for the grid."""
        return [(level, [(policies.TARGET_LABELS[kind], self[_minutes_name(level, kind)], self[_business_name(level, kind)])
                         for kind in clocks.POLICY_KINDS]) for level in Level]


@require_http_methods(["GET", "POST"])
def contract_policy(request, pk: int):
    """Permission: customers.view_contract to see, customers.change_contract to save."""
    contract = get_scoped_or_404(Contract.objects.select_related("customer"), request.user, pk=pk)
    if not request.user.has_perm(policies.VIEW_PERMISSION):
        raise PermissionDenied
    can_change = request.user.has_perm(policies.CHANGE_PERMISSION)
    current = policies.contract_policy(contract)
    form = PolicyForm(policy=current.policy) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        form = PolicyForm(request.POST, policy=current.policy)
        if request.POST.get("reset") or form.is_valid():
            data = None if request.POST.get("reset") else form.policy_data()
            try:
                policies.contract_policy_set(actor=request.user, contract=contract, data=data)
            except ValidationError as exc:
                form.add_policy_errors(exc)
            else:
                messages.success(request, _("The SLA policy was saved. New service requests under this contract "
                                            "use it; open ones keep their targets."))
                return HttpResponseRedirect(reverse("tickets:contract_policy", args=[contract.pk]))
    return render(request, "tickets/policy_edit.html", {
        "contract": contract, "current": current, "form": form, "kinds": [policies.TARGET_LABELS[k] for k in clocks.POLICY_KINDS],
    }, status=400 if form is not None and form.is_bound and form.errors else 200)
