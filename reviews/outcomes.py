"""A nominated case's outcome as it is read: the panel's scores grouped by capability, for the
pages, and the outcome record, in plain JSON types, for the packet.

Both start from sheets `reviews.scoring.visible_sheets` gave, or from the published cycle: nothing
here reveals a score the reveal rule keeps back.
"""

from dataclasses import dataclass

from reviews.models import Appeal, Cycle, Nomination, Outcome, ScoreSheet
from reviews.scoring import PUBLISHED
from reviews.words import SCORE_MEANINGS, score_label


@dataclass(frozen=True)
class GivenScore:
    value: int
    label: str
    reason: str
    panellist: str | None


@dataclass(frozen=True)
class CapabilityScores:
    capability: object
    scores: list[GivenScore]


def by_capability(sheets, *, capabilities, names: bool) -> list[CapabilityScores]:
    """Each capability with the scores the sheets give it, in the sheets' order; a panellist's
    name only when `names` (the cycle shows them, or the reader is on the committee)."""
    given: dict[int, list[GivenScore]] = {c.pk: [] for c in capabilities}
    for sheet in sheets:
        for score in sheet.scores.all():
            given.setdefault(score.capability_id, []).append(
                GivenScore(
                    value=score.value,
                    label=score_label(score.value),
                    reason=score.reason,
                    panellist=sheet.panellist.display_name if names else None,
                )
            )
    return [CapabilityScores(c, given[c.pk]) for c in capabilities]


def scale() -> list[tuple[int, str, str]]:
    """The scale's steps: value, word and meaning."""
    return [(value, score_label(value), meaning) for value, meaning in SCORE_MEANINGS.items()]


def _at(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def outcome_record(nomination: Nomination) -> dict:
    """The cycle's outcome for the case, for the packet: the outcome chain oldest first, the
    appeal, and the panel's current scores per capability (panellists' usernames only when the
    cycle shows names). Empty of outcomes and scores until the cycle is published, so that a
    packet read before then reveals nothing."""
    cycle: Cycle = nomination.cycle
    record = {
        "cycle": cycle.name,
        "state": cycle.state,
        "nominated_at": _at(nomination.created_at),
        "published_at": _at(cycle.published_at),
        "outcomes": [],
        "appeal": None,
        "scores": [],
        "recommendations": [],
    }
    if cycle.state not in PUBLISHED:
        return record
    record["outcomes"] = [
        {
            "result": outcome.result,
            "rationale": outcome.rationale,
            "justification": outcome.justification,
            "recorded_by": outcome.recorded_by.username,
            "at": _at(outcome.created_at),
        }
        for outcome in Outcome.objects.filter(nomination=nomination)
        .select_related("recorded_by")
        .order_by("created_at", "id")
    ]
    appeal = (
        Appeal.objects.filter(nomination=nomination)
        .select_related("filed_by", "decided_by")
        .first()
    )
    if appeal is not None:
        record["appeal"] = {
            "reason": appeal.reason,
            "filed_by": appeal.filed_by.username,
            "filed_at": _at(appeal.filed_at),
            "result": appeal.result or None,
            "note": appeal.result_note,
            "decided_by": appeal.decided_by.username if appeal.decided_by else None,
            "decided_at": _at(appeal.decided_at),
        }
    sheets = list(
        ScoreSheet.objects.current()
        .filter(nomination=nomination)
        .select_related("panellist")
        .prefetch_related("scores__capability")
        .order_by("id")
    )
    names = cycle.show_panel_names

    def who(sheet) -> dict:
        return {"panellist": sheet.panellist.username} if names else {}

    capabilities = list(nomination.case.guide.capabilities.order_by("number"))
    per_capability = {c.pk: [] for c in capabilities}
    for sheet in sheets:
        for score in sheet.scores.all():
            per_capability[score.capability_id].append(
                {"value": score.value, "reason": score.reason, **who(sheet)}
            )
    record["scores"] = [
        {"capability": c.number, "scores": per_capability[c.pk]} for c in capabilities
    ]
    record["recommendations"] = [
        {"recommendation": sheet.recommendation, "reason": sheet.reason, **who(sheet)}
        for sheet in sheets
    ]
    return record
