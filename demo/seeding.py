"""A large, realistic, reproducible organisation for load and speed tests (`manage.py seed_demo`).

Everything is drawn from `random.Random` seeded by the seed and each person's number, and every
date is counted back from `as_of`, so the same seed and the same as-of date write the same rows.
Candidates hold M3 and work towards E1 on the published M3 → E1 guide; sponsors hold E1; a cycle
in committee may hold some of their cases (demo/seed_cycle.py). Rows go in with bulk inserts, a
few candidates at a time, each batch in its own transaction. The history triggers stay on: their
insert events are part of what a real organisation would have.

The people and their words are invented, with "Example" in every name.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pgtrigger
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import connection, transaction

from accounts.models import User
from demo.seed_cycle import seed_cycle
from demo.seed_levels import promote, start_histories
from demo.seed_plans import (
    DECISION_NOTES,
    FIRST_NAMES,
    INITIALS,
    OVERRIDE_REASON,
    RATIONALES,
    GuideShape,
    Plan,
    make_plan,
    sponsor_loads,
)
from guides.models import Guide
from guides.services import import_guide
from reviews.models import Answer, Attachment, Case, CheckIn, Decision, Evidence, Feedback, SignOff
from reviews.readiness.rule import Status
from reviews.roles import hr_group

FROM_LEVEL = "M3"
TO_LEVEL = "E1"
SHIPPED_GUIDE = Path(__file__).resolve().parent.parent / "guides" / "data" / "m3-to-e1.md"
USERNAME_PREFIX = "seed-"
# Candidates per transaction. The history triggers open a subtransaction for every row, and each
# row costs more the more came before it in the same transaction: a short transaction each keeps
# the cost flat (about 20 candidates: a few thousand rows).
CHUNK = 20
BATCH = 5000

# --- Writing -----------------------------------------------------------------------------------


@dataclass
class SeedResult:
    guide: Guide
    hr: User
    sponsors: list[User]
    candidates: list[User]
    counts: dict[str, int] = field(default_factory=dict)


def seed_guide() -> Guide:
    """The latest published M3 → E1 guide, imported from the shipped file when there is none."""
    guide = (
        Guide.objects.published()
        .filter(from_level__code=FROM_LEVEL, to_level__code=TO_LEVEL)
        .order_by("-version")
        .first()
    )
    if guide is None:
        guide = import_guide(source=SHIPPED_GUIDE.read_bytes(), if_new=True).guide
    return guide


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(INITIALS)}. Example"


def create_people(
    *,
    seed: int,
    candidates: int,
    sponsors: int,
    guide: Guide,
    password: str,
    as_of: datetime.date,
) -> tuple[User, list[User], list[User]]:
    rng = random.Random(f"{seed}:people")
    # One hash for everyone: hashing each of thousands of passwords would take minutes.
    hashed = make_password(password)

    def user(username: str, name: str, title: str, level) -> User:
        return User(
            username=f"{USERNAME_PREFIX}{username}",
            name=name,
            email=f"{USERNAME_PREFIX}{username}@example.org",
            job_title=title,
            current_level=level,
            password=hashed,
        )

    hr = user("hr", person_name(rng), "People Partner", None)
    hr.is_staff = True
    sponsor_rows = [
        user(f"sponsor-{n:03d}", person_name(rng), "Director of Engineering", guide.to_level)
        for n in range(sponsors)
    ]
    candidate_rows = [
        user(f"candidate-{n:04d}", person_name(rng), "Head of Engineering", guide.from_level)
        for n in range(candidates)
    ]
    User.objects.bulk_create([hr, *sponsor_rows, *candidate_rows], batch_size=BATCH)
    hr.groups.add(hr_group())
    start_histories([*sponsor_rows, *candidate_rows], as_of=as_of, rng=rng)
    return hr, sponsor_rows, candidate_rows


def backdate_feedback(case_ids: Sequence[int], as_of: datetime.date) -> None:
    """Date each message a few days after its item, as if written then, and before as_of.

    The rows go in with the insert time; this is a correction of fresh rows, not an edit, so
    it is kept out of the history.
    """
    with pgtrigger.ignore("reviews.Feedback:update_update"), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE reviews_feedback f
            SET created_at = LEAST(
                e.date + time '09:00'
                + (CASE WHEN f.kind = 'reply' THEN 3 ELSE 1 END) * interval '1 day'
                + (length(e.title) %% 7) * interval '1 hour',
                %s::date + time '08:00'
            )
            FROM reviews_evidence e
            WHERE e.id = f.evidence_id AND f.case_id = ANY(%s)
            """,
            [as_of, list(case_ids)],
        )


