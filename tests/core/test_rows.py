"""Writing a graph of new rows in one go: the rows are exactly what saving them one by one
through the ORM writes, and a failure writes none of them."""

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.forms.models import model_to_dict

from aftersales.core import rows
from aftersales.core.audit import audit_entry
from aftersales.core.models import AuditLog, ScheduledJob
from aftersales.customers.models import ContractDocument
from aftersales.tickets.models import SlaTarget, Ticket, TicketEvent
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def new_graph(customer, number, actor=None):
    from django.utils import timezone

    now = timezone.now()
    ticket = Ticket(number=number, customer=customer, service_calendar="7x24", channel="phone", category="fault",
                    impact="core", level="L4", status="new", subject="打印机卡纸", clock_started_at=now,
                    sla_policy={"L4": {"respond": {"minutes": 60, "business_time": False}}})
    targets = [SlaTarget(ticket=ticket, kind=kind, minutes=60, business_time=False, started_at=now, due_at=now)
               for kind in ("respond", "resolve")]
    return ticket, targets


def write_graph(customer, number):
    with transaction.atomic():
        ticket, targets = new_graph(customer, number)
        rows.assign_ids([ticket], targets)
        rows.stamp(ticket)
        event = TicketEvent(ticket=ticket, kind="created", at=ticket.clock_started_at, data={"level": "L4", "说明": "电话"})
        audit = audit_entry(actor=None, action="create", instance=ticket, before=None, after={"id": ticket.pk})
        rows.insert_rows([ticket, *targets, event, audit])
    return ticket, targets


def test_the_rows_written_are_what_the_orm_reads_back():
    customer = CustomerFactory()
    ticket, targets = write_graph(customer, "SR-2030-000001")

    stored = Ticket.objects.get(pk=ticket.pk)
    assert model_to_dict(stored) == model_to_dict(ticket)
    assert (stored.created_at, stored.updated_at) == (ticket.created_at, ticket.updated_at)
    assert stored.sla_policy == {"L4": {"respond": {"minutes": 60, "business_time": False}}}
    assert sorted(SlaTarget.objects.filter(ticket=stored).values_list("pk", "kind")) == sorted((t.pk, t.kind) for t in targets)
    assert TicketEvent.objects.get(ticket=stored).data == {"level": "L4", "说明": "电话"}
    assert AuditLog.objects.get(object_type="tickets.ticket", object_id=str(ticket.pk)).after == {"id": ticket.pk}
    assert not ticket._state.adding


def test_ids_given_up_front_never_collide_with_later_orm_saves():
    customer = CustomerFactory()
    first, _ = write_graph(customer, "SR-2030-000001")
    orm = Ticket.objects.create(number="SR-2030-000002", customer=customer, service_calendar="7x24", channel="phone",
                                category="fault", impact="core", level="L4", status="new", subject="orm",
                                clock_started_at=first.clock_started_at)
    second, _ = write_graph(customer, "SR-2030-000003")
    assert first.pk < orm.pk < second.pk


def test_a_failing_row_writes_none_of_the_graph():
    customer = CustomerFactory()
    write_graph(customer, "SR-2030-000001")
    with pytest.raises(IntegrityError):
        write_graph(customer, "SR-2030-000001")  # the number is taken
    assert Ticket.objects.count() == 1
    assert SlaTarget.objects.count() == 2 and TicketEvent.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL only")
def test_on_postgresql_one_statement_is_atomic_without_a_transaction():
    customer = CustomerFactory()
    assert rows.one_statement()
    ticket, targets = new_graph(customer, "SR-2030-000001")
    rows.assign_ids([ticket], targets)  # sequences: no transaction needed
    rows.insert_rows([ticket, *targets])
    assert Ticket.objects.count() == 1 and SlaTarget.objects.count() == 2
    again, again_targets = new_graph(customer, "SR-2030-000002")
    rows.assign_ids([again], again_targets)
    again_targets[1].kind = again_targets[0].kind  # one target per kind: the last row fails
    with pytest.raises(IntegrityError):
        rows.insert_rows([again, *again_targets])
    assert Ticket.objects.count() == 1 and SlaTarget.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not hold a text column to its length")
