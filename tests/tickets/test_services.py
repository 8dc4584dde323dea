"""Ticket services: what the service desk sees after registering, re-grading, pausing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditLog
from aftersales.tickets.models import GradeChange, SlaTarget, Ticket, TicketEvent
from aftersales.tickets.services import (
    regrade_running_outages,
    ticket_comment,
    ticket_create,
    ticket_mark,
    ticket_pause,
    ticket_regrade,
    ticket_resume,
)
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    RoutingRuleFactory,
    ServiceGroupFactory,
    SiteFactory,
)
from tests.tickets.conftest import at


def due(ticket) -> dict[str, str]:
    return {t.kind: t.due_at.astimezone(at("2025-01-01T00:00:00+08:00").tzinfo).isoformat()
            for t in SlaTarget.objects.filter(ticket=ticket)}


def test_an_l1_outage_on_a_5x8_contract_gets_the_tender_clocks_across_the_spring_festival(create, unit):
    ticket = create(customer=unit.customer, equipment=unit, outage_started_at=at("2025-01-27T13:00:00+08:00"))
    assert ticket.level == "L1"  # 5 h of outage
    assert ticket.site_id == unit.site_id
    assert ticket.number.startswith("SR-2025-")
    assert due(ticket) == {
        "respond": "2025-01-27T18:15:00+08:00",
        "diagnose": "2025-01-27T18:30:00+08:00",
        "on_site": "2025-02-05T12:00:00+08:00",
        "resolve": "2025-02-05T16:00:00+08:00",
        "loaner": "2025-02-07T16:00:00+08:00",
    }
    # Every target's first warning is armed at its 50 % mark (7.5 of the 15 respond minutes).
    armed = dict(SlaTarget.objects.filter(ticket=ticket).values_list("kind", "warning_due_at"))
    assert armed["respond"] == at("2025-01-27T18:07:30+08:00")
    assert armed["on_site"] == at("2025-02-05T10:00:00+08:00")  # 120 of 240 minutes: 90 + 30
    assert all(armed.values()) and not SlaTarget.objects.filter(ticket=ticket, warned_percent__gt=0).exists()
    assert TicketEvent.objects.get(ticket=ticket).kind == "created"
    assert AuditLog.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk)).count() == 1


def test_a_customer_without_contract_is_served_7x24(create):
    customer = CustomerFactory()
    ticket = create(customer=customer, outage_started_at=at("2025-01-27T13:00:00+08:00"))
    assert ticket.service_calendar == "7x24"
    assert due(ticket)["on_site"] == "2025-01-27T22:00:00+08:00"


@pytest.mark.parametrize(("outage_hours", "impact", "category", "level"), [
    (None, "core", "fault", "L4"),
    (1.5, "core", "fault", "L3"),
    (3, "minor", "fault", "L2"),
    (None, "minor", "fault", "L5"),
    (5, "core", "consultation", "L5"),
])
def test_grading_at_create(create, unit, outage_hours, impact, category, level):
    started = None if outage_hours is None else at("2025-01-27T18:00:00+08:00") - timedelta(hours=outage_hours)
    ticket = create(customer=unit.customer, outage_started_at=started, impact=impact, category=category)
    assert ticket.level == level


def test_numbers_count_up_per_year(create, unit):
    first = create(customer=unit.customer)
    second = create(customer=unit.customer)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_routing_puts_the_ticket_in_the_most_fitting_group(create, unit):
    ServiceGroupFactory(name="Anyone")
    RoutingRuleFactory(group__name="General", priority=100)
    RoutingRuleFactory(group__name="Regional", priority=10, region=unit.customer.region)
    RoutingRuleFactory(group__name="Complaints", priority=1, category="complaint")
    assert create(customer=unit.customer).group.name == "Regional"
    assert create(customer=unit.customer, category="complaint").group.name == "Complaints"


def test_the_group_lead_owns_a_new_ticket_until_it_is_dispatched(create, unit, make_user):
    lead = make_user(Role.DISPATCHER, username="lead")
    RoutingRuleFactory(group__name="Regional", group__lead=lead, region=unit.customer.region)
    routed = create(customer=unit.customer)
    assert (routed.assignee, routed.status) == (lead, "assigned")
    RoutingRuleFactory(group__name="Complaints", priority=1, category="complaint")  # a group without a lead
    unrouted = create(customer=unit.customer, category="complaint")
    assert (unrouted.group.name, unrouted.assignee, unrouted.status) == ("Complaints", None, "new")


def test_a_rule_changed_behind_the_orm_routes_the_very_next_ticket(create, unit):
    """Rules are cached per process; a change by another process (here: plain SQL) must
    reach the next create, not a stale copy."""
    RoutingRuleFactory(group__name="General", priority=100)
    assert create(customer=unit.customer).group.name == "General"
    regional = ServiceGroupFactory(name="Regional")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO tickets_routingrule (created_at, updated_at, group_id, priority, category, region, tier) "
                       "VALUES (%s, %s, %s, 1, '', '', '')", [timezone.now(), timezone.now(), regional.pk])
    assert create(customer=unit.customer).group.name == "Regional"


def test_a_lead_who_leaves_no_longer_receives_new_tickets(create, unit, make_user):
    lead = make_user(Role.DISPATCHER, username="lead")
    RoutingRuleFactory(group__name="Regional", group__lead=lead)
    assert create(customer=unit.customer).assignee == lead
    Ticket.objects.all().delete()
    lead.delete()  # the group's lead becomes empty through the database cascade
    ticket = create(customer=unit.customer)
    assert (ticket.group.name, ticket.assignee, ticket.status) == ("Regional", None, "new")


def test_a_site_of_another_customer_is_refused_and_nothing_is_written(create, unit):
    with pytest.raises(ValidationError) as error:
        create(customer=unit.customer, site=SiteFactory())
    assert "site" in error.value.message_dict
    assert not Ticket.objects.exists() and not SlaTarget.objects.exists() and not TicketEvent.objects.exists()


def test_an_outage_ending_before_it_started_is_refused_and_nothing_is_written(create, unit):
    with pytest.raises(ValidationError) as error:
        create(customer=unit.customer, outage_started_at=at("2025-01-27T15:00:00+08:00"),
               outage_ended_at=at("2025-01-27T14:00:00+08:00"))
    assert "outage_ended_at" in error.value.message_dict
    assert not Ticket.objects.exists() and not AuditLog.objects.filter(object_type="tickets.ticket").exists()


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


@pytest.mark.django_db(transaction=True)
def test_a_create_takes_at_most_8_queries(agent, unit):
    """Resolving the ids (the API's scoped look-ups) is not counted; BEGIN and COMMIT are
    not SQL work either (SQLite logs its BEGIN IMMEDIATE, PostgreSQL does not). The issue's
    goal is 8; PostgreSQL takes 2 (version tokens, number and ids in one statement, then
    every row in one), SQLite 7 (one statement each, one INSERT per table)."""
    from django.core.management import call_command

    from aftersales.assets.models import Equipment

    call_command("load_calendar", "--years", "2025", "2026", stdout=open("/dev/null", "w"))  # noqa: SIM115
    RoutingRuleFactory()
    ticket_create(actor=agent, data={"customer": unit.customer, "subject": "warm-up"}, channel="phone")
    equipment = Equipment.objects.select_related("contract", "customer").get(pk=unit.pk)
    with CaptureQueriesContext(connection) as queries:
        ticket = ticket_create(actor=agent, channel="phone", data={
            "customer": equipment.customer, "equipment": equipment, "subject": "防火墙宕机",
            "outage_started_at": timezone.now() - timedelta(minutes=90)})
    work = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    assert len(work) <= (2 if connection.vendor == "postgresql" else 7), "\n".join(work)
    assert ticket.level == "L3"
    assert SlaTarget.objects.filter(ticket=ticket).count() == 4
    assert SlaTarget.objects.filter(ticket=ticket, warning_due_at__isnull=False).count() == 4


def test_an_upgrade_recomputes_open_targets_from_the_start_and_keeps_met_ones(create, agent):
    customer = CustomerFactory()  # 7x24
    ticket = create(now="2025-03-03T10:00:00+08:00", customer=customer)  # L4
    ticket_mark(ticket=ticket, kind="respond", actor=agent, at=at("2025-03-03T10:20:00+08:00"))
    ticket_regrade(ticket=ticket, level="L2", reason="The customer chased twice", actor=agent,
                   now=at("2025-03-03T10:45:00+08:00"))
    assert due(ticket) == {
        "respond": "2025-03-03T10:30:00+08:00",   # met under L4, stays
        "diagnose": "2025-03-03T10:30:00+08:00",  # L2: 30 min from the start
        "on_site": "2025-03-03T14:00:00+08:00",
        "resolve": "2025-03-03T18:00:00+08:00",
        "loaner": "2025-03-05T18:00:00+08:00",
    }
    change = GradeChange.objects.get(ticket=ticket)
    assert (change.from_level, change.to_level, change.reason, change.actor) == ("L4", "L2", "The customer chased twice", agent)
    # The loaner is new, so its first warning is armed (half of 48 clock hours after the
    # resolve time); the met respond target warns nobody.
    warning = dict(SlaTarget.objects.filter(ticket=ticket).values_list("kind", "warning_due_at"))
    assert warning["loaner"] == at("2025-03-04T18:00:00+08:00")
    assert warning["respond"] is None


def test_a_downgrade_drops_open_targets_the_level_no_longer_promises(create, agent):
    ticket = create(now="2025-03-03T10:00:00+08:00", customer=CustomerFactory())
    ticket_regrade(ticket=ticket, level="L5", reason="Prevention mechanism proven", actor=agent,
                   now=at("2025-03-03T10:05:00+08:00"))
    assert set(due(ticket)) == {"respond"}


def test_waiting_for_the_customer_moves_the_due_times_on(create, agent, unit):
    ticket = create(now="2025-03-03T10:00:00+08:00", customer=unit.customer)  # L4 on 5x8
    ticket_pause(ticket=ticket, reason="Waiting for the logs", actor=agent, now=at("2025-03-03T10:10:00+08:00"))
    assert ticket.status == "waiting_customer"
    assert not SlaTarget.objects.filter(ticket=ticket, warning_due_at__isnull=False).exists()
    ticket_resume(ticket=ticket, actor=agent, now=at("2025-03-03T10:40:00+08:00"))
    assert due(ticket)["respond"] == "2025-03-03T11:00:00+08:00"
    respond = SlaTarget.objects.get(ticket=ticket, kind="respond")
    assert respond.paused_seconds == 1800
    # Half of the 30 minutes: the 10 before the pause and 5 after it.
    assert respond.warning_due_at == at("2025-03-03T10:45:00+08:00")
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["created", "paused", "resumed"]


def test_resuming_a_ticket_that_is_not_paused_is_refused(create, agent, unit):
    ticket = create(customer=unit.customer)
    with pytest.raises(ValidationError):
        ticket_resume(ticket=ticket, actor=agent)


def test_resolving_in_time_means_no_loaner_is_owed(create, agent):
    ticket = create(now="2025-03-03T10:00:00+08:00", customer=CustomerFactory(),
                    outage_started_at=at("2025-03-03T05:00:00+08:00"))
    ticket_mark(ticket=ticket, kind="resolve", actor=agent, at=at("2025-03-03T12:00:00+08:00"))
    loaner = SlaTarget.objects.get(ticket=ticket, kind="loaner")
    assert loaner.met_at == at("2025-03-03T12:00:00+08:00") and loaner.breached_at is None


def test_a_late_target_is_recorded_as_breached(create, agent):
    ticket = create(now="2025-03-03T10:00:00+08:00", customer=CustomerFactory())
    target = ticket_mark(ticket=ticket, kind="respond", actor=agent, at=at("2025-03-03T11:00:00+08:00"))
    assert target.breached_at == at("2025-03-03T10:30:00+08:00")


def test_comments_go_on_the_timeline(create, agent, unit):
    ticket = create(customer=unit.customer)
    ticket_comment(ticket=ticket, text="Called back", actor=agent)
    assert TicketEvent.objects.filter(ticket=ticket, kind="commented", data__text="Called back").exists()


def test_l1_and_l2_tell_the_vice_president_after_the_commit(create, unit, make_user, django_capture_on_commit_callbacks):
    make_user(Role.VICE_PRESIDENT, email="vp@vendor.example.com")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = create(customer=unit.customer, outage_started_at=at("2025-01-27T13:00:00+08:00"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["vp@vendor.example.com"]
    assert ticket.number in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        create(customer=unit.customer)  # L4
    assert len(mail.outbox) == 1


def test_the_regrade_job_upgrades_a_running_outage_once_per_threshold(create, unit):
    ticket = create(now="2025-03-03T10:00:00+08:00", customer=unit.customer,
                    outage_started_at=at("2025-03-03T09:30:00+08:00"))  # L4, 30 min
    assert ticket.next_regrade_at == at("2025-03-03T10:30:00.000001+08:00")
    assert regrade_running_outages(now=at("2025-03-03T10:20:00+08:00")) == 0
    assert regrade_running_outages(now=at("2025-03-03T10:31:00+08:00")) == 1
    assert regrade_running_outages(now=at("2025-03-03T10:32:00+08:00")) == 0
    ticket.refresh_from_db()
    assert ticket.level == "L3"
    change = GradeChange.objects.get(ticket=ticket)
    assert change.automatic and change.outage_threshold_minutes == 60 and change.actor is None
    # A worker that wakes late applies only the crossing that matters now.
    assert regrade_running_outages(now=at("2025-03-03T14:00:00+08:00")) == 1
    ticket.refresh_from_db()
    assert ticket.level == "L1"
    assert list(GradeChange.objects.filter(ticket=ticket).values_list("to_level", flat=True)) == ["L3", "L1"]
    assert regrade_running_outages(now=at("2025-03-03T15:00:00+08:00")) == 0


def test_the_regrade_job_leaves_a_manual_downgrade_alone(create, unit, agent):
    ticket = create(now="2025-03-03T10:00:00+08:00", customer=unit.customer,
                    outage_started_at=at("2025-03-03T09:30:00+08:00"))
    ticket_regrade(ticket=ticket, level="L5", reason="Prevention mechanism proven", actor=agent,
                   now=at("2025-03-03T10:05:00+08:00"))
    regrade_running_outages(now=at("2025-03-03T10:31:00+08:00"))
    ticket.refresh_from_db()
    assert ticket.level == "L3"  # the outage still grows: a 1 h core outage is at least L3


def test_contracts_on_7x24_count_every_minute(create):
    contract = ContractFactory(service_calendar="7x24")
    ticket = create(customer=contract.customer, outage_started_at=at("2025-01-27T13:00:00+08:00"))
    assert due(ticket)["resolve"] == "2025-01-28T02:00:00+08:00"
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the write checks the version tokens itself on PostgreSQL")
def test_a_create_computed_under_a_stale_configuration_writes_nothing_and_computes_again(create, unit):
    """The write checks that the calendars and routing rules are those the process last
    read; after a change it writes nothing, reads them again, and writes once: one ticket,
    the next number, the new group."""
    RoutingRuleFactory(group__name="General", priority=100)
    first = create(customer=unit.customer)
    regional = ServiceGroupFactory(name="Regional")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO tickets_routingrule (created_at, updated_at, group_id, priority, category, region, tier) "
                       "VALUES (%s, %s, %s, 1, '', '', '')", [timezone.now(), timezone.now(), regional.pk])
    with CaptureQueriesContext(connection) as queries:
        second = create(customer=unit.customer)
    writes = [q["sql"] for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
    assert len(writes) == 2  # the refused write, then the one under the new rules
    assert second.group.name == "Regional" and Ticket.objects.count() == 2
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1  # no number lost to the refused write
