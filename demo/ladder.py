"""The demo's second step of the ladder: Fay's case on the M2 → M3 guide, sponsored by Tess.

Like the M3 → E1 cases (demo/cases.py) it is deleted and written again on every run, dated back
from `today` by calendar month, so it always shows the same picture: a case building for ten
months, steady on leading through managers and planning, thinner on organisation design.
Everything here is invented.
"""

import datetime
import random

from django.db import transaction

from accounts.models import User
from demo.cases import delete_demo_cases, demo_guide
from demo.plans import day_in_month
from reviews.models import Answer, Case, CheckIn, Evidence
from reviews.readiness.months import month_start
from reviews.services import open_case

FROM_LEVEL = "M2"
TO_LEVEL = "M3"
CANDIDATE = "fay"
SPONSOR = "tess"
MONTHS_OPEN = 10

# (months ago, capability number, title, what was done, outcome)
ITEMS = (
    (
        9,
        1,
        "Handed the on-call rota to the team leads",
        "Stopped approving rota swaps myself and wrote down the three rules the leads now apply.",
        "Swaps settled within a day, with no escalations to me in the quarter.",
    ),
    (
        8,
        3,
        "Drafted the payments area plan for next year",
        "Wrote a two-page plan linking each "
        "team's goals to the checkout targets and reviewed it with product.",
        "Product and finance signed it off in the first review.",
    ),
    (
        7,
        4,
        "Set up a monthly look at build and incident numbers",
        "Chose lead time, failed deploys and paging load as the area's three measures.",
        "Two teams changed their release habits after the first two reviews.",
    ),
    (
        6,
        1,
        "Coached Noor through her first quarter as a manager",
        "Fortnightly sessions on running one-to-ones and setting goals, apart from status talk.",
        "Noor now runs hiring for her group without me in the loop.",
    ),
    (
        5,
        2,
        "Proposed splitting the ledger team in two",
        "Mapped where work waited between "
        "ledger and reporting and wrote up a split with its costs.",
        "Peers found two gaps; the revised plan goes ahead next quarter.",
    ),
    (
        4,
        3,
        "Replaced the weekly status note with an outcome review",
        "Each team now reports one user-facing result against the plan instead of a task list.",
        "The review takes half the time and surfaced one goal we dropped.",
    ),
    (
        3,
        4,
        "Wrote the area's deploy standard with senior engineers",
        "Ran three sessions with the most senior engineers to write down what they already do.",
        "Every team adopted it; failed deploys fell by a third.",
    ),
    (
        2,
        1,
        "Let the leads run the quarterly planning day",
        "Gave each lead one part of the day and only stepped in at the end.",
        "Plans came back in a week instead of three.",
    ),
    (
        1,
        3,
        "Said no to the loyalty feature mid-quarter",
        "Explained in writing why it did not serve the year's plan and offered a later slot.",
        "The request moved to next year's plan with its sponsor's agreement.",
    ),
    (
        0,
        4,
        "Followed up every incident action for the quarter",
        "Read each incident review and chased open actions with their owners.",
        "All actions closed; no repeat incidents so far.",
    ),
)
# (months ago, how many questions answered yes)
CHECK_INS = ((8, 2), (5, 3), (2, 3))


@transaction.atomic
def create_ladder_case(people: dict[str, User], *, today: datetime.date) -> Case | None:
    """(Re)create Fay's case on the latest published M2 → M3 guide, or None without one."""
    guide = demo_guide(FROM_LEVEL, TO_LEVEL)
    if guide is None:
        return None
    delete_demo_cases([people[CANDIDATE]], from_level=FROM_LEVEL, to_level=TO_LEVEL)
    kept = Case.objects.active().filter(candidate=people[CANDIDATE], guide=guide).first()
    if kept is not None:
        return kept
    case = open_case(
        candidate=people[CANDIDATE],
        sponsor=people[SPONSOR],
        guide=guide,
        opened_on=month_start(today, MONTHS_OPEN - 1),
    )
    capabilities = {c.number: c for c in guide.capabilities.prefetch_related("indicators")}
    for index, (months_ago, number, title, summary, outcome) in enumerate(ITEMS):
        capability = capabilities[number]
        indicators = sorted(capability.indicators.all(), key=lambda i: i.position)
        item = Evidence.objects.create(
            case=case,
            capability=capability,
            title=title,
            date=_day(today, months_ago, index),
            summary=summary,
            outcome=outcome,
        )
        item.indicators.set(indicators[index % len(indicators) :][:2])
    questions = list(guide.questions.order_by("position"))
    for index, (months_ago, yes) in enumerate(CHECK_INS):
        check_in = CheckIn.objects.create(case=case, date=_day(today, months_ago, index))
        Answer.objects.bulk_create(
            Answer(
                check_in=check_in,
                question=question,
                value=Answer.Value.YES if position < yes else Answer.Value.PARTLY,
            )
            for position, question in enumerate(questions)
        )
    return case


def _day(today: datetime.date, months_ago: int, index: int) -> datetime.date:
    # The same day for the same date and item, so a given day always gives the same demo.
    return day_in_month(random.Random(f"fay:{today}:{index}"), today, months_ago)
