"""API calls with a bearer token pass by the page middleware (session, messages, htmx,
slash redirects): they get no session, still get the security headers, and a session
cookie sent beside a bearer token never authenticates them."""

import pytest

from aftersales.accounts.choices import Role
from aftersales.customers.models import Customer

PAYLOAD = {"code": "MW-01", "name": "上海测试客户", "region": "east"}


@pytest.fixture
def manager(make_user):
    return make_user(Role.SERVICE_MANAGER)


def test_a_token_write_works_without_touching_the_session(manager, api_client_for):
    client = api_client_for(manager)
    response = client.post("/api/v1/customers", PAYLOAD, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Customer.objects.filter(code="MW-01").exists()
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")
    # The headers every answer carries stay.
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_session_beside_a_bad_bearer_token_does_not_authenticate(manager, browser_client_for):
    client = browser_client_for(manager)  # logged in: a session cookie is sent along
    assert client.get("/api/v1/customers").status_code == 200
    response = client.get("/api/v1/customers", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert response.status_code == 401
    response = client.post("/api/v1/customers", PAYLOAD, content_type="application/json",
                           HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert response.status_code == 401
    assert not Customer.objects.filter(code="MW-01").exists()


def test_pages_keep_their_session_and_messages(manager, browser_client_for):
    client = browser_client_for(manager)
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == manager
    assert hasattr(response.wsgi_request, "session") and hasattr(response.wsgi_request, "_messages")


def test_a_bearer_header_on_a_page_does_not_skip_its_login(client):
    response = client.get("/", HTTP_AUTHORIZATION="Bearer anything")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
