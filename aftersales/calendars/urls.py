from django.urls import path

from aftersales.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.calendar_index, name="calendar_index"),
    path("<int:year>/", views.calendar_year, name="calendar_year"),
    *views.CompanyDayViews.urls(),
    *views.ServiceCalendarViews.urls(),
    *views.ServiceHoursViews.urls(),
]
