"""Writing a small graph of new rows in as few round trips as the database allows.

A service request's create writes up to eight rows in four tables (the ticket, its SLA
targets, the timeline event, the audit record). Saved one model at a
time through the ORM, each row costs a compiled INSERT and a round trip. Here instead:

1. `new(Model, **values)` builds the objects (what the constructor builds, quicker).
2. Their primary keys come up front, so rows can point at each other before anything is
   written: `pooled_ids` (PostgreSQL: from a per-process pool refilled from each table's
   sequence a block at a time), or `assign_ids` / `ids_part` inside a combined statement
   (aftersales.core.onetrip) then `give_ids` (SQLite: the table's AUTOINCREMENT counter in
   `sqlite_sequence`, inside the caller's transaction, which holds SQLite's write lock).
3. `insert_rows(objects, late=...)` writes them: on PostgreSQL in ONE statement, atomic by
   itself (each table's INSERT a data-modifying CTE over its rows passed as one JSON
   document; foreign keys are checked at its commit), on SQLite one multi-row INSERT per
   table inside the caller's transaction. A `Late` value (a counter's next value) is worked
   out by that same statement and written where its marker stands. The SQL text is built
   once per shape.

Values go through each field's own `pre_save` and `get_db_prep_save`, exactly as the ORM's
INSERT prepares them (auto_now stamps, JSON, time zones, encrypted fields); on PostgreSQL a
plain field holding a plain value skips that chain, with the same result (tested). Model `save()`
overrides and save signals are not run: use this only for models that have neither (it
checks the override). On SQLite it must run inside `transaction.atomic()`.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import math
import secrets
import threading
import uuid
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

import orjson
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import signals
from psycopg.types.json import Jsonb

from aftersales.core import onetrip


class RowsError(RuntimeError):
    pass


def _check_model(model: type[models.Model]) -> None:
    if model.save is not models.Model.save and not getattr(model, "rows_insert_ok", False):
        raise RowsError(f"{model.__name__} overrides save(); insert_rows would skip it")


def _require_atomic() -> None:
    """SQLite's ids and multi-statement writes need the caller's transaction; PostgreSQL's
    sequences and single statement do not (`one_statement`)."""
    if not one_statement() and not transaction.get_connection().in_atomic_block:
        raise RowsError("assign_ids and insert_rows must run inside transaction.atomic()")


@cache
def _pg_sequence(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), column])
        (name,) = cursor.fetchone()
    if name is None:
        raise RowsError(f"{table}.{column} has no sequence")
    return name


def _sqlite_allocate(requests: Sequence[tuple[type[models.Model], int]]) -> list[list[int]]:
    """For each (model, n): n new primary-key values from SQLite's AUTOINCREMENT counters."""
    if connection.vendor != "sqlite":  # pragma: no cover - the project supports these two databases
        raise RowsError(f"assign_ids does not support {connection.vendor}")
    tables = [model._meta.db_table for model, _count in requests]
    counts = dict(zip(tables, (count for _model, count in requests), strict=True))
    last = _sqlite_advance(counts)
    missing = [table for table in tables if table not in last]
    if missing:  # a table that never had a row has no counter yet: start it at its largest id
        with connection.cursor() as cursor:
            for table in missing:
                cursor.execute(f"INSERT INTO sqlite_sequence (name, seq) SELECT %s, coalesce(max(rowid), 0) "  # noqa: S608
                               f"FROM {connection.ops.quote_name(table)}", [table])
        last |= _sqlite_advance({table: counts[table] for table in missing})
    return [list(range(last[table] - counts[table] + 1, last[table] + 1)) for table in tables]


def _sqlite_advance(counts: dict[str, int]) -> dict[str, int]:
    """Move each table's AUTOINCREMENT counter on by its count, in one statement; the new
    values by table (tables without a counter row are absent)."""
    cases = " ".join("WHEN %s THEN %s" for _ in counts)
    params = [value for table, count in counts.items() for value in (table, count)]
    placeholders = ", ".join("%s" for _ in counts)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE sqlite_sequence SET seq = seq + CASE name {cases} END "  # noqa: S608 - placeholders only
                       f"WHERE name IN ({placeholders}) RETURNING name, seq", [*params, *counts])
        return dict(cursor.fetchall())


