"""The seeded organisation as plain data (`manage.py seed_demo`): its words, and each
candidate's case planned from a generator seeded by the seed and the candidate's number, every
date counted back from `as_of`. demo/seeding.py writes the plans.
"""

import calendar
import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from reviews.models import Case, Decision, Feedback, SignOff
from reviews.readiness.months import month_start, quarter_of

# The benchmark looks for a sponsor carrying exactly this many candidates.
LARGEST_SPONSOR_LOAD = 50

# --- Words -------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Alba", "Bruno", "Carmen", "Dario", "Elin", "Farid", "Greta", "Hugo", "Ines", "Jalen",
    "Kaia", "Luca", "Marit", "Nadia", "Oskar", "Pia", "Quinn", "Rosa", "Soren", "Talia",
    "Umar", "Vera", "Wim", "Xenia", "Yara", "Zeno",
)  # fmt: skip
INITIALS = "ABCDEFGHJKLMNPRSTVW"

AREAS = (
    "checkout", "ledger", "catalogue", "fraud screening", "onboarding flow", "courier app",
    "warehouse scheduling", "loyalty scheme", "reporting suite", "pricing engine",
    "customer portal", "contract store",
)  # fmt: skip
GROUPS = ("Finance", "Sales", "Legal", "Procurement", "Support", "Marketing", "Risk")
PEERS = ("Anouk", "Bilal", "Chiara", "Dev", "Emeka", "Freya", "Goran", "Hiroko")
METRICS = (
    "cost per order", "time to first value", "renewal rate", "gross margin", "lead time",
    "support tickets per customer", "uptime", "conversion",
)  # fmt: skip

# One bank per capability of the shipped guide, in order; a guide with more reuses them in turn.
TITLES: tuple[tuple[str, ...], ...] = (
    (
        "Owned the {metric} target for the {area}",
        "Renegotiated the {area} supplier contract with {group}",
        "Closed the loss-making {area} line",
        "Set the {area} budget for next year with {group}",
        "Turned round the {area} after a poor quarter",
        "Put a price on {area} downtime for {group}",
    ),
    (
        "Took the {area} decision to the leadership team",
        "Wrote the {area} paper for the {quarter} board meeting",
        "Sat on the {group} steering group for the {area}",
        "Challenged the {area} forecast in the planning round",
        "Represented engineering at the {group} offsite",
        "Agreed the {area} trade-offs with the head of {group}",
    ),
    (
        "Coached {peer} into leading the {area}",
        "Gave {peer} the {area} hiring plan to own",
        "Ran a leadership workshop for my senior managers",
        "Let {peer} present the {area} results in my place",
        "Built a bench of successors for the {area}",
        "Moved {peer} onto the {area} as a stretch role",
    ),
    (
        "Chose the platform direction for the {area}",
        "Retired the old {area} stack",
        "Set the build-or-buy rule for the {area}",
        "Wrote the three-year architecture plan for the {area}",
        "Stopped a costly {area} migration before it started",
        "Standardised how teams evaluate tools for the {area}",
    ),
)
SUMMARY_OPENINGS = (
    "I led this from the first proposal to the review afterwards.",
    "This started as a request from {group} and grew into a wider piece of work.",
    "Nobody owned this problem until I took it on in {quarter}.",
    "I worked with {peer} and the {group} lead over about {weeks} weeks.",
    "The {area} had drifted for a year; I made it a priority.",
)
SUMMARY_MIDDLES = (
    "I set out the options in terms of money and risk, not technology.",
    "We agreed a single measure, {metric}, and reviewed it every fortnight.",
    "I made the call when the group could not agree, and explained it in writing.",
    "Most of the work was persuading {group} that the change was worth the disruption.",
    "I kept the scope small enough to finish within the quarter.",
    "- mapped where the money went\n- agreed what to keep with {group}\n- cut the rest",
)
SUMMARY_CLOSINGS = (
    "",
    "The decision record is linked below.",
    "{peer} now runs it without me.",
    "I would start the conversation with {group} earlier next time.",
)
OUTCOMES = (
    "{metric} improved by **{pct}%** over two quarters.",
    "About €{k}k a year saved.",
    "{metric} moved from {a}% to {b}%.",
    "Delivered {weeks} weeks ahead of the plan.",
    "{group} adopted the approach for their own teams.",
    "",
)
LINK_SECTIONS = ("wiki", "decisions", "slides", "dashboards", "tickets")
NARRATIVES = (
    "Over the last two years I have taken on the {area} as a business, not only as a system.",
    "My case rests on three things: owning results, working with the executive team, and "
    "growing the managers who will replace me.",
    "I moved from running teams to owning outcomes; the evidence below shows how.",
)
SPONSOR_FEEDBACK = (
    (Feedback.Kind.ENDORSE, "Clear ownership and a measurable result. Good evidence."),
    (Feedback.Kind.ENDORSE, "This is the kind of executive judgement the committee wants to see."),
    (Feedback.Kind.QUESTION, "Who else was in the room when this was decided?"),
    (Feedback.Kind.QUESTION, "How did {group} measure the result?"),
    (Feedback.Kind.NEEDS_MORE, "Add the numbers from the quarter after."),
    (Feedback.Kind.NEEDS_MORE, "Say what you would have done if {group} had refused."),
)
REPLIES = (
    "I made the final call; the steering group agreed afterwards.",
    "Added the figures and a link to the dashboard.",
    "Good point, I have added a paragraph on the alternative.",
)
ANSWER_NOTES = {
    "yes": ("", "", "Shown several times this quarter."),
    "partly": ("", "Only in one area so far.", "Starting to, with {group}."),
    "no": ("", "Not yet: planned for next quarter."),
}
RATIONALES = {
    SignOff.Decision.READY: "Sustained evidence across every capability; ready for the committee.",
    SignOff.Decision.NOT_READY: "Good progress, but the executive work is too recent to judge.",
}
OVERRIDE_REASON = "The committee meets once a year and the remaining gap is small."
DECISION_NOTES = {
    Decision.Outcome.PROMOTED: "Promoted by the committee.",
    Decision.Outcome.NOT_YET: "Not yet: revisit at the next cycle.",
}
ATTACHMENT_KINDS = (
    ("notes.txt", "text/plain"),
    ("figures.csv", "text/plain"),
    ("summary.md", "text/plain"),
)


