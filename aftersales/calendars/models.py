"""The calendar table (China's statutory days and company overrides), the years whose
official schedule is known, and the named service calendars (5x8, 7x24, company-defined).

The arithmetic lives in `aftersales.domain.calendar`; `selectors.business_calendar` turns
these rows into a `BusinessCalendar`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.calendars.choices import DaySource, ScheduleSource, Weekday
from aftersales.core.models import TimeStampedModel


class CalendarDay(TimeStampedModel):
    """A day that differs from the plain week: a statutory holiday or make-up working day
    (调休) from the published schedule, or a company day off / extra working day entered by
    an administrator. Both kinds of one date are kept; the company one wins."""

    date = models.DateField(_("date"), db_index=True)
    is_workday = models.BooleanField(_("working day"), help_text=_(
        "Ticked: a working day (make-up or extra working day). Not ticked: a day off."))
    source = models.CharField(_("source"), max_length=10, choices=DaySource.choices, default=DaySource.COMPANY)
    note = models.CharField(_("note"), max_length=120, blank=True)

    customer_scope = None  # shared by every customer
    unique_error_field = "date"

    class Meta:
        ordering = ["date", "source"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [models.UniqueConstraint(fields=["date", "source"], name="calendar_day_unique_per_source",
                                               violation_error_code="unique_together",
                                               violation_error_message=_("This date already has a day of this kind; edit that one instead."))]

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("day off")
        return f"{self.date.isoformat()} {kind}" + (f" ({self.note})" if self.note else "")

    def get_absolute_url(self) -> str:
        return reverse("calendars:calendar_year", args=[self.date.year])


class CalendarYear(TimeStampedModel):
    """A year whose official schedule (holidays and make-up working days) is loaded: deadlines
    that run through it are final, not provisional."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True,
                                            validators=[MinValueValidator(1900), MaxValueValidator(2999)])
    loaded_at = models.DateTimeField(_("loaded at"))
    source = models.CharField(_("source"), max_length=10, choices=ScheduleSource.choices)

    customer_scope = None

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone %(zone)s; use a name such as Asia/Shanghai."),
                              params={"zone": value}, code="time_zone") from None


class ServiceCalendar(TimeStampedModel):
    """A named calendar a contract's clocks count on: opening hours per weekday in a time
    zone, optionally following China's working days (holidays off, make-up days on)."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[RegexValidator(
        r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", _("Use letters, digits, dots, dashes or underscores, e.g. 5x8."))])
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=60, default="Asia/Shanghai",
                                 validators=[validate_time_zone])
    always_open = models.BooleanField(_("always open"), default=False,
                                      help_text=_("Clocks count plain elapsed time (7x24); the hours are ignored."))
    uses_china_workdays = models.BooleanField(_("follows China's working days"), default=True, help_text=_(
        "Statutory holidays and company days off are closed; make-up and extra working days open."))

    customer_scope = None

    class Meta:
        ordering = ["code"]
        verbose_name = _("service calendar")
        verbose_name_plural = _("service calendars")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("calendars:servicecalendar_detail", args=[self.pk])


class ServiceHours(TimeStampedModel):
    """One opening span of a service calendar on a weekday; a day may have several."""

    calendar = models.ForeignKey(ServiceCalendar, verbose_name=_("service calendar"), on_delete=models.CASCADE,
                                 related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    customer_scope = None

    class Meta:
        ordering = ["calendar", "weekday", "opens"]
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.opens is None or self.closes is None:
            return
        if self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})
        if self.calendar_id is not None and self.weekday is not None:
            overlapping = ServiceHours.objects.filter(
                calendar_id=self.calendar_id, weekday=self.weekday, opens__lt=self.closes, closes__gt=self.opens,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError({"opens": _("These hours overlap %(other)s on the same day.")
                                       % {"other": overlapping.first()}})
