"""Pages: company days off / extra working days, service calendars and their hours (generic
pages), and the calendar of a year as twelve month grids."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from aftersales.calendars import selectors, services
from aftersales.calendars.choices import DaySource, ScheduleSource
from aftersales.calendars.filters import CompanyDayFilterSet, ServiceCalendarFilterSet
from aftersales.calendars.forms import (
    CompanyDayForm,
    ScheduleFileForm,
    ServiceCalendarForm,
    ServiceHoursForm,
)
from aftersales.calendars.models import CalendarDay, CalendarYear, ServiceCalendar, ServiceHours
from aftersales.calendars.schedule_file import decode, read_schedule
from aftersales.core.generic import Column, ObjectViewSet
from aftersales.domain.holidays import china_covered_years

FIRST_YEAR, LAST_YEAR = 1900, 2999


def company_day_save_new(*, actor, data, form):
    return services.company_day_create(actor=actor, data=data)


def company_day_save(*, actor, instance, data, form):
    return services.company_day_update(actor=actor, instance=instance, data=data)


class CompanyDayViews(ObjectViewSet):
    """Company days off and extra working days; statutory days are loaded, never edited here."""

    model = CalendarDay
    url_prefix = "company-days"
    queryset = CalendarDay.objects.filter(source=DaySource.COMPANY).order_by("-date")
    filterset_class = CompanyDayFilterSet
    form_class = CompanyDayForm
    columns = [Column("date", link=True), Column("is_workday"), Column("note")]
    actions = ("list", "add", "edit", "delete")
    create = company_day_save_new
    update = company_day_save


def service_calendar_context(request, service_calendar):
    return {"hours": service_calendar.hours.all(),
            "hours_add_allowed": request.user.has_perm("calendars.add_servicehours")}


class ServiceCalendarViews(ObjectViewSet):
    model = ServiceCalendar
    url_prefix = "service-calendars"
    queryset = ServiceCalendar.objects.all()
    filterset_class = ServiceCalendarFilterSet
    form_class = ServiceCalendarForm
    columns = [Column("code", link=True), Column("name", link=True), Column("time_zone"), Column("always_open"),
               Column("uses_china_workdays")]
    detail_fields = ["code", "name", "time_zone", "always_open", "uses_china_workdays"]
    detail_context = service_calendar_context


class ServiceHoursViews(ObjectViewSet):
    """Opening spans are listed on their calendar's page."""

    model = ServiceHours
    url_prefix = "service-hours"
    queryset = ServiceHours.objects.select_related("calendar")
    form_class = ServiceHoursForm
    actions = ("add", "edit", "delete")

    @staticmethod
    def success_url(hours):
        return hours.calendar.get_absolute_url()


@require_GET
def calendar_index(request):
    """Permission: calendars.view_calendarday. This year's calendar."""
    if not request.user.has_perm("calendars.view_calendarday"):
        raise PermissionDenied
    return redirect("calendars:calendar_year", year=timezone.localdate().year)


LEGEND = [
    ("workday", gettext_lazy("Working day")),
    ("weekend", gettext_lazy("Weekend")),
    ("holiday", gettext_lazy("Statutory holiday")),
    ("make_up", gettext_lazy("Make-up working day")),
    ("company_off", gettext_lazy("Company day off")),
    ("company_work", gettext_lazy("Company extra working day")),
]


@require_http_methods(["GET", "POST"])
def calendar_year(request, year: int):
    """Permission: calendars.view_calendarday to see the year; calendars.add_calendaryear to
    load its published schedule from a file (for a year the package does not cover)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    user = request.user
    if not user.has_perm("calendars.view_calendarday"):
        raise PermissionDenied
    can_load = user.has_perm("calendars.add_calendaryear") and year not in china_covered_years()
    form = None
    errors: list[str] = []
    if request.method == "POST":
        if not can_load:
            raise PermissionDenied
        form = ScheduleFileForm(request.POST, request.FILES)
        if form.is_valid():
            errors = load_schedule_file(request, year, form.cleaned_data["file"])
            if not errors:
                return HttpResponseRedirect(reverse("calendars:calendar_year", args=[year]))
    today = timezone.localdate()
    return render(request, "calendars/calendar_year.html", {
        "year": year,
        "months": selectors.year_grid(user=user, year=year),
        "legend": LEGEND,
        "loaded": CalendarYear.objects.filter(year=year).first(),
        "missing_next_year": selectors.next_year_missing(today=today),
        "can_load": can_load,
        "form": form or (ScheduleFileForm() if can_load else None),
        "file_errors": errors,
        "can_add_day": user.has_perm("calendars.add_calendarday"),
    }, status=400 if errors or (form is not None and form.errors) else 200)


def load_schedule_file(request, year: int, upload) -> list[str]:
    """Load the uploaded schedule; the row errors, or [] once it is loaded."""
    try:
        text = decode(upload.read())
    except ValueError as exc:
        return [str(exc)]
    days, row_errors = read_schedule(text, year)
    if row_errors:
        return [str(error) for error in row_errors]
    try:
        load = services.statutory_year_load(actor=request.user, year=year, days=days, source=ScheduleSource.FILE)
    except ValidationError as exc:
        return exc.messages
    messages.success(request, _("Loaded %(year)s: %(off)s days off, %(make_up)s make-up working days.") % {
        "year": year, "off": load.days_off, "make_up": load.make_up_days})
    return []
