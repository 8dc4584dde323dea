from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.assets.choices import ChangeKind, EquipmentStatus, NoticeKind, ProductCategory
from aftersales.core.models import TimeStampedModel


class Product(TimeStampedModel):
    model = models.CharField(_("model"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=ProductCategory.choices)
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    discontinued = models.BooleanField(_("discontinued"), default=False)

    customer_scope = None  # the product catalog is shared

    class Meta:
        ordering = ["model"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.model} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("assets:product_detail", args=[self.pk])


class Component(TimeStampedModel):
    """A part of a product that can carry its own warranty (core unit, power supply...)."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="components")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    is_core = models.BooleanField(_("core unit"), default=False)

    customer_scope = None
    unique_error_field = "code"

    class Meta:
        ordering = ["product", "code"]
        verbose_name = _("component")
        verbose_name_plural = _("components")
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="component_code_unique_per_product")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Equipment(TimeStampedModel):
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="units")
    serial = models.CharField(_("serial number"), max_length=80)
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="equipment")
    # Denormalised from the site so scoping and filtering need no join; kept equal in clean().
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="equipment", editable=False)
    contract = models.ForeignKey("customers.Contract", verbose_name=_("contract"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="equipment")
    accepted_on = models.DateField(_("acceptance date"), null=True, blank=True,
                                   help_text=_("Acceptance sign-off of this unit; warranties start on this day."))
    software_version = models.CharField(_("software version"), max_length=60, blank=True)
    configuration = models.JSONField(_("configuration"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=EquipmentStatus.choices, default=EquipmentStatus.IN_SERVICE)
    location = models.CharField(_("location at site"), max_length=120, blank=True, help_text=_("Room, rack, floor..."))

    customer_scope = "customer"
    unique_error_field = "serial"

    class Meta:
        ordering = ["product__model", "serial"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        constraints = [models.UniqueConstraint(
                fields=["product", "serial"], name="equipment_serial_unique_per_product",
                violation_error_code="unique_together",
                violation_error_message=_("A unit of this product with this serial number already exists."),
            )]
        indexes = [models.Index(fields=["serial"]), models.Index(fields=["accepted_on"])]

    def __str__(self) -> str:
        return f"{self.product.model} #{self.serial}" if self.product_id else self.serial

    def clean(self):
        super().clean()
        if self.site_id:
            self.customer_id = self.site.customer_id
        if self.contract_id and self.site_id and self.contract.customer_id != self.site.customer_id:
            raise ValidationError({"contract": _("The contract belongs to another customer than the site.")})
        if self.accepted_on and self.contract_id and self.contract.signed_on and self.accepted_on < self.contract.signed_on:
            raise ValidationError({"accepted_on": _("Acceptance cannot come before the contract was signed.")})
        if not isinstance(self.configuration, dict):
            raise ValidationError({"configuration": _("The configuration must be a JSON object.")})

    def save(self, *args, **kwargs):
        if self.site_id and not self.customer_id:
            self.customer_id = self.site.customer_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assets:equipment_detail", args=[self.pk])


class EquipmentChange(models.Model):
    """One change of a unit's software version or configuration, with both values kept."""

    equipment = models.ForeignKey(Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, db_index=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    customer_scope = "equipment__customer"

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("equipment change")
        verbose_name_plural = _("equipment changes")

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.kind} {self.changed_at:%Y-%m-%d}"


class WarrantyTerm(TimeStampedModel):
    """Warranty of a contract item: the whole system (no component) or one component."""

    contract_item = models.ForeignKey("customers.ContractItem", verbose_name=_("contract item"),
                                      on_delete=models.CASCADE, related_name="warranty_terms")
    component = models.ForeignKey(Component, verbose_name=_("component"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="warranty_terms",
                                  help_text=_("Leave empty for the whole system."))
    months = models.PositiveIntegerField(_("months"), validators=[MinValueValidator(1), MaxValueValidator(600)])
    description = models.CharField(_("description"), max_length=200, blank=True)

    customer_scope = "contract_item__contract__customer"

    class Meta:
        ordering = ["contract_item", "component", "months"]
        verbose_name = _("warranty term")
        verbose_name_plural = _("warranty terms")
        constraints = [
            models.UniqueConstraint(fields=["contract_item", "component"], name="warranty_term_unique_per_component"),
            models.UniqueConstraint(fields=["contract_item"], condition=models.Q(component__isnull=True),
                                    name="warranty_term_one_whole_system"),
        ]

    def __str__(self) -> str:
        scope = self.component.name if self.component_id else _("whole system")
        return f"{scope}: {self.months} {_('months')}"

    def clean(self):
        super().clean()
        if self.component_id and self.contract_item_id and self.component.product_id != self.contract_item.product_id:
            raise ValidationError({"component": _("The component is not part of this contract item's product.")})


class WarrantyCard(TimeStampedModel):
    """The paper card handed to the customer; due within one month of acceptance."""

    equipment = models.OneToOneField(Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="warranty_card")
    number = models.CharField(_("card number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    customer_scope = "equipment__customer"

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("warranty card")
        verbose_name_plural = _("warranty cards")

    def __str__(self) -> str:
        return self.number


class WarrantyNotice(models.Model):
    """A reminder to the sales owner that a warranty ends soon; unique so it is sent once."""

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="warranty_notices")
    term = models.ForeignKey(WarrantyTerm, on_delete=models.CASCADE, related_name="notices")
    days_before = models.PositiveSmallIntegerField(_("days before"), choices=NoticeKind.choices)
    ends_on = models.DateField(_("warranty ends on"))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recipient_email = models.EmailField(_("sent to"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    customer_scope = "equipment__customer"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("warranty notice")
        verbose_name_plural = _("warranty notices")
        constraints = [
            models.UniqueConstraint(fields=["equipment", "term", "days_before", "ends_on"], name="warranty_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.days_before}d {self.ends_on}"
