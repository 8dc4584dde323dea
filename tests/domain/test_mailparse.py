"""Routing of inbound mail: ticket numbers, quoted replies, and where a mail goes."""

from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.mailparse import (
    Reason,
    Route,
    TicketRef,
    decide,
    find_ticket_number,
    html_to_text,
    is_usable_address,
    message_ids,
    normalise_address,
    quarantine_reason,
    strip_quoted_reply,
)


def test_ticket_number_is_found_anywhere_in_the_subject():
    assert find_ticket_number("Re: [SR-2026-000123] 防火墙宕机") == "SR-2026-000123"
    assert find_ticket_number("回复：sr-2026-000042 still down") == "SR-2026-000042"
    assert find_ticket_number("Fwd: SR-2026-000001 and SR-2026-000002") == "SR-2026-000001"


def test_things_that_only_look_like_ticket_numbers_are_not():
    assert find_ticket_number("XSR-2026-000123") is None
    assert find_ticket_number("SR-2026-0001234") is None
    assert find_ticket_number("SR-26-000123") is None
    assert find_ticket_number("") is None
    assert find_ticket_number(None) is None


@given(st.integers(2000, 2099), st.integers(0, 999_999), st.text(max_size=20), st.text(max_size=20))
def test_any_ticket_number_survives_surrounding_text(year, serial, before, after):
    number = f"SR-{year}-{serial:06d}"
    found = find_ticket_number(f"{before} {number} {after}")
    assert found is not None and found.startswith("SR-")


def test_message_ids_in_references():
    assert message_ids("<a@x.example> <b@y.example>\r\n <c@z>") == ["<a@x.example>", "<b@y.example>", "<c@z>"]
    assert message_ids(None) == []


def test_addresses_compare_case_insensitively():
    assert normalise_address("  <Li.Lei@Example.COM> ") == "li.lei@example.com"
    assert is_usable_address("li.lei@example.com")
    for bad in ("", "li.lei", "@example.com", "li@localhost", "li lei@example.com", "a@b@example.com"):
        assert not is_usable_address(bad), bad


def test_quoted_reply_is_stripped():
    text = "设备已重启，问题仍在。\n\nOn Mon, 3 Mar 2025 at 10:00, Service <desk@vendor.example> wrote:\n> old text\n> more"
    assert strip_quoted_reply(text) == "设备已重启，问题仍在。"
    assert strip_quoted_reply("好的\n\n在 2025年3月3日 10:00，售后 写道：\n> 原文") == "好的"
    assert strip_quoted_reply("Fine.\n-----Original Message-----\nFrom: desk") == "Fine."
    assert strip_quoted_reply("Fine.\r\nFrom: desk@vendor.example\r\nSent: today") == "Fine."
    assert strip_quoted_reply("> only\n> quote") == "> only\n> quote"
    assert strip_quoted_reply("top\n> inline quote\nbottom") == "top\nbottom"


def test_html_only_mail_reads_as_text():
    html = "<html><head><style>p{}</style></head><body><p>第一行</p><div>second&nbsp;line &amp; more</div><script>x()</script></body></html>"
    assert html_to_text(html) == "第一行\n\nsecond line & more"


def test_quarantine_reasons_in_order():
    assert quarantine_reason(size=11, max_bytes=10, sender="", parse_failed=True) == Reason.TOO_LARGE
    assert quarantine_reason(size=1, max_bytes=10, sender="", parse_failed=True) == Reason.UNPARSEABLE
    assert quarantine_reason(size=1, max_bytes=10, sender="nobody", parse_failed=False) == Reason.NO_SENDER
    assert quarantine_reason(size=10, max_bytes=10, sender="a@b.example", parse_failed=False) is None


def test_new_mail_from_a_contact_of_one_customer_is_a_new_ticket():
    decision = decide(sender_customer_ids=[7, 7], ticket=None, ticket_number=None)
    assert decision.route == Route.NEW_TICKET and decision.customer_id == 7


def test_unknown_and_ambiguous_senders_go_to_triage():
    assert decide(sender_customer_ids=[], ticket=None, ticket_number=None).reason == Reason.UNKNOWN_SENDER
    assert decide(sender_customer_ids=[1, 2], ticket=None, ticket_number=None).reason == Reason.AMBIGUOUS_SENDER


def test_reply_from_a_contact_of_the_tickets_customer_is_a_comment():
    decision = decide(sender_customer_ids=[3], ticket=TicketRef(id=9, customer_id=3), ticket_number="SR-2026-000009")
    assert (decision.route, decision.ticket_id, decision.customer_id) == (Route.COMMENT, 9, 3)


def test_replies_that_need_a_person():
    ticket = TicketRef(id=9, customer_id=3)
    assert decide(sender_customer_ids=[4], ticket=ticket, ticket_number=None).reason == Reason.NOT_A_CONTACT_OF_TICKET
    assert decide(sender_customer_ids=[], ticket=ticket, ticket_number=None).route == Route.TRIAGE
    closed = TicketRef(id=9, customer_id=3, is_open=False)
    assert decide(sender_customer_ids=[3], ticket=closed, ticket_number=None).reason == Reason.TICKET_CLOSED
    unknown = decide(sender_customer_ids=[3], ticket=None, ticket_number="SR-2026-999999")
    assert unknown.reason == Reason.UNKNOWN_TICKET and unknown.customer_id == 3


@given(st.lists(st.integers(1, 5), max_size=4), st.one_of(st.none(), st.builds(TicketRef, st.integers(1, 9), st.integers(1, 5), st.booleans())),
       st.one_of(st.none(), st.just("SR-2026-000001")))
def test_every_mail_gets_exactly_one_route_and_only_triage_has_a_reason(customers, ticket, number):
    decision = decide(sender_customer_ids=customers, ticket=ticket, ticket_number=number)
    assert (decision.reason is not None) == (decision.route == Route.TRIAGE)
    if decision.route == Route.NEW_TICKET:
        assert len(set(customers)) == 1 and ticket is None and number is None
    if decision.route == Route.COMMENT:
        assert ticket is not None and ticket.is_open and ticket.customer_id in customers
