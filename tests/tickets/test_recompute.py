"""After a calendar change the open tickets' due times follow: what the service desk sees when
an administrator adds a company day off, loads next year's schedule, or runs
`aftersales recompute_sla`."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.choices import Role
from aftersales.calendars.models import CalendarDay
from aftersales.calendars.services import company_day_create
from aftersales.core.models import AuditLog
from aftersales.tickets.escalations import fire_escalations
from aftersales.tickets.models import SlaTarget, Ticket, TicketEvent
from aftersales.tickets.recompute import recompute_open_tickets
from aftersales.tickets.services import ticket_mark, ticket_pause, ticket_set_status
from tests.tickets.conftest import at

SHANGHAI = at("2025-01-01T00:00:00+08:00").tzinfo


def due(ticket) -> dict[str, str]:
    return {t.kind: t.due_at.astimezone(SHANGHAI).isoformat() for t in SlaTarget.objects.filter(ticket=ticket)}


def warnings(ticket, kind) -> dict:
    """When the target's 50 / 75 / 100 % warnings fall, the last one fired, the next one due."""
    target = SlaTarget.objects.get(ticket=ticket, kind=kind)
    instants = {percent: instant.astimezone(SHANGHAI).isoformat() for percent, instant in (
        (50, target.warn_half_at), (75, target.warn_three_quarters_at), (100, target.due_at))}
    pending = target.warning_due_at.astimezone(SHANGHAI).isoformat() if target.warning_due_at else None
    return {**instants, "fired": target.warned_percent, "next": pending}


def pending_warnings(ticket) -> bool:
    return SlaTarget.objects.filter(ticket=ticket, warning_due_at__isnull=False).exists()


@pytest.fixture
def l3_monday(create, unit):
    """An L3 fault on a 5x8 contract received Monday 3 March 2025 at 10:00: respond 10:30,
    diagnose 11:00, on site and resolve in 24 business hours = Wednesday 14:00 (570 minutes on
    Monday, 600 on Tuesday, 270 on Wednesday)."""
    ticket = create(now="2025-03-03T10:00:00+08:00", customer=unit.customer, equipment=unit,
                    outage_started_at=at("2025-03-03T08:45:00+08:00"))
    assert ticket.level == "L3"
    assert due(ticket) == {"respond": "2025-03-03T10:30:00+08:00", "diagnose": "2025-03-03T11:00:00+08:00",
                           "on_site": "2025-03-05T14:00:00+08:00", "resolve": "2025-03-05T14:00:00+08:00"}
    return ticket


def test_a_company_day_off_moves_the_deadlines_across_it_by_exactly_that_day(
        l3_monday, agent, admin, django_capture_on_commit_callbacks):
    ticket = l3_monday
    ticket_mark(ticket=ticket, kind="respond", actor=agent, at=at("2025-03-03T10:20:00+08:00"))
    ticket_mark(ticket=ticket, kind="on_site", actor=agent, at=at("2025-03-04T15:00:00+08:00"))
    # The 50 % warning of the resolve clock (Tuesday 12:00) has already gone out.
    fire_escalations(now=at("2025-03-04T12:00:00+08:00"))
    assert warnings(ticket, "resolve")["fired"] == 50

    with django_capture_on_commit_callbacks(execute=True):
        company_day_create(actor=admin, data={"date": at("2025-03-04T00:00:00+08:00").date(), "is_workday": False,
                                              "note": "公司年会"})

    assert due(ticket) == {
        "respond": "2025-03-03T10:30:00+08:00",   # met: unchanged
        "diagnose": "2025-03-03T11:00:00+08:00",  # before the day off: unchanged
        "on_site": "2025-03-05T14:00:00+08:00",   # met: keeps the due time it was met against
        "resolve": "2025-03-06T14:00:00+08:00",   # one working day later
    }
    assert warnings(ticket, "resolve") == {
        50: "2025-03-04T12:00:00+08:00",   # fired: stays
        75: "2025-03-05T18:00:00+08:00",   # was Tuesday 18:00
        100: "2025-03-06T14:00:00+08:00",
        "fired": 50, "next": "2025-03-05T18:00:00+08:00",
    }
    event = TicketEvent.objects.get(ticket=ticket, kind="deadline_moved")
    assert event.data["moves"] == [{"kind": "resolve", "from": "2025-03-05T14:00:00+08:00",
                                    "to": "2025-03-06T14:00:00+08:00"}]
    assert AuditLog.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk), action="update").exists()