def test_an_overlong_text_is_refused_not_cut_short_and_nothing_is_written():
    """The rows' values are cast to their columns' types in the statement; a text must still
    meet its column's length check (an explicit cast to varchar(n) would cut it short)."""
    customer = CustomerFactory()
    ticket, targets = new_graph(customer, "SR-2030-000001")
    ticket.subject = "防火墙" * 67  # 201 characters, the column holds 200
    rows.assign_ids([ticket], targets)
    with pytest.raises(DataError):
        rows.insert_rows([ticket, *targets])
    assert not Ticket.objects.exists() and not SlaTarget.objects.exists()


def test_it_refuses_to_run_outside_a_transaction_on_sqlite_or_to_skip_a_save_override():
    customer = CustomerFactory()
    ticket, _targets = new_graph(customer, "SR-2030-000001")
    if not rows.one_statement():
        with pytest.raises(rows.RowsError, match="atomic"):
            rows.insert_rows([ticket])
    with pytest.raises(rows.RowsError, match="overrides save"), transaction.atomic():
        rows.insert_rows([ContractDocument(title="save() sets the size and type")])
    with pytest.raises(rows.RowsError, match="already"), transaction.atomic():
        rows.insert_rows([ScheduledJob.objects.create(name="x", interval_seconds=1, next_run_at=ticket.clock_started_at)])
    assert not Ticket.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the quick preparation serves PostgreSQL's JSON rows only")
def test_the_quick_preparation_gives_what_django_prepares_for_every_field_of_a_create():
    """On PostgreSQL plain fields skip Django's preparation chain; the JSON sent must be the
    same as through it, field by field, for every row a create writes."""
    import json

    import orjson

    from aftersales.core.rows import _fields, _json_row, _json_value, _value

    customer = CustomerFactory()
    with transaction.atomic():
        ticket, targets = new_graph(customer, "SR-2030-000009")
        rows.assign_ids([ticket], targets)
        rows.stamp(ticket)
        event = TicketEvent(ticket=ticket, kind="created", at=ticket.clock_started_at, data={"level": "L4"})
        audit = audit_entry(actor=None, action="create", instance=ticket, before=None, after={"id": ticket.pk})
        for obj in (ticket, *targets, event, audit):
            obj._prepare_related_fields_for_save(operation_name="test")
            quick = json.loads(orjson.dumps(_json_row(obj, True, connection)))
            assert quick == json.loads(json.dumps([_json_value(_value(field, obj, connection))
                                                   for field in _fields(type(obj), True)]))
        transaction.set_rollback(True)


def test_an_unsaved_related_object_is_refused_and_nothing_is_written():
    customer = CustomerFactory()
    ticket, targets = new_graph(customer, "SR-2030-000001")
    with pytest.raises(ValueError, match="unsaved related object 'ticket'"), transaction.atomic():
        rows.insert_rows(targets)  # the ticket has no id yet
    assert not SlaTarget.objects.exists()


def counter_late(year: int):
    """A counter's next value as a late value: the ticket number's own part."""
    from aftersales.tickets.services import _number_part

    return rows.Late(_number_part(year))


@pytest.mark.parametrize(("last", "number"), [(41, "SR-2031-000042"), (999_999, "SR-2031-1000000")])
def test_a_late_value_is_written_wherever_its_marker_stands_and_given_back(last, number):
    from aftersales.tickets.models import TicketNumberCounter

    TicketNumberCounter.objects.create(year=2031, last=last)
    customer = CustomerFactory()
    late = counter_late(2031)
    with transaction.atomic():
        ticket, targets = new_graph(customer, late.marker)
        rows.assign_ids([ticket], targets)
        rows.stamp(ticket)
        audit = audit_entry(actor=None, action="create", instance=ticket, before=None,
                            after={"number": ticket.number, "note": f"«{late.marker}»"})
        assert rows.insert_rows([ticket, *targets, audit], late=late) == number
    assert Ticket.objects.get().number == number
    stored = AuditLog.objects.get(object_type="tickets.ticket")
    assert stored.after == {"number": number, "note": f"«{number}»"}
    assert stored.object_repr.startswith(number)
    assert TicketNumberCounter.objects.get(year=2031).last == last + 1  # taken once


