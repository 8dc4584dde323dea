"""The published API description: every operation says which permission it needs."""

import re

import pytest
from django.test import Client

from aftersales.accounts.roles import ROLE_PERMISSIONS

PERM = re.compile(r"\b([a-z_]+\.(?:view|add|change|delete)_[a-z]+)\b")
KNOWN_PERMS = set().union(*ROLE_PERMISSIONS.values())


@pytest.fixture
def openapi(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(openapi):
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_states_a_permission_that_roles_can_grant(openapi):
    for name, operation in operations(openapi):
        description = operation.get("description", "")
        assert description.startswith("Permission: "), name
        named = PERM.findall(description)
        assert named, name
        assert set(named) <= KNOWN_PERMS, (name, set(named) - KNOWN_PERMS)


def test_operation_ids_are_unique(openapi):
    ids = [operation["operationId"] for _, operation in operations(openapi)]
    assert len(ids) == len(set(ids))


def test_every_operation_requires_authentication(openapi):
    for name, operation in operations(openapi):
        assert operation.get("security"), name


def test_the_interactive_docs_are_served(db):
    assert Client().get("/api/v1/docs").status_code == 200
