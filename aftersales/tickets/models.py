"""Service requests (tickets), their grade history, timeline, and SLA targets with pauses
and the 50 / 75 / 100 % warnings a worker fires from their indexed due times."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel
from aftersales.customers.choices import Region, Tier
from aftersales.domain import sla
from aftersales.tickets.choices import (
    Category,
    Channel,
    EventKind,
    Impact,
    Level,
    Status,
    TargetKind,
    Threshold,
)


class ServiceGroup(TimeStampedModel):
    """A team that works tickets (hotline, a regional service point, a product team)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("group lead"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="led_service_groups")
    email = models.EmailField(_("e-mail"), blank=True)

    customer_scope = None  # the organisation's own teams, the same for every caller

    class Meta:
        ordering = ["name"]
        verbose_name = _("service group")
        verbose_name_plural = _("service groups")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tickets:servicegroup_detail", args=[self.pk])


class RoutingRule(TimeStampedModel):
    """Puts a new ticket in a group. A blank condition matches anything; of the rules that
    match, the lowest priority number wins, then the most specific (most conditions set)."""

    group = models.ForeignKey(ServiceGroup, verbose_name=_("group"), on_delete=models.CASCADE,
                              related_name="routing_rules")
    priority = models.PositiveIntegerField(_("priority"), default=100,
                                           help_text=_("Lower numbers are tried first."))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, blank=True)
    product = models.ForeignKey("assets.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, blank=True)
    tier = models.CharField(_("customer tier"), max_length=10, choices=Tier.choices, blank=True)

    customer_scope = None

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.priority}: {self.group}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:routingrule_detail", args=[self.pk])


class TicketNumberCounter(models.Model):
    """The last ticket number given out per year. Incremented with one UPDATE ... RETURNING
    inside the create transaction, so concurrent creates queue on the row lock and never
    share a number (and a rolled-back create gives its number back)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket number counter")
        verbose_name_plural = _("ticket number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Ticket(TimeStampedModel):
    # Unique through Meta.constraints, which (unlike unique=True) adds no second "LIKE" index
    # on PostgreSQL: numbers are looked up whole or searched by substring, never by prefix.
    number = models.CharField(_("number"), max_length=20, editable=False)
    # Indexed by the (customer, status) index below, whose first column serves every
    # look-up by customer: a second index would only cost every insert.
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="tickets", db_index=False)
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="tickets")
    equipment = models.ForeignKey("assets.Equipment", verbose_name=_("equipment"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="tickets")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="tickets")
    contract = models.ForeignKey("customers.Contract", verbose_name=_("contract"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tickets",
                                 help_text=_("The contract whose promises the clocks keep."))
    service_calendar = models.CharField(_("service calendar"), max_length=20, default="7x24",
                                        help_text=_("The calendar the business-time clocks count on."))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, default=Category.FAULT)
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices, default=Impact.CORE_FUNCTION)
    level = models.CharField(_("level"), max_length=2, choices=Level.choices)
    outage_started_at = models.DateTimeField(_("outage started at"), null=True, blank=True)
    outage_ended_at = models.DateTimeField(_("outage ended at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    group = models.ForeignKey(ServiceGroup, verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="tickets")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_tickets")
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    caller_name = models.CharField(_("caller name"), max_length=100, blank=True)
    caller_phone = models.CharField(_("caller phone"), max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    clock_started_at = models.DateTimeField(_("clocks started at"), db_index=True,
                                            help_text=_("When the request was received; every target counts from here."))
    provisional = models.BooleanField(
        _("provisional"), default=False,
        help_text=_("A due time crosses a year whose holidays are not loaded yet; loading it may move the due time."))
    # The contract's policy when the ticket was created (None: the tender defaults), so a later
    # change of the contract's policy never moves the promises already made on this ticket.
    sla_policy = models.JSONField(_("SLA policy"), null=True, blank=True, editable=False)
    # When the running outage next crosses 1 h / 2 h / 4 h and must be re-graded; None
    # when nothing can make it worse. The re-grade job reads this indexed column.
    next_regrade_at = models.DateTimeField(_("next automatic re-grade at"), null=True, blank=True, db_index=True)

    customer_scope = "customer"

    class Meta:
        ordering = ["-clock_started_at", "-id"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        # Plain b-tree indexes (no LIKE twins: nobody searches statuses by prefix).
        indexes = [models.Index(fields=["customer", "status"], name="ticket_customer_status"),
                   models.Index(fields=["status"], name="ticket_status")]
        constraints = [models.UniqueConstraint(fields=["number"], name="ticket_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:ticket_detail", args=[self.pk])

    def clean(self):
        errors = {}
        # A site taken from the equipment is checked through the equipment (no extra query).
        site_from_equipment = bool(self.equipment_id) and self.site_id == self.equipment.site_id
        if self.site_id and self.customer_id and not site_from_equipment and self.site.customer_id != self.customer_id:
            errors["site"] = _("The site belongs to another customer.")
        if self.equipment_id and self.customer_id and self.equipment.customer_id != self.customer_id:
            errors["equipment"] = _("The equipment belongs to another customer.")
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = _("The contact belongs to another customer.")
        if self.outage_ended_at and not self.outage_started_at:
            errors["outage_ended_at"] = _("An outage that ended must have started.")
        elif self.outage_ended_at and self.outage_started_at and self.outage_ended_at < self.outage_started_at:
            errors["outage_ended_at"] = _("The outage cannot end before it started.")
        if errors:
            raise ValidationError(errors)


class GradeChange(models.Model):
    """Every change of a ticket's level: who, when, why; automatic ones by the re-grade job."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="grade_changes")
    from_level = models.CharField(_("from level"), max_length=2, choices=Level.choices)
    to_level = models.CharField(_("to level"), max_length=2, choices=Level.choices)
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"))
    automatic = models.BooleanField(_("automatic"), default=False)
    # For an automatic re-grade: the outage length crossed (60, 120 or 240 minutes). Unique
    # per ticket, so two workers can never apply the same crossing twice.
    outage_threshold_minutes = models.PositiveIntegerField(_("outage threshold (minutes)"), null=True, blank=True)

    customer_scope = "ticket__customer"

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "outage_threshold_minutes"], name="gradechange_once_per_threshold"),
        ]

    def __str__(self) -> str:
        return f"{self.from_level} -> {self.to_level}"


