"""A forgotten password: the link goes by real e-mail to the account's address, points at
SITE_URL, works once, and the new password logs in; nothing tells a stranger whether an
address has an account; the form cannot flood a mailbox. Logged-in users change their own."""

import re

import pytest
from django.test import Client, override_settings

from aftersales.accounts.choices import Role

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"
OLD, NEW = "an old passphrase 1", "a brand new passphrase 2"


@pytest.fixture
def engineer(make_user):
    user = make_user(Role.FIELD_ENGINEER, username="zhang", email="zhang@vendor.example.com")
    user.set_password(OLD)
    user.save()
    return user


def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def link_in(mail) -> str:
    return re.search(r"https://service\.example\.com(/accounts/reset/\S+/)", mail.body).group(1)


def test_the_login_page_offers_the_reset(client):
    assert RESET in client.get("/accounts/login/").content.decode()


def test_a_forgotten_password_is_reset_through_the_mailed_link(engineer, smtp_server, settings):
    settings.SITE_URL = "https://service.example.com"
    client = english()
    response = client.post(RESET, {"email": "Zhang@Vendor.example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()

    [mail] = smtp_server.messages
    assert mail.recipients == ["zhang@vendor.example.com"]
    assert "set a new password" in mail.subject
    # The link is built from SITE_URL, not from the request's Host header ("testserver").
    assert "zhang" in mail.body and "testserver" not in mail.body
    link = link_in(mail)

    form = client.get(link, follow=True)  # Django moves the token into the session first
    assert "Set a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    engineer.refresh_from_db()
    assert engineer.check_password(OLD)

    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    engineer.refresh_from_db()
    assert engineer.check_password(NEW) and not engineer.check_password(OLD)
    assert english().login(username="zhang", password=NEW)

    # The link works once.
    again = english().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_an_unknown_or_inactive_address_gets_the_same_answer_and_no_mail(make_user, smtp_server):
    make_user(Role.FIELD_ENGINEER, username="gone", email="gone@vendor.example.com", is_active=False)
    for address in ("nobody@vendor.example.com", "gone@vendor.example.com"):
        response = english().post(RESET, {"email": address})
        assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert smtp_server.messages == []


def test_a_bad_address_is_a_field_error(smtp_server):
    response = english().post(RESET, {"email": "not an address"})
    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    assert smtp_server.messages == []


@override_settings(RATE_LIMITS={"login": (3, 300), "write": (100, 60)})
def test_the_form_cannot_flood_a_mailbox(engineer, smtp_server):
    client = english()
    for _ in range(3):
        assert client.post(RESET, {"email": engineer.email}).status_code == 302
    refused = client.post(RESET, {"email": engineer.email})
    assert refused.status_code == 200 and "Too many requests" in refused.content.decode()
    assert len(smtp_server.messages) == 3


def test_a_logged_in_user_changes_their_own_password(engineer):
    client = english()
    client.force_login(engineer)
    assert "Change password" in client.get("/").content.decode()
    wrong = client.post("/accounts/password-change/", {"old_password": "guess", "new_password1": NEW,
                                                       "new_password2": NEW})
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.content.decode()
    done = client.post("/accounts/password-change/", {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/password-change/done/"
    engineer.refresh_from_db()
    assert engineer.check_password(NEW)
    assert client.get("/").status_code == 200  # still logged in after the change


def test_changing_a_password_needs_a_login(client):
    response = client.get("/accounts/password-change/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
