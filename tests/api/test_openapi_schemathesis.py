"""Every operation of the OpenAPI schema, fuzzed by schemathesis as an administrator: no
answer may be a server error, and every documented response must match its schema."""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from aftersales.accounts.choices import Role
from config.api import api
from tests.factories import (
    ContactFactory,
    ContractItemFactory,
    EquipmentFactory,
    WarrantyTermFactory,
)

# The schema the app serves at /api/v1/openapi.json, built in-process. (schemathesis' lazy
# pytest loader relies on a pytest internal that pytest 9 removed, so the schema is loaded
# eagerly here and each request is sent to the app's WSGI handler in the test.)
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder)))


@pytest.fixture
def wsgi_app(db):
    # Django's test Client does this too: a finished request must not close the connection that
    # holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_bearer(make_user, token_for) -> dict[str, str]:
    # A few rows so that generated ids sometimes hit a real object and not only 404s.
    for _ in range(3):
        unit = EquipmentFactory()
        ContactFactory(customer=unit.customer)
        WarrantyTermFactory(contract_item=ContractItemFactory(contract=unit.contract))
    return {"Authorization": f"Bearer {token_for(make_user(Role.ADMINISTRATOR))}"}


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_operation_answers_with_a_server_error_or_breaks_its_schema(case, wsgi_app, admin_bearer):
    case.call_and_validate(app=wsgi_app, headers=admin_bearer,
                           checks=[not_a_server_error, response_schema_conformance, content_type_conformance])
