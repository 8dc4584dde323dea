"""Pages for products (with components), equipment (warranty, history, QR code), warranty
terms and the overdue warranty cards."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from aftersales.assets import selectors, services
from aftersales.assets.filters import EquipmentFilterSet, ProductFilterSet
from aftersales.assets.forms import (
    ComponentForm,
    EquipmentForm,
    ProductForm,
    WarrantyCardIssueForm,
    WarrantyTermForm,
)
from aftersales.assets.models import Component, Equipment, Product, WarrantyCard, WarrantyTerm
from aftersales.core.generic import Column, ObjectViewSet, add_validation_errors
from aftersales.core.scoping import get_scoped_or_404, scoped
from aftersales.customers.models import Customer
from aftersales.portal.labels import report_url


def product_detail_context(request, product):
    user = request.user
    return {
        "components": product.components.all(),
        "component_add_allowed": user.has_perm("assets.add_component"),
        "unit_count": scoped(product.units.all(), user).count() if user.has_perm("assets.view_equipment") else None,
    }


class ProductViews(ObjectViewSet):
    model = Product
    queryset = Product.objects.annotate(component_count=Count("components")).order_by("model")
    filterset_class = ProductFilterSet
    form_class = ProductForm
    columns = [Column("model", link=True), Column("name", link=True), Column("category", priority=2),
               Column("manufacturer", priority=3),
               Column("component_count", label=gettext_lazy("components"), order_by="component_count", priority=3),
               Column("discontinued", priority=2)]
    detail_fields = ["model", "name", "category", "manufacturer", "discontinued"]
    detail_context = product_detail_context


class ComponentViews(ObjectViewSet):
    """Components are listed on their product's page."""

    model = Component
    queryset = Component.objects.select_related("product")
    form_class = ComponentForm
    actions = ("add", "edit", "delete")

    @staticmethod
    def success_url(component):
        return component.product.get_absolute_url()


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, to print on a label stuck to the unit. It has a
    viewBox and no fixed size, so CSS scales the whole code (a fixed size would crop it)."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True))  # noqa: S308 - segno output, no user HTML


def equipment_detail_context(request, equipment):
    today = timezone.localdate()
    acceptance = selectors.equipment_acceptance(equipment)
    warranty_card = WarrantyCard.objects.filter(equipment=equipment).first()
    # A card can only be issued for an accepted unit (the service refuses otherwise), so the
    # form is offered only when it can succeed.
    can_issue_card = (warranty_card is None and acceptance is not None
                      and request.user.has_perm("assets.add_warrantycard"))
    return {
        "today": today,
        # The day the warranties start: the unit's own, else its contract's (shown with the
        # contract it comes from, so "—" never hides a running warranty).
        "acceptance": acceptance,
        "acceptance_from_contract": equipment.accepted_on is None and acceptance is not None,
        "coverage": selectors.equipment_coverage(equipment=equipment, on=today),
        "history": selectors.equipment_history(equipment=equipment),
        "warranty_card": warranty_card,
        # The label's link: customers scanning it report a problem with this unit.
        "qr_code": qr_svg(report_url(equipment)),
        "can_issue_card": can_issue_card,
        "card_form": WarrantyCardIssueForm(initial={"issued_on": today}, auto_id=f"id_%s_{equipment.pk}")
        if can_issue_card else None,
    }


def equipment_save(*, actor, instance, data, form):
    return services.equipment_update(actor=actor, instance=instance, data=data, note=form.cleaned_data.get("note", ""))


def all_products(user):
    return Product.objects.only("id", "model", "name")


def all_customers(user):
    return Customer.objects.only("id", "code", "name")


class EquipmentViews(ObjectViewSet):
    model = Equipment
    url_prefix = "equipment"
    queryset = Equipment.objects.select_related("product", "site", "customer", "contract")
    filterset_class = EquipmentFilterSet
    filter_choices = {"customer": all_customers, "product": all_products}
    form_class = EquipmentForm
    # On a phone: serial, customer and status; product and acceptance from tablet width.
    columns = [Column("serial", link=True), Column("product", priority=2), Column("customer"),
               Column("site", priority=3), Column("status"), Column("software_version", priority=3),
               Column("accepted_on", priority=2)]
    # The acceptance date is a row of its own in the template: the effective day, with its source.
    detail_fields = ["product", "serial", "customer", "site", "location", "contract", "status",
                     "software_version"]
    detail_context = equipment_detail_context
    update = equipment_save


class WarrantyTermViews(ObjectViewSet):
    """Warranty terms are shown under their contract item on the contract page."""

    model = WarrantyTerm
    queryset = WarrantyTerm.objects.select_related("contract_item__contract", "component")
    form_class = WarrantyTermForm
    actions = ("add", "edit", "delete")

    @staticmethod
    def success_url(term):
        return term.contract_item.contract.get_absolute_url()


def overdue_page(request, *, failed_form=None, failed_pk=None):
    if not request.user.has_perm("assets.view_warrantycard"):
        raise PermissionDenied
    today = timezone.localdate()
    units = list(selectors.warranty_cards_overdue(user=request.user, today=today))
    for unit in units:
        unit.card_form = failed_form if unit.pk == failed_pk else WarrantyCardIssueForm(
            initial={"issued_on": today}, auto_id=f"id_%s_{unit.pk}")
    return render(request, "assets/warranty_card_overdue.html", {
        "units": units, "today": today, "can_issue": request.user.has_perm("assets.add_warrantycard"),
    })


@require_GET
def warranty_card_overdue(request):
    """Permission: assets.view_warrantycard. Units accepted more than a month ago that still
    have no warranty card; with assets.add_warrantycard each row has an "issue card" form."""
    return overdue_page(request)


@require_POST
def warranty_card_issue(request, pk):
    """Permission: assets.add_warrantycard."""
    equipment = get_scoped_or_404(selectors.equipment_queryset().select_related("contract"), request.user, pk=pk)
    if not request.user.has_perm("assets.add_warrantycard"):
        raise PermissionDenied
    form = WarrantyCardIssueForm(request.POST, auto_id=f"id_%s_{pk}")
    if form.is_valid():
        try:
            card = services.warranty_card_issue(actor=request.user, equipment=equipment,
                                                number=form.cleaned_data["number"],
                                                issued_on=form.cleaned_data["issued_on"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Warranty card %(number)s issued for %(unit)s.") % {
                "number": card.number, "unit": equipment})
            return HttpResponseRedirect(request.POST.get("next") == "equipment" and equipment.get_absolute_url()
                                        or reverse("assets:warranty_card_overdue"))
    if request.POST.get("next") == "equipment":
        messages.error(request, " ".join(f"{e}" for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(equipment.get_absolute_url())
    return overdue_page(request, failed_form=form, failed_pk=equipment.pk)


@require_GET
def equipment_label(request, pk):
    """Permission: assets.view_equipment. A printable label for the unit: serial, model,
    customer, site, the QR code of the portal's report link and the service hotline."""
    equipment = get_scoped_or_404(selectors.equipment_queryset().select_related("product", "site", "customer"),
                                  request.user, pk=pk)
    if not request.user.has_perm("assets.view_equipment"):
        raise PermissionDenied
    url = report_url(equipment)
    return render(request, "assets/equipment_label.html", {
        "object": equipment, "qr_code": qr_svg(url), "report_url": url,
        "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
    })