@cache
def _construction(model: type[models.Model]):
    """Per model: the fields' values when not given (fixed defaults, worked out once), the
    fields whose default is called for each object, and every field by name and attname."""
    fixed, called, by_name = {}, [], {}
    for f in model._meta.concrete_fields:
        if f.has_default() and callable(f.default):
            called.append(f)
        else:
            fixed[f.attname] = f.get_default()
        by_name[f.name] = by_name[f.attname] = f
    return fixed, tuple(called), by_name


@cache
def _own_init(model: type[models.Model]) -> bool:
    return model.__init__ is not models.Model.__init__


def plain_init(model: type[models.Model]) -> bool:
    """Whether objects of `model` may be built without calling `Model.__init__` (`new`,
    `core.prepared`): the model does not override it and no init signal listens."""
    return not _own_init(model) and not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))


def new(model: type[models.Model], **values) -> models.Model:
    """`model(**values)`, a new unsaved object, built without `Model.__init__`'s walk over
    every field (a quarter of the cost of a ticket create's rows): the same attributes, the
    same cached related objects. Falls back to the constructor for anything but concrete
    fields and plain foreign keys given as objects or ids, and where `plain_init` says no."""
    fixed, called, by_name = _construction(model)
    if not plain_init(model):
        return model(**values)
    related = []
    for name, value in values.items():
        f = by_name.get(name)
        if f is None:
            return model(**values)
        if f.is_relation and name == f.name:
            if type(f) is not models.ForeignKey or not (value is None or isinstance(value, f.remote_field.model)):
                return model(**values)
            related.append((f, value))
    obj = model.__new__(model)
    obj._state = models.base.ModelState()
    attributes = obj.__dict__
    attributes.update(fixed)
    for f in called:
        attributes[f.attname] = f.get_default()
    for name, value in values.items():
        attributes[by_name[name].attname] = value
    for f, value in related:
        attributes[f.attname] = None if value is None else getattr(value, f.target_field.attname)
        f.set_cached_value(obj, value)
    return obj


def assign_ids(*groups: Sequence[models.Model]) -> None:
    """Give every object of every group (one model per group) a new primary key."""
    _require_atomic()
    groups = _checked_groups(groups)
    [ids] = onetrip.fetch(ids_part([(type(g[0]), len(g)) for g in groups]))
    give_ids(groups, ids)


def _checked_groups(groups) -> list[list[models.Model]]:
    groups = [list(group) for group in groups if group]
    for group in groups:
        if any(obj.pk is not None for obj in group):
            raise RowsError("assign_ids: an object already has a primary key")
        if len({type(obj) for obj in group}) != 1:
            raise RowsError("assign_ids: one model per group")
    if len({type(group[0]) for group in groups}) != len(groups):
        raise RowsError("assign_ids: one group per model")
    return groups


def ids_part(requests: Sequence[tuple[type[models.Model], int]]):
    """New primary keys for (model, count) pairs as a part of a combined statement
    (aftersales.core.onetrip): one list of ids per pair; hand them out with `give_ids`. On
    PostgreSQL `nextval` of each table's sequence; elsewhere SQLite's counters."""
    requests = tuple((model, int(count)) for model, count in requests)
    if connection.vendor != "postgresql":
        return onetrip.Part(sql="", params=(), run=lambda: _sqlite_allocate(requests))
    return onetrip.Part(sql=_pg_ids_sql(requests), params=(), run=lambda: onetrip.fetch(ids_part(requests))[0])


