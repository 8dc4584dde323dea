from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel
from aftersales.core.uploads import validate_upload
from aftersales.customers.choices import ContractStatus, Currency, Region, ServiceCalendar, Tier

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", _("Use letters, digits, '-', '_' or '.'."))


class Customer(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.NORMAL)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    customer_scope = ""

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.pk])


class Site(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=60, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    customer_scope = "customer"
    unique_error_field = "name"

    class Meta:
        ordering = ["customer__code", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [models.UniqueConstraint(
                fields=["customer", "name"], name="site_name_unique_per_customer",
                violation_error_code="unique_together",
                violation_error_message=_("This customer already has a site with this name."),
            )]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:site_detail", args=[self.pk])


class Contact(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts")
    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    customer_scope = "customer"

    class Meta:
        ordering = ["customer__code", "-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.site_id and self.customer_id and self.site.customer_id != self.customer_id:
            raise ValidationError({"site": _("The site belongs to another customer.")})
        if not self.phone and not self.email:
            raise ValidationError({"phone": _("Give a phone number or an e-mail address.")})

    def get_absolute_url(self) -> str:
        return reverse("customers:contact_detail", args=[self.pk])


class Contract(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(_("number"), max_length=50, unique=True, validators=[code_validator])
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    signed_on = models.DateField(_("signed on"))
    accepted_on = models.DateField(_("acceptance date"), null=True, blank=True,
                                   help_text=_("Acceptance sign-off; warranties start here unless a unit has its own."))
    ends_on = models.DateField(_("service ends on"), null=True, blank=True)
    service_calendar = models.CharField(_("service calendar"), max_length=10, choices=ServiceCalendar.choices, default=ServiceCalendar.BUSINESS_5X8)
    performance_deposit = models.DecimalField(_("performance deposit"), max_digits=14, decimal_places=2,
                                              default=Decimal("0.00"),
                                              validators=[MinValueValidator(0)])
    deposit_currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    sales_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sales owner"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="owned_contracts")
    # Kept on the contract row that a ticket create loads anyway, so reading it costs no query.
    # Written and validated by aftersales.tickets.policies (aftersales.domain.sla.policy_from_data).
    sla_policy = models.JSONField(_("SLA policy"), null=True, blank=True, editable=False, help_text=_(
        "Targets per level (minutes, business or clock time); empty means the tender defaults."))

    customer_scope = "customer"

    class Meta:
        ordering = ["-signed_on", "number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return self.number

    def clean(self):
        super().clean()
        if self.accepted_on and self.signed_on and self.accepted_on < self.signed_on:
            raise ValidationError({"accepted_on": _("Acceptance cannot come before signing.")})
        if self.ends_on and self.signed_on and self.ends_on < self.signed_on:
            raise ValidationError({"ends_on": _("The service cannot end before the contract is signed.")})
        if self.sales_owner_id and self.sales_owner.is_customer_user:
            raise ValidationError({"sales_owner": _("The sales owner must be a staff member.")})

    def get_absolute_url(self) -> str:
        return reverse("customers:contract_detail", args=[self.pk])


class ContractItem(TimeStampedModel):
    """A product line of a contract; warranty terms hang off it."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("assets.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="contract_items")
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    description = models.CharField(_("description"), max_length=200, blank=True)

    customer_scope = "contract__customer"

    class Meta:
        ordering = ["contract", "id"]
        verbose_name = _("contract item")
        verbose_name_plural = _("contract items")
        constraints = [models.UniqueConstraint(fields=["contract", "product"], name="contract_item_product_unique")]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.product}"


def contract_document_path(instance: ContractDocument, filename: str) -> str:
    return f"contracts/{instance.contract_id}/{Path(filename).name}"


def validate_document(file) -> None:
    validate_upload(file, allowed_types=settings.DOCUMENT_ALLOWED_TYPES, max_bytes=settings.DOCUMENT_MAX_BYTES)


class ContractDocument(TimeStampedModel):
    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=contract_document_path, validators=[validate_document])
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False, default=0)
    content_type = models.CharField(_("content type"), max_length=100, editable=False, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    customer_scope = "contract__customer"

    class Meta:
        ordering = ["contract", "-created_at"]
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.file:
            self.size = self.file.size
            self.content_type = settings.DOCUMENT_ALLOWED_TYPES.get(Path(self.file.name).suffix.lower(), "")
        super().save(*args, **kwargs)
