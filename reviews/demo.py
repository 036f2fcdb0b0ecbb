"""Demo cases for the fictional Example Org, one candidate in each readiness state.

`manage.py load_demo` calls `create_demo_cases` after the demo people exist. Every run deletes the
demo candidates' cases on the M3 → E1 guide and writes them again, dated back from `today`: the
demo people already work that way (their passwords are put back on every run), and only fresh
dates keep each candidate in the state the demo is meant to show as the calendar moves on.

Dates are laid out by calendar month counted back from `today`, which is how the readiness rule
counts, so the intended shape holds whatever the date. The wording is assembled from the phrase
lists below with a generator seeded by candidate and date, so a given day always gives the same
demo. Everything here is invented.
"""

import calendar
import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from guides.models import Guide
from reviews.models import Answer, Attachment, Case, CheckIn, Evidence, Feedback
from reviews.services import open_case

FROM_LEVEL = "M3"
TO_LEVEL = "E1"

# Kept well clear of the readiness rule's 60 days, so "stale" never hangs on month lengths.
BEN_QUIET_DAYS = 75


def demo_guide() -> Guide | None:
    """The guide the demo cases use: the latest published M3 → E1 version."""
    return (
        Guide.objects.published()
        .filter(from_level__code=FROM_LEVEL, to_level__code=TO_LEVEL)
        .order_by("-version")
        .first()
    )


# --- Words -------------------------------------------------------------------------------------

SYSTEMS = (
    "billing platform",
    "search service",
    "partner API",
    "data platform",
    "mobile app",
    "identity service",
    "payments gateway",
    "notifications pipeline",
    "delivery routing engine",
    "support tooling",
)
TOPICS = (
    "the enterprise tier",
    "expansion into two new regions",
    "the annual plan",
    "the marketplace launch",
    "our data-retention promise",
    "the partner programme",
    "platform consolidation",
    "self-serve onboarding",
)
TEAMS = ("Finance", "Sales", "Legal", "Marketing", "Customer Success", "Operations", "Product")
REPORTS = ("Priya", "Jonas", "Mei", "Tomás", "Ruth", "Kofi")
TECH = (
    "event streaming",
    "a managed vector store",
    "edge caching",
    "a workflow engine",
    "a columnar analytics store",
    "passkeys",
    "WebAssembly plug-ins",
    "a service mesh",
)
LINK_SECTIONS = ("docs", "decisions", "slides", "dashboards", "reviews")


@dataclass(frozen=True)
class Entry:
    """One kind of evidence item; `{name}` fields are filled per item, so each reads differently."""

    title: str
    summary: str
    outcome: str


