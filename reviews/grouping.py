"""How a case's records are grouped for reading: evidence under its capability and indicators,
check-in answers by question. Plain Python over records already read,
in the order they were read; no queries."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CapabilityGroup:
    """One capability's items: under each of its indicators those tagging it (an item tagging
    two shows under both), then those tagging none."""

    capability: object
    indicators: list[tuple[object, list]]
    untagged: list


def evidence_by_capability(capabilities: Iterable, items: Sequence) -> list[CapabilityGroup]:
    """`capabilities` with their indicators prefetched, `items` with theirs."""
    by_capability = defaultdict(list)
    for item in items:
        by_capability[item.capability_id].append(item)
    groups = []
    for capability in capabilities:
        mine = by_capability[capability.pk]
        tagged = defaultdict(list)
        for item in mine:
            for indicator in item.indicators.all():
                tagged[indicator.pk].append(item)
        groups.append(
            CapabilityGroup(
                capability=capability,
                indicators=[(i, tagged[i.pk]) for i in capability.indicators.all()],
                untagged=[item for item in mine if not item.indicators.all()],
            )
        )
    return groups


@dataclass(frozen=True)
class CapabilityPage:
    """Where a capability's items start in a review paged in capability order."""

    number: int
    title: str
    items: int
    page: int | None


def capability_pages(
    capabilities: Sequence, counts: dict[int, int], page_size: int
) -> list[CapabilityPage]:
    """For each capability (in number order), how many items it has and the page its first one
    is on, None when it has none; `counts` is items by capability id."""
    pages, before = [], 0
    for capability in capabilities:
        count = counts.get(capability.pk, 0)
        first = before // page_size + 1 if count else None
        pages.append(CapabilityPage(capability.number, capability.title, count, first))
        before += count
    return pages


def answers_by_question(questions: Iterable, check_ins: Sequence) -> list[tuple[object, list]]:
    """One row per question: its answer in each check-in, in the check-ins' order, or None
    where a check-in has none. `check_ins` with their answers prefetched."""
    answers = {
        (check_in.pk, answer.question_id): answer
        for check_in in check_ins
        for answer in check_in.answers.all()
    }
    return [
        (question, [answers.get((check_in.pk, question.pk)) for check_in in check_ins])
        for question in questions
    ]
