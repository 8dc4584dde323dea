"""SLA clocks: the targets a service contract promises for a ticket of a given level, when
each is due on the contract's calendar, how far each clock has run at a moment, when its
50 / 75 / 100 % warnings fall, and the clocks of a ticket replayed at any past moment.

Pure Python (no Django, no clock: `now` and `moment` are passed in). Instants are aware
datetimes in any time zone; results are in the calendar's time zone. Durations of targets
are whole minutes; elapsed and remaining time are reported in (possibly fractional)
minutes. The arithmetic is interval arithmetic on `BusinessCalendar` (no minute stepping).

Rules (docs/decisions/0007-ticket-sla-clocks.md):

- Every target counts from the ticket's clock start (when the request was received),
  except the loaner, which counts from the resolve target's due time: a replacement unit is
  owed within 48 clock hours once the fault has not been fixed within the resolve time.
- A business-time target counts only the calendar's opening hours (5x8: working days
  09:30-19:30 Asia/Shanghai); a clock-time target counts every minute.
- A pause (waiting for the customer) stops every clock it overlaps: the due time moves on by
  the business (or clock) time the pause took out of the target's running window. A pause
  that has not ended yet must be closed by the caller (e.g. at `now`) before computing due
  times, because its length is unknown.
- Re-grade: the open targets are recomputed under the new level's policy from the same clock
  start; targets already met stay met with the due time they had; open targets whose kind
  the new level does not promise are dropped; kinds it adds are created.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

from aftersales.domain.calendar import MICROSECONDS_PER_MINUTE, BusinessCalendar
from aftersales.domain.grading import Level

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)

ESCALATION_THRESHOLDS: tuple[int, ...] = (50, 75, 100)
"""Percentages of a target's time at which the assignee, group lead and manager are told."""


class TargetKind(StrEnum):
    RESPOND = "respond"
    DIAGNOSE = "diagnose"
    ON_SITE = "on_site"
    RESOLVE = "resolve"
    LOANER = "loaner"


@dataclass(frozen=True)
class TargetSpec:
    """One promise: `minutes` (> 0) of business time (on the contract's calendar) or of
    clock time; `counts_from` another kind's due time instead of the clock start."""

    kind: TargetKind
    minutes: int
    business_time: bool = True
    counts_from: TargetKind | None = None

    def __post_init__(self) -> None:
        if type(self.minutes) is not int or self.minutes <= 0:
            raise ValueError("a target's minutes must be a positive whole number")
        if self.counts_from == self.kind:
            raise ValueError("a target cannot count from itself")


@dataclass(frozen=True)
class Policy:
    """The targets per level. A kind that counts from another must come after it."""

    targets: Mapping[Level, tuple[TargetSpec, ...]]

    def specs(self, level: Level) -> tuple[TargetSpec, ...]:
        return tuple(self.targets.get(Level(level), ()))


_URGENT = (
    TargetSpec(TargetKind.RESPOND, 15),
    TargetSpec(TargetKind.DIAGNOSE, 30),
    TargetSpec(TargetKind.ON_SITE, 240),
    TargetSpec(TargetKind.RESOLVE, 480),
    TargetSpec(TargetKind.LOANER, 2880, business_time=False, counts_from=TargetKind.RESOLVE),
)
_SERIOUS = (
    TargetSpec(TargetKind.RESPOND, 30),
    TargetSpec(TargetKind.DIAGNOSE, 60),
    TargetSpec(TargetKind.ON_SITE, 1440),
    TargetSpec(TargetKind.RESOLVE, 1440),
)
DEFAULT_POLICY = Policy({
    Level.L1: _URGENT,
    Level.L2: _URGENT,
    Level.L3: _SERIOUS,
    Level.L4: _SERIOUS,
    Level.L5: (TargetSpec(TargetKind.RESPOND, 1440),),
})
"""The tenders' defaults: L1-L2 respond 15 min, diagnose 30 min, on site 4 h, resolve 8 h,
then a loaner within 48 clock hours; L3-L4 respond 30 min, diagnose 1 h, on site 24 h (when
a visit is needed), resolve 24 h; L5 answer within 24 h. All in business time except the
loaner."""


