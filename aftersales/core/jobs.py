"""The registry of time-driven jobs that `aftersales worker` runs.

A job is a function `fn(now: datetime) -> str` (the summary the worker prints and stores)
registered with `@scheduled_job(name, every=timedelta(...))` in an app's `tasks.py`. The
registry is filled at import time, the same way in every process, and holds no state that
changes at run time; when each job is due is kept in the ScheduledJob table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.module_loading import autodiscover_modules

JobFunction = Callable[[datetime], str]


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    function: JobFunction

    @property
    def interval_seconds(self) -> int:
        return int(self.every.total_seconds())


_registry: dict[str, Job] = {}


def scheduled_job(name: str, *, every: timedelta) -> Callable[[JobFunction], JobFunction]:
    """Register `fn(now) -> summary` to run every `every` (at least one second)."""
    if every.total_seconds() < 1:
        raise ValueError("A scheduled job runs at most once a second.")

    def register(function: JobFunction) -> JobFunction:
        existing = _registry.get(name)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ValueError(f"Scheduled job {name!r} is registered twice.")
        _registry[name] = Job(name=name, every=every, function=function)
        return function

    return register


def registered_jobs() -> dict[str, Job]:
    """All jobs, after importing every installed app's `tasks` module."""
    autodiscover_modules("tasks")
    return dict(_registry)
