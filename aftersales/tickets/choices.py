"""Choices of the tickets app. Values of category, impact, level and target kind are the
domain's own values (aftersales.domain.grading / aftersales.domain.sla), so a model value
converts to the domain type with a plain constructor call."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Customer portal")
    ONSITE = "onsite", _("On site")
    API = "api", _("API")


class Category(models.TextChoices):
    FAULT = "fault", _("Fault")
    INSTALLATION = "installation", _("Installation")
    CONSULTATION = "consultation", _("Consultation")
    CONFIGURATION_CHANGE = "configuration_change", _("Configuration change")
    RETURN_EXCHANGE = "return_exchange", _("Return or exchange")
    COMPLAINT = "complaint", _("Complaint")


class Impact(models.TextChoices):
    CORE_FUNCTION = "core", _("Core function affected")
    MINOR_FUNCTION = "minor", _("Minor function unusable")
    NONE = "none", _("Nothing out of service")


class Level(models.TextChoices):
    L1 = "L1", _("L1 (outage over 4 h)")
    L2 = "L2", _("L2 (outage 2-4 h)")
    L3 = "L3", _("L3 (core function, 1-2 h)")
    L4 = "L4", _("L4 (core function, under 1 h)")
    L5 = "L5", _("L5 (minor function or request)")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER)


class TargetKind(models.TextChoices):
    RESPOND = "respond", _("Respond")
    DIAGNOSE = "diagnose", _("Diagnose")
    ON_SITE = "on_site", _("On site")
    RESOLVE = "resolve", _("Resolve")
    LOANER = "loaner", _("Loaner unit")


class Threshold(models.IntegerChoices):
    HALF = 50, _("50 % of the time used")
    THREE_QUARTERS = 75, _("75 % of the time used")
    DUE = 100, _("Due (100 %)")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    REGRADED = "regraded", _("Re-graded")
    PAUSED = "paused", _("Waiting for the customer")
    RESUMED = "resumed", _("Clocks resumed")
    TARGET_MET = "target_met", _("Target met")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    COMMENTED = "commented", _("Comment")
    ESCALATED = "escalated", _("Escalated")
    EMAIL = "email", _("E-mail received")
    DEADLINE_MOVED = "deadline_moved", _("Due times moved by a calendar change")
