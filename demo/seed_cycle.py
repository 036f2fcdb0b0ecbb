"""The seeded organisation's committee (`manage.py seed_demo --cycle-cases`, 50 unless told): a
cycle in committee with that many of the open cases nominated (those signed off ready first), a
panel of three directors who sponsor none of them, and every sheet in, so that `make bench`
times the calibration page at 50 cases. Scores are drawn from a generator seeded by the seed and
each nomination's place, so the same seed writes the same scores; most cases get scores that
roughly agree, some a wide split.
"""

import datetime
import random

from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import User
from demo.seed_levels import start_histories
from guides.models import Guide
from reviews.models import (
    CapabilityScore,
    Case,
    Cycle,
    CycleMove,
    Nomination,
    Panellist,
    Recommendation,
    ScoreSheet,
    SignOff,
)

CYCLE_CASES = 50
PANEL_SIZE = 3
# One case in this many gets a wide split on one capability: something to discuss first.
SPLIT_EVERY = 6

SCORE_REASONS = {
    0: "Nothing in the packet shows this yet.",
    1: "A start, in one or two items, not yet over the whole window.",
    2: "Shown in every block of the window, with outcomes named.",
    3: "Shown throughout, and others now work the way this candidate set out.",
}
SHEET_REASONS = {
    Recommendation.PROMOTE: "Ready on the evidence: the gaps left are small and named.",
    Recommendation.NOT_YET: "Close, but one capability is not yet shown over the whole window.",
}


def panel_people(
    *, seed: int, guide: Guide, password_hash: str, as_of: datetime.date
) -> list[User]:
    """Three directors who sponsor nobody, so they are conflicted on no case."""
    rng = random.Random(f"{seed}:panel")
    names = ("Mira", "Tobias", "Selin", "Arvid", "Noor", "Ilse")
    rows = [
        User(
            username=f"seed-panellist-{n}",
            name=f"{rng.choice(names)} {chr(ord('A') + n)}. Example",
            email=f"seed-panellist-{n}@example.org",
            job_title="Director of Engineering",
            current_level=guide.to_level,
            password=password_hash,
        )
        for n in range(1, PANEL_SIZE + 1)
    ]
    User.objects.bulk_create(rows)
    start_histories(rows, as_of=as_of, rng=rng)
    return rows


def nominated(guide: Guide, limit: int) -> list[Case]:
    """Open cases on the guide, those signed off ready first."""
    ready = SignOff.objects.filter(case=OuterRef("pk"), decision=SignOff.Decision.READY)
    return list(
        Case.objects.filter(guide=guide, status__in=Case.ACTIVE_STATUSES)
        .annotate(ready=Exists(ready))
        .order_by("-ready", "pk")
        .only("pk", "sponsor_id")[:limit]
    )


def sheet_values(rng: random.Random, capabilities: int, split: bool) -> list[list[int]]:
    """Per panellist, a value per capability: near one level for the case, one wide split on a
    capability when `split`."""
    base = [rng.choice((1, 2, 2, 3)) for _ in range(capabilities)]
    sheets = [
        [min(3, max(0, level + rng.choice((-1, 0, 0, 0, 1)))) for level in base]
        for _ in range(PANEL_SIZE)
    ]
    if split:
        where = rng.randrange(capabilities)
        sheets[0][where], sheets[-1][where] = 0, 3
    return sheets


@transaction.atomic
def seed_cycle(
    *,
    seed: int,
    guide: Guide,
    hr: User,
    as_of: datetime.date,
    counts: dict[str, int],
    cases: int = CYCLE_CASES,
) -> Cycle:
    """The cycle, its moves, panel, nominations and sheets; the panel's password is everyone's
    (the HR person's, hashed once already)."""
    capabilities = list(guide.capabilities.order_by("number").values_list("pk", flat=True))
    cycle = Cycle.objects.create(
        name=f"Committee of {as_of:%B %Y} (seeded)",
        nominations_close=as_of - datetime.timedelta(days=42),
        scores_due=as_of - datetime.timedelta(days=14),
        committee_meets=as_of + datetime.timedelta(days=7),
        outcomes_due=as_of + datetime.timedelta(days=21),
        state=Cycle.State.COMMITTEE,
        created_by=hr,
    )
    cycle.guides.set([guide])
    moves = ("", Cycle.State.NOMINATING, Cycle.State.SCORING, Cycle.State.COMMITTEE)
    CycleMove.objects.bulk_create(
        CycleMove(cycle=cycle, from_state=before, to_state=after, by=hr)
        for before, after in zip(moves, moves[1:], strict=False)
    )
    panel = panel_people(seed=seed, guide=guide, password_hash=hr.password, as_of=as_of)
    Panellist.objects.bulk_create(
        Panellist(cycle=cycle, user=person, appointed_by=hr) for person in panel
    )
    chosen = nominated(guide, cases)
    nominations = Nomination.objects.bulk_create(
        Nomination(cycle=cycle, case=case, by_id=case.sponsor_id) for case in chosen
    )
    sheets, values = [], []
    for place, nomination in enumerate(nominations):
        rng = random.Random(f"{seed}:cycle:{place}")
        drawn = sheet_values(rng, len(capabilities), split=place % SPLIT_EVERY == 0)
        for person, given in zip(panel, drawn, strict=True):
            leaning = sum(given) / len(given) >= 2
            recommendation = Recommendation.PROMOTE if leaning else Recommendation.NOT_YET
            sheets.append(
                ScoreSheet(
                    nomination=nomination,
                    panellist=person,
                    recommendation=recommendation,
                    reason=SHEET_REASONS[recommendation],
                )
            )
            values.append(given)
    ScoreSheet.objects.bulk_create(sheets)
    CapabilityScore.objects.bulk_create(
        CapabilityScore(sheet=sheet, capability_id=pk, value=value, reason=SCORE_REASONS[value])
        for sheet, given in zip(sheets, values, strict=True)
        for pk, value in zip(capabilities, given, strict=True)
    )
    counts["people"] += len(panel)
    counts["nominations"] += len(nominations)
    counts["score_sheets"] += len(sheets)
    counts["scores"] += len(sheets) * len(capabilities)
    return cycle
