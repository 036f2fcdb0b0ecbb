"""The panel's scores, the committee's outcomes, their publication and the appeals that follow.

Every write here runs in a transaction and locks the row two writes could race on: a panellist's
sheets for a case and the committee's outcomes lock their nomination, a publication locks its
cycle (and each case as it records the case's decision), an appeal's answer locks the appeal.
The cycle's row is locked by every write that depends on its state, so a move of the cycle
(reviews/cycles.py locks it too) lands wholly before or after a score or an outcome.

Scores are read by pages only through `visible_sheets`: the reveal is simultaneous and decided
here, on the server, never by a template.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import clock
from reviews import notices
from reviews.case_writes import locked_case
from reviews.cycles import locked_cycle, require_hr
from reviews.models import (
    Appeal,
    CapabilityScore,
    Case,
    Cycle,
    Decision,
    Nomination,
    Outcome,
    Recommendation,
    ScoreSheet,
)
from reviews.roles import roles_for
from reviews.services import decide
from reviews.words import recommendation_label

# States in which the panel's scores are revealed (to those entitled), and those after publication.
REVEALED = (Cycle.State.COMMITTEE, Cycle.State.PUBLISHED, Cycle.State.CLOSED)
PUBLISHED = (Cycle.State.PUBLISHED, Cycle.State.CLOSED)
# What the committee decides, against what the panel recommends.
RESULT_FOR = {
    Recommendation.PROMOTE: Outcome.Result.PROMOTED,
    Recommendation.NOT_YET: Outcome.Result.NOT_YET,
}
DECISION_FOR = {
    Outcome.Result.PROMOTED: Decision.Outcome.PROMOTED,
    Outcome.Result.NOT_YET: Decision.Outcome.NOT_YET,
}

NOT_SCORING = "Scores are given while the cycle is in scoring; this cycle is {state}."
FIRST_IN_COMMITTEE = (
    "The cycle is in committee, so only panellists who scored this case before can change "
    "their scores."
)
NOT_ON_PANEL = "You are not on the panel of this cycle."
CONFLICTED = (
    "You sponsor this case or are its candidate, so you do not score it: the rest of the "
    "panel does."
)
OWN_CASE = "You are the candidate on {what}, so another HR person records it."


def locked_nomination(nomination_id: int) -> Nomination:
    """The nomination with its case's people and guide, its row locked, and its cycle's row locked
    before it (the order every write here takes them in)."""
    cycle_id = Nomination.objects.values_list("cycle_id", flat=True).get(pk=nomination_id)
    cycle = locked_cycle(cycle_id)
    list(Nomination.objects.select_for_update().filter(pk=nomination_id).values_list("pk"))
    nomination = Nomination.objects.select_related(
        "case__candidate", "case__sponsor", "case__guide__to_level"
    ).get(pk=nomination_id)
    nomination.cycle = cycle
    return nomination


def submit_scores(
    *,
    nomination: Nomination,
    panellist,
    scores: Mapping,
    recommendation: str,
    reason: str,
) -> ScoreSheet:
    """A panellist's sheet for a case: `scores` maps each capability of the case's guide (or its
    id) to (value, reason). A sheet given again is a new sheet superseding the one before."""
    with transaction.atomic():
        nomination = locked_nomination(nomination.pk)
        cycle = nomination.cycle
        if not cycle.panel.filter(user=panellist).exists():
            raise PermissionDenied(NOT_ON_PANEL)
        if not Nomination.objects.scorable_by(panellist).filter(pk=nomination.pk).exists():
            raise PermissionDenied(CONFLICTED)
        head = (
            ScoreSheet.objects.current().filter(nomination=nomination, panellist=panellist).first()
        )
        if cycle.state == Cycle.State.COMMITTEE:
            if head is None:
                raise ValidationError(FIRST_IN_COMMITTEE)
        elif cycle.state != Cycle.State.SCORING:
            raise ValidationError(NOT_SCORING.format(state=cycle.get_state_display().lower()))
        given = {getattr(key, "pk", key): value for key, value in scores.items()}
        capabilities = list(nomination.case.guide.capabilities.order_by("number"))
        problems = {}
        for capability in capabilities:
            value, why = given.get(capability.pk, (None, ""))
            if value not in CapabilityScore.Value.values:
                problems[f"value_{capability.pk}"] = (
                    f"Choose a score for capability {capability.number}."
                )
            if not (why or "").strip():
                problems[f"reason_{capability.pk}"] = (
                    f"Give the reason for your score on capability {capability.number}."
                )
        if set(given) - {c.pk for c in capabilities}:
            problems["__all__"] = "Score only the capabilities of this case's guide."
        if recommendation not in Recommendation.values:
            problems["recommendation"] = "Choose promote or not yet."
        if not (reason or "").strip():
            problems["reason"] = "Give the reason for your recommendation."
        if problems:
            raise ValidationError(problems)
        sheet = ScoreSheet.objects.create(
            nomination=nomination,
            panellist=panellist,
            recommendation=recommendation,
            reason=reason.strip(),
            supersedes=head,
        )
        CapabilityScore.objects.bulk_create(
            CapabilityScore(
                sheet=sheet,
                capability=capability,
                value=given[capability.pk][0],
                reason=given[capability.pk][1].strip(),
            )
            for capability in capabilities
        )
        return sheet


def own_sheet(*, nomination: Nomination, user) -> ScoreSheet | None:
    """The user's own current sheet for the case, with its scores, or None."""
    return (
        ScoreSheet.objects.current()
        .filter(nomination=nomination, panellist=user)
        .prefetch_related("scores__capability")
        .first()
    )


