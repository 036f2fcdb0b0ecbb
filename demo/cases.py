"""Demo cases for the fictional Example Org, one candidate in each readiness state.

`manage.py load_demo` calls `create_demo_cases` after the demo people exist. Every run deletes the
demo candidates' cases on the M3 → E1 guide and writes them again, dated back from `today`: the
demo people already work that way (their passwords are put back on every run), and only fresh
dates keep each candidate in the state the demo is meant to show as the calendar moves on.

Dates are laid out by calendar month counted back from `today`, which is how the readiness rule
counts, so the intended shape holds whatever the date (demo/plans.py). The wording is assembled
from the phrase lists of demo/phrases.py with a generator seeded by candidate and date, so a
given day always gives the same demo. Everything here is invented.
"""

import datetime
import random
from collections.abc import Sequence

from django.db import transaction

from accounts.models import User
from demo.cycles import decide_in_earlier_cycle, delete_current_cycle
from demo.phrases import (
    CANDIDATE_REPLIES,
    DECIDED_TITLES,
    NOTES,
    SPONSOR_LINES,
    THEMES,
    evidence_words,
)
from demo.plans import DEMO_CANDIDATES, PLANS
from guides.models import Guide
from reviews.models import Answer, Attachment, Case, CheckIn, Evidence, Feedback
from reviews.services import open_case

FROM_LEVEL = "M3"
TO_LEVEL = "E1"


def demo_guide(from_level: str = FROM_LEVEL, to_level: str = TO_LEVEL) -> Guide | None:
    """The guide a demo case uses: the latest published version between the two levels
    (M3 → E1 unless told), or None when it has not been imported."""
    return (
        Guide.objects.published()
        .filter(from_level__code=from_level, to_level__code=to_level)
        .order_by("-version")
        .first()
    )


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


def delete_demo_cases(
    candidates: Sequence[User], *, from_level: str = FROM_LEVEL, to_level: str = TO_LEVEL
) -> None:
    """Remove the demo candidates' cases on any version of the guide between the two levels
    (M3 → E1 unless told), attachment files included."""
    # A signed or nominated case cannot be deleted (sign-offs and what a committee records are
    # append-only), so one signed or nominated while trying the app, or by the demo's cycles
    # (demo/cycles.py), is kept as it is.
    cases = Case.objects.filter(
        candidate__in=candidates,
        guide__from_level__code=from_level,
        guide__to_level__code=to_level,
        sign_offs__isnull=True,
        nominations__isnull=True,
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
    # The current cycle holds some of these cases: it goes first, to be made again after them.
    delete_current_cycle()
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


def ensure_decided_case(people: dict[str, User], guide: Guide, *, today: datetime.date) -> Case:
    """Ben's earlier case: signed off ready, then decided "not yet" by the earlier round's
    committee about two years ago (demo/cycles.py).

    Made once and then kept: its sign-off is append-only, as every sign-off is.
    """
    from reviews.services import sign_off

    ben, sam = people["ben"], people["sam"]
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
    decide_in_earlier_cycle(people, case, decided_on=opened_on + datetime.timedelta(days=365))
    case.refresh_from_db()
    return case


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