def test_deleting_the_day_off_on_its_page_moves_them_back(l3_monday, admin, browser_client_for,
                                                         django_capture_on_commit_callbacks):
    client = browser_client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/calendars/company-days/add/", {"date": "2025-03-04", "note": "公司年会"})
    assert response.status_code == 302, response.content
    assert due(l3_monday)["resolve"] == "2025-03-06T14:00:00+08:00"
    day = CalendarDay.objects.get(date="2025-03-04", source="company")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/calendars/company-days/{day.pk}/delete/")
    assert response.status_code == 302, response.content
    assert due(l3_monday)["resolve"] == "2025-03-05T14:00:00+08:00"
    assert TicketEvent.objects.filter(ticket=l3_monday, kind="deadline_moved").count() == 2


def test_closed_tickets_and_other_calendars_are_left_alone(create, unit, admin, agent):
    closed = create(now="2025-03-03T10:00:00+08:00", customer=unit.customer, equipment=unit,
                    outage_started_at=at("2025-03-03T08:45:00+08:00"))
    ticket_set_status(ticket=closed, status="closed", actor=agent, now=at("2025-03-03T12:00:00+08:00"))
    before = due(closed)
    CalendarDay.objects.create(date=at("2025-03-04T00:00:00+08:00").date(), is_workday=False, source="company")
    result = recompute_open_tickets("7x24", now=at("2025-03-03T12:00:00+08:00"))
    assert result.tickets == 0
    result = recompute_open_tickets(now=at("2025-03-03T12:00:00+08:00"))
    assert result.tickets == 0 and due(closed) == before


def test_a_paused_ticket_moves_but_gets_no_pending_warnings(l3_monday, agent):
    ticket_pause(ticket=l3_monday, reason="等待客户提供日志", actor=agent, now=at("2025-03-03T10:10:00+08:00"))
    assert not pending_warnings(l3_monday)
    CalendarDay.objects.create(date=at("2025-03-04T00:00:00+08:00").date(), is_workday=False, source="company")
    recompute_open_tickets(now=at("2025-03-03T12:00:00+08:00"))
    assert due(l3_monday)["resolve"] == "2025-03-06T14:00:00+08:00"
    assert not pending_warnings(l3_monday)
    assert fire_escalations(now=at("2025-03-07T12:00:00+08:00")) == 0


SCHEDULE_2027 = """date,is_workday,note
2027-01-01,0,元旦
2027-02-06,0,春节
"""


def test_loading_a_missing_year_makes_provisional_deadlines_final(create, unit, tmp_path: Path,
                                                                 django_capture_on_commit_callbacks):
    """The chinesecalendar package stops at 2026, so a deadline running into 2027 is counted on
    plain Monday-Friday days (New Year's Day 2027, a Friday, as a working day) and marked
    provisional until the 2027 schedule is loaded."""
    ticket = create(now="2026-12-31T10:00:00+08:00", customer=unit.customer, equipment=unit,
                    outage_started_at=at("2026-12-31T08:45:00+08:00"))
    assert ticket.provisional
    assert due(ticket)["resolve"] == "2027-01-04T14:00:00+08:00"   # 570 + 600 (1 Jan) + 270
    assert not SlaTarget.objects.get(ticket=ticket, kind="respond").provisional
    schedule = tmp_path / "2027.csv"
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_calendar", "--file", str(schedule), "--year", "2027", stdout=StringIO())

    ticket.refresh_from_db()
    assert not ticket.provisional
    assert due(ticket)["resolve"] == "2027-01-05T14:00:00+08:00"   # New Year's Day is off
    assert not SlaTarget.objects.filter(ticket=ticket, provisional=True).exists()
    assert TicketEvent.objects.get(ticket=ticket, kind="deadline_moved").data["provisional"] is False


