"""Versions of small configuration tables that hot paths cache per process.

A create reads the service calendar and the routing rules on every request. Instead of
building them again each time, each process keeps the built value beside a *version token*
and rebuilds only when the token in the database differs. The tokens live in
`core_dataversion` (one row per name: "calendars", "routing") and are changed by database
triggers on every INSERT, UPDATE, DELETE (and TRUNCATE on PostgreSQL) of the tables behind
the name, so no write can slip past them: not a bulk update, not a cascade from a deleted
user, not the sqlite3 shell. A token is random, never a counter, so a rolled-back change can
never bring an old token back with different data behind it. While a name has no token (a
freshly flushed test database) nothing is cached for it.

All tokens are read in one small query (`read_versions`, or `versions_part` inside a
combined statement), once per create.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")

TABLE = "core_dataversion"

# A new random token for a name, per database; `{name}` is the SQL that gives the name.
_TOKEN = {"postgresql": "md5(random()::text || clock_timestamp()::text)", "sqlite": "lower(hex(randomblob(16)))"}
_UPSERT = ("INSERT INTO core_dataversion (name, token) VALUES ({name}, {token}) "
           "ON CONFLICT (name) DO UPDATE SET token = excluded.token")

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION core_dataversion_bump() RETURNS trigger AS $$
BEGIN
  {_UPSERT.format(name="TG_ARGV[0]", token=_TOKEN["postgresql"])};
  RETURN NULL;
END; $$ LANGUAGE plpgsql;"""


_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def _trigger_name(table: str, name: str, suffix: str = "") -> str:
    for part in (table, name):
        if not _IDENTIFIER.match(part):
            raise ValueError(f"not a plain identifier: {part!r}")
    return f"{table}_version_{name}{suffix}"


def install_triggers(schema_editor, name: str, tables: Iterable[str]) -> None:
    """In a migration: every change to `tables` gives `name` a new token (and give it one now)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION)
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {_trigger_name(table, name)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION core_dataversion_bump('{name}');")
    elif vendor == "sqlite":
        for table in tables:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {_trigger_name(table, name, '_' + event.lower())} AFTER {event} ON {table} "
                    f"BEGIN {_UPSERT.format(name=repr(name), token=_TOKEN['sqlite'])}; END;")
    else:  # pragma: no cover - the project supports these two databases
        raise NotImplementedError(f"no version triggers for {vendor}")
    schema_editor.execute(_UPSERT.format(name="%s", token=_TOKEN[vendor]), [name])


def remove_triggers(schema_editor, name: str, tables: Iterable[str]) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, name)} ON {table};")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, name, '_' + event)};")


# The tokens this process read last, per database (see `last_read`).
_last_read: dict[str, dict[str, str]] = {}


def _database() -> str:
    return connection.settings_dict["NAME"]


def _remember(tokens: dict[str, str] | None) -> dict[str, str]:
    tokens = tokens or {}
    _last_read[_database()] = tokens
    return tokens


def read_versions() -> dict[str, str]:
    """Every name's current token, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, token FROM {TABLE}")  # noqa: S608 - constant SQL
        return _remember(dict(cursor.fetchall()))


def versions_part():
    """`read_versions()` as a part of a combined statement (aftersales.core.onetrip)."""
    from aftersales.core.onetrip import Part

    return Part(sql=f"SELECT json_object_agg(name, token) FROM {TABLE}", params=(),  # noqa: S608 - constant SQL
                run=read_versions, convert=_remember)


def last_read() -> dict[str, str] | None:
    """The tokens this process read last from this database (None before the first read):
    what its caches were built under. A write that depends on them checks them in its own
    statement (`unchanged_sql`) instead of reading them first."""
    return _last_read.get(_database())


def unchanged_sql(tokens: dict[str, str]) -> tuple[str, tuple]:
    """A PostgreSQL condition, with its parameters, that holds while every token is still
    `tokens`: in a write's WHERE it makes the write happen only under the configuration the
    caller computed with (optimistic: if it changed, nothing is written, and the caller
    reads the tokens again and computes again)."""
    return (f"(SELECT coalesce(jsonb_object_agg(name, token), '{{}}'::jsonb) FROM {TABLE}) = %s::jsonb",  # noqa: S608
            (json.dumps(tokens),))


class VersionedCache:
    """Per-process values built from versioned tables: `get(key, token, build)` returns the
    value built under `token`, building it again when the token changed. A None token (no
    version known) always builds and caches nothing."""

    def __init__(self) -> None:
        self._values: dict[Any, tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, token: str | None, build: Callable[[], T]) -> T:
        if token is not None:
            cached = self._values.get(key)
            if cached is not None and cached[0] == token:
                return cached[1]
        value = build()
        if token is not None:
            with self._lock:
                self._values[key] = (token, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