@lru_cache(maxsize=64)
def _pg_ids_sql(requests: tuple[tuple[type[models.Model], int], ...]) -> str:
    """The ids statement with its sequences and counts written into the text, not passed as
    parameters: with `generate_series(1, $n)` PostgreSQL cannot know the row count when it
    plans the prepared statement once for all values, estimates 1,000 rows, and so plans
    the statement anew on every run (a quarter of a millisecond each time). One text per
    shape (a create has a handful) keeps the plan cached."""
    def array(model: type[models.Model], count: int) -> str:
        sequence = _pg_sequence(model._meta.db_table, model._meta.pk.column).replace("'", "''")
        nextval = f"nextval('{sequence}'::regclass)"
        return f"ARRAY[{', '.join([nextval] * count)}]::bigint[]"

    return f"SELECT json_build_array({', '.join(array(model, count) for model, count in requests)})"


# Ids handed out ahead, per process and database (PostgreSQL): see `pooled_ids`.
POOL_BLOCK = 32
_pools: dict[tuple[str, str], list[int]] = {}
_pools_lock = threading.Lock()


def pooled_ids(requests: Sequence[tuple[type[models.Model], int]]) -> list[list[int]]:
    """New primary keys for (model, count) pairs, taken from this process's pool of ids and
    refilled from each table's sequence `POOL_BLOCK` at a time, in one statement for every
    pool that runs short: a create then usually needs no round trip for its ids (the
    "pooled" id generators of Hibernate and others). PostgreSQL only (SQLite's ids belong
    to the write transaction: `ids_part`). The ids are unique like any the sequence gives,
    but ids from different processes no longer rise with time, and a process that stops
    leaves the rest of its block unused: order rows by time, never by id alone."""
    if not one_statement():
        raise RowsError("pooled_ids serves PostgreSQL's sequences only; use ids_part")
    database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    keys = [(database, model._meta.db_table) for model, _count in requests]
    with _pools_lock:
        short = [(model, max(POOL_BLOCK, count), key) for (model, count), key in zip(requests, keys, strict=True)
                 if len(_pools.get(key, ())) < count]
        if short:
            [fresh] = onetrip.fetch(ids_part([(model, size) for model, size, _key in short]))
            for (_model, _size, key), ids in zip(short, fresh, strict=True):
                _pools.setdefault(key, []).extend(ids)
        taken = []
        for (_model, count), key in zip(requests, keys, strict=True):
            pool = _pools[key] if count else []
            taken.append(pool[:count])
            del pool[:count]
        return taken


def clear_pools() -> None:
    """Drop this process's pooled ids (tests; a process whose database was restored from a
    backup must be restarted anyway)."""
    with _pools_lock:
        _pools.clear()


def give_ids(groups: Sequence[Sequence[models.Model]], ids: Sequence[Sequence[int]]) -> None:
    """Set the primary keys `ids` (from `ids_part`, one list per group) on the objects."""
    _require_atomic()
    pairs = [(group, group_ids) for group, group_ids in zip(groups, ids, strict=True) if group or group_ids]
    _checked_groups([group for group, _ids in pairs])
    for group, group_ids in pairs:
        for obj, pk in zip(group, group_ids, strict=True):
            obj.pk = pk


@cache
def _relations(model: type[models.Model]) -> tuple[tuple, bool]:
    """Per concrete relation field of the model: (cache name, attribute, the related model's
    attribute it holds, field); and whether the model has private (generic) relations."""
    return (tuple((f.cache_name, f.attname, f.target_field.attname, f) for f in model._meta.concrete_fields
                  if f.is_relation),
            bool(model._meta.private_fields))


def _prepare_related(obj: models.Model) -> None:
    """Django's `Model._prepare_related_fields_for_save`, walking only the relation fields
    instead of every field: an unsaved related object is refused (ValueError), a related
    object saved since it was assigned gives its id, a stale cached object is dropped."""
    relations, private = _relations(type(obj))
    if private:
        obj._prepare_related_fields_for_save(operation_name="insert_rows")
        return
    cached = obj._state.fields_cache
    for cache_name, attname, target_attname, field in relations:
        related = cached.get(cache_name)
        if not related:
            continue
        if not related._is_pk_set():
            if not field.remote_field.multiple:
                field.remote_field.delete_cached_value(related)
            raise ValueError(f"insert_rows() prohibited to prevent data loss due to unsaved related object "
                             f"'{field.name}'.")
        value = getattr(obj, attname)
        if value is None or value in field.empty_values:
            setattr(obj, field.name, related)
            value = getattr(obj, attname)
        if getattr(related, target_attname) != value:
            field.delete_cached_value(obj)


