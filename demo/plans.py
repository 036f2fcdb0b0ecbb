"""The shape of each demo case: which capability gets an item in which month, and how the
check-ins answer, counted back from `today` by calendar month as the readiness rule counts.

One candidate in each readiness state: ada ready, ben building and stale, cleo building with
lopsided and thin evidence, eli not started.
"""

import calendar
import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from demo.phrases import ADA_NARRATIVE, CLEO_NARRATIVE
from guides.models import Guide
from reviews.readiness.months import month_start

# Kept well clear of the readiness rule's 60 days, so "stale" never hangs on month lengths.
BEN_QUIET_DAYS = 75


def day_in_month(
    rng: random.Random,
    today: datetime.date,
    months_ago: int,
    latest: datetime.date | None = None,
) -> datetime.date:
    """A day in the month `months_ago` before today's, never after today (or `latest`)."""
    start = month_start(today, months_ago)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    end = min(end, today, latest or today)
    if end < start:
        return end
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


@dataclass
class Plan:
    """What one demo case holds, before it becomes rows."""

    candidate: str
    sponsor: str
    opened_on: datetime.date
    items: list[tuple[datetime.date, int]] = field(default_factory=list)  # (date, capability)
    check_ins: list[tuple[datetime.date, int]] = field(default_factory=list)  # (date, yes answers)
    narrative: str = ""
    # Capability number → how many of its first indicators this candidate ever tags.
    indicator_pool: dict[int, int] = field(default_factory=dict)


def every_capability_each_block(
    rng: random.Random,
    today: datetime.date,
    capabilities: Sequence[int],
    blocks: range,
    latest: datetime.date | None = None,
) -> list[tuple[datetime.date, int]]:
    """Each capability at least once in every 3-month block, plus a couple of extras per block.

    Block b covers months 3b to 3b+2 back from today's, so the blocks line up with the readiness
    window; item i goes in month 3b + i % 3, which puts one in the newest month of each block.
    """
    items = []
    for block in blocks:
        chosen = list(capabilities) + rng.sample(list(capabilities), rng.randint(1, 2))
        rng.shuffle(chosen)
        for i, number in enumerate(chosen):
            items.append((day_in_month(rng, today, 3 * block + i % 3, latest), number))
    return items


def plan_ada(
    rng: random.Random, today: datetime.date, capabilities: Sequence[int], guide: Guide, q: int
) -> Plan:
    # Ready: every block of the window covered, recent work, and mostly-yes check-ins throughout.
    history = guide.max_months
    window_blocks = guide.min_months // 3
    plan = Plan("ada", "sam", month_start(today, history - 1), narrative=ADA_NARRATIVE)
    plan.items = every_capability_each_block(rng, today, capabilities, range(history // 3))
    for block in range(history // 3):
        # Growth shows in the answers: short of "mostly yes" before the window, then above it.
        yes = q // 2 + 1 + (block < 2) if block < window_blocks else q // 2 - (block > 5)
        plan.check_ins.append((day_in_month(rng, today, 3 * block + 1), min(q, yes)))
    return plan


def plan_ben(
    rng: random.Random, today: datetime.date, capabilities: Sequence[int], guide: Guide, q: int
) -> Plan:
    # Building and stale: a solid record that stops in the block before the current one.
    latest = today - datetime.timedelta(days=BEN_QUIET_DAYS)
    blocks = range(1, min(7, guide.max_months // 3))
    plan = Plan("ben", "sam", month_start(today, 3 * blocks[-1] + 2))
    plan.items = every_capability_each_block(rng, today, capabilities, blocks, latest)
    for block in blocks:
        plan.check_ins.append((day_in_month(rng, today, 3 * block + 1, latest), q // 2 + 1))
    return plan


def plan_cleo(
    rng: random.Random, today: datetime.date, capabilities: Sequence[int], guide: Guide, q: int
) -> Plan:
    # Building, lopsided and thin: plenty on the first capability, next to nothing on the third,
    # and the rest always tagging the same one or two indicators.
    heavy, steady, scarce, *narrow = capabilities
    history = min(20, guide.max_months)
    window = guide.min_months
    plan = Plan("cleo", "tess", month_start(today, history - 1), narrative=CLEO_NARRATIVE)
    plan.indicator_pool = {scarce: 1} | {number: 2 for number in narrow}
    for months_ago in range(history):
        for _ in range(2 if months_ago < window else rng.randint(1, 2)):
            plan.items.append((day_in_month(rng, today, months_ago), heavy))
    plan.items += [(day_in_month(rng, today, m), steady) for m in range(1, history, 2)]
    plan.items += [(day_in_month(rng, today, m), scarce) for m in (history - 5, 8, 2)]
    for number in narrow:
        plan.items += [(day_in_month(rng, today, m), number) for m in (history - 3, 10, 6, 4)]
    for block in range(history // 3):
        yes = q // 2 + block % 2  # every other check-in falls short of "mostly yes"
        plan.check_ins.append((day_in_month(rng, today, 3 * block + 1), yes))
    return plan


def plan_eli(
    rng: random.Random, today: datetime.date, capabilities: Sequence[int], guide: Guide, q: int
) -> Plan:
    # Not started: a case opened a few weeks ago with one honest baseline check-in.
    opened_on = today - datetime.timedelta(days=18)
    plan = Plan("eli", "tess", opened_on)
    plan.check_ins.append((opened_on + datetime.timedelta(days=7), 1))
    return plan


PLANS = (plan_ada, plan_ben, plan_cleo, plan_eli)
DEMO_CANDIDATES = ("ada", "ben", "cleo", "eli")