# One tuple per capability of the shipped guide, in order; a guide with more reuses them in turn.
THEMES: tuple[tuple[Entry, ...], ...] = (
    (  # Domain ownership and business accountability
        Entry(
            "Moved the {system} to usage-based pricing",
            "Worked with {team} to replace flat per-seat fees on the {system} with pricing by "
            "use. Engineering built the metering; I owned the business case, the plan for telling "
            "customers and the decision on when to switch.",
            "Revenue from the {system} up **{pct}%** in the two quarters after the switch; {n} "
            "customers moved to a higher tier.",
        ),
        Entry(
            "Took ownership of the {system} revenue target",
            "Asked to carry the {system}'s revenue number together with {team}, not just its "
            "delivery plan. I replaced our monthly delivery review with one on revenue and cost "
            "to serve.",
            "Finished the year {pct}% above target, the first year the {system} beat its plan.",
        ),
        Entry(
            "Cut the {system}'s running cost by {pct}%",
            "The {system} cost more every quarter and nobody owned the number. I:\n\n"
            "- mapped spend to customers and features\n"
            "- agreed with {team} which costs were worth keeping\n"
            "- cut the rest over {weeks} weeks, with no change customers could see",
            "About **€{k}k a year** saved, with no drop in reliability.",
        ),
        Entry(
            "Led the recovery after the {quarter} {system} outage",
            "Owned the recovery end to end, including the parts outside engineering: customer "
            "credits with {team}, the public write-up, and the follow-up work we **did not** let "
            "slip.",
            "- time to recover from incidents down from {h1} hours to {h2}\n"
            "- {n} enterprise customers who had raised the outage renewed on time",
        ),
        Entry(
            "Wrote the investment case for rebuilding the {system}",
            "Wrote a one-page case weighing a rebuild of the {system} against extending it. Both "
            "options were put in terms of revenue at risk and cost to serve, not engineering "
            "preference.",
            "The leadership team chose to extend, about €{k}k less than the rebuild estimate.",
        ),
        Entry(
            "Stopped the {system} rewrite and moved its budget to the {other}",
            "Six months into a rewrite of the {system} the business case no longer held. I "
            "called a halt, explained why to the team and to {team}, and moved the money to the "
            "{other}, where customers were waiting.",
            "€{k}k redirected; the {other} shipped its delayed features {weeks} weeks later.",
        ),
        Entry(
            "Agreed a margin target for the {system} with {team}",
            "Set a gross-margin target for the {system} with {team} and made it one of the "
            "measures the teams review every month.",
            "Margin on the {system} went from {m1}% to {m2}% within three quarters.",
        ),
        Entry(
            "Closed the {system} churn gap for mid-size customers",
            "Mid-size customers of the {system} left at twice the average rate. I brought "
            "Product, {team} and two engineering teams together around one plan and owned the "
            "result.",
            "Net revenue retention for mid-size customers rose from {a}% to {b}%.",
        ),
    ),
    (  # Executive participation
        Entry(
            "Presented the {system} strategy to the executive team",
            "Presented the three-year plan for the {system} to the executive team as a business "
            "choice: what we would gain, what it would cost, and what we would have to stop.",
            "Plan adopted; {team} now reports against it every month.",
        ),
        Entry(
            "Co-wrote the technology section of the {quarter} board pack",
            "Drafted the technology pages of the board pack with the CFO, tying each engineering "
            "investment to the revenue it earns or the risk it removes.",
            "The chair asked for the same format in every future pack.",
        ),
        Entry(
            "Joined the pricing committee with {team}",
            "Took a standing seat on the pricing committee. I bring the cost-to-serve view it "
            "lacked, and I argued against two discounts that would have lost money.",
            "Two loss-making deals, about €{k}k a year between them, were reworked before signing.",
        ),
        Entry(
            "Led the cross-functional review of {topic}",
            "Led a review of {topic} with {team}, Product and Legal. We agreed one shared plan "
            "instead of three competing ones and presented it together.",
            "Launch came {weeks} weeks earlier because legal and engineering work ran side by "
            "side.",
        ),
        Entry(
            "Briefed investors on {topic}",
            "Answered investor questions on {topic} in the quarterly update, then sent a short "
            "written follow-up that the CFO now uses as a template.",
            "The CEO asked me to join the next two investor updates.",
        ),
        Entry(
            "Argued against {topic} at the leadership offsite",
            "At the offsite I made the case against {topic} in its current form:\n\n"
            "- the revenue estimate assumed a sales cycle we have never achieved\n"
            "- the engineering cost was understated by about half\n\n"
            "The plan was reshaped rather than dropped.",
            "A smaller first phase was chosen, saving roughly €{k}k in the first year.",
        ),
        Entry(
            "Partnered with the head of {team} on {topic}",
            "Met the head of {team} every fortnight for a quarter to work through {topic}. I "
            "learned how their targets are set; they learned what engineering can and cannot "
            "promise.",
            "One joint plan, and {team} now asks engineering before committing to customers.",
        ),
    ),
    (  # Developing M3-level leaders
        Entry(
            "Handed the {system} roadmap decision to {report}",
            "Stepped back from the {system} roadmap and let {report} make the call, with me as a "
            "sounding board only. I said up front that I would back the decision in public "
            "whatever it was.",
            "{report} presented the plan at the quarterly review; my own time on {system} "
            "decisions fell to about an hour a week.",
        ),
        Entry(
            "Agreed a development plan with {report}",
            "Talked honestly with {report} about the route to Head of Engineering. We wrote down "
            "three gaps and one piece of real work for each.",
            "{report} took on a remit of {people} teams within two quarters.",
        ),
        Entry(
            "Sent {report} to present {topic} to the executive team",
            "{report} presented {topic} to the executive team in my place. We rehearsed twice, "
            "and I stayed out of the room for the questions.",
            "The CFO has asked {report} back for the next planning round.",
        ),
        Entry(
            "Gave {report} a stretch assignment on {topic}",
            "Asked {report} to lead our part of {topic}, well beyond the current remit, with a "
            "clear brief and a check-in every fortnight.",
            "Delivered on time; {report} now works directly with the head of {team}.",
        ),
        Entry(
            "Wrote the succession plan for the {system} area",
            "Wrote a succession plan for my area: who could step in tomorrow, who in a year, and "
            "what each of them needs. Shared it with HR and with the people named in it.",
            "Two of my senior managers were named as possible successors in the talent review.",
        ),
        Entry(
            "Started a strategy circle for my senior managers",
            "Started a monthly circle for my senior managers about strategy, not delivery. Each "
            "session one of them brings a **real** decision to work through.",
            "Engagement in my management group rose from {e1}% to {e2}% in the staff survey.",
        ),
        Entry(
            "Gave {report} budget authority for the {system}",
            "Moved the {system} budget, about €{k}k, under {report}, with a monthly review "
            "instead of approval line by line.",
            "Decisions on the {system} no longer wait for me; {n} went through last quarter.",
        ),
    ),
    (  # Strategic technical leadership
        Entry(
            "Published the {system} technical strategy",
            "Wrote the two-page technical strategy for the {system}: where we invest, what we "
            "keep stable and what we will retire. Leaders from {team} critiqued the draft before "
            "it went out.",
            "Teams cite it in design reviews; {n} proposals referred to it last quarter.",
        ),
        Entry(
            "Retired the legacy {system} database",
            "Led the retirement of the old {system} database, tying each step to a saving or a "
            "risk removed so the work kept its funding.",
            "- {n} services moved without an incident\n- hosting cost down {pct}%",
        ),
        Entry(
            "Chose {tech} for the {system} and wrote down why",
            "Made the call on {tech} for the {system} after comparing two alternatives. The "
            "decision record gives the business reason, the cost and what would make us revisit "
            "it.",
            "p95 latency down from {ms1} ms to {ms2} ms at about the same cost.",
        ),
        Entry(
            "Reviewed our bet on {tech}",
            "Reviewed our bet on {tech} a year after making it. The write-up records what we "
            "expected, what happened and what we would do differently.",
            "We kept the bet but narrowed it, saving about €{k}k a year; the next review is "
            "booked.",
        ),
        Entry(
            "Tested {tech} with the principal engineers",
            "Spent {weeks} weeks with the principal engineers testing {tech} against the "
            "{system}'s real load. I asked them to argue the case against it as hard as the case "
            "for.",
            "We decided against it, avoiding a licence of about €{k}k a year.",
        ),
        Entry(
            "Stopped the {tech} pilot when it missed its business case",
            "The {tech} pilot met its technical goals but not the business case we wrote for "
            "it. I stopped it and wrote up why, so the next proposal starts from what we learned.",
            "Stopped after {weeks} weeks instead of running on for a year.",
        ),
        Entry(
            "Set the build-or-buy rule for the {system}",
            "Set a simple rule for the {system}: **buy** whatever gives us no advantage, "
            "**build** what does. Applied it to three pending decisions the same month.",
            "Two in-house tools replaced by bought services, freeing {people} engineers for "
            "product work.",
        ),
    ),
)

