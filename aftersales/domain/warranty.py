"""Warranty arithmetic: when a warranty ends and what it covers on a given day.

Pure Python (no Django). All values are calendar dates (`datetime.date`) in the business
time zone of the caller (Asia/Shanghai by default); nothing here reads the clock.

A warranty of N months starts on the acceptance day and covers every day up to, but not
including, the same day of the month N months later. When that day does not exist (a
unit accepted on 31 January gets one month), the month's last day is the last covered day.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

NOTICE_DAYS_BEFORE = (90, 30)
"""Sales owners are told this many days before a warranty ends (largest first)."""


@dataclass(frozen=True)
class Term:
    """One warranty term of a contract item.

    `component` is the component's code, or None for the whole system; `months` is the
    length in calendar months from acceptance.
    """

    id: int
    component: str | None
    months: int
    label: str = ""


@dataclass(frozen=True)
class Coverage:
    """Whether a component is under warranty on a day.

    `until` is the last covered day (inclusive) of the longest applying term and `term` that
    term; `starts` is the acceptance day. Not accepted, or no applying term: `until`/`term`
    are None.
    """

    covered: bool
    until: date | None
    term: Term | None
    starts: date | None


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` calendar months later (may be negative), clamped
    to the last day of a shorter month (2024-01-31 + 1 month -> 2024-02-29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_end(start: date, months: int) -> date:
    """The last covered day of a warranty of `months` calendar months starting on `start`.

    2024-03-15 + 24 months covers through 2026-03-14; 2024-01-31 + 1 month covers through
    2024-02-29 (there is no 31 February, so the anniversary is taken as 1 March).
    `months` = 0 covers nothing: the result is the day before `start`.
    """
    if months < 0:
        raise ValueError("months must not be negative")
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)


def applying_terms(terms: Iterable[Term], component: str | None) -> list[Term]:
    """The whole-system terms plus the component's own terms (component = its code)."""
    return [t for t in terms if t.component is None or (component is not None and t.component == component)]


def coverage(terms: Iterable[Term], accepted_on: date | None, component: str | None, on: date) -> Coverage:
    """Whether `component` (a component code, None = the whole system) is covered on `on`.

    Every term starts on `accepted_on`; the component is covered while any applying term
    runs, i.e. from `accepted_on` through the latest end among them. Ties between terms
    ending on the same day go to the component's own term, which is the more specific one.
    """
    if accepted_on is None:
        return Coverage(covered=False, until=None, term=None, starts=None)
    applying = applying_terms(terms, component)
    if not applying:
        return Coverage(covered=False, until=None, term=None, starts=accepted_on)
    best = max(applying, key=lambda t: (warranty_end(accepted_on, t.months), t.component is not None))
    until = warranty_end(accepted_on, best.months)
    return Coverage(covered=accepted_on <= on <= until, until=until, term=best, starts=accepted_on)


def card_due(accepted_on: date) -> date:
    """The day by which the warranty card must be issued: one calendar month after
    acceptance (clamped: accepted 2024-01-31 -> due 2024-02-29)."""
    return add_months(accepted_on, 1)


def latest_acceptance_with_card_overdue(today: date) -> date:
    """The latest acceptance day whose card is overdue on `today` (card_due(day) < today).

    `card_due` never decreases as acceptance moves later, so a unit's card is overdue on
    `today` exactly when it was accepted on or before this day; selectors filter with it.
    """
    day = add_months(today, -1)
    # At most a few steps: clamping at month ends maps up to four days onto one due day.
    while card_due(day) >= today:
        day -= timedelta(days=1)
    while card_due(day + timedelta(days=1)) < today:
        day += timedelta(days=1)
    return day


def notice_dates(end: date, days_before: Sequence[int] = NOTICE_DAYS_BEFORE) -> list[tuple[int, date]]:
    """(days before, the day from which that notice is due) for a warranty ending on `end`
    (the last covered day), in the order of `days_before`."""
    return [(days, end - timedelta(days=days)) for days in days_before]


def notice_due(end: date, today: date, days_before: Sequence[int] = NOTICE_DAYS_BEFORE) -> int | None:
    """Which notice is due on `today` for a warranty whose last covered day is `end`.

    The tightest window that contains today: 20 days before the end only the 30-day notice
    is due (a 90-day notice sent that late would say nothing new). None once the warranty
    has ended or while it is further away than the widest window.
    """
    remaining = (end - today).days
    if remaining < 0:
        return None
    fitting = [days for days in days_before if remaining <= days]
    return min(fitting) if fitting else None
