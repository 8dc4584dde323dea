import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from pytest_django.django_compat import is_django_unittest

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ApiToken, hash_token
from tests.factories import CustomerUserFactory, UserFactory


@pytest.fixture
def make_user(db):
    """make_user(role) -> a saved user of that role (customer users get a customer)."""

    def make(role: str = Role.SERVICE_DESK, **kwargs):
        if role == Role.CUSTOMER:
            return CustomerUserFactory(**kwargs)
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def manager(make_user):
    return make_user(Role.SERVICE_MANAGER, username="manager")


@pytest.fixture
def token_for(db):
    """token_for(user) -> a raw bearer token for that user."""

    def make(user) -> str:
        raw = ApiToken.generate()
        ApiToken.objects.create(user=user, name="test", prefix=raw[:8], key_hash=hash_token(raw))
        return raw

    return make


@pytest.fixture
def api_client_for(token_for):
    """api_client_for(user) -> a test Client that sends that user's bearer token."""

    def make(user) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")

    return make


@pytest.fixture
def browser_client_for(db):
    """browser_client_for(user) -> a test Client logged in with a session (CSRF enforced)."""

    def make(user, enforce_csrf_checks: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        client.force_login(user)
        return client

    return make


# A real SMTP server for tests that send e-mail (see tests/mail.py).
from tests.mail import smtp_server  # noqa: E402, F401


def pytest_collection_modifyitems(config, items):
    """Browser tests run last in each worker: Playwright's sync API leaves an event loop
    running in the thread for the rest of the session, and Django refuses ORM calls from a
    thread with a running loop. xdist hands tests out in collection order, so once a worker
    takes a browser test only browser tests follow it."""
    items.sort(key=lambda item: "e2e" in item.nodeid.split("::")[0].split("/"))


@pytest.fixture(autouse=True)
def _named_calendars(request):
    """The 5x8 and 7x24 calendars come from a data migration. A transactional test's flush
    empties every table, and the next test in the worker would find no calendars: put them
    back before each database test (two SELECTs when they are there)."""
    if is_django_unittest(request):
        return
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("_django_db_helper")
    migration = importlib.import_module("aftersales.calendars.migrations.0002_named_service_calendars")
    migration.create_named_calendars(django_apps, None)
