from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.calendars.models import CalendarDay, ServiceCalendar, ServiceHours
from aftersales.core.generic import ScopedModelForm, style_widget


class CompanyDayForm(ScopedModelForm):
    """A company day off or extra working day; it wins over the statutory day of that date."""

    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "note"]


class ServiceCalendarForm(ScopedModelForm):
    class Meta:
        model = ServiceCalendar
        fields = ["code", "name", "time_zone", "always_open", "uses_china_workdays"]


class ServiceHoursForm(ScopedModelForm):
    class Meta:
        model = ServiceHours
        fields = ["calendar", "weekday", "opens", "closes"]
        widgets = {"opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class ScheduleFileForm(forms.Form):
    """A year's published schedule as a CSV file (date,is_workday,note)."""

    file = forms.FileField(label=_("schedule file (CSV)"),
                           help_text=_("Columns date,is_workday,note; is_workday is 1 for a make-up working day, 0 for a holiday."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)
