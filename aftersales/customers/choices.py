from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    KEY = "key", _("Key customer")
    NORMAL = "normal", _("Normal")


class Region(models.TextChoices):
    NORTH = "north", _("North China")
    NORTHEAST = "northeast", _("Northeast China")
    EAST = "east", _("East China")
    JIANGSU = "jiangsu", _("Jiangsu")
    ZHEJIANG = "zhejiang", _("Zhejiang")
    CENTRAL = "central", _("Central China")
    SOUTH = "south", _("South China")
    SOUTHWEST = "southwest", _("Southwest China")
    NORTHWEST = "northwest", _("Northwest China")
    SHANDONG = "shandong", _("Shandong")


class ServiceCalendar(models.TextChoices):
    BUSINESS_5X8 = "5x8", _("5x8 (working days 09:30–19:30)")
    ALWAYS_7X24 = "7x24", _("7x24 (always)")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")
