"""Version tokens of configuration tables: every kind of write changes them, so a process
that caches what it built from those tables never serves a stale copy."""

import pytest
from django.db import connection, transaction

from aftersales.calendars.models import CalendarDay, ServiceCalendar
from aftersales.core import dataversion
from aftersales.tickets.models import ServiceGroup
from tests.factories import RoutingRuleFactory, ServiceGroupFactory

pytestmark = pytest.mark.django_db


def token(name: str) -> str | None:
    return dataversion.read_versions().get(name)


def test_migrations_give_each_versioned_group_a_token():
    assert token("calendars") and token("routing")


def test_orm_writes_change_the_token():
    before = token("routing")
    rule = RoutingRuleFactory(priority=5)
    after_insert = token("routing")
    rule.priority = 6
    rule.save()
    after_update = token("routing")
    rule.delete()
    after_delete = token("routing")
    assert len({before, after_insert, after_update, after_delete}) == 4


def test_writes_that_bypass_model_save_change_the_token_too(make_user):
    lead = make_user(username="lead")
    group = ServiceGroupFactory(lead=lead)
    before = token("routing")
    ServiceGroup.objects.filter(pk=group.pk).update(email="hotline@vendor.example.com")  # bulk update
    after_bulk = token("routing")
    lead.delete()  # the group's lead is set to NULL by a cascade, not by the group's save()
    after_cascade = token("routing")
    with connection.cursor() as cursor:  # another program writing SQL directly
        cursor.execute("UPDATE calendars_servicecalendar SET name = name || ' ' WHERE code = '5x8'")
    assert len({before, after_bulk, after_cascade}) == 3
    assert ServiceGroup.objects.get(pk=group.pk).lead_id is None


def test_calendar_writes_change_only_the_calendar_token():
    calendars, routing = token("calendars"), token("routing")
    CalendarDay.objects.create(date="2031-03-02", is_workday=True, source="company", note="加班")
    assert token("calendars") != calendars
    assert token("routing") == routing


def test_a_rolled_back_change_never_brings_back_a_token_with_other_data_behind_it():
    start = token("routing")
    with pytest.raises(RuntimeError), transaction.atomic():
        RoutingRuleFactory(priority=1)
        rolled_back = token("routing")
        raise RuntimeError("roll back")
    assert token("routing") == start
    RoutingRuleFactory(priority=2)
    assert token("routing") not in (start, rolled_back)


def test_the_cache_builds_once_per_token_and_never_caches_without_one():
    cache, builds = dataversion.VersionedCache(), []

    def build():
        builds.append(1)
        return len(builds)

    assert cache.get("rules", "t1", build) == 1
    assert cache.get("rules", "t1", build) == 1
    assert cache.get("rules", "t2", build) == 2
    assert cache.get("rules", None, build) == 3
    assert cache.get("rules", None, build) == 4
    assert len(builds) == 4


def test_built_calendars_are_shared_under_a_token_and_rebuilt_without_one():
    from aftersales.calendars.selectors import business_calendar

    assert business_calendar("5x8") is business_calendar("5x8")
    with connection.cursor() as cursor:  # as after a test database flush
        cursor.execute("DELETE FROM core_dataversion WHERE name = 'calendars'")
    assert token("calendars") is None
    assert business_calendar("5x8") is not business_calendar("5x8")
    ServiceCalendar.objects.filter(code="5x8").update(name="5x8 office")  # any write brings a token back
    assert token("calendars") is not None
    assert business_calendar("5x8") is business_calendar("5x8")


VERSIONED = {"calendars": ["calendars_calendarday", "calendars_calendaryear", "calendars_servicecalendar",
                           "calendars_servicehours"],
             "routing": ["tickets_routingrule", "tickets_servicegroup"]}


def test_every_versioned_table_still_has_its_triggers_after_all_migrations():
    """SQLite drops a table's triggers when a migration rebuilds the table: a later migration
    that alters one of these tables must put them back, or caches would go stale silently."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = cursor.fetchall()
    for name, tables in VERSIONED.items():
        for table in tables:
            assert any(t == table and f"_version_{name}" in trigger for t, trigger in triggers), (table, triggers)