def sees_scores(*, state: str, case, user, is_hr: bool, submitted: bool) -> bool:
    """The reveal rule: whether `user` may read the panel's scores of a nominated case now,
    given whether they are HR and whether they have submitted their own sheet for it.

    Nobody before the cycle is in committee. In committee: HR, and each panellist who has
    submitted their own sheet for the case (never its sponsor). Once published: the candidate
    and the sponsor too. The candidate never sees them before publication, even when they are
    HR or on the panel. The calibration view applies it to every case at once.
    """
    if state not in REVEALED:
        return False
    published = state in PUBLISHED
    if user.pk == case.candidate_id:
        return published
    if published and user.pk == case.sponsor_id:
        return True
    if is_hr:
        return True
    return user.pk != case.sponsor_id and submitted


def may_see_scores(*, nomination: Nomination, user) -> bool:
    """`sees_scores` for one nomination and the person asking."""
    if not user.is_authenticated:
        return False
    return sees_scores(
        state=nomination.cycle.state,
        case=nomination.case,
        user=user,
        is_hr=roles_for(user).hr,
        submitted=ScoreSheet.objects.filter(nomination=nomination, panellist=user).exists(),
    )


def visible_sheets(*, nomination: Nomination, user):
    """The current sheets of the rest of the panel that `user` may read, with their scores and
    panellists; none at all while `may_see_scores` says no."""
    if not may_see_scores(nomination=nomination, user=user):
        return ScoreSheet.objects.none()
    return (
        ScoreSheet.objects.current()
        .filter(nomination=nomination)
        .exclude(panellist=user)
        .select_related("panellist")
        .prefetch_related("scores__capability")
        .order_by("panellist__name", "panellist__username", "id")
    )


@dataclass(frozen=True)
class Tally:
    """The current sheets' recommendations: how many of each, and the majority (None on a tie
    or when nobody has scored)."""

    counts: dict[str, int]
    majority: str | None

    @property
    def sheets(self) -> int:
        return sum(self.counts.values())


def majority(nomination: Nomination) -> Tally:
    counts = dict.fromkeys(Recommendation.values, 0)
    for value in (
        ScoreSheet.objects.current()
        .filter(nomination=nomination)
        .values_list("recommendation", flat=True)
    ):
        counts[value] += 1
    promote, not_yet = counts[Recommendation.PROMOTE], counts[Recommendation.NOT_YET]
    if promote == not_yet:
        return Tally(counts, None)
    return Tally(counts, Recommendation.PROMOTE if promote > not_yet else Recommendation.NOT_YET)


def against_majority(tally: Tally, result: str) -> bool:
    return tally.majority is not None and RESULT_FOR[tally.majority] != result


def justification_needed(tally: Tally) -> str:
    return (
        f"The panel's majority recommended {recommendation_label(tally.majority).lower()}: "
        "say why the committee decided otherwise."
    )


def record_outcome(
    *, nomination: Nomination, result: str, rationale: str, justification: str, by
) -> Outcome:
    """The committee's outcome for a case, recorded by HR in committee; a change supersedes."""
    with transaction.atomic():
        nomination = locked_nomination(nomination.pk)
        require_hr(by)
        if nomination.case.candidate_id == by.pk:
            raise PermissionDenied(OWN_CASE.format(what="this case"))
        if nomination.cycle.state != Cycle.State.COMMITTEE:
            raise ValidationError(
                "Outcomes are recorded while the cycle is in committee; this cycle is "
                f"{nomination.cycle.get_state_display().lower()}."
            )
        problems = {}
        if result not in Outcome.Result.values:
            problems["result"] = "Choose promoted or not yet."
        if not (rationale or "").strip():
            problems["rationale"] = "Give the committee's rationale."
        tally = majority(nomination)
        against = result in Outcome.Result.values and against_majority(tally, result)
        if against and not (justification or "").strip():
            problems["justification"] = justification_needed(tally)
        if problems:
            raise ValidationError(problems)
        head = Outcome.objects.current().filter(nomination=nomination).first()
        return Outcome.objects.create(
            nomination=nomination,
            result=result,
            rationale=rationale.strip(),
            justification=justification.strip() if against else "",
            recorded_by=by,
            supersedes=head,
        )


def cases_named(nominations) -> str:
    return "; ".join(
        f"{n.case.candidate.display_name} ({n.case.guide.from_level.code} → "
        f"{n.case.guide.to_level.code})"
        for n in nominations
    )