NOTES = {
    Answer.Value.YES: (
        "Yes, with clear examples this quarter.",
        "Yes; the evidence logged this quarter shows it.",
        "Consistently, and others have noticed.",
        "",
    ),
    Answer.Value.PARTLY: (
        "Some of the time; not yet a habit.",
        "Progress, but I still lean on my manager here.",
        "Better than last quarter, not there yet.",
        "",
    ),
    Answer.Value.NO: (
        "Not yet: no real opportunity this quarter.",
        "Honestly no. This is the gap to work on.",
        "",
    ),
}

ADA_NARRATIVE = """\
For the last two years I have run commerce at Example Org as a business of its own: billing, \
payments and the partner API, about ninety engineers in nine teams.

**What changed in how I work**

- I answer for revenue and cost to serve, not for delivery dates.
- I sit on the pricing committee and in the quarterly business review as a peer of Sales and \
Finance, and I have presented to the board twice.
- My senior managers now make the domain's roadmap calls. I review; I do not decide.
- Our technical strategy is written down, and teams use it to settle arguments.

The evidence is spread over every quarter since I opened this case. My early check-ins were \
honest about the gaps, mostly in speaking to outside audiences; the later ones show what I did \
about them.
"""

CLEO_NARRATIVE = """\
I own the data platform at Example Org, and this year it became something the business plans \
around rather than a cost it tolerates. Most of my evidence is about that ownership, because that \
is where the year went.

I know where I am thin:

1. I have spent too little time growing my senior managers into Heads of Engineering.
2. My technical strategy work has been narrow, mostly about storage costs.

For the next two quarters I have agreed with my sponsor to hand the platform roadmap to one of \
my managers and to write the domain strategy with the principal engineers.
"""


