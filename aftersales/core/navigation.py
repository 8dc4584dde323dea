"""The main menu: each entry names the permission that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permission: str | None
    icon: str = ""


MENU = [
    MenuItem(_("Home"), "home", None, "home"),
    MenuItem(_("Service requests"), "tickets:queue", "tickets.change_ticket", "inbox"),
    MenuItem(_("Breaking soon"), "tickets:breaking", "tickets.change_ticket", "alarm"),
    MenuItem(_("My service requests"), "portal:ticket_list", "portal.customer_portal", "inbox"),
    MenuItem(_("Customers"), "customers:customer_list", "customers.view_customer", "building"),
    MenuItem(_("Sites"), "customers:site_list", "customers.view_site", "map-pin"),
    MenuItem(_("Contacts"), "customers:contact_list", "customers.view_contact", "user"),
    MenuItem(_("Contracts"), "customers:contract_list", "customers.view_contract", "file"),
    MenuItem(_("Products"), "assets:product_list", "assets.view_product", "box"),
    MenuItem(_("Equipment"), "assets:equipment_list", "assets.view_equipment", "server"),
    MenuItem(_("Warranty cards"), "assets:warranty_card_overdue", "assets.view_warrantycard", "card"),
    MenuItem(_("Calendars"), "calendars:calendar_index", "calendars.view_calendarday", "calendar"),
    MenuItem(_("Mail triage"), "mailin:triage", "mailin.view_inboundmail", "mail"),
    MenuItem(_("Notifications"), "notifications:outbox", "notifications.view_notification", "bell"),
    MenuItem(_("Import"), "core:import", "customers.add_customer", "upload"),
    MenuItem(_("Audit log"), "core:audit_list", "core.view_auditlog", "list"),
]


def menu_for(user, current_path: str) -> list[dict]:
    items = []
    for item in MENU:
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # the page is not installed
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return items