def write_chunk(
    plans: Sequence[Plan],
    *,
    guide: Guide,
    sponsors: Sequence[User],
    candidates: Sequence[User],
    capability_ids: dict[int, int],
    indicator_ids: dict[tuple[int, int], int],
    question_ids: Sequence[int],
    as_of: datetime.date,
    counts: dict[str, int],
) -> list[Case]:
    cases = Case.objects.bulk_create(
        [
            Case(
                candidate=candidates[plan.number],
                sponsor=sponsors[plan.sponsor],
                guide=guide,
                opened_on=plan.opened_on,
                status=plan.status,
                narrative=plan.narrative,
            )
            for plan in plans
        ],
        batch_size=BATCH,
    )
    evidence = [
        Evidence(
            case=case,
            capability_id=capability_ids[item.capability],
            title=item.title,
            date=item.date,
            summary=item.summary,
            outcome=item.outcome,
            links=item.links,
        )
        for case, plan in zip(cases, plans, strict=True)
        for item in plan.items
    ]
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)
    items = [item for plan in plans for item in plan.items]
    evidence_ids, tag_ids = [], []
    for row, item in zip(evidence, items, strict=True):
        for position in item.indicators:
            evidence_ids.append(row.pk)
            tag_ids.append(indicator_ids[item.capability, position])
    with connection.cursor() as cursor:
        # Half a million link rows: one statement per chunk instead of a model object each.
        cursor.execute(
            "INSERT INTO reviews_evidence_indicators (evidence_id, indicator_id) "
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
            [evidence_ids, tag_ids],
        )

    feedback = []
    for row, item in zip(evidence, items, strict=True):
        for kind, text, by_candidate in item.feedback:
            case = row.case
            author = case.candidate if by_candidate else case.sponsor
            feedback.append(Feedback(case=case, evidence=row, author=author, kind=kind, text=text))
    Feedback.objects.bulk_create(feedback, batch_size=BATCH)
    backdate_feedback([case.pk for case in cases], as_of)

    check_ins, answers = [], []
    for case, plan in zip(cases, plans, strict=True):
        for day, given in plan.check_ins:
            check_in = CheckIn(case=case, date=day)
            check_ins.append(check_in)
            answers.extend(
                Answer(check_in=check_in, question_id=qid, value=value, note=note)
                for qid, (value, note) in zip(question_ids, given, strict=True)
            )
    CheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
    Answer.objects.bulk_create(answers, batch_size=BATCH)

    attachments = []
    storage = Attachment.file.field.storage
    for row, item in zip(evidence, items, strict=True):
        if item.attachment is None:
            continue
        name, content_type, body = item.attachment
        stored = storage.save(
            f"evidence/{row.case_id}/seed-{row.pk}-{name.replace('.', '-')}", ContentFile(body)
        )
        attachments.append(
            Attachment(
                evidence=row,
                file=stored,
                original_name=name,
                content_type=content_type,
                size=len(body),
            )
        )
    Attachment.objects.bulk_create(attachments, batch_size=BATCH)

    counts["cases"] += len(cases)
    counts["evidence"] += len(evidence)
    counts["indicator_tags"] += len(evidence_ids)
    counts["feedback"] += len(feedback)
    counts["check_ins"] += len(check_ins)
    counts["answers"] += len(answers)
    counts["attachments"] += len(attachments)
    return cases


@dataclass(frozen=True)
class SignedPlan:
    sign_off: str
    outcome: str | None
    last_item: datetime.date


PROMOTED = Decision.Outcome.PROMOTED


def last_date(plan: Plan) -> datetime.date:
    return max((item.date for item in plan.items), default=plan.opened_on)


