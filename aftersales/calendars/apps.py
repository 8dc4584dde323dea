from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "aftersales.calendars"
    label = "calendars"
    verbose_name = _("Calendars")

    def ready(self) -> None:
        from aftersales.calendars import signals

        signals.connect()