# --- Dates -------------------------------------------------------------------------------------


def month_start(today: datetime.date, months_ago: int) -> datetime.date:
    year, month0 = divmod(today.year * 12 + today.month - 1 - months_ago, 12)
    return datetime.date(year, month0 + 1, 1)


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


# --- Plans -------------------------------------------------------------------------------------


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


# --- Words for one item ------------------------------------------------------------------------


def fill(rng: random.Random, day: datetime.date) -> dict[str, object]:
    system, other = rng.sample(SYSTEMS, 2)
    a = rng.randint(88, 99)
    m1 = rng.randint(40, 60)
    e1 = rng.randint(60, 75)
    h1 = rng.randint(4, 12)
    ms1 = rng.randint(180, 900)
    return {
        "system": system,
        "other": other,
        "topic": rng.choice(TOPICS),
        "team": rng.choice(TEAMS),
        "report": rng.choice(REPORTS),
        "tech": rng.choice(TECH),
        "quarter": f"Q{(day.month - 1) // 3 + 1} {day.year}",
        "pct": rng.randint(8, 35),
        "k": rng.choice((40, 60, 85, 120, 150, 240, 310, 450, 600)),
        "a": a,
        "b": a + rng.randint(2, 9),
        "m1": m1,
        "m2": m1 + rng.randint(3, 12),
        "e1": e1,
        "e2": e1 + rng.randint(5, 15),
        "n": rng.randint(3, 14),
        "h1": h1,
        "h2": rng.randint(1, h1 - 1),
        "ms1": ms1,
        "ms2": ms1 * rng.randint(35, 80) // 100,
        "weeks": rng.randint(3, 12),
        "people": rng.randint(2, 6),
    }


def evidence_words(
    rng: random.Random, entries: Sequence[Entry], day: datetime.date, used_titles: set[str]
) -> tuple[str, str, str, list[str]]:
    """Title, summary, outcome and links for one item, the title not yet used in its case."""
    for _ in range(20):
        entry = rng.choice(entries)
        values = fill(rng, day)
        title = entry.title.format(**values)
        if title not in used_titles:
            break
    used_titles.add(title)
    slug = slugify(" ".join(title.split()[:6]))
    links = [
        f"https://example.org/{rng.choice(LINK_SECTIONS)}/{slug}-{n + 1}"
        for n in range(rng.choices((0, 1, 2), weights=(5, 4, 1))[0])
    ]
    return title, entry.summary.format(**values), entry.outcome.format(**values), links


def answers_for(rng: random.Random, yes: int, question_ids: Sequence[int]) -> list[Answer]:
    yes_ids = set(rng.sample(list(question_ids), min(yes, len(question_ids))))
    answers = []
    for question_id in question_ids:
        if question_id in yes_ids:
            value = Answer.Value.YES
        else:
            value = rng.choice((Answer.Value.PARTLY, Answer.Value.PARTLY, Answer.Value.NO))
        answers.append(Answer(question_id=question_id, value=value, note=rng.choice(NOTES[value])))
    return answers


# --- Writing -----------------------------------------------------------------------------------


