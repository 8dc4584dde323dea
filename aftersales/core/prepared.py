"""Hot reads compiled once per process.

The ORM builds the SQL of a queryset anew on every evaluation; for a look-up that runs on
every API request (the bearer token with its user, the ids a create names) compiling costs
more than the query. `PreparedQuery` lets the ORM compile the queryset once per database,
with marker values where the arguments go, remembers the SQL and how to turn rows into
model instances (the ORM's own converters and related-object populators), and afterwards
only binds the new values:

    TOKEN = PreparedQuery(lambda key_hash: ApiToken.objects.select_related("user")
                          .filter(key_hash=key_hash, revoked=False))
    token = TOKEN.first("ab12...")

Arguments must be plain ints or strs that the queryset uses as given (compared by value in
the compiled parameters); anything else raises at first use rather than guessing.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.query import get_related_populators

from aftersales.core.rows import plain_init

_markers = itertools.count(1)


class PreparedQueryError(RuntimeError):
    pass


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (position in params, argument index)
    model: type[Model]
    init_list: tuple[str, ...]
    model_slice: slice
    converters: dict
    compiler: Any
    populators: tuple
    annotations: tuple[tuple[str, int], ...]  # (attribute, position in the row)


class PreparedQuery:
    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self._build = build
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _markers_for(self, args: tuple) -> list:
        markers = []
        for arg in args:
            number = next(_markers)
            if isinstance(arg, bool) or not isinstance(arg, int | str):
                raise PreparedQueryError(f"arguments must be int or str, not {type(arg).__name__}")
            # Values no real argument takes: huge negative ids, strings with a NUL byte.
            markers.append(-(10**15) - number if isinstance(arg, int) else f"\x00prepared-{number}\x00")
        return markers

    def _compile(self, db, args: tuple) -> _Compiled:
        markers = self._markers_for(args)
        queryset = self._build(*markers)
        compiler = queryset.query.get_compiler(using=db.alias)
        sql, params = compiler.as_sql()
        slots = []
        for index, marker in enumerate(markers):
            found = [position for position, value in enumerate(params) if value == marker]
            if len(found) != 1:
                raise PreparedQueryError(f"argument {index} appears {len(found)} times in the compiled parameters")
            slots.append((found[0], index))
        klass_info, select = compiler.klass_info, compiler.select
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise PreparedQueryError("known related objects and prefetches are not supported")
        fields = [s[0] for s in select[0:compiler.col_count]]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            sql=sql, params=tuple(params), slots=tuple(slots), model=klass_info["model"],
            init_list=tuple(f[0].target.attname for f in select[start:end]), model_slice=slice(start, end),
            converters=compiler.get_converters(fields), compiler=compiler,
            populators=tuple(get_related_populators(klass_info, select, db.alias)),
            annotations=tuple(compiler.annotation_col_map.items()))

    def all(self, *args) -> list[Model]:
        db = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(db.vendor)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(db.vendor) or self._compile(db, args)
                self._compiled[db.vendor] = compiled
        params = list(compiled.params)
        for position, index in compiled.slots:
            params[position] = args[index]
        with db.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        objects = []
        for row in rows:
            obj = _from_db(compiled.model, db.alias, compiled.init_list, row[compiled.model_slice])
            for populator in compiled.populators:
                _populate(populator, row, obj, db.alias)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, *args) -> Model | None:
        found = self.all(*args)
        return found[0] if found else None


def _from_db(model: type[Model], alias: str, attnames: Sequence[str], values) -> Model:
    """`model.from_db(alias, attnames, values)` without `Model.__init__`'s walk over every
    field (the look-ups build six objects per ticket create): the loaded attributes, the
    others deferred (absent, as `from_db` leaves them), the state of a loaded object. A
    model with its own `from_db` or `__init__`, or with init signals, goes through Django."""
    if not plain_init(model) or _own_from_db(model):
        return model.from_db(alias, list(attnames), values)
    obj = model.__new__(model)
    obj.__dict__.update(zip(attnames, values, strict=True))
    state = obj._state = ModelState()
    state.adding, state.db = False, alias
    return obj


@functools.cache
def _own_from_db(model: type[Model]) -> bool:
    return model.from_db.__func__ is not Model.from_db.__func__


def _populate(populator, row, from_obj: Model, alias: str) -> None:
    """Django's `RelatedPopulator.populate`, building the related object with `_from_db`."""
    data = populator.reorder_for_init(row) if populator.reorder_for_init else row[populator.cols_start:populator.cols_end]
    if data[populator.pk_idx] is None:
        obj = None
    else:
        obj = _from_db(populator.model_cls, alias, populator.init_list, data)
        for related in populator.related_populators:
            _populate(related, row, obj, alias)
    populator.local_setter(from_obj, obj)
    if obj is not None:
        populator.remote_setter(obj, from_obj)
