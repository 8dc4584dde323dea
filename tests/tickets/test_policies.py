"""A contract's own SLA policy: the rules (pure), the page and the API, and what a new ticket
under the contract gets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from aftersales.accounts.choices import Role
from aftersales.assets.models import Equipment
from aftersales.core.models import AuditLog
from aftersales.customers.models import Contract
from aftersales.domain import sla as clocks
from aftersales.domain.grading import Level
from aftersales.tickets.models import SlaTarget
from aftersales.tickets.services import ticket_create, ticket_regrade
from tests.factories import ContractFactory, EquipmentFactory, RoutingRuleFactory, SiteFactory
from tests.tickets.conftest import at

# A contract's own clocks (the tenders' "contract-specific clocks": respond 15/30/60 min, on
# site 2/3/4 h, resolve 4/24 h), with a loaner in 24 clock hours on L1 only.
OWN_POLICY = {
    "L1": {"respond": {"minutes": 15, "business_time": True}, "on_site": {"minutes": 120, "business_time": True},
           "resolve": {"minutes": 240, "business_time": True}, "loaner": {"minutes": 1440, "business_time": False}},
    "L2": {"respond": {"minutes": 30, "business_time": True}, "on_site": {"minutes": 180, "business_time": True},
           "resolve": {"minutes": 240, "business_time": True}},
    "L3": {"respond": {"minutes": 60, "business_time": True}, "resolve": {"minutes": 1440, "business_time": True}},
    "L4": {"respond": {"minutes": 60, "business_time": False}},
    "L5": {},
}


def unit_under(policy: dict):
    """A unit of equipment under a 5x8 contract with its own policy."""
    contract = ContractFactory(sla_policy=policy)
    return EquipmentFactory(site=SiteFactory(customer=contract.customer), contract=contract)


def due(ticket) -> dict[str, str]:
    tz = at("2025-01-01T00:00:00+08:00").tzinfo
    return {t.kind: t.due_at.astimezone(tz).isoformat() for t in SlaTarget.objects.filter(ticket=ticket)}


# -- the rules, without a database ----------------------------------------------------------


def test_the_defaults_round_trip_through_data():
    assert clocks.policy_from_data(clocks.policy_to_data(clocks.DEFAULT_POLICY)) == clocks.DEFAULT_POLICY


def test_blank_targets_are_not_promised_and_the_loaner_counts_from_resolve():
    policy = clocks.policy_from_data({"L1": {"respond": {"minutes": 15}, "diagnose": None,
                                             "resolve": {"minutes": 240}, "loaner": {"minutes": 2880}},
                                      "L5": {"respond": {"minutes": 60, "business_time": False},
                                             "on_site": {"minutes": None}}})
    assert [spec.kind for spec in policy.specs(Level.L1)] == ["respond", "resolve", "loaner"]
    loaner = policy.specs(Level.L1)[-1]
    assert loaner.counts_from == "resolve" and loaner.business_time is False  # clock hours by default
    assert policy.specs(Level.L5) == (clocks.TargetSpec(clocks.TargetKind.RESPOND, 60, business_time=False),)
    assert policy.specs(Level.L3) == ()


@pytest.mark.parametrize(("data", "errors"), [
    ({"L1": {"respond": {"minutes": 0}}}, {"L1.respond.minutes": "not_positive_integer"}),
    ({"L1": {"respond": {"minutes": -5}}}, {"L1.respond.minutes": "not_positive_integer"}),
    ({"L1": {"respond": {"minutes": 1.5}}}, {"L1.respond.minutes": "not_positive_integer"}),
    ({"L1": {"respond": {"minutes": True}}}, {"L1.respond.minutes": "not_positive_integer"}),
    ({"L1": {"respond": {"minutes": "15"}}}, {"L1.respond.minutes": "not_positive_integer"}),
    ({"L1": {"respond": {"minutes": 10**7}}}, {"L1.respond.minutes": "too_large"}),
    ({"L1": {"respond": {"minutes": 15, "business_time": "yes"}}}, {"L1.respond.business_time": "not_boolean"}),
    ({"L1": {"loaner": {"minutes": 2880}}}, {"L1.loaner.minutes": "loaner_without_resolve"}),
    ({"L6": {}}, {"L6": "unknown_level"}),
    ({"L1": {"repair": {"minutes": 5}}}, {"L1.repair": "unknown_target"}),
    ({"L1": {"respond": {"minutes": 5, "hours": 1}}}, {"L1.respond.hours": "unknown_field"}),
    ({"L1": {"respond": {"minutes": 0}}, "L2": {"loaner": {"minutes": 60}}},
     {"L1.respond.minutes": "not_positive_integer", "L2.loaner.minutes": "loaner_without_resolve"}),
])
def test_bad_policies_name_every_field_at_once(data, errors):
    with pytest.raises(clocks.PolicyError) as error:
        clocks.policy_from_data(data)
    assert error.value.errors == errors


targets = st.fixed_dictionaries({"minutes": st.integers(1, clocks.MAX_TARGET_MINUTES), "business_time": st.booleans()})
levels = st.fixed_dictionaries({}, optional={
    kind.value: targets for kind in clocks.POLICY_KINDS if kind is not clocks.TargetKind.LOANER})


@given(st.dictionaries(st.sampled_from([level.value for level in Level]), levels), st.data())
def test_any_valid_policy_survives_the_round_trip_through_json(data, draw):
    for kinds in data.values():
        if "resolve" in kinds and draw.draw(st.booleans()):
            kinds["loaner"] = draw.draw(targets)
    policy = clocks.policy_from_data(data)
    assert clocks.policy_from_data(clocks.policy_to_data(policy)) == policy
    assert {level: kinds for level, kinds in clocks.policy_to_data(policy).items() if kinds} == {
        level: kinds for level, kinds in data.items() if kinds}


# -- the page ----------------------------------------------------------------------------------


def form_data(policy: dict) -> dict:
    data = {}
    for level, kinds in policy.items():
        for kind, target in kinds.items():
            data[f"{level}_{kind}_minutes"] = str(target["minutes"])
            if target["business_time"]:
                data[f"{level}_{kind}_business"] = "on"
    return data


@pytest.fixture
def english(browser_client_for):
    """english(user) -> a logged-in browser client reading the pages in English."""

    def make(user):
        client = browser_client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def contract(db):
    return ContractFactory()


def test_the_contract_page_shows_the_tender_defaults_and_links_to_the_grid(english, manager, contract):
    page = english(manager).get(contract.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "SLA policy" in html and "tender defaults" in html
    assert f"/tickets/contracts/{contract.pk}/sla-policy/" in html


def test_a_manager_saves_the_contracts_own_policy_on_the_grid(english, manager, contract):
    client = english(manager)
    url = f"/tickets/contracts/{contract.pk}/sla-policy/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="L1_respond_minutes"' in page.content.decode() and 'value="15"' in page.content.decode()
    response = client.post(url, form_data(OWN_POLICY))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert clocks.policy_from_data(contract.sla_policy) == clocks.policy_from_data(OWN_POLICY)
    audit = AuditLog.objects.get(object_type="customers.contract", object_id=str(contract.pk))
    assert audit.before == {"sla_policy": None} and audit.after["sla_policy"]["L1"]["on_site"]["minutes"] == 120
    shown = client.get(url).content.decode()
    assert "This contract has its own targets." in shown


def test_back_to_the_defaults(browser_client_for, manager, contract):
    contract.sla_policy = OWN_POLICY
    contract.save()
    response = browser_client_for(manager).post(f"/tickets/contracts/{contract.pk}/sla-policy/", {"reset": "1"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.sla_policy is None


@pytest.mark.parametrize(("field", "value", "message"), [
    ("L1_respond_minutes", "0", "Ensure this value is greater than or equal to 1."),
    ("L1_respond_minutes", "abc", "Enter a whole number."),
    ("L3_loaner_minutes", "2880", "promise a resolve time on this level first"),
])
def test_bad_cells_show_their_error_and_nothing_is_saved(english, manager, contract, field, value, message):
    data = form_data(OWN_POLICY)
    data.pop("L3_resolve_minutes") if field == "L3_loaner_minutes" else None
    data[field] = value
    response = english(manager).post(f"/tickets/contracts/{contract.pk}/sla-policy/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-error-for="{field}"' in html and message in html
    contract.refresh_from_db()
    assert contract.sla_policy is None
    assert not AuditLog.objects.filter(object_type="customers.contract").exists()


def test_without_change_permission_the_grid_is_read_only_and_a_post_is_403(browser_client_for, make_user, contract):
    client = browser_client_for(make_user(Role.SERVICE_DESK))
    page = client.get(f"/tickets/contracts/{contract.pk}/sla-policy/")
    assert page.status_code == 200 and 'name="L1_respond_minutes"' not in page.content.decode()
    assert client.post(f"/tickets/contracts/{contract.pk}/sla-policy/", form_data(OWN_POLICY)).status_code == 403
    contract.refresh_from_db()
    assert contract.sla_policy is None


def test_a_customer_user_never_sees_another_customers_policy(browser_client_for, make_user, contract):
    own = ContractFactory()
    client = browser_client_for(make_user(Role.CUSTOMER, customer=own.customer))
    assert client.get(f"/tickets/contracts/{contract.pk}/sla-policy/").status_code == 404
    assert client.post(f"/tickets/contracts/{contract.pk}/sla-policy/", form_data(OWN_POLICY)).status_code == 404
    assert client.get(f"/tickets/contracts/{own.pk}/sla-policy/").status_code == 200


# -- the API -----------------------------------------------------------------------------------


def api_url(contract) -> str:
    return f"/api/v1/contracts/{contract.pk}/sla-policy"


def test_the_api_reads_the_defaults_and_replaces_the_policy(api_client_for, manager, contract):
    client = api_client_for(manager)
    body = client.get(api_url(contract)).json()
    assert body["uses_defaults"] is True
    assert body["levels"]["L1"]["loaner"] == {"minutes": 2880, "business_time": False}
    assert body["levels"]["L5"] == {"respond": {"minutes": 1440, "business_time": True}}
    response = client.put(api_url(contract), {"levels": OWN_POLICY}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"contract_id": contract.pk, "uses_defaults": False, "levels": OWN_POLICY}
    assert client.get(api_url(contract)).json()["levels"] == OWN_POLICY
    assert AuditLog.objects.filter(object_type="customers.contract", object_id=str(contract.pk)).count() == 1
    reset = client.put(api_url(contract), {"levels": None}, content_type="application/json")
    assert reset.json()["uses_defaults"] is True


@pytest.mark.parametrize(("levels", "loc"), [
    ({"L1": {"respond": {"minutes": 0}}}, ["body", "levels", "L1", "respond", "minutes"]),
    ({"L1": {"respond": {"minutes": -1}}}, ["body", "levels", "L1", "respond", "minutes"]),
    ({"L2": {"loaner": {"minutes": 60}}}, ["body", "levels", "L2", "loaner", "minutes"]),
    ({"L9": {"respond": {"minutes": 5}}}, ["body", "levels", "L9"]),
    ({"L1": {"respond": {"minutes": "soon"}}}, ["body", "levels", "L1", "respond", "minutes"]),
    ({"L1": {"respond": {"minutes": 5, "hours": 2}}}, ["body", "levels", "L1", "respond", "hours"]),
])
def test_bad_policies_are_422_with_the_field_and_write_nothing(api_client_for, manager, contract, levels, loc):
    response = api_client_for(manager).put(api_url(contract), {"levels": levels}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert loc in [item["loc"] for item in response.json()["detail"]]
    assert all(item["msg"] for item in response.json()["detail"])
    contract.refresh_from_db()
    assert contract.sla_policy is None
    assert not AuditLog.objects.filter(object_type="customers.contract").exists()


def test_the_api_checks_scope_before_permission(api_client_for, make_user, contract):
    own = ContractFactory()
    customer_client = api_client_for(make_user(Role.CUSTOMER, customer=own.customer))
    assert customer_client.get(api_url(contract)).status_code == 404
    assert customer_client.put(api_url(contract), {"levels": OWN_POLICY}, content_type="application/json").status_code == 404
    assert customer_client.get(api_url(own)).status_code == 200
    assert customer_client.put(api_url(own), {"levels": OWN_POLICY}, content_type="application/json").status_code == 403
    desk = api_client_for(make_user(Role.SERVICE_DESK))
    assert desk.put(api_url(contract), {"levels": OWN_POLICY}, content_type="application/json").status_code == 403
    assert api_client_for(make_user(Role.SERVICE_DESK)).get("/api/v1/contracts/999999/sla-policy").status_code == 404
    contract.refresh_from_db()
    own.refresh_from_db()
    assert contract.sla_policy is None and own.sla_policy is None


# -- tickets under a contract with its own policy -------------------------------------------


def test_a_new_ticket_gets_its_contracts_own_due_times(create):
    unit = unit_under(OWN_POLICY)
    # L1 (5 h of outage) received Monday 27 January 2025 at 18:00 on 5x8: 90 business minutes
    # that day, then the Spring Festival days off until Wednesday 5 February.
    ticket = create(customer=unit.customer, equipment=unit, outage_started_at=at("2025-01-27T13:00:00+08:00"))
    assert ticket.level == "L1"
    assert due(ticket) == {
        "respond": "2025-01-27T18:15:00+08:00",
        "on_site": "2025-02-05T10:00:00+08:00",   # 120 min: 90 on the 27th + 30 on the 5th
        "resolve": "2025-02-05T12:00:00+08:00",   # 240 min: 90 + 150
        "loaner": "2025-02-06T12:00:00+08:00",    # 24 clock hours after the resolve time
    }
    # Each target's first warning is armed at its 50 % mark: respond at 7.5 of 15 minutes.
    respond = SlaTarget.objects.get(ticket=ticket, kind="respond")
    assert (respond.warned_percent, respond.warning_due_at) == (0, at("2025-01-27T18:07:30+08:00"))
    assert SlaTarget.objects.filter(ticket=ticket, warning_due_at__isnull=False).count() == 4


def test_a_ticket_keeps_its_targets_when_the_contract_policy_changes_later(create, agent):
    unit = EquipmentFactory()
    ticket = create(now="2025-03-03T10:00:00+08:00", customer=unit.customer, equipment=unit,
                    outage_started_at=at("2025-03-03T09:50:00+08:00"))  # L4: respond 30 min
    assert due(ticket)["respond"] == "2025-03-03T10:30:00+08:00"
    Contract.objects.filter(pk=unit.contract_id).update(sla_policy=OWN_POLICY)
    ticket_regrade(ticket=ticket, level="L3", reason="客户多次催促", actor=agent, now=at("2025-03-03T10:05:00+08:00"))
    # Re-graded under the defaults it was created with (L3 respond 30 min, diagnose 1 h), not
    # the contract's new L3 (respond 60 min, no diagnose).
    assert due(ticket)["respond"] == "2025-03-03T10:30:00+08:00"
    assert due(ticket)["diagnose"] == "2025-03-03T11:00:00+08:00"
    unit = Equipment.objects.select_related("contract").get(pk=unit.pk)
    newer = create(now="2025-03-03T10:00:00+08:00", customer=unit.customer, equipment=unit,
                   outage_started_at=at("2025-03-03T09:50:00+08:00"))
    assert due(newer) == {"respond": "2025-03-03T11:00:00+08:00"}  # the new L4: 60 clock minutes


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


@pytest.mark.django_db
@pytest.mark.parametrize(("through_equipment", "most"), [(True, 8), (False, 9)])
def test_a_create_under_an_own_policy_costs_no_extra_query(agent, through_equipment, most):
    """The policy rides on the contract row the create reads anyway: 8 statements when the
    contract comes with the equipment (the pinned path), 9 when the customer's active
    contract has to be looked up (that look-up was there before policies)."""
    from django.core.management import call_command

    call_command("load_calendar", "--years", "2025", "2026", stdout=open("/dev/null", "w"))  # noqa: SIM115
    unit = unit_under(OWN_POLICY)
    RoutingRuleFactory()
    ticket_create(actor=agent, data={"customer": unit.customer, "subject": "warm-up"}, channel="phone")
    equipment = Equipment.objects.select_related("contract", "customer").get(pk=unit.pk)
    data = {"customer": equipment.customer, "subject": "防火墙宕机",
            "outage_started_at": timezone.now() - timedelta(minutes=90)}
    if through_equipment:
        data["equipment"] = equipment
    with CaptureQueriesContext(connection) as queries:
        ticket = ticket_create(actor=agent, channel="phone", data=data)
    work = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    assert len(work) <= most, "\n".join(work)
    assert sum("customers_contract" in sql for sql in work) == (0 if through_equipment else 1)
    assert ticket.level == "L3"
    assert sorted(SlaTarget.objects.filter(ticket=ticket).values_list("kind", flat=True)) == ["resolve", "respond"]
    assert ticket.sla_policy == OWN_POLICY
