"""Fixed-window rate limits kept in the shared cache (database or Redis), never in memory
of one process, so every gunicorn worker counts against the same budget."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


class RateLimited(Exception):
    def __init__(self, scope: str, retry_after: int):
        super().__init__(f"Too many {scope} requests; try again in {retry_after} s.")
        self.scope = scope
        self.retry_after = retry_after


def clock() -> float:
    """Seconds since the epoch; a seam for tests, which must not freeze `time.time` itself
    (the database cache computes its expiry times with it)."""
    return time.time()


def client_ident(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', 'unknown')}"


def hit(scope: str, ident: str) -> None:
    """Count one attempt; raise RateLimited when the window's budget is spent."""
    limit, window = settings.RATE_LIMITS[scope]
    now = int(clock())
    window_start = now - now % window
    key = f"rl:{scope}:{ident}:{window_start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        raise RateLimited(scope, window_start + window - now)


def reset(scope: str, ident: str) -> None:
    limit, window = settings.RATE_LIMITS[scope]
    now = int(clock())
    cache.delete(f"rl:{scope}:{ident}:{now - now % window}")
