"""The home dashboard and the audit log page."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from aftersales.assets import selectors as asset_selectors
from aftersales.assets.models import Equipment
from aftersales.core.filters import AuditLogFilterSet
from aftersales.core.generic import Column, ObjectListView
from aftersales.core.models import AuditLog
from aftersales.core.scoping import scoped
from aftersales.customers.choices import Region
from aftersales.customers.models import Contract, Customer, Site
from aftersales.tickets import selectors as ticket_selectors

DASHBOARD_COUNTS = [
    ("customers", Customer, "customers:customer_list"),
    ("sites", Site, "customers:site_list"),
    ("equipment", Equipment, "assets:equipment_list"),
    ("contracts", Contract, "customers:contract_list"),
]
WARRANTY_HORIZON_DAYS = 90
BREAKING_HORIZON_HOURS = 4


@require_GET
def home(request):
    """Permission: any logged-in user; every number is scoped, so a customer user sees only
    its own organisation."""
    user = request.user
    today = timezone.localdate()
    counts = []
    for key, model, url_name in DASHBOARD_COUNTS:
        perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
        if user.has_perm(perm):
            counts.append({"key": key, "label": model._meta.verbose_name_plural, "url_name": url_name,
                           "count": scoped(model.objects.all(), user).count()})
    chart = None
    ending = None
    overdue_cards = None
    if user.has_perm("assets.view_equipment"):
        by_region = dict(
            scoped(Equipment.objects.all(), user).values_list("customer__region").annotate(n=Count("id")).order_by()
        )
        regions = [region for region in Region if by_region.get(region.value)]
        chart = {"series": str(_("Equipment")), "labels": [str(r.label) for r in regions],
                 "values": [by_region[r.value] for r in regions]}
        if user.has_perm("assets.view_warrantyterm"):
            ending = asset_selectors.warranties_ending(user=user, today=today, within_days=WARRANTY_HORIZON_DAYS)
    if not user.is_customer_user and user.has_perm("assets.view_warrantycard"):
        overdue_cards = asset_selectors.warranty_cards_overdue(user=user, today=today).count()
    ticket_cards = None
    if not user.is_customer_user and user.has_perm("tickets.change_ticket"):
        ticket_cards = ticket_selectors.console_summary(user=user, now=timezone.now(),
                                                        within=datetime.timedelta(hours=BREAKING_HORIZON_HOURS))
    # A customer user's start is the customer portal: its open requests and "report a problem".
    template = "portal/home.html" if user.has_perm("portal.customer_portal") else "core/home.html"
    return render(request, template, {
        "counts": counts, "chart": chart, "ending": ending[:20] if ending else ending,
        "ending_total": len(ending) if ending else 0, "horizon_days": WARRANTY_HORIZON_DAYS,
        "overdue_cards": overdue_cards, "today": today, "ticket_cards": ticket_cards,
    })


audit_list = ObjectListView.as_view(
    model=AuditLog,
    permission="core.view_auditlog",
    actions=("list",),
    filterset_class=AuditLogFilterSet,
    columns=[Column("at"), Column("actor_name", label=_("actor")), Column("action"),
             Column("object_type"), Column("object_repr"), Column("changes", label=_("changes"))],
    table_template_name="core/_audit_table.html",
    paginate_by=50,
)