def test_without_a_late_value_nothing_is_written_and_the_rows_can_go_again():
    from aftersales.tickets.models import TicketNumberCounter

    customer = CustomerFactory()
    late = counter_late(2032)  # no counter row for 2032 yet
    with transaction.atomic():
        ticket, targets = new_graph(customer, late.marker)
        rows.assign_ids([ticket], targets)
        assert rows.insert_rows([ticket, *targets], late=late) is None
        assert not Ticket.objects.exists() and not SlaTarget.objects.exists()
        TicketNumberCounter.objects.create(year=2032, last=0)
        assert rows.insert_rows([ticket, *targets], late=late) == "SR-2032-000001"
    assert Ticket.objects.get().number == "SR-2032-000001" and SlaTarget.objects.count() == 2


def test_new_builds_what_the_model_constructor_builds():
    from django.utils import timezone

    from aftersales.core.models import AuditLog

    customer = CustomerFactory()
    now = timezone.now()
    ticket = Ticket(number="SR-2030-000001", customer=customer, subject="打印机卡纸", clock_started_at=now)
    cases = [
        (Ticket, {"number": "SR-2030-000002", "customer": customer, "subject": "卡纸", "clock_started_at": now,
                  "status": "new", "created_by": None}),
        (SlaTarget, {"ticket": ticket, "kind": "respond", "minutes": 30, "business_time": True, "started_at": now,
                     "due_at": now, "provisional": False}),
        (TicketEvent, {"ticket_id": 7, "kind": "created", "at": now, "actor": None, "data": {"level": "L4"}}),
        (AuditLog, {"actor": None, "actor_name": "system", "action": "create", "object_type": "tickets.ticket",
                    "object_id": "7", "object_repr": "x", "before": None, "after": {}}),
    ]
    for model, values in cases:
        built, constructed = rows.new(model, **values), model(**values)
        assert {k: v for k, v in built.__dict__.items() if k != "_state"} == \
               {k: v for k, v in constructed.__dict__.items() if k != "_state"}
        assert built._state.adding and built._state.db is None and built._state.fields_cache == constructed._state.fields_cache
    # A callable default is called for each object; anything but fields goes to the constructor.
    first, second = rows.new(TicketEvent, ticket_id=1, kind="created", at=now), rows.new(TicketEvent, ticket_id=1, kind="created", at=now)
    assert first.data == {} and first.data is not second.data
    with pytest.raises(TypeError):
        rows.new(TicketEvent, no_such_field=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pooled ids serve PostgreSQL's sequences only")
def test_pooled_ids_are_unique_come_a_block_per_statement_and_never_collide_with_orm_saves(django_assert_num_queries):
    customer = CustomerFactory()
    rows.clear_pools()
    with django_assert_num_queries(1):  # the first take fills the pools of both tables
        [[first], kinds] = rows.pooled_ids([(Ticket, 1), (SlaTarget, 4)])
    with django_assert_num_queries(0):  # the next takes come from the pools
        later = [rows.pooled_ids([(Ticket, 1), (SlaTarget, 4)]) for _ in range(5)]
    ticket_ids = [first] + [ids[0][0] for ids in later]
    target_ids = kinds + [i for ids in later for i in ids[1]]
    assert len(set(ticket_ids)) == 6 and len(set(target_ids)) == 24
    orm = Ticket.objects.create(number="SR-2030-000001", customer=customer, service_calendar="7x24", channel="phone",
                                category="fault", impact="core", level="L4", status="new", subject="orm",
                                clock_started_at=customer.created_at)
    assert orm.pk not in ticket_ids  # the ORM's insert takes its id from the same sequence
    block = [rows.pooled_ids([(Ticket, 1)])[0][0] for _ in range(rows.POOL_BLOCK)]
    assert orm.pk not in block and not set(block) & set(ticket_ids)


def test_pooled_ids_refuse_sqlite():
    if rows.one_statement():
        pytest.skip("PostgreSQL has pooled ids; this is the SQLite refusal")
    with pytest.raises(rows.RowsError, match="ids_part"):
        rows.pooled_ids([(Ticket, 1)])