def delete_demo_cases(candidates: Sequence[User]) -> None:
    """Remove the demo candidates' cases on any M3 → E1 version, attachment files included."""
    # A signed case cannot be deleted (sign-offs are append-only), so one signed while trying
    # the app is kept as it is.
    cases = Case.objects.filter(
        candidate__in=candidates,
        guide__from_level__code=FROM_LEVEL,
        guide__to_level__code=TO_LEVEL,
        sign_offs__isnull=True,
    )
    names = list(Attachment.objects.filter(evidence__case__in=cases).values_list("file", flat=True))
    cases.delete()
    if names:
        storage = Attachment.file.field.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


@transaction.atomic
def create_demo_cases(people: dict[str, User], *, today: datetime.date) -> list[Case]:
    """(Re)create the four demo cases on the latest published M3 → E1 guide, dated up to today.

    Returns the cases in the order ada, ben, cleo, eli, or an empty list when there is no such
    guide. Existing cases of the demo candidates on any M3 → E1 version are deleted first, so
    running it again leaves exactly these four.
    """
    guide = demo_guide()
    if guide is None:
        return []
    delete_demo_cases([people[username] for username in DEMO_CANDIDATES])
    # Before ben's current case: an open case would stop the older one from being opened.
    ensure_decided_case(people, guide, today=today)

    capabilities = list(guide.capabilities.order_by("number").prefetch_related("indicators"))
    numbers = [capability.number for capability in capabilities]
    by_number = {capability.number: capability for capability in capabilities}
    indicator_ids = {
        capability.number: [
            i.pk for i in sorted(capability.indicators.all(), key=lambda i: i.position)
        ]
        for capability in capabilities
    }
    question_ids = list(guide.questions.order_by("position").values_list("pk", flat=True))

    cases: list[Case] = []
    evidence: list[Evidence] = []
    tags: list[list[int]] = []
    check_ins: list[CheckIn] = []
    answers: list[list[Answer]] = []
    for make_plan in PLANS:
        name = make_plan.__name__.removeprefix("plan_")
        rng = random.Random(f"{name}:{today.isoformat()}")
        plan = make_plan(rng, today, numbers, guide, len(question_ids))
        kept = Case.objects.active().filter(candidate=people[plan.candidate], guide=guide).first()
        if kept is not None:
            cases.append(kept)
            continue
        case = open_case(
            candidate=people[plan.candidate],
            sponsor=people[plan.sponsor],
            guide=guide,
            opened_on=plan.opened_on,
        )
        if plan.narrative:
            case.narrative = plan.narrative
            case.save(update_fields=["narrative"])
        cases.append(case)

        # Tagging walks round each capability's indicators in date order, so every stretch of
        # items covers as many different indicators as it tags.
        next_position = dict.fromkeys(numbers, 0)
        used_titles: set[str] = set()
        for day, number in sorted(plan.items):
            ids = indicator_ids[number]
            pool = min(len(ids), plan.indicator_pool.get(number, len(ids)))
            count = min(pool, rng.choice((1, 2, 2, 3)))
            start = next_position[number]
            tags.append([ids[(start + j) % pool] for j in range(count)])
            next_position[number] = start + count
            title, summary, outcome, links = evidence_words(
                rng, THEMES[(number - 1) % len(THEMES)], day, used_titles
            )
            evidence.append(
                Evidence(
                    case=case,
                    capability=by_number[number],
                    title=title,
                    date=day,
                    summary=summary,
                    outcome=outcome,
                    links=links,
                )
            )
        for day, yes in sorted(plan.check_ins):
            check_ins.append(CheckIn(case=case, date=day))
            answers.append(answers_for(rng, yes, question_ids))

    Evidence.objects.bulk_create(evidence)
    Through = Evidence.indicators.through
    Through.objects.bulk_create(
        Through(evidence_id=item.pk, indicator_id=indicator_id)
        for item, ids in zip(evidence, tags, strict=True)
        for indicator_id in ids
    )
    CheckIn.objects.bulk_create(check_ins)
    for check_in, given in zip(check_ins, answers, strict=True):
        for answer in given:
            answer.check_in = check_in
    Answer.objects.bulk_create(answer for given in answers for answer in given)
    Feedback.objects.bulk_create(demo_feedback(evidence))
    return cases


