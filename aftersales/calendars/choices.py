from django.db import models
from django.utils.translation import gettext_lazy as _


class DaySource(models.TextChoices):
    """Where a calendar day comes from. Company days win over statutory ones."""

    STATUTORY = "statutory", _("Statutory")
    COMPANY = "company", _("Company")


class ScheduleSource(models.TextChoices):
    """Where a year's published schedule (holidays, make-up working days) was read from."""

    PACKAGE = "package", _("chinesecalendar package")
    FILE = "file", _("File")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
