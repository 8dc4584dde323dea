"""Fixed-window rate limits shared by every process, never kept in one process's memory,
so every gunicorn worker counts against the same budget.

Without Redis the counter is one row per scope and client in `core_ratecounter`, counted
by a single statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING: one round trip,
atomic under concurrency on PostgreSQL and SQLite alike; the table is unlogged on
PostgreSQL). With REDIS_URL set the counter lives in the Redis cache instead.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

# Rows of clients not seen for this long are removed now and then (see `_prune`).
STALE_AFTER_SECONDS = 24 * 3600
PRUNE_ONE_IN = 1000


class RateLimited(Exception):
    def __init__(self, scope: str, retry_after: int):
        super().__init__(f"Too many {scope} requests; try again in {retry_after} s.")
        self.scope = scope
        self.retry_after = retry_after


def clock() -> float:
    """Seconds since the epoch; a seam for tests, which must not freeze `time.time` itself."""
    return time.time()


def client_ident(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', 'unknown')}"


def _uses_redis() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


_COUNT_SQL = (
    'INSERT INTO core_ratecounter ("key", window_start, "count") VALUES (%s, %s, 1) '
    'ON CONFLICT ("key") DO UPDATE SET '
    '"count" = CASE WHEN core_ratecounter.window_start = excluded.window_start '
    'THEN core_ratecounter."count" + 1 ELSE 1 END, '
    "window_start = excluded.window_start "
    'RETURNING "count"'
)


def _count_in_database(key: str, window_start: int) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the same upsert, as a function (core migration 0006)
            cursor.execute("SELECT core_ratecount(%s, %s)", [key, window_start])
        else:
            cursor.execute(_COUNT_SQL, [key, window_start])
        count = cursor.fetchone()[0]
    if random.randrange(PRUNE_ONE_IN) == 0:  # noqa: S311 - not security relevant: when to tidy up
        _prune(window_start)
    return count


def _prune(now: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_ratecounter WHERE window_start < %s", [now - STALE_AFTER_SECONDS])


def _count_in_cache(key: str, window_start: int, window: int) -> int:
    key = f"rl:{key}:{window_start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        return 1


def _window(scope: str) -> tuple[int, int, int, int]:
    """(limit, window length, start of the current window, now) in whole seconds."""
    limit, window = settings.RATE_LIMITS[scope]
    now = int(clock())
    return limit, window, now - now % window, now


def hit(scope: str, ident: str) -> None:
    """Count one attempt; raise RateLimited when the window's budget is spent."""
    limit, window, window_start, now = _window(scope)
    key = f"{scope}:{ident}"
    count = _count_in_cache(key, window_start, window) if _uses_redis() else _count_in_database(key, window_start)
    if count > limit:
        raise RateLimited(scope, window_start + window - now)


def reset(scope: str, ident: str) -> None:
    """Forget the client's attempts in the current window (a successful login)."""
    _limit, _length, window_start, _now = _window(scope)
    if _uses_redis():
        cache.delete(f"rl:{scope}:{ident}:{window_start}")
        return
    with connection.cursor() as cursor:
        cursor.execute('DELETE FROM core_ratecounter WHERE "key" = %s', [f"{scope}:{ident}"])


# --- API writes -------------------------------------------------------------------------
# Every authenticated write through the API counts against the caller's "write" budget at
# authentication (aftersales.core.api), before any permission or scoping check, so a refused
# write is an attempt all the same and an over-budget one does no work at all. With a bearer
# token on PostgreSQL (counters in the database) the count rides on the token look-up: its
# SELECT calls core_ratecount() for the token's user, and the write costs no statement of
# its own.

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def counts_in_token_lookup(request) -> bool:
    return request.method in WRITE_METHODS and connection.vendor == "postgresql" and not _uses_redis()


def write_count_in_lookup(window_start: int):
    """The ORM expression that counts a write of the row's user (`user_id`) and gives the count."""
    from django.db.models import CharField, Func, IntegerField, Value
    from django.db.models.functions import Cast, Concat

    return Func(Concat(Value("write:user:"), Cast("user_id", output_field=CharField())), Value(window_start),
                function="core_ratecount", output_field=IntegerField())


def write_window_start() -> int:
    return _window("write")[2]


def check_write_count(count: int, window_start: int) -> None:
    """Raise RateLimited when `count` (made by `write_count_in_lookup` in the window starting
    at `window_start`) is over the write budget."""
    limit, window, _current, now = _window("write")
    if count > limit:
        raise RateLimited("write", max(1, window_start + window - now))