def publish_cycle(*, cycle: Cycle, by) -> Cycle:
    """Publish every outcome of a cycle in committee at once: each case gets its decision (a
    promotion moves the candidate's level), and its candidate and sponsor are told."""
    with transaction.atomic():
        cycle = locked_cycle(cycle.pk)
        require_hr(by)
        if cycle.state != Cycle.State.COMMITTEE:
            raise ValidationError(
                "A cycle is published from committee; this one is "
                f"{cycle.get_state_display().lower()}."
            )
        nominations = list(
            cycle.nominations.select_related(
                "case__candidate",
                "case__sponsor",
                "case__guide__from_level",
                "case__guide__to_level",
            ).order_by("id")
        )
        if any(n.case.candidate_id == by.pk for n in nominations):
            raise PermissionDenied(OWN_CASE.format(what="one of this cycle's cases"))
        heads = {
            o.nomination_id: o for o in Outcome.objects.current().filter(nomination__cycle=cycle)
        }
        missing = [n for n in nominations if n.pk not in heads]
        if missing:
            raise ValidationError(
                f"Every case needs an outcome before the cycle is published. Still without one: "
                f"{cases_named(missing)}."
            )
        today = clock.today()
        for nomination in nominations:
            case = locked_case(nomination.case_id)
            # A case decided, withdrawn or given a decision some other way since its nomination
            # cannot take the committee's: HR sorts it out first.
            if (
                case.status not in Case.ACTIVE_STATUSES
                or Decision.objects.filter(case=case).exists()
            ):
                raise ValidationError(
                    f"The case of {case.candidate.display_name} is "
                    f"{case.get_status_display().lower()}, so the committee's outcome cannot be "
                    "recorded on it. Nothing was published."
                )
            outcome = heads[nomination.pk]
            decide(
                case=case,
                outcome=DECISION_FOR[outcome.result],
                effective_date=today,
                note=f"{cycle.name}: {outcome.rationale}",
                decided_by=by,
            )
        cycle.state = Cycle.State.PUBLISHED
        cycle.published_at = clock.now()
        cycle.save(update_fields=["state", "published_at"])
        cycle.moves.create(from_state=Cycle.State.COMMITTEE, to_state=cycle.state, by=by)
        for nomination in nominations:
            notices.outcome_published(nomination=nomination, outcome=heads[nomination.pk])
        return cycle


def appeal_until(cycle: Cycle) -> datetime.date | None:
    """The last day a candidate may appeal this cycle's outcome, or None before publication."""
    if cycle.published_at is None:
        return None
    published_on = timezone.localtime(cycle.published_at).date()
    return published_on + datetime.timedelta(days=cycle.appeal_days)


def appeal_open(nomination: Nomination) -> bool:
    until = appeal_until(nomination.cycle)
    return (
        nomination.cycle.state in PUBLISHED
        and until is not None
        and clock.today() <= until
        and not Appeal.objects.filter(nomination=nomination).exists()
    )


def appeal(*, nomination: Nomination, by, reason: str) -> Appeal:
    """The candidate's one appeal, within `appeal_days` days of publication."""
    with transaction.atomic():
        nomination = locked_nomination(nomination.pk)
        if by.pk != nomination.case.candidate_id:
            raise PermissionDenied("Only the candidate appeals their outcome.")
        cycle = nomination.cycle
        until = appeal_until(cycle)
        if cycle.state not in PUBLISHED or until is None:
            raise ValidationError("An outcome can be appealed once it is published.")
        if Appeal.objects.filter(nomination=nomination).exists():
            raise ValidationError(
                "You have appealed this outcome already; an outcome is appealed once."
            )
        if clock.today() > until:
            raise ValidationError(f"The time to appeal ended on {until.day} {until:%B %Y}.")
        if not (reason or "").strip():
            raise ValidationError({"reason": "Say why you appeal the outcome."})
        filed = Appeal.objects.create(nomination=nomination, reason=reason.strip(), filed_by=by)
        return filed


def answer_appeal(*, appeal: Appeal, result: str, note: str, by) -> Appeal:
    """HR's answer to an appeal, given once."""
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        nomination = Nomination.objects.select_related("case__guide__to_level").get(
            pk=appeal.nomination_id
        )
        require_hr(by)
        if nomination.case.candidate_id == by.pk:
            raise PermissionDenied(OWN_CASE.format(what="this case"))
        if appeal.decided_at is not None:
            raise ValidationError(
                "This appeal has been answered already; the answer is given once."
            )
        problems = {}
        if result not in Appeal.Result.values:
            problems["result"] = "Choose upheld or not upheld."
        if not (note or "").strip():
            problems["note"] = "Say what HR found."
        if problems:
            raise ValidationError(problems)
        appeal.result = result
        appeal.result_note = note.strip()
        appeal.decided_by = by
        appeal.decided_at = clock.now()
        appeal.save(update_fields=["result", "result_note", "decided_by", "decided_at"])
        notices.appeal_answered(nomination=nomination, appeal=appeal)
        return appeal
