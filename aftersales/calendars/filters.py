import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.calendars.models import CalendarDay, ServiceCalendar
from aftersales.core.filters import SearchFilterSet


class CompanyDayFilterSet(SearchFilterSet):
    search_fields = ("note",)
    is_workday = django_filters.BooleanFilter(label=_("working day"))
    year = django_filters.NumberFilter(field_name="date__year", label=_("year"))

    class Meta:
        model = CalendarDay
        fields = ["q", "is_workday", "year"]


class ServiceCalendarFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = ServiceCalendar
        fields = ["q"]
