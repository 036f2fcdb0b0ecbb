"""What the demo says: the wording of its evidence, notes, narratives and feedback.

Items are assembled from the phrase lists here with a generator seeded by candidate and date, so
a given day always gives the same demo. Everything here is invented.
"""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.text import slugify

from reviews.models import Answer, Feedback
from reviews.readiness.months import quarter_of

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


DECIDED_TITLES = (
    "Ran the first cross-team incident review for the payments outage",
    "Took over the hiring plan for the platform group",
    "Wrote the case for retiring the old reporting stack",
    "Presented the engineering budget to the finance committee",
    "Set up the staff engineers' architecture forum",
    "Led the vendor review for the data warehouse",
)


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
        "quarter": f"Q{quarter_of(day)[0]} {day.year}",
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
