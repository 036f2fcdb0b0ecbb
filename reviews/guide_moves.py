"""Moving an open case to a newer version of its guide: only when HR asks, after seeing the plan.

A case stays on the version it was opened on. When HR moves it, every part of the case that
points into the guide follows: each evidence item to its capability's counterpart, its indicator
tags to theirs, each check-in answer to its question's counterpart, the candidate's unfinished
drafts too. Counterparts are found by the rule of guides.guidediff (same text, else the same
place). An indicator or question without one loses its tag or answer, and the plan lists them
first; an item whose capability has none cannot be placed, so the move is refused until the new
version has it. The move is one transaction under the case's lock; the history records it (the
case's and the items' changes), the candidate is told which items to re-tag, and readiness is
computed again on the new version.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch

from guides.guidediff import Kind, Pair, pair_items
from guides.models import Capability, Guide, Indicator
from inbox.models import Notice
from inbox.services import notify
from reviews.case_writes import Part, case_open_for_writes
from reviews.models import Answer, Case, Evidence
from reviews.services import refresh_snapshot


def newer_versions(case: Case):
    """The published versions of the case's levels that it may move to, newest first."""
    guide = case.guide
    return (
        Guide.objects.published()
        .with_levels()
        .defer(*Guide.LONG_TEXTS)
        .filter(
            from_level_id=guide.from_level_id,
            to_level_id=guide.to_level_id,
            version__gt=guide.version,
        )
        .order_by("-version")
    )


@dataclass(frozen=True)
class TagFate:
    """What becomes of one indicator an item is tagged with."""

    old: str
    kind: Kind
    new_position: int | None = None
    new: str | None = None


@dataclass
class ItemPlan:
    evidence_id: int
    title: str
    old_capability: str
    new_capability: str | None
    tags: list[TagFate] = field(default_factory=list)

    @property
    def lost(self) -> list[TagFate]:
        return [t for t in self.tags if t.new is None]


@dataclass(frozen=True)
class QuestionFate:
    pair: Pair
    answers: int  # how many of the case's answers it holds


@dataclass
class MovePlan:
    case: Case
    target: Guide
    items: list[ItemPlan]
    questions: list[QuestionFate]  # the ones that changed
    capability_map: dict[int, int | None]  # old capability id → new one
    indicator_map: dict[int, int | None]
    question_map: dict[int, int | None]
    drafts: int

    @property
    def unplaced(self) -> list[ItemPlan]:
        return [item for item in self.items if item.new_capability is None]

    @property
    def to_retag(self) -> list[ItemPlan]:
        return [item for item in self.items if item.lost and item.new_capability]

    @property
    def answers_lost(self) -> int:
        return sum(q.answers for q in self.questions if q.pair.new is None)

    @property
    def possible(self) -> bool:
        return not self.unplaced


def _capabilities(guide: Guide) -> list[Capability]:
    return list(
        guide.capabilities.order_by("number").prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
        )
    )


def _pairs(old: list, new: list, text) -> list[tuple[Pair, object, object]]:
    return [
        (
            pair,
            old[pair.old_position - 1] if pair.old_position else None,
            new[pair.new_position - 1] if pair.new_position else None,
        )
        for pair in pair_items([text(o) for o in old], [text(n) for n in new])
    ]