def _is_stamp(field: models.Field) -> bool:
    """An auto_now / auto_now_add time, which the INSERT fills unless `stamp` did."""
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


@cache
def _stamps(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(f for f in model._meta.local_concrete_fields if _is_stamp(f))


def stamp(obj: models.Model) -> None:
    """Fill the object's auto_now / auto_now_add times now, as its INSERT would (so a
    snapshot taken before `insert_rows` shows them); `insert_rows` keeps them."""
    for field in _stamps(type(obj)):
        if getattr(obj, field.attname) is None:
            field.pre_save(obj, add=True)


def _value(field: models.Field, obj: models.Model, db):
    if _is_stamp(field) and getattr(obj, field.attname) is not None:
        value = getattr(obj, field.attname)  # stamped already (see `stamp`)
    else:
        value = field.pre_save(obj, add=True)
    return field.get_db_prep_save(value, connection=db)


# Field classes (exactly these, not subclasses, which may prepare values their own way) whose
# preparation for the database leaves a value of the matching type as it is.
_TEXT_FIELDS = frozenset({models.CharField, models.TextField})
_INT_FIELDS = frozenset({models.IntegerField, models.SmallIntegerField, models.BigIntegerField,
                         models.PositiveIntegerField, models.PositiveSmallIntegerField, models.BigAutoField,
                         models.AutoField, models.ForeignKey})
_SLOW, _TEXT, _INT, _BOOL, _DATETIME, _STAMP, _JSON = range(7)
# Per mode of `_mode`, the value types taken as they are (subclasses included: choices members).
_PLAIN_TYPES = {_TEXT: str, _INT: int, _BOOL: bool}


def _mode(field: models.Field) -> int:
    """How `_json_row` may take a field's value without Django's chain: a text, integer or
    boolean field holding None or a str, an int (not a bool) or a bool (choices members
    included: they are str or int) (_TEXT, _INT, _BOOL);
    a datetime field holding an aware datetime or None (_DATETIME), or for an auto_now
    time, once `stamp` filled it (_STAMP); a JSONField without its own encoder holding
    anything, which the statement's JSON document carries exactly as the field's own dump
    would (_JSON). Any other value, and any other field, goes through Django's chain."""
    if type(field) is models.DateTimeField:
        return _STAMP if _is_stamp(field) else _DATETIME
    if type(field) in _TEXT_FIELDS:
        return _TEXT
    if type(field) in _INT_FIELDS:
        return _INT
    if type(field) is models.BooleanField:
        return _BOOL
    if type(field) is models.JSONField and field.encoder is None:
        return _JSON
    return _SLOW


@cache
def _json_plan(model: type[models.Model], with_pk: bool) -> tuple[tuple[str, int, models.Field], ...]:
    """Per column, in order: (attribute, how to take the value, field), worked out once."""
    return tuple((f.attname, _mode(f), f) for f in _fields(model, with_pk))


def _json_row(obj: models.Model, with_pk: bool, db) -> list:
    """The row of `obj` as a JSON array, a value per column: `_json_value(_value(...))` per
    field, without Django's preparation chain for the common cases (see `_mode`), which took
    about a fifth of a create's Python time. The result is the same once written
    (tests/core/test_rows.py)."""
    row = []
    append = row.append
    for attname, mode, field in _json_plan(type(obj), with_pk):
        if mode:
            value = getattr(obj, attname)
            if mode == _JSON:
                append(value)
                continue
            if mode <= _BOOL:
                if value is None or (isinstance(value, _PLAIN_TYPES[mode]) and (mode != _INT or type(value) is not bool)):
                    append(value)
                    continue
            elif type(value) is datetime.datetime and value.utcoffset() is not None:
                append(value)  # written by orjson as isoformat() writes it
                continue
            elif value is None and mode == _DATETIME:
                append(None)
                continue
        append(_json_value(_value(field, obj, db)))
    return row


def _json_cell(index: int, field: models.Field) -> str:
    """The SQL that reads column `index` of a row `r` of a JSON document (an array of rows,
    each an array of values): as text cast to the column's type, whose own input function
    reads it (a length-limited text as `text`, so that the column's length check still
    refuses an overlong value: an explicit cast to varchar(n) would cut it short); a JSON
    column's value as it is, JSON null as SQL NULL (as the field's own save writes None)."""
    if field.get_internal_type() == "JSONField":
        return f"nullif(r->{index}, 'null'::jsonb)"
    db_type = field.db_type(connection) or "text"
    if db_type.split("(")[0].strip().lower() in {"varchar", "character varying", "char", "character"}:
        db_type = "text"
    return f"(r->>{index})::{db_type}"


def _fields(model: type[models.Model], with_pk: bool) -> list[models.Field]:
    return [f for f in model._meta.local_concrete_fields if with_pk or not f.primary_key]


@lru_cache(maxsize=256)
def _insert_sql(vendor: str, shape: tuple[tuple[type[models.Model], bool, int], ...], late_sql: str = "") -> tuple[str, ...]:
    """PostgreSQL: ONE statement (data-modifying CTEs), each table's rows passed as one JSON
    document, an array of rows that are arrays of values (no keys: PostgreSQL neither
    parses, sorts nor looks up column names per row, a fifth less of its work per create
    than `jsonb_populate_recordset` over objects), so the statement has one parameter per
    table whatever the rows; with `late_sql` (see `Late`)
    the statement first runs it and writes its value in place of the marker in every
    document, and gives the value back. SQLite: one multi-row INSERT per table. Built once
    per shape."""
    quote = connection.ops.quote_name
    statements = []
    for model, with_pk, count in shape:
        fields = _fields(model, with_pk)
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in fields)
        if vendor == "postgresql":
            document = "replace(%s::text, %s::text, (SELECT text FROM late_text))::jsonb" if late_sql else "%s::jsonb"
            cells = ", ".join(_json_cell(index, field) for index, field in enumerate(fields))
            values = f"SELECT {cells} FROM jsonb_array_elements({document}) AS r"  # noqa: S608
        else:
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            values = "VALUES " + ", ".join([row] * count)
        statements.append(f"INSERT INTO {table} ({columns}) {values}")  # noqa: S608 - names from the models
    if vendor != "postgresql":
        return tuple(statements)
    ctes = [f"w{index} AS ({sql})" for index, sql in enumerate(statements[:-1])]
    if late_sql:
        # The value as it stands inside a JSON string (quotes and backslashes escaped).
        ctes[:0] = [f"late(value) AS ({late_sql})",
                    "late_text(text) AS (SELECT substr(j, 2, length(j) - 2) FROM (SELECT to_json(value::text)::text "
                    "FROM late) AS json(j))"]
    last = statements[-1] + (" RETURNING (SELECT value FROM late)" if late_sql else "")  # noqa: S608 - no values
    return ((f"WITH {', '.join(ctes)} " if ctes else "") + last,)


