"""Benchmark: SLA deadlines on the 5x8 calendar (China's published holidays), three per
ticket (respond 15, on site 240, resolve 480 business minutes), for N seeded random starts
over 2024-2026, beside the minute-stepping reference measured in the same run, and the
number of mismatches against that reference on random cases (must be 0).

    .venv/bin/python bench/sla_calendar.py [--n 1000000] [--sample 2000] [--cases 100000]

Rows:
- core: `BusinessCalendar.deadline_us` on epoch microseconds, three calls per ticket, and
  `deadlines_us`, the three from one search for the start (what a batch recompute of open
  tickets calls); the loop over tickets is included;
- public: `add_business_minutes` (and `..._checked`) on aware datetimes, conversions and
  argument checks included;
- reference: `MinuteSteppingReference.add` from tests/domain/test_calendar_properties.py,
  which counts open minutes one at a time.
Garbage collection is off while timing, as `timeit` does. The process's CPU time and the
wall time are both shown, with the load average, since the machine may be shared. Starts are whole minutes (the
reference's resolution). Exit status 1 if any mismatch.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aftersales.domain.calendar import (  # noqa: E402
    MICROSECONDS_PER_MINUTE,
    SHANGHAI,
    add_business_minutes,
    add_business_minutes_checked,
    business_minutes_between,
)
from aftersales.domain.holidays import china_day_overrides, china_five_by_eight  # noqa: E402
from tests.domain.test_calendar_properties import (  # noqa: E402
    FIVE_BY_EIGHT_WEEK,
    MinuteSteppingReference,
)

DEADLINE_MINUTES = (15, 240, 480)  # respond, on site, resolve
FIRST_DAY, LAST_DAY = date(2024, 1, 1), date(2026, 12, 31)
# The reference must reach the latest deadline: 480 minutes from 31 December 2026.
REFERENCE_LAST_DAY = date(2027, 1, 31)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def random_starts(count: int, rng: random.Random) -> list[datetime]:
    first = datetime.combine(FIRST_DAY, datetime.min.time(), SHANGHAI)
    minutes_in_range = ((LAST_DAY - FIRST_DAY).days + 1) * 24 * 60
    return [first + timedelta(minutes=rng.randrange(minutes_in_range)) for _ in range(count)]


def timed(function, *args) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result). The CPU time is the cost; the
    wall time also holds waiting for a CPU on a busy machine."""
    gc.collect()
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        result = function(*args)
        return time.perf_counter() - wall, time.process_time() - cpu, result
    finally:
        gc.enable()


def core_loop(calendar, starts_us):
    deadline_us = calendar.deadline_us
    respond, on_site, resolve = (m * MICROSECONDS_PER_MINUTE for m in DEADLINE_MINUTES)
    for start_us in starts_us:
        deadline_us(start_us, respond)
        deadline_us(start_us, on_site)
        deadline_us(start_us, resolve)


def core_batch_loop(calendar, starts_us):
    deadlines_us = calendar.deadlines_us
    targets = [m * MICROSECONDS_PER_MINUTE for m in DEADLINE_MINUTES]
    for start_us in starts_us:
        deadlines_us(start_us, targets)


def public_loop(calendar, starts, add=add_business_minutes):
    respond, on_site, resolve = DEADLINE_MINUTES
    for start in starts:
        add(calendar, start, respond)
        add(calendar, start, on_site)
        add(calendar, start, resolve)


def reference_loop(reference, starts):
    for start in starts:
        for minutes in DEADLINE_MINUTES:
            reference.add(start, minutes)