# --- Plans -------------------------------------------------------------------------------------


@dataclass
class Item:
    capability: int
    indicators: list[int]
    title: str
    date: datetime.date
    summary: str
    outcome: str
    links: list[str]
    feedback: list[tuple[str, str, bool]] = field(default_factory=list)
    attachment: tuple[str, str, bytes] | None = None


@dataclass
class Plan:
    """One candidate's case as plain data, before anything is written."""

    number: int
    sponsor: int
    opened_on: datetime.date
    status: str
    narrative: str
    items: list[Item]
    check_ins: list[tuple[datetime.date, list[tuple[str, str]]]]
    sign_off: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class GuideShape:
    capabilities: tuple[int, ...]
    indicators: dict[int, tuple[int, ...]]  # capability number → indicator positions
    questions: int


def day_in_month(rng: random.Random, first: datetime.date, as_of: datetime.date) -> datetime.date:
    last = calendar.monthrange(first.year, first.month)[1]
    if (first.year, first.month) == (as_of.year, as_of.month):
        last = as_of.day
    return first.replace(day=rng.randint(1, last))


def sponsor_loads(rng: random.Random, candidates: int, sponsors: int) -> list[int]:
    """Which sponsor each candidate has: the first carries LARGEST_SPONSOR_LOAD (or half of a
    small organisation), the rest share the others unevenly."""
    if sponsors == 1:
        return [0] * candidates
    first = min(LARGEST_SPONSOR_LOAD, max(1, candidates // 2))
    weights = [rng.uniform(0.3, 1.7) for _ in range(sponsors - 1)]
    rest = rng.choices(range(1, sponsors), weights=weights, k=candidates - first)
    assignment = [0] * first + rest
    rng.shuffle(assignment)
    return assignment


def words(rng: random.Random, template: str, day: datetime.date) -> str:
    a = rng.randint(40, 85)
    return template.format(
        area=rng.choice(AREAS),
        group=rng.choice(GROUPS),
        peer=rng.choice(PEERS),
        metric=rng.choice(METRICS),
        quarter=f"Q{quarter_of(day)[0]} {day.year}",
        weeks=rng.randint(2, 16),
        pct=rng.randint(5, 40),
        k=rng.choice((25, 40, 75, 120, 180, 300)),
        a=a,
        b=a + rng.randint(3, 14),
    )


def make_item(
    rng: random.Random,
    number: int,
    positions: Sequence[int],
    day: datetime.date,
    feedback_rate: float,
) -> Item:
    titles = TITLES[(number - 1) % len(TITLES)]
    title = words(rng, rng.choice(titles), day)
    parts = [
        rng.choice(SUMMARY_OPENINGS),
        rng.choice(SUMMARY_MIDDLES),
        rng.choice(SUMMARY_CLOSINGS),
    ]
    summary = "\n\n".join(words(rng, part, day) for part in parts if part)
    outcome = words(rng, rng.choice(OUTCOMES), day)
    links = []
    if rng.random() < 0.3:
        slug = title.lower().replace(" ", "-")[:40].strip("-")
        links = [
            f"https://intranet.example.org/{rng.choice(LINK_SECTIONS)}/{slug}-{n + 1}"
            for n in range(rng.choice((1, 1, 2)))
        ]
    item = Item(number, list(positions), title, day, summary, outcome, links)
    if rng.random() < feedback_rate:
        kind, text = rng.choice(SPONSOR_FEEDBACK)
        item.feedback.append((kind, words(rng, text, day), False))
        if kind != Feedback.Kind.ENDORSE and rng.random() < 0.5:
            item.feedback.append((Feedback.Kind.REPLY, rng.choice(REPLIES), True))
    if rng.random() < 0.001:
        attach(rng, item)
    return item


def attach(rng: random.Random, item: Item) -> None:
    name, content_type = rng.choice(ATTACHMENT_KINDS)
    item.attachment = (name, content_type, f"{item.title}\n\n{item.summary}\n".encode())


def make_plan(
    number: int,
    *,
    seed: int,
    sponsor: int,
    shape: GuideShape,
    months: int,
    items_per_month: int,
    as_of: datetime.date,
) -> Plan:
    rng = random.Random(f"{seed}:candidate:{number}")
    first_month = month_start(as_of, months - 1)
    opened_on = first_month - datetime.timedelta(days=rng.randint(0, 20))
    activity = rng.uniform(0.8, 1.2)
    # A few shapes the readiness rule tells apart: quiet lately, one-sided, narrow.
    quiet_months = 3 if rng.random() < 0.12 else 0
    weights = {n: 1.0 for n in shape.capabilities}
    if rng.random() < 0.15 and len(weights) > 1:
        heavy, light = rng.sample(list(weights), 2)
        weights[heavy], weights[light] = 4.0, 0.3
    narrow = rng.choice(shape.capabilities) if rng.random() < 0.1 else None
    feedback_rate = rng.uniform(0.05, 0.2)

    next_indicator = {n: rng.randrange(len(shape.indicators[n])) for n in shape.capabilities}
    items = []
    numbers, number_weights = list(weights), list(weights.values())
    for back in range(months - 1, -1, -1):
        if back < quiet_months:
            continue
        first = month_start(as_of, back)
        count = max(0, round(items_per_month * activity + rng.uniform(-2, 2)))
        for _ in range(count):
            capability = rng.choices(numbers, weights=number_weights)[0]
            pool = shape.indicators[capability]
            if capability == narrow:
                pool = pool[:2]
            # Walking round the pool covers every indicator, a few at a time.
            tagged = []
            for _ in range(min(len(pool), rng.choice((1, 2, 2, 3)))):
                tagged.append(pool[next_indicator[capability] % len(pool)])
                next_indicator[capability] += 1
            day = day_in_month(rng, first, as_of)
            items.append(make_item(rng, capability, sorted(set(tagged)), day, feedback_rate))
    items.sort(key=lambda item: item.date)
    if number % 10 == 0 and items:
        # A few files for certain, besides the odd one by chance.
        attach(rng, items[len(items) // 2])

    check_ins = []
    base_yes = rng.uniform(0.3, 0.8)
    quarters = months // 3
    for quarter in range(quarters):
        day = day_in_month(rng, month_start(as_of, months - 1 - quarter * 3 - 2), as_of)
        yes = min(0.95, base_yes + 0.3 * quarter / max(1, quarters - 1))
        answers = []
        for _ in range(shape.questions):
            roll = rng.random()
            value = "yes" if roll < yes else ("partly" if roll < yes + (1 - yes) * 0.7 else "no")
            answers.append((value, words(rng, rng.choice(ANSWER_NOTES[value]), day)))
        check_ins.append((day, answers))

    roll = rng.random()
    status, sign_off, outcome = Case.Status.OPEN, None, None
    if roll < 0.10:
        status, sign_off = Case.Status.SIGNED_OFF, SignOff.Decision.READY
    elif roll < 0.15:
        status, sign_off = Case.Status.DECIDED, SignOff.Decision.READY
        outcome = rng.choice((Decision.Outcome.PROMOTED, Decision.Outcome.NOT_YET))
    elif roll < 0.18:
        sign_off = SignOff.Decision.NOT_READY
    elif roll < 0.19:
        status = Case.Status.WITHDRAWN
    narrative = words(rng, rng.choice(NARRATIVES), as_of) if rng.random() < 0.7 else ""
    return Plan(number, sponsor, opened_on, status, narrative, items, check_ins, sign_off, outcome)
