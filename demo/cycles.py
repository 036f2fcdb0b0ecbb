"""The demo's promotion cycles: one in committee now and one published before it.

`manage.py load_demo` calls `create_demo_cycles` after the M3 → E1 cases exist. The current cycle
covers that guide: Ada's, Ben's and Cleo's cases nominated by the people team, each with its
reason; a panel of three directors who sponsor none of them has scored all three, and disagrees
most on Cleo's. The earlier cycle holds Ben's first case, nominated by his sponsor after a ready
sign-off and published "not yet" (demo/cases.py makes that case).

Both are made through the cycle services. The current one is dated from today, so, like the
cases, it is deleted and made again on every run (`delete_current_cycle`, before the cases go),
unless it was published while trying the app; the earlier one is made once and kept, as Ben's
first case is. Everything here is invented.
"""

import datetime

import pgtrigger
from django.db import transaction

from accounts.models import User
from reviews import cycles, scoring
from reviews.models import (
    Appeal,
    CapabilityScore,
    Case,
    Cycle,
    CycleMove,
    Decision,
    Nomination,
    Outcome,
    ScoreSheet,
)

CURRENT = "Example Org directors, current round"
EARLIER = "Example Org directors, earlier round"
PANEL = ("uma", "vic", "wyn")

# Per panellist, per case: a score for every capability (by position, repeated as needed), the
# recommendation and its reason. Cleo's is where the panel disagrees.
SHEETS = {
    "ada": {
        "uma": ((3, 2, 3, 2), "promote", "Sustained across every block, with the outcomes named."),
        "vic": ((2, 3, 2, 2), "promote", "Ready: the organisation-level work is the clearest."),
        "wyn": ((3, 3, 2, 3), "promote", "The evidence would hold up at the next level already."),
    },
    "ben": {
        "uma": ((2, 1, 1, 2), "not_yet", "Strong earlier on, but quiet for the last quarter."),
        "vic": ((1, 1, 2, 1), "not_yet", "Too little recent evidence to call it sustained."),
        "wyn": ((2, 1, 1, 1), "not_yet", "Worth another look once the quiet stretch is filled."),
    },
    "cleo": {
        "uma": ((3, 3, 1, 0), "promote", "The delivery record outweighs the thin areas."),
        "vic": ((1, 2, 0, 0), "not_yet", "Lopsided: two capabilities have almost nothing yet."),
        "wyn": (
            (3, 2, 2, 1),
            "promote",
            "Thin in places; the strongest items stand out.",
        ),
    },
}
SCORE_REASONS = {
    0: "Nothing in the evidence shows this yet.",
    1: "A start: one or two items, not yet across the window.",
    2: "Shown in each block of the window.",
    3: "Shown throughout, with outcomes beyond the candidate's own area.",
}
# The earlier round's panel on Ben's first case: agreed, not yet.
EARLIER_SHEETS = {
    "uma": ((2, 1, 1, 1), "not_yet", "Delivery is clear; executive exposure is not there yet."),
    "vic": ((1, 1, 2, 1), "not_yet", "Good work, mostly within the candidate's own area."),
    "wyn": ((2, 2, 1, 1), "not_yet", "A year more at this scope would make the case."),
}
HR_REASONS = {
    "ada": "Sustained on every capability; put forward for this round by the people team.",
    "ben": "Put forward at the candidate's request, to hear the committee on the quiet stretch.",
    "cleo": "Put forward by the people team so the committee can weigh lopsided evidence.",
}


def _dates(today: datetime.date, *days: int) -> dict[str, datetime.date]:
    names = ("nominations_close", "scores_due", "committee_meets", "outcomes_due")
    return {name: today + datetime.timedelta(days=d) for name, d in zip(names, days, strict=True)}


def _score(*, nomination, panellist: User, values, recommendation: str, reason: str) -> None:
    capabilities = list(nomination.case.guide.capabilities.order_by("number"))
    scores = {
        capability.pk: (values[index % len(values)], SCORE_REASONS[values[index % len(values)]])
        for index, capability in enumerate(capabilities)
    }
    scoring.submit_scores(
        nomination=nomination,
        panellist=panellist,
        scores=scores,
        recommendation=recommendation,
        reason=reason,
    )


def _new_cycle(name: str, guide, *, around: datetime.date, days, hana, panel) -> Cycle:
    cycle = cycles.create_cycle(
        name=name,
        guides=[guide],
        appeal_days=14,
        show_panel_names=False,
        by=hana,
        **_dates(around, *days),
    )
    for person in panel:
        cycles.appoint(cycle=cycle, user=person, by=hana)
    return cycle


@transaction.atomic
def create_demo_cycles(
    people: dict[str, User], cases: list[Case], *, today: datetime.date
) -> list[Cycle]:
    """The two demo cycles, current first; none without the cases."""
    if not cases:
        return []
    guide = cases[0].guide
    panel = [people[username] for username in PANEL]
    made = {cycle.name: cycle for cycle in Cycle.objects.filter(name__in=[CURRENT, EARLIER])}
    if CURRENT not in made:  # deleted by this run (delete_current_cycle) unless published
        made[CURRENT] = _current_cycle(people, cases, guide, today=today, panel=panel)
    return [made[CURRENT], *([made[EARLIER]] if EARLIER in made else [])]