def sign_cases(
    signed: Sequence[tuple[Case, SignedPlan]], *, hr: User, counts: dict[str, int]
) -> None:
    """Sign-offs carry the hash of the packet as written, computed as `sign_off` computes it."""
    from reviews.packets.build import build_packet, packet_sha256
    from reviews.readiness.snapshots import readiness_for_cases

    if not signed:
        return
    ids = [case.pk for case, _ in signed]
    cases = {case.pk: case for case in Case.objects.with_people().filter(pk__in=ids)}
    readiness = readiness_for_cases(cases.values())
    sign_offs, decisions = [], []
    for stub, plan in signed:
        case = cases[stub.pk]
        status = readiness[case.pk].status
        override = plan.sign_off == SignOff.Decision.READY and status != Status.READY
        sign_offs.append(
            SignOff(
                case=case,
                signer=case.sponsor,
                decision=plan.sign_off,
                rationale=RATIONALES[plan.sign_off],
                override=override,
                override_reason=OVERRIDE_REASON if override else "",
                readiness_status=status.value,
                packet_sha256=packet_sha256(build_packet(case)),
            )
        )
        if plan.outcome:
            decisions.append(
                Decision(
                    case=case,
                    outcome=plan.outcome,
                    effective_date=plan.last_item + datetime.timedelta(days=14),
                    note=DECISION_NOTES[plan.outcome],
                    decided_by=hr,
                )
            )
    SignOff.objects.bulk_create(sign_offs, batch_size=BATCH)
    Decision.objects.bulk_create(decisions, batch_size=BATCH)
    counts["sign_offs"] += len(sign_offs)
    counts["decisions"] += len(decisions)


def seed(
    *,
    candidates: int,
    sponsors: int,
    months: int = 24,
    items_per_month: int = 6,
    seed: int = 1,
    as_of: datetime.date,
    password: str,
    cycle_cases: int = 0,
    progress: Callable[[str], None] = lambda message: None,
) -> SeedResult:
    """Write `candidates` M3 candidates with their cases and `sponsors` E1 sponsors; with
    `cycle_cases`, a cycle in committee with up to that many of the cases nominated."""
    if candidates < 1 or sponsors < 1:
        raise ValueError("Seed at least one candidate and one sponsor.")
    if months < 3:
        raise ValueError("Seed at least three months, one quarter's check-in.")
    if User.objects.filter(username__startswith=USERNAME_PREFIX).exists():
        raise ValueError(
            f"People named {USERNAME_PREFIX}… already exist: seed into an empty database."
        )
    guide = seed_guide()
    capabilities = list(guide.capabilities.order_by("number").prefetch_related("indicators"))
    shape = GuideShape(
        capabilities=tuple(c.number for c in capabilities),
        indicators={c.number: tuple(i.position for i in c.indicators.all()) for c in capabilities},
        questions=guide.questions.count(),
    )
    capability_ids = {c.number: c.pk for c in capabilities}
    indicator_ids = {(c.number, i.position): i.pk for c in capabilities for i in c.indicators.all()}
    question_ids = list(guide.questions.order_by("position").values_list("pk", flat=True))

    assignment = sponsor_loads(random.Random(f"{seed}:sponsors"), candidates, sponsors)
    with transaction.atomic():
        hr, sponsor_rows, candidate_rows = create_people(
            seed=seed,
            candidates=candidates,
            sponsors=sponsors,
            guide=guide,
            password=password,
            as_of=as_of,
        )
    counts: dict[str, int] = defaultdict(int)
    counts["people"] = 1 + sponsors + candidates
    signed: list[tuple[Case, Plan]] = []
    for start in range(0, candidates, CHUNK):
        # Planned a batch at a time: the whole organisation's words would not fit in memory.
        chunk = [
            make_plan(
                number,
                seed=seed,
                sponsor=assignment[number],
                shape=shape,
                months=months,
                items_per_month=items_per_month,
                as_of=as_of,
            )
            for number in range(start, min(start + CHUNK, candidates))
        ]
        with transaction.atomic():
            cases = write_chunk(
                chunk,
                guide=guide,
                sponsors=sponsor_rows,
                candidates=candidate_rows,
                capability_ids=capability_ids,
                indicator_ids=indicator_ids,
                question_ids=question_ids,
                as_of=as_of,
                counts=counts,
            )
        for case, plan in zip(cases, chunk, strict=True):
            if plan.sign_off:
                # The words are no longer needed, only the dates and the decision.
                signed.append((case, SignedPlan(plan.sign_off, plan.outcome, last_date(plan))))
        progress(f"{start + len(chunk)} of {candidates} candidates written")
    with transaction.atomic():
        sign_cases(signed, hr=hr, counts=counts)
        promote([(case, plan) for case, plan in signed if plan.outcome == PROMOTED], guide, hr)
    if cycle_cases:
        seed_cycle(seed=seed, guide=guide, hr=hr, as_of=as_of, counts=counts, cases=cycle_cases)
        progress("a cycle in committee written, its panel's sheets all in")
    return SeedResult(guide, hr, sponsor_rows, candidate_rows, dict(counts))
