"""Dashboard cards of the SLA engine."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

from aftersales.tickets.selectors import provisional_open_tickets

register = template.Library()


@register.inclusion_tag("tickets/provisional_card.html", takes_context=True)
def provisional_deadlines_card(context):
    """Staff with tickets.view_ticket: how many open service requests have a due time that runs
    into a year whose holidays are not loaded, linking to the queue filtered by them."""
    user = context["user"]
    if getattr(user, "is_customer_user", True) or not user.has_perm("tickets.view_ticket"):
        return {"show": False}
    url = None
    if user.has_perm("tickets.change_ticket"):  # the queue's permission
        try:
            url = reverse("tickets:queue") + "?provisional=1"
        except NoReverseMatch:
            url = None
    return {"show": True, "count": provisional_open_tickets(user=user).count(), "url": url}


@register.inclusion_tag("tickets/policy_card.html", takes_context=True)
def contract_policy_card(context, contract):
    """The contract page's SLA policy panel (the caller has scoped the contract)."""
    from aftersales.domain import sla as clocks
    from aftersales.tickets import policies

    user = context["user"]
    return {"contract": contract, "current": policies.contract_policy(contract), "user": user,
            "perms": context.get("perms"),
            "kinds": [policies.TARGET_LABELS[kind] for kind in clocks.POLICY_KINDS]}
