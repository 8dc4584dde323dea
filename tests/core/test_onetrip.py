"""Several reads and writes in one round trip: the same values as running them one by one,
one statement on PostgreSQL, and the writes belong to the caller's transaction."""

import pytest
from django.db import connection, transaction

from aftersales.core import dataversion, onetrip, rows
from aftersales.tickets.models import SlaTarget, Ticket, TicketNumberCounter
from aftersales.tickets.services import _number_part

pytestmark = pytest.mark.django_db


def test_the_combined_values_are_what_each_part_gives_on_its_own():
    TicketNumberCounter.objects.create(year=2031, last=41)
    with transaction.atomic():
        versions, number, (ticket_ids, target_ids) = onetrip.fetch(
            dataversion.versions_part(), _number_part(2031), rows.ids_part([(Ticket, 1), (SlaTarget, 3)]))
        assert versions == dataversion.read_versions() and set(versions) >= {"calendars", "routing"}
        assert number == "SR-2031-000042"
        assert TicketNumberCounter.objects.get(year=2031).last == 42  # counted once
        assert len(ticket_ids) == 1 and len(target_ids) == 3 == len(set(target_ids))
        # The ids are fresh: the next ones handed out come after them.
        later = rows.ids_part([(SlaTarget, 1)]).run()
        assert later[0][0] > max(target_ids)


def test_a_write_that_returns_no_row_gives_none():
    with transaction.atomic():
        [number] = onetrip.fetch(_number_part(2032))  # no counter row for 2032 yet
    assert number is None
    assert not TicketNumberCounter.objects.filter(year=2032).exists()


def test_a_rolled_back_transaction_takes_the_combined_write_back():
    TicketNumberCounter.objects.create(year=2033, last=7)
    with transaction.atomic():
        onetrip.fetch(_number_part(2033), dataversion.versions_part())
        transaction.set_rollback(True)
    assert TicketNumberCounter.objects.get(year=2033).last == 7


def test_zero_ids_are_an_empty_list(db):
    with transaction.atomic():
        [[ticket_ids, target_ids]] = onetrip.fetch(rows.ids_part([(Ticket, 1), (SlaTarget, 0)]))
    assert len(ticket_ids) == 1 and target_ids == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the parts are combined on PostgreSQL only")
def test_on_postgresql_the_parts_are_one_statement(django_assert_num_queries):
    TicketNumberCounter.objects.create(year=2034, last=0)
    # Built first: a process's first ids part looks up the table's sequence name once.
    parts = dataversion.versions_part(), _number_part(2034), rows.ids_part([(Ticket, 2)])
    with transaction.atomic(), django_assert_num_queries(1):
        onetrip.fetch(*parts)
