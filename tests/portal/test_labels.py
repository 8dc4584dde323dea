"""QR codes on equipment: the label encodes the portal's report link for the unit, and
scanning it brings each kind of user to the right place."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import segno
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from aftersales.accounts.choices import Role
from aftersales.portal.labels import equipment_pk_from_token, equipment_token, report_url
from tests.pages import PASSWORD, logged_in, no_role_user, page_text

pytestmark = pytest.mark.django_db


def token_of(url: str) -> str:
    prefix = "http://labels.example.com/portal/report/"
    assert url.startswith(prefix) and url.endswith("/"), url
    return url[len(prefix):-1]


@override_settings(SITE_URL="http://labels.example.com")
def test_the_label_shows_the_unit_and_a_qr_code_of_its_report_link(own_units, make_user):
    unit = own_units[0]
    response = logged_in(make_user(Role.SERVICE_MANAGER)).get(reverse("assets:equipment_label", args=[unit.pk]))
    assert response.status_code == 200
    url = response.context["report_url"]
    assert equipment_pk_from_token(token_of(url)) == unit.pk
    html = response.content.decode()
    # The SVG on the page is exactly the QR code of that link (segno is deterministic).
    assert segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True) in html
    text = page_text(response)
    for shown in [unit.serial, unit.product.model, unit.customer.name, unit.site.name, "Scan the code to report it"]:
        assert shown in text, shown


@override_settings(SITE_URL="http://labels.example.com/", SERVICE_HOTLINE="400-820-8820")
def test_the_label_prints_the_hotline_and_the_unit_page_shows_the_same_code(own_units, make_user):
    unit = own_units[0]
    client = logged_in(make_user(Role.SERVICE_DESK))
    assert "Service hotline: 400-820-8820" in page_text(client.get(reverse("assets:equipment_label", args=[unit.pk])))
    detail = client.get(unit.get_absolute_url()).content.decode()
    assert segno.make(report_url(unit), error="m").svg_inline(scale=4, border=2, omitsize=True) in detail
    assert reverse("assets:equipment_label", args=[unit.pk]) in detail


def test_another_customers_label_is_not_found(customer_user, own_units, theirs):
    client = logged_in(customer_user)
    assert client.get(reverse("assets:equipment_label", args=[own_units[0].pk])).status_code == 200
    assert client.get(reverse("assets:equipment_label", args=[theirs.pk])).status_code == 404


def test_tokens_cannot_be_guessed_or_forged(own_units, theirs):
    token = equipment_token(own_units[0].pk)
    assert str(own_units[0].pk) != token and equipment_pk_from_token(token) == own_units[0].pk
    value, signature = token.split(".")
    assert equipment_pk_from_token(f"{equipment_token(theirs.pk).split('.')[0]}.{signature}") is None
    for bad in ["", "1", "garbage", f"{value}.", token + "x", "true.abc"]:
        assert equipment_pk_from_token(bad) is None, bad


def scan(client: Client, unit):
    return client.get(reverse("portal:report_from_label", args=[equipment_token(unit.pk)]))


def test_a_customer_user_scanning_its_unit_gets_the_report_form_with_the_unit_filled_in(customer_user, own_units):
    response = scan(logged_in(customer_user), own_units[1])
    assert response.status_code == 200
    assert response.context["form"].initial == {"equipment": own_units[1].pk, "site": own_units[1].site_id}
    assert "SN-OWN-002" in page_text(response) and "莘庄机房" in page_text(response)


def test_a_customer_user_scanning_another_customers_unit_gets_not_found(customer_user, theirs):
    assert scan(logged_in(customer_user), theirs).status_code == 404


def test_a_forged_or_broken_token_is_not_found(customer_user):
    client = logged_in(customer_user)
    assert client.get(reverse("portal:report_from_label", args=["MQ.forged"])).status_code == 404
    assert client.get(reverse("portal:report_from_label", args=["nonsense"])).status_code == 404


def test_staff_scanning_a_label_go_to_the_agents_form(own_units, make_user):
    unit = own_units[0]
    response = scan(logged_in(make_user(Role.SERVICE_DESK)), unit)
    assert response.status_code == 302
    try:
        expected = reverse("tickets:ticket_add") + f"?equipment={unit.pk}"
    except NoReverseMatch:  # the agents' form is not installed: the unit's own page
        expected = unit.get_absolute_url()
    assert response["Location"] == expected
    # A staff role that may neither register requests nor view equipment is refused.
    assert scan(logged_in(no_role_user()), unit).status_code == 403


def test_anonymous_users_log_in_and_come_back_to_the_form(customer_user, own_units):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    link = reverse("portal:report_from_label", args=[equipment_token(own_units[0].pk)])
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(link)}"
    logged = client.post(response["Location"], {"username": customer_user.username, "password": PASSWORD,
                                                "next": link})
    assert logged.status_code == 302 and logged["Location"] == link
    back = client.get(link)
    assert back.status_code == 200 and back.context["form"].initial["equipment"] == own_units[0].pk