def plan_move(case: Case, target: Guide) -> MovePlan:
    """What moving the case to `target` would do to each of its items, answers and drafts."""
    capability_map, indicator_map, question_map = {}, {}, {}
    titles = {}
    for _, before, after in _pairs(
        _capabilities(case.guide), _capabilities(target), lambda c: c.title
    ):
        if before is None:
            continue
        capability_map[before.pk] = after.pk if after else None
        titles[before.pk] = (before, after)
        old_indicators = list(before.indicators.all())
        new_indicators = list(after.indicators.all()) if after else []
        for _, old, new in _pairs(old_indicators, new_indicators, lambda i: i.text):
            if old is not None:
                indicator_map[old.pk] = new

    items = []
    evidence = case.evidence.order_by("date", "id").prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
    )
    for item in evidence:
        before, after = titles[item.capability_id]
        plan = ItemPlan(
            evidence_id=item.pk,
            title=item.title,
            old_capability=f"{before.number}. {before.title}",
            new_capability=f"{after.number}. {after.title}" if after else None,
        )
        for indicator in item.indicators.all():
            new = indicator_map.get(indicator.pk)
            if new is None:
                plan.tags.append(TagFate(indicator.text, Kind.REMOVED))
                continue
            kind = Kind.SAME if new.text == indicator.text else Kind.REWORDED
            if kind is Kind.SAME and new.position != indicator.position:
                kind = Kind.MOVED
            plan.tags.append(TagFate(indicator.text, kind, new.position, new.text))
        items.append(plan)

    counts = defaultdict(int)
    for question_id in Answer.objects.filter(check_in__case=case).values_list(
        "question_id", flat=True
    ):
        counts[question_id] += 1
    questions = []
    for pair, old, new in _pairs(
        list(case.guide.questions.order_by("position")),
        list(target.questions.order_by("position")),
        lambda q: q.text,
    ):
        if old is not None:
            question_map[old.pk] = new.pk if new else None
        if pair.changed:
            questions.append(QuestionFate(pair, counts[old.pk] if old else 0))
    return MovePlan(
        case=case,
        target=target,
        items=items,
        questions=questions,
        capability_map=capability_map,
        indicator_map={k: v.pk if v else None for k, v in indicator_map.items()},
        question_map=question_map,
        drafts=case.drafts.count(),
    )


def move_case(*, case: Case, target: Guide, by) -> MovePlan:
    """Move the open case to `target`, a newer published version of its guide, whole or not at
    all. Returns the plan it carried out, made again under the lock from the data as it is."""
    with case_open_for_writes(case.pk, Part.GUIDE) as case:
        target = Guide.objects.with_levels().get(pk=target.pk)
        if not newer_versions(case).filter(pk=target.pk).exists():
            raise ValidationError(
                f"This case can only move to a newer published version of {case.guide.label}."
            )
        if Case.objects.filter(
            candidate_id=case.candidate_id, guide=target, status__in=Case.ACTIVE_STATUSES
        ).exists():
            raise ValidationError(
                f"{case.candidate.display_name} already has an open case on {target.label}."
            )
        plan = plan_move(case, target)
        if not plan.possible:
            raise ValidationError(
                f"{target.label} has no counterpart for the capability of "
                f"{len(plan.unplaced)} evidence item(s), so they cannot be placed on it."
            )
        _rewrite(case, plan)
        case.guide = target
        case.save(update_fields=["guide"])
        # Readiness follows the guide even for a case with no evidence yet, whose rows would
        # otherwise not bump the version its snapshot is keyed by.
        Case.objects.filter(pk=case.pk).update(data_version=F("data_version") + 1)
        refresh_snapshot(case)
        if plan.to_retag:
            notify(
                recipient_id=case.candidate_id,
                kind=Notice.Kind.REMINDER,
                text=f"{by.display_name} moved your case to {target.label}. Re-tag the "
                f"indicators of {len(plan.to_retag)} evidence item(s):",
                about="see the evidence",
                link=case.get_absolute_url(),
            )
        return plan


def _rewrite(case: Case, plan: MovePlan) -> None:
    for old, new in plan.capability_map.items():
        case.evidence.filter(capability_id=old).update(capability_id=new)
        case.drafts.filter(capability_id=old).update(capability_id=new)
    tags = Evidence.indicators.through
    rows = list(tags.objects.filter(evidence__case=case).values_list("evidence_id", "indicator_id"))
    tags.objects.filter(evidence__case=case).delete()
    tags.objects.bulk_create(
        tags(evidence_id=evidence_id, indicator_id=plan.indicator_map[indicator_id])
        for evidence_id, indicator_id in rows
        if plan.indicator_map.get(indicator_id)
    )
    for draft in case.drafts.exclude(indicator_ids=[]):
        draft.indicator_ids = [
            plan.indicator_map[i] for i in draft.indicator_ids if plan.indicator_map.get(i)
        ]
        draft.save(update_fields=["indicator_ids"])
    answers = Answer.objects.filter(check_in__case=case)
    for old, new in plan.question_map.items():
        if new is None:
            answers.filter(question_id=old).delete()
        else:
            answers.filter(question_id=old).update(question_id=new)
