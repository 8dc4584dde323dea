"""Five-level fault grading: the level of a ticket from how long its outage has lasted and
what it affects, the worst dimension winning, and when a running outage is re-graded.

Pure Python (no Django, no clock). Durations are `timedelta`; instants are aware datetimes.

The table (from the tenders), with the boundaries decided here:

| level | outage (how long the affected function has been unavailable) and impact        |
|-------|---------------------------------------------------------------------------------|
| L1    | more than 4 h, whatever is affected                                             |
| L2    | more than 2 h, up to and including 4 h, whatever is affected                    |
| L3    | more than 1 h, up to and including 2 h, with a core function affected           |
| L4    | up to and including 1 h with a core function affected; or more than 1 h, up to  |
|       | and including 2 h, with only a minor function unusable                          |
| L5    | up to and including 1 h with a minor function unusable; nothing affected; or a  |
|       | consultation or configuration-change request                                    |

- Boundaries: a threshold is crossed when the outage is *longer* than it (the tenders' 超过
  4 小时 / 1 小时以内): exactly 4 h is L2, exactly 2 h is L3 (core), exactly 1 h is L4 (core).
- Worst dimension: duration alone decides L1 and L2, so an L4 or L5 that goes on becomes L2
  after 2 h and L1 after 4 h. Between 1 h and 2 h duration raises the impact's own level one
  step: a core function goes L4 -> L3 (the table's L3), a minor function L5 -> L4, because
  the table reserves L3 for a core function and a minor function down for over an hour is
  worse than the L5 allowed for under an hour.
- Nothing affected (a question, a configuration wish) has no outage to grow: always L5.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Impact(StrEnum):
    """What the fault affects, in the customer's words."""

    CORE_FUNCTION = "core"
    """A core function of the system is affected."""
    MINOR_FUNCTION = "minor"
    """A minor function is unusable; the core works."""
    NONE = "none"
    """Nothing is out: a consultation or a configuration request."""


class Level(StrEnum):
    """Fault level, L1 the most severe."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"
    L5 = "L5"

    @property
    def rank(self) -> int:
        """1 for L1 ... 5 for L5: a lower rank is more severe."""
        return int(self.value[1])

    def is_worse_than(self, other: Level) -> bool:
        return self.rank < other.rank


class RequestCategory(StrEnum):
    """What the customer asks for (the ticket's category)."""

    FAULT = "fault"
    INSTALLATION = "installation"
    CONSULTATION = "consultation"
    CONFIGURATION_CHANGE = "configuration_change"
    RETURN_EXCHANGE = "return_exchange"
    COMPLAINT = "complaint"


REQUESTS_WITHOUT_OUTAGE = frozenset(
    {RequestCategory.CONSULTATION, RequestCategory.CONFIGURATION_CHANGE}
)
"""Categories that are requests, not faults: always L5 (the table's "consultation or
configuration request"). A request that turns out to involve a fault is recategorised."""

ONE_HOUR = timedelta(hours=1)
TWO_HOURS = timedelta(hours=2)
FOUR_HOURS = timedelta(hours=4)

_RESOLUTION = timedelta(microseconds=1)


def regrade_thresholds() -> tuple[timedelta, timedelta, timedelta]:
    """The outage lengths (1 h, 2 h, 4 h) whose crossing can change a running fault's level."""
    return (ONE_HOUR, TWO_HOURS, FOUR_HOURS)


def grade(
    outage: timedelta,
    impact: Impact,
    category: RequestCategory | None = None,
) -> Level:
    """The level of a fault whose affected function has been out for `outage` (>= 0; the
    time so far for a running outage), by the table in this module's docstring.
    `category` matters only for consultation and configuration-change requests, always L5.
    Raises ValueError for a negative outage."""
    if outage < timedelta(0):
        raise ValueError("outage must not be negative")
    impact = Impact(impact)
    if category is not None and RequestCategory(category) in REQUESTS_WITHOUT_OUTAGE:
        return Level.L5
    if impact is Impact.NONE:
        return Level.L5
    if outage > FOUR_HOURS:
        return Level.L1
    if outage > TWO_HOURS:
        return Level.L2
    core = impact is Impact.CORE_FUNCTION
    if outage > ONE_HOUR:
        return Level.L3 if core else Level.L4
    return Level.L4 if core else Level.L5


def next_regrade_at(
    outage_started_at: datetime,
    level: Level,
    *,
    impact: Impact = Impact.CORE_FUNCTION,
    after: datetime | None = None,
) -> datetime | None:
    """The first instant at which a running outage graded `level` must be re-graded to a
    worse level, or None when nothing can make it worse (L1, nothing affected).

    That instant is one microsecond (datetime's resolution) past the crossed threshold
    (1 h, 2 h or 4 h after `outage_started_at`), because a threshold is crossed when the
    outage is longer than it: a worker that fires at the returned due time and calls
    `grade(now - outage_started_at, impact)` sees the worse level. `level` may be a manual
    grade: only thresholds whose duration grade is worse than it count, and with `after`
    only instants later than `after` (so a manual downgrade is not undone by a threshold
    already passed)."""
    level = Level(level)
    for threshold in regrade_thresholds():
        due = outage_started_at + threshold + _RESOLUTION
        if after is not None and due <= after:
            continue
        if grade(threshold + _RESOLUTION, impact).is_worse_than(level):
            return due
    return None