def count_mismatches(calendar, reference, cases: int, rng: random.Random) -> tuple[int, int]:
    deadline_mismatches = between_mismatches = 0
    for start in random_starts(cases, rng):
        minutes = rng.choice(DEADLINE_MINUTES)
        due = add_business_minutes(calendar, start, minutes)
        if due != reference.add(start, minutes):
            deadline_mismatches += 1
            print(f"  deadline mismatch: {start.isoformat()} + {minutes}", file=sys.stderr)
        end = start + timedelta(minutes=rng.randrange(0, 14 * 24 * 60))
        if business_minutes_between(calendar, start, end) != reference.between(start, end):
            between_mismatches += 1
            print(f"  between mismatch: {start.isoformat()} .. {end.isoformat()}", file=sys.stderr)
    return deadline_mismatches, between_mismatches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="tickets timed")
    parser.add_argument("--sample", type=int, default=2_000, help="tickets for the reference")
    parser.add_argument("--cases", type=int, default=100_000, help="random cases checked")
    parser.add_argument("--seed", type=int, default=20250127)
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    rng = random.Random(args.seed)
    build_seconds, _, calendar = timed(china_five_by_eight)
    china_days = {
        day: (FIVE_BY_EIGHT_WEEK[0] if working else ())
        for day, working in china_day_overrides().items()
    }
    reference_seconds, _, reference = timed(
        MinuteSteppingReference,
        SHANGHAI,
        FIVE_BY_EIGHT_WEEK,
        china_days,
        FIRST_DAY,
        REFERENCE_LAST_DAY,
    )
    starts = random_starts(args.n, rng)
    starts_us = [(start - EPOCH) // timedelta(microseconds=1) for start in starts]
    sample = starts[: args.sample]

    rows = []
    for what, loop, tickets in [
        (
            "core: deadline_us x3 (epoch microseconds)",
            lambda: core_loop(calendar, starts_us),
            args.n,
        ),
        (
            "core: deadlines_us, one call per ticket",
            lambda: core_batch_loop(calendar, starts_us),
            args.n,
        ),
        ("public: add_business_minutes x3", lambda: public_loop(calendar, starts), args.n),
        (
            "public: add_business_minutes_checked x3",
            lambda: public_loop(calendar, starts, add_business_minutes_checked),
            args.n,
        ),
        ("reference: minute stepping x3", lambda: reference_loop(reference, sample), len(sample)),
    ]:
        wall, cpu, _ = timed(loop)
        rows.append((what, tickets, wall, cpu))
    reference_cpu_per_ticket = rows[-1][3] / rows[-1][1]

    check_seconds, _, (deadline_mismatches, between_mismatches) = timed(
        count_mismatches, calendar, reference, args.cases, random.Random(args.seed + 1)
    )

    print(
        f"SLA calendar: 5x8 Asia/Shanghai with China's published holidays;"
        f" starts {FIRST_DAY}..{LAST_DAY}, seed {args.seed}"
    )
    print(
        f"three deadlines per ticket: {', '.join(map(str, DEADLINE_MINUTES))} business minutes;"
        f" Python {platform.python_version()}, nproc {os.cpu_count()}"
    )
    print(
        f"calendar built in {build_seconds * 1000:.0f} ms;"
        f" reference built in {reference_seconds:.2f} s; load average {load_before:.1f} before,"
        f" {os.getloadavg()[0]:.1f} after (a busy machine inflates wall time more than CPU time)"
    )
    print()
    print(
        f"| {'what':<42} | {'tickets':>9} | {'CPU µs/ticket':>13} | {'wall µs/ticket':>14} |"
        f" {'vs reference (CPU)':>18} |"
    )
    print(f"|{'-' * 44}|{'-' * 11}|{'-' * 15}|{'-' * 16}|{'-' * 20}|")
    for what, tickets, wall, cpu in rows:
        speedup = reference_cpu_per_ticket / (cpu / tickets)
        print(
            f"| {what:<42} | {tickets:>9,} | {cpu / tickets * 1e6:>13.2f} |"
            f" {wall / tickets * 1e6:>14.2f} | {speedup:>17,.0f}x |"
        )
    print()
    print(
        f"mismatches vs reference on {args.cases:,} random cases ({check_seconds:.0f} s):"
        f" deadlines {deadline_mismatches}, business minutes between {between_mismatches}"
    )
    return 1 if deadline_mismatches or between_mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