def _json_document(value_rows: list[list]) -> str:
    """One table's rows as the statement's JSON document. orjson writes an aware datetime
    as `isoformat()` does, several times faster; inside a JSONField's value it takes a few
    types that `json.dumps` (and so `save()`) refuses (datetimes, UUIDs, dataclasses) and
    writes NaN as null: values the services build are plain JSON."""
    return orjson.dumps(value_rows, option=orjson.OPT_NON_STR_KEYS).decode()


def _json_value(value):
    """A value prepared for the database (`get_db_prep_save`) as JSON the column accepts."""
    if isinstance(value, float) and not math.isfinite(value):
        raise RowsError("insert_rows cannot pass NaN or infinity as JSON")
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Jsonb):  # a JSONField's value, with the field's own encoder
        return json.loads(value.dumps(value.obj)) if value.dumps is not None else value.obj
    raise RowsError(f"insert_rows cannot pass a {type(value).__name__} value as JSON")


def _grouped(objects: Iterable[models.Model]) -> list[tuple[type[models.Model], list[models.Model]]]:
    """Consecutive objects of one model form one INSERT; order is kept (SQLite checks
    foreign keys as it goes only if they are immediate; Django's are deferred)."""
    groups: list[tuple[type[models.Model], list[models.Model]]] = []
    for obj in objects:
        if groups and type(obj) is groups[-1][0]:
            groups[-1][1].append(obj)
        else:
            groups.append((type(obj), [obj]))
    return groups


