"""`{% next_year_calendar_warning %}`: the warning, from 1 November, that next year's
working days are not loaded yet; the dashboard can show it with one line."""

from django import template
from django.utils import timezone

from aftersales.calendars import selectors

register = template.Library()


@register.inclusion_tag("calendars/_next_year_warning.html", takes_context=True)
def next_year_calendar_warning(context):
    user = context.get("user")
    if user is None or not user.has_perm("calendars.view_calendarday"):
        return {"missing_year": None}
    return {"missing_year": selectors.next_year_missing(today=timezone.localdate()),
            "can_load": user.has_perm("calendars.add_calendaryear")}