def _current_cycle(people, cases, guide, *, today, panel) -> Cycle:
    hana = people["hana"]
    cycle = _new_cycle(CURRENT, guide, around=today, days=(-28, -7, 7, 21), hana=hana, panel=panel)
    by_candidate = {case.candidate.username: case for case in cases}
    nominations = {
        username: cycles.nominate(case=by_candidate[username], cycle=cycle, by=hana, reason=reason)
        for username, reason in HR_REASONS.items()
    }
    cycles.move_cycle(cycle=cycle, to_state=Cycle.State.SCORING, by=hana)
    for username, sheets in SHEETS.items():
        for panellist in panel:
            values, recommendation, reason = sheets[panellist.username]
            _score(
                nomination=nominations[username],
                panellist=panellist,
                values=values,
                recommendation=recommendation,
                reason=reason,
            )
    cycle = cycles.move_cycle(cycle=cycle, to_state=Cycle.State.COMMITTEE, by=hana)
    _date_moves(cycle)
    return cycle


def decide_in_earlier_cycle(people: dict[str, User], case: Case, *, decided_on: datetime.date):
    """Ben's first case through the earlier round: nominated by its sponsor after a ready
    sign-off, scored by the panel, "not yet", published; dated as if it happened on
    `decided_on`."""
    hana = people["hana"]
    panel = [people[username] for username in PANEL]
    cycle = _new_cycle(
        EARLIER, case.guide, around=decided_on, days=(-60, -40, -20, 0), hana=hana, panel=panel
    )
    nomination = cycles.nominate(case=case, cycle=cycle, by=case.sponsor)
    cycles.move_cycle(cycle=cycle, to_state=Cycle.State.SCORING, by=hana)
    for panellist in panel:
        values, recommendation, reason = EARLIER_SHEETS[panellist.username]
        _score(
            nomination=nomination,
            panellist=panellist,
            values=values,
            recommendation=recommendation,
            reason=reason,
        )
    cycles.move_cycle(cycle=cycle, to_state=Cycle.State.COMMITTEE, by=hana)
    scoring.record_outcome(
        nomination=nomination,
        result="not_yet",
        rationale="Not yet: too little evidence of executive participation. A new case follows.",
        justification="",
        by=hana,
    )
    scoring.publish_cycle(cycle=Cycle.objects.get(pk=cycle.pk), by=hana)
    published_at = datetime.datetime.combine(decided_on, datetime.time(12), tzinfo=datetime.UTC)
    Cycle.objects.filter(pk=cycle.pk).update(published_at=published_at)
    Decision.objects.filter(case=case).update(effective_date=decided_on)
    _date_moves(cycle, published=decided_on)
    return cycle


def _date_moves(cycle: Cycle, *, published: datetime.date | None = None) -> None:
    """Each move of a demo cycle dated on the day its plan gives (opened a month before
    nominations close, scoring from then, committee from the scores' due date): its records are
    append-only, so only the demo writes such dates."""
    cycle.refresh_from_db()
    days = {
        "": cycle.nominations_close - datetime.timedelta(days=30),
        Cycle.State.NOMINATING: cycle.nominations_close,
        Cycle.State.SCORING: cycle.scores_due,
        Cycle.State.COMMITTEE: published,
    }
    with pgtrigger.ignore("reviews.CycleMove:cycle_move_append_only"):
        for move in cycle.moves.all():
            day = datetime.datetime.combine(days[move.from_state], datetime.time(9), datetime.UTC)
            CycleMove.objects.filter(pk=move.pk).update(at=day)


APPEND_ONLY_TRIGGERS = (
    "reviews.CycleMove:cycle_move_append_only",
    "reviews.ScoreSheet:score_sheet_append_only",
    "reviews.CapabilityScore:capability_score_append_only",
    "reviews.Outcome:outcome_append_only",
    "reviews.Appeal:appeal_kept",
)


def delete_current_cycle() -> None:
    """The demo's current cycle and all it holds, unless it was published while trying the app
    (its outcomes are then decisions, kept as every decision is)."""
    cycle = Cycle.objects.filter(
        name=CURRENT,
        state__in=[Cycle.State.NOMINATING, Cycle.State.SCORING, Cycle.State.COMMITTEE],
    ).first()
    if cycle is None:
        return
    with pgtrigger.ignore(*APPEND_ONLY_TRIGGERS):
        for model, path in (
            (CapabilityScore, "sheet__nomination__cycle"),
            (ScoreSheet, "nomination__cycle"),
            (Outcome, "nomination__cycle"),
            (Appeal, "nomination__cycle"),
        ):
            rows = model.objects.filter(**{path: cycle})
            if model in (ScoreSheet, Outcome):
                # Each chain is deleted whole: first the links between its rows.
                rows.update(supersedes=None)
            rows.delete()
        Nomination.objects.filter(cycle=cycle).delete()
        cycle.delete()
