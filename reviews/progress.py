"""From the database to the pure readiness rule, in a fixed number of queries for any cases."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count
from django.utils import timezone

from guides.models import Capability, Question
from reviews.models import Answer, Case, Evidence
from reviews.readiness import (
    CapabilitySpec,
    CheckIn,
    EvidenceItem,
    GuideSpec,
    Readiness,
    compute_readiness,
)


def today() -> datetime.date:
    return timezone.localdate()


def guide_specs(guide_ids: Iterable[int], guides: dict) -> dict[int, GuideSpec]:
    """`guides` maps id → Guide (for the window); capabilities and questions are read here."""
    guide_ids = set(guide_ids)
    capabilities = defaultdict(list)
    rows = (
        Capability.objects.filter(guide_id__in=guide_ids)
        .annotate(indicators_total=Count("indicators"))
        .order_by("guide_id", "number")
        .values_list("guide_id", "number", "title", "indicators_total")
    )
    for guide_id, number, title, total in rows:
        capabilities[guide_id].append(CapabilitySpec(number, title, total))
    questions = dict(
        Question.objects.filter(guide_id__in=guide_ids)
        .values("guide_id")
        .annotate(n=Count("id"))
        .values_list("guide_id", "n")
    )
    return {
        gid: GuideSpec(
            min_months=guides[gid].min_months,
            max_months=guides[gid].max_months,
            capabilities=tuple(capabilities[gid]),
            question_count=questions.get(gid, 0),
        )
        for gid in guide_ids
    }


def readiness_for_cases(
    cases: Iterable[Case], as_of: datetime.date | None = None
) -> dict[int, Readiness]:
    """Readiness of each case, keyed by case id, in four queries whatever the number of cases."""
    as_of = as_of or today()
    cases = list(cases)
    if not cases:
        return {}
    ids = [case.pk for case in cases]
    specs = guide_specs({c.guide_id for c in cases}, {c.guide_id: c.guide for c in cases})

    evidence = defaultdict(list)
    rows = (
        Evidence.objects.filter(case_id__in=ids, date__lte=as_of)
        .annotate(positions=ArrayAgg("indicators__position", default=[]))
        .values_list("case_id", "capability__number", "date", "positions")
    )
    for case_id, number, date, positions in rows:
        evidence[case_id].append(
            EvidenceItem(number, date, tuple(p for p in positions if p is not None))
        )

    answers: dict[int, dict[int, tuple[datetime.date, dict[int, str]]]] = defaultdict(dict)
    rows = Answer.objects.filter(check_in__case_id__in=ids, check_in__date__lte=as_of).values_list(
        "check_in__case_id", "check_in_id", "check_in__date", "question__position", "value"
    )
    for case_id, check_in_id, date, position, value in rows:
        answers[case_id].setdefault(check_in_id, (date, {}))[1][position] = value

    return {
        case.pk: compute_readiness(
            specs[case.guide_id],
            evidence[case.pk],
            [CheckIn(date, given) for date, given in answers[case.pk].values()],
            as_of,
        )
        for case in cases
    }


def case_readiness(case: Case, as_of: datetime.date | None = None) -> Readiness:
    return readiness_for_cases([case], as_of)[case.pk]
