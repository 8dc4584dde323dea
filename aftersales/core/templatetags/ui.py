"""Template helpers for the pages: how a value looks in a table cell or detail row."""

from __future__ import annotations

import datetime
import json

from django import template
from django.db.models import Model
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def show(value, link_to=None):
    """A value as people read it: yes/no, dates in the active language, a dash for nothing,
    related objects linked to their own page. `link_to` links the value to that object."""
    url = None
    if link_to is not None and hasattr(link_to, "get_absolute_url"):
        url = link_to.get_absolute_url()
    elif isinstance(value, Model) and hasattr(value, "get_absolute_url"):
        url = value.get_absolute_url()
    if value is None or value == "":
        text = "—"
    elif isinstance(value, bool):
        text = _("Yes") if value else _("No")
    elif isinstance(value, datetime.datetime):
        # Stored in UTC; people read the time of the active time zone (Asia/Shanghai), written
        # the same way in both languages and on every page: 2025-01-27 18:00.
        text = formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    if url:
        return format_html('<a href="{}">{}</a>', url, text)
    return format_html("{}", text)


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
