"""From the database to the pure readiness rule, in a fixed number of queries for any cases."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Exists, OuterRef, QuerySet

from core import clock
from guides.models import Capability, Question
from reviews.models import Answer, Case, Evidence, ReadinessSnapshot
from reviews.readiness.rule import (
    CapabilitySpec,
    CheckIn,
    EvidenceItem,
    FlagKind,
    GuideSpec,
    Readiness,
    Status,
    compute_readiness,
)


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
    """Readiness of each case, keyed by case id, in a fixed number of queries for any cases.

    As of today, a case's snapshot is used while it holds (one query for all of them); the cases
    without one are computed together (four queries) and their snapshots written (one more).
    Any other day is computed and not kept.
    """
    cases = list(cases)
    if not cases:
        return {}
    if as_of is not None and as_of != clock.today():
        return compute_readiness_for_cases(cases, as_of)
    as_of = clock.today()
    results = {}
    versions = {case.pk: case.data_version for case in cases}
    snapshots = ReadinessSnapshot.objects.filter(case_id__in=versions, as_of=as_of).values_list(
        "case_id", "data_version", "report"
    )
    for case_id, version, report in snapshots:
        if version == versions[case_id]:
            results[case_id] = Readiness.from_snapshot(report)
    results.update(_compute_and_keep([case for case in cases if case.pk not in results], as_of))
    return results


def _compute_and_keep(cases: list[Case], as_of: datetime.date) -> dict[int, Readiness]:
    if not cases:
        return {}
    computed = compute_readiness_for_cases(cases, as_of)
    save_snapshots(cases, computed)
    return computed


@dataclass(frozen=True)
class Summary:
    """What a list needs of a case's readiness; the whole report when it had to be computed."""

    status: Status
    flag_kinds: tuple[FlagKind, ...]
    readiness: Readiness | None = None

    @classmethod
    def from_columns(cls, status: str, flag_kinds: Iterable[str]) -> "Summary":
        """From a snapshot's own columns, as the database holds them."""
        return cls(Status(status), tuple(FlagKind(kind) for kind in flag_kinds))


def readiness_summaries(
    cases: Iterable[Case], as_of: datetime.date | None = None
) -> dict[int, Summary]:
    """Each case's readiness status and flag kinds, keyed by case id, for a list of cases.

    As of today they are read from the snapshots' own columns, without their reports, in one
    query; cases without a fresh snapshot are computed and kept, in the same queries as
    `readiness_for_cases`. Any other day is computed.
    """
    cases = list(cases)
    if as_of is not None and as_of != clock.today():
        return _summaries(compute_readiness_for_cases(cases, as_of))
    if cases and all(hasattr(case, "snapshot_status") for case in cases):
        # Read with today's fresh snapshot joined (reviews.views.filters.filter_cases).
        return {
            case.pk: Summary.from_columns(case.snapshot_status, case.snapshot_flag_kinds)
            for case in cases
        }
    as_of = clock.today()
    versions = {case.pk: case.data_version for case in cases}
    results = {}
    if versions:
        snapshots = ReadinessSnapshot.objects.filter(case_id__in=versions, as_of=as_of).values_list(
            "case_id", "data_version", "status", "flag_kinds"
        )
        for case_id, version, status, kinds in snapshots:
            if version == versions[case_id]:
                results[case_id] = Summary.from_columns(status, kinds)
    stale = [case for case in cases if case.pk not in results]
    results.update(_summaries(_compute_and_keep(stale, as_of)))
    return results


def _summaries(readiness: dict[int, Readiness]) -> dict[int, Summary]:
    return {
        case_id: Summary(report.status, report.flag_kinds, report)
        for case_id, report in readiness.items()
    }


def save_snapshots(cases: Iterable[Case], readiness: dict[int, Readiness]) -> None:
    """Keep each case's readiness, tagged with the data version it was computed from."""
    ReadinessSnapshot.objects.bulk_create(
        [
            ReadinessSnapshot(
                case_id=case.pk,
                as_of=readiness[case.pk].as_of,
                data_version=case.data_version,
                status=readiness[case.pk].status.value,
                flag_kinds=[kind.value for kind in readiness[case.pk].flag_kinds],
                report=readiness[case.pk].to_snapshot(),
            )
            for case in cases
        ],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["as_of", "data_version", "status", "flag_kinds", "report"],
    )


def refresh_snapshots(cases: QuerySet, *, batch_size: int = 500) -> int:
    """Bring today's snapshots of these cases up to date; returns how many were computed.

    Used before filtering cases by readiness in SQL, and by the daily task so that the first
    filter of the day finds them ready.
    """
    as_of = clock.today()
    fresh = ReadinessSnapshot.objects.filter(
        case=OuterRef("pk"), as_of=as_of, data_version=OuterRef("data_version")
    )
    # Usually none: one plain query of ids says so, without the list's joins.
    stale = list(
        cases.exclude(Exists(fresh))
        .select_related(None)
        .prefetch_related(None)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(stale), batch_size):
        batch = list(
            Case.objects.filter(pk__in=stale[start : start + batch_size]).select_related("guide")
        )
        save_snapshots(batch, compute_readiness_for_cases(batch, as_of))
    return len(stale)


def compute_readiness_for_cases(
    cases: list[Case], as_of: datetime.date | None = None
) -> dict[int, Readiness]:
    """Readiness of each case computed from its data, in four queries whatever the number."""
    as_of = as_of or clock.today()
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
