"""Several small reads and writes in one round trip to the database.

Tiny statements, such as the version tokens of the cached configuration, a counter's next
value or ids for new rows, each cost a round trip (and, on a busy machine, a switch between
the worker and the database process), which costs more than the statement. `fetch(*parts)`
sends them together on PostgreSQL (a ticket create on SQLite, and the refill of the id
pools, use it; a writing part can also be a `rows.Late` value inside an INSERT):

    WITH w1 AS (UPDATE ... RETURNING last)          -- parts that write
    SELECT (SELECT json_object_agg(...) FROM ...),  -- parts that read: scalar subqueries
           (SELECT * FROM w1),
           (SELECT json_build_array(ARRAY(...)))

and returns one value per part, in order. A data-modifying CTE runs exactly once and within
the caller's transaction, like the statement it replaces; the whole statement sees one
snapshot, taken when it starts. Elsewhere (SQLite, in-process, where a round trip costs
nothing) each part runs on its own through its `run` function, which must give the same
value (tests/core/test_onetrip.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Part:
    """One value. `sql` (PostgreSQL) is a query giving one row of one column, or with
    `writes=True` an INSERT/UPDATE/DELETE whose RETURNING gives at most one row of one
    column (None when it gives none). `convert` turns the database's value into the
    caller's; `run()` computes the caller's value on its own, on any database."""

    sql: str
    params: tuple
    run: Callable[[], Any]
    writes: bool = False
    convert: Callable[[Any], Any] = _same


def fetch(*parts: Part) -> list[Any]:
    """The value of every part, in one statement on PostgreSQL."""
    if connection.vendor != "postgresql":
        return [part.run() for part in parts]
    ctes, cte_params, columns, column_params = [], [], [], []
    for index, part in enumerate(parts):
        if part.writes:
            ctes.append(f"w{index} AS ({part.sql})")
            cte_params += part.params
            columns.append(f"(SELECT * FROM w{index})")  # noqa: S608 - a CTE name
        else:
            columns.append(f"({part.sql})")
            column_params += part.params
    sql = (f"WITH {', '.join(ctes)} " if ctes else "") + "SELECT " + ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cte_params, *column_params])
        row = cursor.fetchone()
    return [part.convert(value) for part, value in zip(parts, row, strict=True)]
