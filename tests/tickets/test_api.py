"""/api/v1/tickets as a client sees it: create, list, detail, changes, clocks, scoping."""

import pytest

from aftersales.accounts.choices import Role
from aftersales.tickets.models import SlaTarget, Ticket, TicketEvent
from tests.factories import CustomerFactory, EquipmentFactory, SiteFactory, TicketFactory

URL = "/api/v1/tickets"


@pytest.fixture
def desk(make_user, api_client_for, china_calendar):
    return api_client_for(make_user(Role.SERVICE_DESK))


def payload(unit, **extra):
    return {"customer_id": unit.customer_id, "equipment_id": unit.id, "subject": "防火墙宕机",
            "category": "fault", "impact": "core", "caller_name": "王工", **extra}


def test_the_service_desk_registers_a_ticket_with_its_clocks(desk, unit):
    response = desk.post(URL, payload(unit, channel="phone"), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("SR-") and body["level"] == "L4" and body["channel"] == "phone"
    assert body["site"] == unit.site_id
    assert [t["kind"] for t in body["targets"]] == ["respond", "diagnose", "on_site", "resolve"]
    assert [e["kind"] for e in body["events"]] == ["created"]


def test_the_201_answer_is_what_reading_the_ticket_gives_without_reading_it_back(desk, unit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    desk.post(URL, payload(unit, channel="phone"), content_type="application/json")  # the year's first number
    with CaptureQueriesContext(connection) as queries:
        response = desk.post(URL, payload(unit, channel="phone"), content_type="application/json")
    sql = [q["sql"] for q in queries.captured_queries]  # read now: the next request resets the log
    assert response.status_code == 201, response.content
    assert response.json() == desk.get(f"{URL}/{response.json()['id']}").json()
    # The token (on PostgreSQL counting the write in the same statement; SQLite counts it in a
    # second), the unit with its customer and site, then ticket_create: on PostgreSQL every
    # row with the number in one INSERT, atomic by itself (no BEGIN and COMMIT), which checks
    # the configuration's version tokens itself, with ids from the process's pool; on SQLite
    # the tokens and ids, then one INSERT per table in a transaction. Nothing is read back.
    if connection.vendor == "postgresql":
        assert len(sql) == 3 and not [q for q in sql if q in ("BEGIN", "COMMIT")], "\n".join(q[:80] for q in sql)
    else:
        assert len(sql) <= 13, "\n".join(q[:80] for q in sql)
    assert not [q for q in sql if 'FROM "tickets_slatarget"' in q]


@pytest.mark.parametrize(("extra", "field"), [
    ({"customer_id": 999999}, "customer_id"),
    ({"equipment_id": 999999}, "equipment_id"),
    ({"subject": ""}, "subject"),
    ({"subject": None}, "subject"),
    ({"impact": "dreadful"}, "impact"),
    ({"customer_id": "x"}, "customer_id"),
    ({"outage_started_at": "yesterday"}, "outage_started_at"),
    ({"outage_started_at": "2025-01-27T15:00:00+08:00", "outage_ended_at": "2025-01-27T14:00:00+08:00"},
     "outage_ended_at"),
])
def test_bad_input_names_the_field_and_writes_nothing(desk, unit, extra, field):
    response = desk.post(URL, payload(unit, **extra), content_type="application/json")
    assert response.status_code == 422, response.content
    assert ["body", field] in [item["loc"] for item in response.json()["detail"]]
    assert not Ticket.objects.exists()


def test_a_site_of_another_customer_is_422(desk, unit):
    response = desk.post(URL, payload(unit, equipment_id=None, site_id=SiteFactory().id), content_type="application/json")
    assert response.status_code == 422
    assert ["body", "site_id"] in [item["loc"] for item in response.json()["detail"]]
    assert not Ticket.objects.exists()


def test_customer_users_open_tickets_for_their_own_customer_only(make_user, api_client_for, china_calendar):
    unit = EquipmentFactory()
    user = make_user(Role.CUSTOMER, customer=unit.customer)
    client = api_client_for(user)
    response = client.post(URL, payload(unit, channel="phone"), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "portal"
    other = EquipmentFactory()
    assert client.post(URL, payload(other), content_type="application/json").status_code == 404
    # Another customer's unit under one's own customer reads as unknown.
    response = client.post(URL, payload(unit, equipment_id=other.id), content_type="application/json")
    assert response.status_code == 422
    assert Ticket.objects.count() == 1


def test_customer_users_see_only_their_tickets_and_get_404_for_others(make_user, api_client_for):
    mine, theirs = TicketFactory(), TicketFactory()
    client = api_client_for(make_user(Role.CUSTOMER, customer=mine.customer))
    assert [t["id"] for t in client.get(URL).json()["items"]] == [mine.id]
    assert client.get(f"{URL}/{theirs.id}").status_code == 404
    assert client.get(f"{URL}/{theirs.id}/clocks").status_code == 404
    assert client.post(f"{URL}/{theirs.id}/pause", {"reason": "x"}, content_type="application/json").status_code == 404
    # Their own ticket: they may read it but not work it.
    assert client.post(f"{URL}/{mine.id}/pause", {"reason": "x"}, content_type="application/json").status_code == 403


def test_the_list_is_sorted_by_the_nearest_open_due_time_and_filtered(desk, make_user, api_client_for):
    customer = CustomerFactory()
    ids = []
    for level, impact in (("L5", "none"), ("L1", "core")):
        response = desk.post(URL, {"customer_id": customer.id, "subject": level, "impact": impact,
                                   **({"outage_started_at": "2025-01-01T00:00:00+08:00"} if level == "L1" else {})},
                             content_type="application/json")
        ids.append(response.json()["id"])
    quiet = TicketFactory(customer=customer)  # no targets: last
    listed = [t["id"] for t in desk.get(URL).json()["items"]]
    assert listed == [ids[1], ids[0], quiet.id]
    assert [t["id"] for t in desk.get(URL, {"level": "L5"}).json()["items"]] == [ids[0]]
    assert [t["id"] for t in desk.get(URL, {"q": "L1"}).json()["items"]] == [ids[1]]
    assert desk.get(URL, {"status": "nonsense"}).status_code == 422


def test_the_list_query_count_does_not_grow_with_tickets(desk, django_assert_max_num_queries):
    TicketFactory.create_batch(15)
    with django_assert_max_num_queries(6):
        assert len(desk.get(URL).json()["items"]) == 15


def test_regrade_pause_resume_and_met_through_the_api(desk, unit, make_user):
    ticket = desk.post(URL, payload(unit), content_type="application/json").json()
    url = f"{URL}/{ticket['id']}"
    assert desk.post(f"{url}/regrade", {"level": "L2", "reason": ""}, content_type="application/json").status_code == 422
    body = desk.post(f"{url}/regrade", {"level": "L2", "reason": "Customer chased"}, content_type="application/json").json()
    assert body["level"] == "L2" and body["grade_changes"][0]["reason"] == "Customer chased"
    assert "loaner" in [t["kind"] for t in body["targets"]]
    assert desk.post(f"{url}/pause", {"reason": "Waiting for logs"}, content_type="application/json").json()["status"] == "waiting_customer"
    assert desk.post(f"{url}/pause", {"reason": "again"}, content_type="application/json").status_code == 422
    assert desk.post(f"{url}/resume").json()["status"] == "new"
    body = desk.post(f"{url}/targets/respond/met", content_type="application/json").json()
    assert next(t for t in body["targets"] if t["kind"] == "respond")["met_at"] is not None
    assert desk.post(f"{url}/targets/teleport/met", content_type="application/json").status_code == 422
    engineer = make_user(Role.FIELD_ENGINEER)
    body = desk.patch(url, {"assignee_id": engineer.id, "status": "in_progress"}, content_type="application/json").json()
    assert (body["assignee"], body["status"]) == (engineer.id, "in_progress")
    assert [e["kind"] for e in body["events"]] == ["created", "regraded", "paused", "resumed", "target_met",
                                                  "assigned", "status_changed"]


def test_clocks_replay_a_past_moment(desk, make_user, api_client_for):
    customer = CustomerFactory()  # no contract: 7x24
    ticket = Ticket.objects.get(pk=desk.post(URL, {"customer_id": customer.id, "subject": "x"},
                                             content_type="application/json").json()["id"])
    start = ticket.clock_started_at
    # Move the whole story into the past so the replay moments are fixed.
    from datetime import datetime

    past = datetime.fromisoformat("2025-03-03T10:00:00+08:00")
    shift = start - past
    Ticket.objects.filter(pk=ticket.pk).update(clock_started_at=past)
    SlaTarget.objects.filter(ticket=ticket).update(started_at=past)
    for event in TicketEvent.objects.filter(ticket=ticket):
        event.at -= shift
        event.data["clock_started_at"] = past.isoformat()
        event.save()
    response = desk.get(f"{URL}/{ticket.pk}/clocks", {"at": "2025-03-03T10:15:00+08:00"})
    assert response.status_code == 200, response.content
    clocks = {c["kind"]: c for c in response.json()["clocks"]}
    assert clocks["respond"]["elapsed_minutes"] == 15 and clocks["respond"]["status"] == "running"
    assert clocks["respond"]["fraction_used"] == 0.5
    later = {c["kind"]: c for c in desk.get(f"{URL}/{ticket.pk}/clocks", {"at": "2025-03-03T10:45:00+08:00"}).json()["clocks"]}
    assert later["respond"]["status"] == "breached"
    assert desk.get(f"{URL}/{ticket.pk}/clocks", {"at": "2025-03-03T10:45:00"}).status_code == 422
    assert desk.get(f"{URL}/{ticket.pk}/clocks", {"at": "yesterday"}).status_code == 422


def test_read_only_roles_cannot_create(make_user, api_client_for, unit):
    client = api_client_for(make_user(Role.VICE_PRESIDENT))
    assert client.post(URL, payload(unit), content_type="application/json").status_code == 403
    assert client.get(URL).status_code == 200


def test_anonymous_callers_are_refused(client):
    assert client.get(URL).status_code == 401