# -- policies as data (stored as JSON on a contract, snapshotted on each ticket) -----------

POLICY_KINDS: tuple[TargetKind, ...] = (TargetKind.RESPOND, TargetKind.DIAGNOSE, TargetKind.ON_SITE,
                                        TargetKind.RESOLVE, TargetKind.LOANER)
"""The order of a policy's targets; the loaner counts from the resolve due time, so it is last."""
MAX_TARGET_MINUTES = 366 * 24 * 60
"""A promise longer than a year is a typing mistake, not a service level."""


class PolicyError(ValueError):
    """Policy data that cannot be used. `errors` maps "L1.loaner.minutes" style paths to
    codes: "not_a_mapping", "unknown_level", "unknown_target", "not_positive_integer",
    "too_large", "not_boolean", "loaner_without_resolve", "unknown_field"."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(", ".join(f"{path}: {code}" for path, code in sorted(self.errors.items())))


def policy_to_data(policy: Policy) -> dict[str, dict[str, dict]]:
    """`policy` as JSON-ready data: {"L1": {"respond": {"minutes": 15, "business_time": true},
    ...}, ...}. Every level appears; a kind the level does not promise is absent."""
    return {level.value: {spec.kind.value: {"minutes": spec.minutes, "business_time": spec.business_time}
                          for spec in policy.specs(level)}
            for level in Level}


def policy_from_data(data: Mapping) -> Policy:
    """The policy in `data` (the shape of `policy_to_data`; a kind that is absent or None is
    not promised, and so is a level that is absent). Minutes are whole numbers from 1 to
    MAX_TARGET_MINUTES; `business_time` (default true) counts on the contract's calendar.
    The loaner counts from the resolve due time, so it needs a resolve target on its level.
    Raises PolicyError with every problem at once."""
    errors: dict[str, str] = {}
    if not isinstance(data, Mapping):
        raise PolicyError({"levels": "not_a_mapping"})
    levels = {level.value: level for level in Level}
    targets: dict[Level, tuple[TargetSpec, ...]] = {}
    for level_name, kinds in data.items():
        if level_name not in levels:
            errors[str(level_name)] = "unknown_level"
            continue
        if kinds is None:
            kinds = {}
        if not isinstance(kinds, Mapping):
            errors[level_name] = "not_a_mapping"
            continue
        known = {kind.value: kind for kind in POLICY_KINDS}
        for kind_name in kinds:
            if kind_name not in known:
                errors[f"{level_name}.{kind_name}"] = "unknown_target"
        specs: list[TargetSpec] = []
        for kind in POLICY_KINDS:
            target = kinds.get(kind.value)
            if target is None:
                continue
            path = f"{level_name}.{kind.value}"
            if not isinstance(target, Mapping):
                errors[path] = "not_a_mapping"
                continue
            for extra in sorted(set(target) - {"minutes", "business_time"}):
                errors[f"{path}.{extra}"] = "unknown_field"
            minutes = target.get("minutes")
            business_time = target.get("business_time", kind is not TargetKind.LOANER)
            if minutes is None:
                continue  # a blank is "not promised"
            if type(minutes) is not int or minutes <= 0:
                errors[f"{path}.minutes"] = "not_positive_integer"
                continue
            if minutes > MAX_TARGET_MINUTES:
                errors[f"{path}.minutes"] = "too_large"
                continue
            if not isinstance(business_time, bool):
                errors[f"{path}.business_time"] = "not_boolean"
                continue
            if kind is TargetKind.LOANER:
                if not any(spec.kind is TargetKind.RESOLVE for spec in specs):
                    errors[f"{path}.minutes"] = "loaner_without_resolve"
                    continue
                specs.append(TargetSpec(kind, minutes, business_time, counts_from=TargetKind.RESOLVE))
            else:
                specs.append(TargetSpec(kind, minutes, business_time))
        targets[levels[level_name]] = tuple(specs)
    if errors:
        raise PolicyError(errors)
    # Every level present (a missing one promises nothing), so equal policies compare equal.
    return Policy({level: targets.get(level, ()) for level in Level})


def policy_or_default(data: Mapping | None) -> Policy:
    """The policy stored in `data`, or DEFAULT_POLICY when nothing is stored (None or {})."""
    return policy_from_data(data) if data else DEFAULT_POLICY


@dataclass(frozen=True)
class Pause:
    """Waiting for the customer from `started_at` to `ended_at` (None while it lasts)."""

    started_at: datetime
    ended_at: datetime | None
    reason: str = ""


@dataclass(frozen=True)
class TargetClock:
    """A target's computed due time. `started_at` is when it starts counting;
    `provisional` when the due time crossed a day whose official schedule is not loaded."""

    kind: TargetKind
    minutes: int
    business_time: bool
    started_at: datetime
    due_at: datetime
    provisional: bool


class ClockStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


@dataclass(frozen=True)
class ClockState:
    """A clock at a moment. Minutes are business minutes for a business-time target."""

    kind: TargetKind
    due_at: datetime
    elapsed_minutes: float
    remaining_minutes: float
    fraction_used: float
    status: ClockStatus
    met_at: datetime | None
    provisional: bool

    @property
    def breached(self) -> bool:
        return self.status is ClockStatus.BREACHED

    @property
    def met(self) -> bool:
        return self.status is ClockStatus.MET


# -- microsecond helpers ----------------------------------------------------------------


def _us(moment: datetime, name: str = "moment") -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return (moment - _EPOCH) // _ONE_MICROSECOND


def _at(calendar: BusinessCalendar, moment_us: int, tz: tzinfo | None = None) -> datetime:
    """The instant `moment_us` in `tz` (default: the calendar's zone)."""
    return (_EPOCH + timedelta(microseconds=moment_us)).astimezone(tz or calendar.tz)


def _closed_pauses(pauses: Iterable[Pause]) -> list[tuple[int, int]]:
    spans = []
    for pause in pauses:
        if pause.ended_at is None:
            raise ValueError("close a running pause (e.g. at now) before computing due times")
        start, end = _us(pause.started_at, "pause start"), _us(pause.ended_at, "pause end")
        if end < start:
            raise ValueError("a pause cannot end before it started")
        if end > start:
            spans.append((start, end))
    return sorted(spans)


def _between(calendar: BusinessCalendar, business: bool, start_us: int, end_us: int) -> int:
    if end_us <= start_us:
        return 0
    return calendar.business_us_between(start_us, end_us) if business else end_us - start_us


def _deadline(calendar: BusinessCalendar, business: bool, start_us: int, amount_us: int,
              pauses: Sequence[tuple[int, int]]) -> int:
    """The earliest instant at which `amount_us` of unpaused (business) time has passed."""
    if amount_us <= 0:
        return start_us
    cursor, remaining = start_us, amount_us
    for pause_start, pause_end in pauses:
        if pause_end <= cursor:
            continue
        available = _between(calendar, business, cursor, max(pause_start, cursor))
        if available >= remaining:
            break
        remaining -= available
        cursor = pause_end
    return calendar.deadline_us(cursor, remaining) if business else cursor + remaining


def _counted(calendar: BusinessCalendar, business: bool, start_us: int, end_us: int,
             pauses: Sequence[tuple[int, int]]) -> int:
    """Unpaused (business) time in [start_us, end_us)."""
    if end_us <= start_us:
        return 0
    total = _between(calendar, business, start_us, end_us)
    for pause_start, pause_end in pauses:
        low, high = max(pause_start, start_us), min(pause_end, end_us)
        if low < high:
            total -= _between(calendar, business, low, high)
    return total


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# -- the public functions ---------------------------------------------------------------


def compute_target(spec: TargetSpec, started_at: datetime, calendar: BusinessCalendar,
                   pauses: Iterable[Pause] = (), *, tz: tzinfo | None = None) -> TargetClock:
    """One target's due time counted from `started_at`, moved on by the pauses; its times
    in `tz` (default: the calendar's zone; the same instants whatever the zone)."""
    spans = _merge(_closed_pauses(pauses))
    start_us = _us(started_at, "started_at")
    due_us = _deadline(calendar, spec.business_time, start_us, spec.minutes * MICROSECONDS_PER_MINUTE, spans)
    provisional = spec.business_time and not calendar.covers_us(start_us, due_us)
    return TargetClock(spec.kind, spec.minutes, spec.business_time, _at(calendar, start_us, tz),
                       _at(calendar, due_us, tz), provisional)


def compute_targets(policy: Policy, level: Level, started_at: datetime, calendar: BusinessCalendar,
                    pauses: Iterable[Pause] = (), *, tz: tzinfo | None = None) -> list[TargetClock]:
    """The targets of a ticket of `level` whose clocks started at `started_at` (aware), in
    the policy's order, their times in `tz` (default: the calendar's zone). `pauses` (all
    ended) move the due times on by the paused time. Raises ValueError for a running pause
    or a naive datetime."""
    pauses = list(pauses)
    clocks: dict[TargetKind, TargetClock] = {}
    for spec in policy.specs(level):
        start = started_at
        if spec.counts_from is not None:
            if spec.counts_from not in clocks:
                raise ValueError(f"{spec.kind} counts from {spec.counts_from}, which the policy lacks before it")
            start = clocks[spec.counts_from].due_at
        clocks[spec.kind] = compute_target(spec, start, calendar, pauses, tz=tz)
    return list(clocks.values())


def threshold_instants(target: TargetClock, calendar: BusinessCalendar, pauses: Iterable[Pause] = (),
                       thresholds: Iterable[int] = ESCALATION_THRESHOLDS, *,
                       tz: tzinfo | None = None) -> dict[int, datetime]:
    """Percentage -> the instant at which that share of the target's time has been used
    (with the same pauses as its due time), in `tz` (default: the calendar's zone). 100 % is
    the due time itself, taken from the target rather than counted again."""
    spans = _merge(_closed_pauses(pauses))
    start_us = _us(target.started_at, "started_at")
    total_us = target.minutes * MICROSECONDS_PER_MINUTE
    instants = {}
    for percent in thresholds:
        if not 0 < percent <= 100:
            raise ValueError("a threshold is a percentage above 0 and at most 100")
        if percent == 100:
            instants[percent] = target.due_at.astimezone(tz or calendar.tz)
            continue
        amount = total_us * percent // 100
        instants[percent] = _at(calendar, _deadline(calendar, target.business_time, start_us, amount, spans), tz)
    return instants


def next_warning(instants: Mapping[int, datetime], fired: int) -> tuple[int, datetime] | None:
    """The warning that comes after the one at `fired` % (0: none has fired yet), as
    (percentage, instant), from `instants` as `threshold_instants` gives them; None when
    every warning has fired. Warnings go in order of their percentage, so a target keeps
    one marker, the last percentage fired, and one pending instant."""
    if fired < 0:
        raise ValueError("the last warning fired is a percentage, or 0 when none has fired")
    for percent in sorted(instants):
        if percent > fired:
            return percent, instants[percent]
    return None


def clock_state(target: TargetClock, now: datetime, calendar: BusinessCalendar,
                pauses: Iterable[Pause] = (), met_at: datetime | None = None) -> ClockState:
    """How far the clock of `target` has run at `now` (aware). A running pause counts as
    ending at `now`. Met when `met_at` is at or before the due time; breached when met later
    or not met and `now` is past the due time."""
    pauses = list(pauses)
    paused_now = any(p.started_at <= now and (p.ended_at is None or p.ended_at > now) for p in pauses)
    closed = [Pause(p.started_at, p.ended_at if p.ended_at is not None else max(now, p.started_at))
              for p in pauses if p.started_at <= now]
    spans = _merge(_closed_pauses(closed))
    stop = now if met_at is None or met_at > now else met_at
    start_us, stop_us = _us(target.started_at), _us(stop, "now")
    elapsed_us = max(0, _counted(calendar, target.business_time, start_us, stop_us, spans))
    total_us = target.minutes * MICROSECONDS_PER_MINUTE
    if met_at is not None and met_at <= now:
        status = ClockStatus.MET if met_at <= target.due_at else ClockStatus.BREACHED
    elif now > target.due_at:
        status = ClockStatus.BREACHED
    elif paused_now:
        status = ClockStatus.PAUSED
    else:
        status = ClockStatus.RUNNING
    return ClockState(
        kind=target.kind,
        due_at=target.due_at,
        elapsed_minutes=elapsed_us / MICROSECONDS_PER_MINUTE,
        remaining_minutes=(total_us - elapsed_us) / MICROSECONDS_PER_MINUTE,
        fraction_used=elapsed_us / total_us,
        status=status,
        met_at=met_at if met_at is not None and met_at <= now else None,
        provisional=target.provisional,
    )


# -- replay -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One timeline event as replay reads it. Kinds and their data:
    "created" {"level", "clock_started_at" (ISO, optional: else `at`)}; "regraded"
    {"to_level"}; "paused" {"reason"}; "resumed"; "target_met" {"kind"};
    "status_changed" {"to"}. Other kinds are ignored."""

    kind: str
    at: datetime
    data: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class TicketState:
    level: Level | None
    status: str | None
    paused: bool
    clocks: list[ClockState]


def state_at(events: Iterable[Event], moment: datetime, calendar: BusinessCalendar,
             policy: Policy = DEFAULT_POLICY) -> TicketState:
    """The ticket's level, status and clocks as they stood at `moment`, from its timeline:
    only events at or before `moment` count, and the re-grade rule of this module applies
    at each re-grade. Before the "created" event there are no clocks."""
    level: Level | None = None
    status: str | None = None
    started_at: datetime | None = None
    pauses: list[Pause] = []
    met: dict[TargetKind, datetime] = {}
    # kind -> (spec, the pauses known when it was met); specs of met targets are frozen.
    specs: dict[TargetKind, TargetSpec] = {}
    frozen: dict[TargetKind, TargetClock] = {}

    def open_pauses_closed_at(moment_: datetime) -> list[Pause]:
        return [p if p.ended_at is not None else Pause(p.started_at, moment_, p.reason) for p in pauses]

    def clocks_now(moment_: datetime) -> dict[TargetKind, TargetClock]:
        computed = {}
        current = open_pauses_closed_at(moment_)
        for kind, spec in specs.items():
            if kind in frozen:
                computed[kind] = frozen[kind]
                continue
            start = started_at
            if spec.counts_from is not None and spec.counts_from in computed:
                start = computed[spec.counts_from].due_at
            computed[kind] = compute_target(spec, start, calendar, current)
        return computed

    for event in sorted(events, key=lambda e: e.at):
        if event.at > moment:
            break
        data = event.data or {}
        if event.kind == "created":
            level = Level(data["level"])
            started_at = datetime.fromisoformat(data["clock_started_at"]) if data.get("clock_started_at") else event.at
            status = data.get("status", "new")
            specs = {spec.kind: spec for spec in policy.specs(level)}
        elif event.kind == "regraded" and level is not None:
            level = Level(data["to_level"])
            kept = {kind: spec for kind, spec in specs.items() if kind in frozen}
            for spec in policy.specs(level):
                if spec.kind not in kept:
                    kept[spec.kind] = spec
            specs = kept
        elif event.kind == "paused":
            if not any(p.ended_at is None for p in pauses):
                pauses.append(Pause(event.at, None, str(data.get("reason", ""))))
        elif event.kind == "resumed":
            pauses = [Pause(p.started_at, event.at, p.reason) if p.ended_at is None else p for p in pauses]
        elif event.kind == "target_met" and started_at is not None:
            kind = TargetKind(data["kind"])
            if kind in specs and kind not in met:
                frozen[kind] = clocks_now(event.at)[kind]
                met[kind] = event.at
        elif event.kind == "status_changed":
            status = data.get("to", status)

    if started_at is None:
        return TicketState(None, None, False, [])
    computed = clocks_now(moment)
    states = [clock_state(clock, moment, calendar, pauses, met.get(kind)) for kind, clock in computed.items()]
    paused = any(p.ended_at is None for p in pauses)
    return TicketState(level, status, paused, states)
