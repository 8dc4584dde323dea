"""Template helpers of the customer portal."""

from __future__ import annotations

from django import template
from django.utils import timezone

from aftersales.portal import presenters, selectors

register = template.Library()

LEVEL_TONES = {"L1": "danger", "L2": "danger", "L3": "warning", "L4": "info", "L5": "secondary"}
HOME_ROWS = 5


@register.filter
def level_tone(level: str) -> str:
    return LEVEL_TONES.get(level, "secondary")


@register.filter
def beijing(moment) -> str:
    """A moment as "2025-01-28 14:30" in Asia/Shanghai, whatever the active time zone."""
    return presenters.short_datetime(moment)


@register.inclusion_tag("portal/_home_panel.html", takes_context=True)
def portal_home_panel(context):
    """A customer user's start: the open requests of its organisation and "report a problem"."""
    user = context["request"].user
    now = timezone.now()
    rows = list(selectors.customer_tickets(user=user).filter(closed_rank=0)[:HOME_ROWS])
    for ticket in rows:
        ticket.plain = presenters.plain_state(status=ticket.status, next_due_kind=ticket.next_due_kind,
                                              next_due_at=ticket.next_due_at, now=now)
    return {"rows": rows, "more": len(rows) == HOME_ROWS}
