"""`calendar_changed`: sent after the commit of any change that can move a business-time
deadline: a calendar day added, edited or deleted (company days by administrators, statutory
days by `load_calendar` or a year's schedule file), a year's schedule loaded or removed, a
service calendar's settings or hours changed.

Receivers get `calendar_codes`: the codes of the service calendars concerned, or None for
"every calendar" (a day or a year concerns every calendar that follows China's working
days). The tickets app listens and recomputes the due times of open tickets, so this app
never imports tickets.

Several changes in one transaction (loading twenty years) send one signal at the commit. A
rolled-back change sends nothing then (its calendars may ride along with the next commit's
signal on that connection: a recompute is idempotent, so that only costs time).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

calendar_changed = Signal()

# Attribute on the database connection (one per thread) that collects the calendars changed
# in the current transaction; None in it means "every calendar".
_PENDING = "_aftersales_calendar_changes"
EVERY_CALENDAR = None


def _flush(using: str) -> None:
    connection = transaction.get_connection(using)
    pending = getattr(connection, _PENDING, None)
    if not pending:
        return
    setattr(connection, _PENDING, None)
    codes = None if EVERY_CALENDAR in pending else frozenset(pending)
    calendar_changed.send(sender=None, calendar_codes=codes)


def calendar_changed_on_commit(code: str | None = EVERY_CALENDAR, *, using: str = "default") -> None:
    """Send `calendar_changed` for `code` (None: every calendar) once the current
    transaction commits (at once outside a transaction)."""
    connection = transaction.get_connection(using)
    pending = getattr(connection, _PENDING, None)
    if pending is None:
        pending = set()
        setattr(connection, _PENDING, pending)
    pending.add(code)
    # Every change registers the flush; the first one to run sends the signal for all of
    # them and the rest find nothing pending.
    transaction.on_commit(lambda: _flush(using), using=using)


def _day_or_year_changed(sender, instance, using, **kwargs) -> None:
    calendar_changed_on_commit(EVERY_CALENDAR, using=using)


def _service_calendar_changed(sender, instance, using, **kwargs) -> None:
    calendar_changed_on_commit(instance.code, using=using)


def _hours_changed(sender, instance, using, **kwargs) -> None:
    from aftersales.calendars.models import ServiceCalendar

    code = ServiceCalendar.objects.using(using).filter(pk=instance.calendar_id).values_list("code", flat=True).first()
    # The hours of a calendar being deleted: nothing can use that calendar any more.
    if code is not None:
        calendar_changed_on_commit(code, using=using)


def connect() -> None:
    """Wire the model signals (from CalendarsConfig.ready)."""
    from aftersales.calendars.models import CalendarDay, CalendarYear, ServiceCalendar, ServiceHours

    for model in (CalendarDay, CalendarYear):
        post_save.connect(_day_or_year_changed, sender=model, dispatch_uid=f"calendar_changed.{model.__name__}.save")
        post_delete.connect(_day_or_year_changed, sender=model, dispatch_uid=f"calendar_changed.{model.__name__}.delete")
    post_save.connect(_service_calendar_changed, sender=ServiceCalendar, dispatch_uid="calendar_changed.ServiceCalendar.save")
    post_save.connect(_hours_changed, sender=ServiceHours, dispatch_uid="calendar_changed.ServiceHours.save")
    post_delete.connect(_hours_changed, sender=ServiceHours, dispatch_uid="calendar_changed.ServiceHours.delete")
