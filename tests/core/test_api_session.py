"""The browser's session cookie works for the API, but unsafe methods need the CSRF token."""

import pytest
from django.middleware.csrf import _get_new_csrf_string

from aftersales.accounts.choices import Role
from aftersales.customers.models import Customer

PAYLOAD = {"code": "CSRF-01", "name": "上海测试客户", "region": "east"}


@pytest.fixture
def manager_browser(make_user, browser_client_for):
    return browser_client_for(make_user(Role.SERVICE_MANAGER), enforce_csrf_checks=True)


def test_reading_with_the_session_needs_no_csrf_token(manager_browser):
    assert manager_browser.get("/api/v1/customers").status_code == 200


def test_writing_with_the_session_but_without_csrf_token_is_refused(manager_browser):
    response = manager_browser.post("/api/v1/customers", PAYLOAD, content_type="application/json")

    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_writing_with_the_session_and_a_wrong_csrf_token_is_refused(manager_browser):
    manager_browser.cookies["csrftoken"] = _get_new_csrf_string()
    response = manager_browser.post("/api/v1/customers", PAYLOAD, content_type="application/json",
                                    HTTP_X_CSRFTOKEN=_get_new_csrf_string())

    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_writing_with_the_session_and_the_csrf_token_works(manager_browser):
    secret = _get_new_csrf_string()
    manager_browser.cookies["csrftoken"] = secret

    response = manager_browser.post("/api/v1/customers", PAYLOAD, content_type="application/json",
                                    HTTP_X_CSRFTOKEN=secret)

    assert response.status_code == 201, response.content
    assert Customer.objects.filter(code="CSRF-01").exists()


def test_an_inactive_users_session_is_not_accepted(make_user, browser_client_for):
    user = make_user(Role.SERVICE_MANAGER)
    browser = browser_client_for(user)
    user.is_active = False
    user.save()

    assert browser.get("/api/v1/customers").status_code == 401


def test_bearer_tokens_need_no_csrf_token(make_user, token_for):
    from django.test import Client

    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token_for(make_user(Role.SERVICE_MANAGER))}")
    assert client.post("/api/v1/customers", PAYLOAD, content_type="application/json").status_code == 201