class TicketEvent(models.Model):
    """The business timeline shown to users (the audit log is separate)."""

    # Look-ups by ticket use the (ticket, at) index below.
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events",
                               db_index=False)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(_("details"), default=dict, blank=True)

    customer_scope = "ticket__customer"

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "at"], name="ticketevent_ticket_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class SlaTarget(models.Model):
    """One promise of the contract on one ticket: respond, diagnose, on site, resolve, loaner."""

    # Look-ups by ticket use the unique (ticket, kind) index.
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="sla_targets",
                               db_index=False)
    kind = models.CharField(_("target"), max_length=10, choices=TargetKind.choices)
    minutes = models.PositiveIntegerField(_("minutes allowed"))
    business_time = models.BooleanField(_("business time"), default=True,
                                        help_text=_("Counted on the service calendar; otherwise plain clock time."))
    started_at = models.DateTimeField(_("counts from"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused business seconds"), default=0)
    provisional = models.BooleanField(_("provisional"), default=False)
    # The 50 / 75 / 100 % warnings (100 % is the due time): when each falls, the last one
    # fired, and when the next one is due. The worker reads `warning_due_at` through the
    # partial index below and claims a warning by moving `warned_percent` on (decision 0016).
    # None while nothing is pending: every warning fired, the target met, the clocks stopped.
    warn_half_at = models.DateTimeField(_("50 % warning at"), null=True, blank=True, editable=False)
    warn_three_quarters_at = models.DateTimeField(_("75 % warning at"), null=True, blank=True, editable=False)
    warned_percent = models.PositiveSmallIntegerField(
        _("last warning sent"), default=0, editable=False,
        help_text=_("The share of the time (per cent) at which the last warning went out; 0: none yet."))
    warning_due_at = models.DateTimeField(_("next warning due at"), null=True, blank=True, editable=False)

    customer_scope = "ticket__customer"

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="slatarget_one_per_kind")]
        # The worker's question, "which warnings are due?", reads only this index.
        indexes = [models.Index(fields=["warning_due_at"], condition=models.Q(warning_due_at__isnull=False),
                                name="slatarget_warning_due")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"

    def warning_instants(self) -> dict[int, datetime]:
        """Percentage -> when that warning falls, as stored (100 % is the due time)."""
        return {percent: instant for percent, instant in (
            (Threshold.HALF, self.warn_half_at), (Threshold.THREE_QUARTERS, self.warn_three_quarters_at),
            (Threshold.DUE, self.due_at)) if instant is not None}

    def next_warning(self) -> tuple[int, datetime] | None:
        """The first warning not fired yet, as (percentage, instant), or None."""
        return sla.next_warning(self.warning_instants(), self.warned_percent)

    def set_warnings(self, instants: dict[int, datetime], *, running: bool) -> None:
        """Store the 50 and 75 % instants (from `domain.sla.threshold_instants`; 100 % is the
        due time, already set) and arm the first warning not fired yet; `running=False` (the
        clocks are stopped) arms none. Fired warnings stay fired, at the instant they had:
        `warned_percent` never goes back."""
        if self.warned_percent < Threshold.HALF:
            self.warn_half_at = instants.get(Threshold.HALF)
        if self.warned_percent < Threshold.THREE_QUARTERS:
            self.warn_three_quarters_at = instants.get(Threshold.THREE_QUARTERS)
        pending = self.next_warning() if running else None
        self.warning_due_at = pending[1] if pending else None


class SlaPause(models.Model):
    """A stretch of waiting for the customer; the clocks stop and the due times move on."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="sla_pauses")
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    customer_scope = "ticket__customer"

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("SLA pause")
        verbose_name_plural = _("SLA pauses")
        constraints = [
            # At most one running pause per ticket.
            models.UniqueConstraint(fields=["ticket"], condition=models.Q(ended_at__isnull=True),
                                    name="slapause_one_open_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.reason}"


def ticket_attachment_path(instance: TicketAttachment, filename: str) -> str:
    """tickets/<year>/<ticket number>/<name>; storage adds a suffix when the name is taken."""
    year = (instance.ticket.created_at or instance.uploaded_at).year
    return f"tickets/{year}/{instance.ticket.number}/{PurePath(filename).name}"


class TicketAttachment(models.Model):
    """A photo, log or document attached to a service request. Type and size are checked by
    the service (aftersales.tickets.attachments) before anything is stored; the file is only
    served through views that scope the ticket, never from a public media URL."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=ticket_attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    customer_scope = "ticket__customer"

    class Meta:
        ordering = ["ticket", "uploaded_at", "id"]
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")

    def __str__(self) -> str:
        return self.original_name