def test_the_cli_recomputes_in_chunks_and_reports_progress(create, unit):
    tickets = [create(now="2025-03-03T10:00:00+08:00", customer=unit.customer, equipment=unit,
                      outage_started_at=at("2025-03-03T08:45:00+08:00")) for _ in range(3)]
    CalendarDay.objects.create(date=at("2025-03-04T00:00:00+08:00").date(), is_workday=False, source="company")
    out = StringIO()
    call_command("recompute_sla", "--calendar", "5x8", "--chunk-size", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["2/3 service requests recomputed", "3/3 service requests recomputed"]
    assert "due times moved on 3 (6 targets)" in lines[2]
    assert all(due(t)["resolve"] == "2025-03-06T14:00:00+08:00" for t in tickets)
    again = StringIO()
    call_command("recompute_sla", stdout=again)
    assert "due times moved on 0 (0 targets)" in again.getvalue()


@pytest.mark.parametrize(("argv", "message"), [
    (["--calendar", "9x9"], "unknown service calendar '9x9'"),
    (["--chunk-size", "0"], "--chunk-size must be at least 1"),
])
def test_the_cli_refuses_bad_arguments_with_a_message_and_a_non_zero_exit(db, capsys, argv, message):
    with pytest.raises(CommandError, match=message):
        call_command("recompute_sla", *argv)
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["aftersales", "recompute_sla", *argv]).execute()
    assert exit_.value.code != 0
    assert message in capsys.readouterr().err


def test_recompute_reads_a_fixed_number_of_times_per_chunk(create, unit):
    def queries_with(count: int) -> int:
        while Ticket.objects.count() < count:
            create(now="2025-03-03T10:00:00+08:00", customer=unit.customer, equipment=unit,
                   outage_started_at=at("2025-03-03T08:45:00+08:00"))
        with CaptureQueriesContext(connection) as queries:
            result = recompute_open_tickets(now=at("2025-03-03T12:00:00+08:00"))  # nothing moves
        assert result.tickets == count and result.tickets_moved == 0
        return len(queries.captured_queries)

    assert queries_with(2) == queries_with(6)


def test_the_dashboard_counts_open_tickets_with_provisional_deadlines(create, unit, manager, make_user,
                                                                       browser_client_for):
    provisional = create(now="2026-12-31T10:00:00+08:00", customer=unit.customer, equipment=unit,
                         outage_started_at=at("2026-12-31T08:45:00+08:00"))
    final = create(now="2025-03-03T10:00:00+08:00", customer=unit.customer, equipment=unit,
                   outage_started_at=at("2025-03-03T08:45:00+08:00"))
    assert provisional.provisional and not final.provisional
    client = browser_client_for(manager)
    home = client.get("/").content.decode()
    card = home[home.index('data-count="provisional_deadlines"') - 200:]
    assert 'href="/tickets/?provisional=1"' in card.split("data-count")[0]
    assert '<div class="display-6 text-warning-emphasis">1</div>' in card
    queue = client.get("/tickets/?provisional=1").content.decode()
    assert provisional.number in queue and final.number not in queue
    api = client.get("/api/v1/tickets?provisional=1").json()
    assert [row["number"] for row in api["items"]] == [provisional.number]
    customer_home = browser_client_for(make_user(Role.CUSTOMER, customer=unit.customer)).get("/").content.decode()
    assert "provisional_deadlines" not in customer_home


def test_entering_a_years_schedule_on_its_page_makes_deadlines_final(create, unit, admin, browser_client_for,
                                                                   django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = create(now="2026-12-31T10:00:00+08:00", customer=unit.customer, equipment=unit,
                    outage_started_at=at("2026-12-31T08:45:00+08:00"))
    assert ticket.provisional
    upload = SimpleUploadedFile("2027.csv", SCHEDULE_2027.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = browser_client_for(admin).post("/calendars/2027/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert not ticket.provisional and due(ticket)["resolve"] == "2027-01-05T14:00:00+08:00"


def test_changing_a_calendars_hours_recomputes_only_its_tickets(create, unit, admin,
                                                               django_capture_on_commit_callbacks):
    from datetime import time

    from aftersales.calendars.models import ServiceCalendar, ServiceHours
    from aftersales.core.services import object_update

    ticket = create(now="2025-03-03T10:00:00+08:00", customer=unit.customer, equipment=unit,
                    outage_started_at=at("2025-03-03T08:45:00+08:00"))
    tuesday = ServiceHours.objects.get(calendar=ServiceCalendar.objects.get(code="5x8"), weekday=1)
    with django_capture_on_commit_callbacks(execute=True):
        object_update(actor=admin, instance=tuesday, data={"closes": time(14, 30)})  # Tuesday closes 5 h early
    assert due(ticket)["resolve"] == "2025-03-05T19:00:00+08:00"   # 570 + 300 + 570 minutes


def test_the_calendars_app_never_imports_tickets():
    """Calendar changes reach tickets through the calendar_changed signal only."""
    import aftersales.calendars

    root = Path(aftersales.calendars.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py") if "aftersales.tickets" in path.read_text()]
    assert offenders == []