DECIDED_TITLES = (
    "Ran the first cross-team incident review for the payments outage",
    "Took over the hiring plan for the platform group",
    "Wrote the case for retiring the old reporting stack",
    "Presented the engineering budget to the finance committee",
    "Set up the staff engineers' architecture forum",
    "Led the vendor review for the data warehouse",
)


def ensure_decided_case(people: dict[str, User], guide: Guide, *, today: datetime.date) -> Case:
    """Ben's earlier case: signed off and decided "not yet" about two years ago.

    Made once and then kept: its sign-off is append-only, as every sign-off is.
    """
    from reviews.services import record_decision, sign_off

    ben, sam, hana = people["ben"], people["sam"], people["hana"]
    existing = Case.objects.filter(
        candidate=ben,
        guide__from_level__code=FROM_LEVEL,
        guide__to_level__code=TO_LEVEL,
        status=Case.Status.DECIDED,
    ).first()
    if existing is not None:
        return existing
    opened_on = today.replace(day=1) - datetime.timedelta(days=3 * 365)
    case = open_case(candidate=ben, sponsor=sam, guide=guide, opened_on=opened_on)
    capabilities = list(guide.capabilities.order_by("number").prefetch_related("indicators"))
    items = Evidence.objects.bulk_create(
        Evidence(
            case=case,
            capability=capabilities[index % len(capabilities)],
            title=title,
            date=opened_on + datetime.timedelta(days=45 * (index + 1)),
            summary="Work from Ben's first case, kept as it was signed.",
            outcome="Recorded for the committee of that year.",
        )
        for index, title in enumerate(DECIDED_TITLES)
    )
    Through = Evidence.indicators.through
    Through.objects.bulk_create(
        Through(evidence_id=item.pk, indicator_id=item.capability.indicators.all()[0].pk)
        for item in items
    )
    sign_off(
        case=case,
        signer=sam,
        decision="ready",
        rationale="Strong delivery; the committee should weigh the executive exposure.",
        override_reason="Put forward for the annual cycle at the candidate's request.",
        expected_sign_offs=0,
    )
    record_decision(
        case=case,
        outcome="not_yet",
        effective_date=opened_on + datetime.timedelta(days=365),
        note="Not yet: too little evidence of executive participation. A new case follows.",
        decided_by=hana,
    )
    case.refresh_from_db()
    return case


SPONSOR_LINES = (
    (Feedback.Kind.ENDORSE, "This is exactly the kind of outcome the committee looks for."),
    (Feedback.Kind.ENDORSE, "Good: the business result is clear and you owned it end to end."),
    (Feedback.Kind.QUESTION, "Who made the final call here, you or the steering group?"),
    (Feedback.Kind.QUESTION, "Can you put a number on the revenue effect?"),
    (Feedback.Kind.NEEDS_MORE, "Add the follow-up: what happened a quarter later?"),
    (Feedback.Kind.NEEDS_MORE, "Link the decision record so a reader can see the trade-offs."),
)
CANDIDATE_REPLIES = (
    "I made it, after one round with finance. I have added the memo.",
    "About four per cent on renewals; the finance dashboard is linked now.",
    "Fair point, I will add the quarter-later numbers once they close.",
)


def demo_feedback(evidence: Sequence[Evidence]) -> list[Feedback]:
    """A few threads on the demo items: sponsor verdicts, some answered by the candidate."""
    feedback = []
    for index, item in enumerate(evidence):
        if index % 6:
            continue
        kind, text = SPONSOR_LINES[(index // 6) % len(SPONSOR_LINES)]
        feedback.append(
            Feedback(case=item.case, evidence=item, author=item.case.sponsor, kind=kind, text=text)
        )
        if kind != Feedback.Kind.ENDORSE and (index // 6) % 2:
            feedback.append(
                Feedback(
                    case=item.case,
                    evidence=item,
                    author=item.case.candidate,
                    kind=Feedback.Kind.REPLY,
                    text=CANDIDATE_REPLIES[(index // 12) % len(CANDIDATE_REPLIES)],
                )
            )
    return feedback