@dataclasses.dataclass(frozen=True)
class Late:
    """A value the database works out while the rows are written, in the same statement:
    the next value of a counter, say, which must be taken only if the rows are written and
    held until they commit. Until then the rows hold `marker` in its place (in any text or
    JSON value); `insert_rows` writes the value wherever the marker stands and gives it
    back. `part.sql` is an UPDATE ... RETURNING one text value (PostgreSQL); `part.run()`
    gives the same on any database. No value (no counter row): nothing is written.

    The marker is random per `Late`, so no one can put it in a value beforehand."""

    part: onetrip.Part
    marker: str = dataclasses.field(default_factory=lambda: f"late-{secrets.token_hex(16)}")


def one_statement() -> bool:
    """Whether `insert_rows` writes everything in one statement, atomic by itself: then the
    caller needs no transaction around `ids_part`/`give_ids` and `insert_rows` (PostgreSQL)."""
    return connection.vendor == "postgresql"


def insert_rows(objects: Sequence[models.Model], *, late: Late | None = None) -> str | None:
    """INSERT every object (new, unsaved) with its current field values. Objects without a
    primary key get one from the database but do not learn it: give ids with `assign_ids`
    to rows anything points at or anyone reads back. With `late`, the late value, or None
    (and nothing written) when the database had none. On PostgreSQL one statement; on
    other databases it must run inside `transaction.atomic()`."""
    _require_atomic()
    db = connections[DEFAULT_DB_ALIAS]
    postgresql = db.vendor == "postgresql"
    shape, params = [], []
    for model, group in _grouped(objects):
        _check_model(model)
        with_pk = group[0].pk is not None
        if any((obj.pk is not None) != with_pk for obj in group):
            raise RowsError(f"insert_rows: {model.__name__} objects with and without primary keys")
        fields = None if postgresql else _fields(model, with_pk)
        value_rows = []
        for obj in group:
            if not obj._state.adding:
                raise RowsError(f"insert_rows: {obj!r} is already saved")
            _prepare_related(obj)
            if postgresql:
                value_rows.append(_json_row(obj, with_pk, db))
            else:
                value_rows.append([_value(f, obj, db) for f in fields])
        shape.append((model, with_pk, len(group)))
        if postgresql:
            params += [_json_document(value_rows), *((late.marker,) if late else ())]
        else:
            params.append([value for row in value_rows for value in row])
    if not shape:
        return None
    value = None
    if postgresql:
        [statement] = _insert_sql(db.vendor, tuple((m, pk, 0) for m, pk, _n in shape), late.part.sql if late else "")
        with db.cursor() as cursor:
            cursor.execute(statement, [*(late.part.params if late else ()), *params])
            if late:
                row = cursor.fetchone()
                value = late.part.convert(row[0]) if row else None
                if value is None:
                    return None
    else:
        if late:
            value = late.part.run()
            if value is None:
                return None
            if json.dumps(value, ensure_ascii=False)[1:-1] != value:
                raise RowsError("a late value must need no escaping in JSON")
            params = [[v.replace(late.marker, value) if isinstance(v, str) else v for v in table_params]
                      for table_params in params]
        statements = _insert_sql(db.vendor, tuple(shape))
        with db.cursor() as cursor:
            for statement, table_params in zip(statements, params, strict=True):
                cursor.execute(statement, table_params)
    for obj in objects:
        obj._state.adding, obj._state.db = False, db.alias
    return value
