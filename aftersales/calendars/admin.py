from django.contrib import admin

from aftersales.calendars.models import CalendarDay, CalendarYear, ServiceCalendar, ServiceHours


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "source", "note"]
    list_filter = ["source", "is_workday"]
    search_fields = ["note"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]
    readonly_fields = ["loaded_at"]


class ServiceHoursInline(admin.TabularInline):
    model = ServiceHours
    extra = 0


@admin.register(ServiceCalendar)
class ServiceCalendarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "always_open", "uses_china_workdays"]
    search_fields = ["code", "name"]
    inlines = [ServiceHoursInline]
