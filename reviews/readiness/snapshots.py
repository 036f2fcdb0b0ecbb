"""From the database to the pure readiness rule, in a fixed number of queries for any cases.

A case's readiness as of today is kept in its snapshot (reviews.models.ReadinessSnapshot), which
holds while the case's data version is the one it was computed from. Snapshots are written only
by `refresh_snapshots`: by the services that change a case and by the hourly task. Reads never
write: a case without a fresh snapshot has its readiness computed in memory for the page.
"""

import datetime
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

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

    As of today, the cases' fresh snapshots are read in one query; the others are computed in
    memory (four queries for all of them) and not kept: reading never writes. A page that reads
    its cases `with_snapshot` has them already and uses `readiness_of` instead.
    """
    cases = list(cases)
    if not cases:
        return {}
    today = clock.today()
    as_of = as_of or today
    reports = {}
    if as_of == today:
        # Snapshots are only ever taken of today.
        versions = {case.pk: case.data_version for case in cases}
        reports = {
            case_id: report
            for case_id, version, report in ReadinessSnapshot.objects.filter(
                case_id__in=versions, as_of=as_of
            ).values_list("case_id", "data_version", "report")
            if version == versions[case_id]
        }
    return _from_reports(cases, reports, as_of)


def readiness_of(cases: Iterable[Case], as_of: datetime.date) -> dict[int, Readiness]:
    """Readiness of cases read with `Case.objects.with_snapshot(as_of, report=True)`: from the
    snapshot when there is one, else computed in memory (four queries for all of them)."""
    cases = list(cases)
    reports = {case.pk: case.snapshot_report for case in cases if case.snapshot_report is not None}
    return _from_reports(cases, reports, as_of)


def _from_reports(
    cases: list[Case], reports: dict[int, dict], as_of: datetime.date
) -> dict[int, Readiness]:
    results = {case_id: Readiness.from_snapshot(report) for case_id, report in reports.items()}
    results.update(
        compute_readiness_for_cases([case for case in cases if case.pk not in results], as_of)
    )
    return results


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

    @classmethod
    def of(cls, readiness: Readiness) -> "Summary":
        return cls(readiness.status, readiness.flag_kinds, readiness)


def summaries_of(
    cases: Iterable[Case],
    as_of: datetime.date,
    *,
    computed: Mapping[int, Readiness] | None = None,
) -> dict[int, Summary]:
    """Each case's readiness status and flag kinds, keyed by case id, for a list of cases read
    with `Case.objects.with_snapshot(as_of)`: from the snapshot's columns when there is one,
    else from `computed` (readiness the caller worked out already, as `matching_readiness`
    does), else computed in memory (four queries for all of them)."""
    cases = list(cases)
    computed = computed or {}
    results = {}
    for case in cases:
        if case.snapshot_status is not None:
            results[case.pk] = Summary.from_columns(case.snapshot_status, case.snapshot_flag_kinds)
        elif case.pk in computed:
            results[case.pk] = Summary.of(computed[case.pk])
    missing = [case for case in cases if case.pk not in results]
    results.update(
        (pk, Summary.of(report))
        for pk, report in compute_readiness_for_cases(missing, as_of).items()
    )
    return results


@dataclass(frozen=True)
class RowFacts:
    """What a dashboard row needs of a case's readiness: its status, flag kinds, latest item,
    when that was logged and how many items there are, from the snapshot's columns; the whole
    report (for the flags' words and the heat strip) only when `report()` is called."""

    status: Status
    flag_kinds: tuple[FlagKind, ...]
    last_evidence: datetime.date | None
    last_logged: datetime.datetime | None
    item_count: int
    report: Callable[[], Readiness]

    @classmethod
    def of(cls, readiness: Readiness) -> "RowFacts":
        return cls(
            readiness.status,
            readiness.flag_kinds,
            readiness.last_evidence,
            readiness.last_logged,
            readiness.item_count,
            lambda: readiness,
        )


def _decoded(text: str) -> Callable[[], Readiness]:
    return functools.cache(lambda: Readiness.from_snapshot(json.loads(text)))


def row_facts(cases: Iterable[Case], as_of: datetime.date) -> dict[int, RowFacts]:
    """Each case's `RowFacts`, keyed by case id, for cases read with
    `Case.objects.with_snapshot(as_of, facts=True)`: from the snapshot when there is one (its
    report, read as text, is decoded only if asked for), else computed in memory (four queries
    for all of them)."""
    cases = list(cases)
    results = {
        case.pk: RowFacts(
            Status(case.snapshot_status),
            tuple(FlagKind(kind) for kind in case.snapshot_flag_kinds),
            case.snapshot_last_evidence,
            case.snapshot_last_logged,
            case.snapshot_item_count,
            _decoded(case.snapshot_report_text),
        )
        for case in cases
        if case.snapshot_status is not None
    }
    missing = [case for case in cases if case.pk not in results]
    results.update(
        (pk, RowFacts.of(readiness))
        for pk, readiness in compute_readiness_for_cases(missing, as_of).items()
    )
    return results


@dataclass(frozen=True)
class ReadinessMatch:
    """Which cases have a readiness status or flag: `condition` for a queryset of cases, and
    the readiness of the cases it had to compute, for the page that shows them."""

    condition: Q
    computed: dict[int, Readiness]


def matching_readiness(
    cases: QuerySet,
    *,
    status: str = "",
    flag: str = "",
    as_of: datetime.date | None = None,
    batch_size: int = 500,
) -> ReadinessMatch:
    """Among `cases`, those whose readiness has this status and this flag kind.

    Fresh snapshots are matched in SQL. The cases without one (usually none: every write to a
    case and the hourly task keep them up to date) are computed in memory, a batch at a time,
    and named by id; nothing is written.
    """
    as_of = as_of or clock.today()
    fresh = ReadinessSnapshot.objects.filter(
        case=OuterRef("pk"), as_of=as_of, data_version=OuterRef("data_version")
    )
    matching = fresh
    if status:
        matching = matching.filter(status=status)
    if flag:
        matching = matching.filter(flag_kinds__contains=[flag])
    # One plain query of the stale cases, with what computing their readiness needs.
    stale = list(
        cases.exclude(Exists(fresh))
        .select_related(None)
        .prefetch_related(None)
        .select_related("guide")
        .only("pk", "data_version", "guide__min_months", "guide__max_months")
        .order_by("pk")
    )
    computed: dict[int, Readiness] = {}
    for start in range(0, len(stale), batch_size):
        computed.update(compute_readiness_for_cases(stale[start : start + batch_size], as_of))
    named = [
        pk
        for pk, report in computed.items()
        if (not status or report.status == status) and (not flag or flag in report.flag_kinds)
    ]
    return ReadinessMatch(Q(Exists(matching)) | Q(pk__in=named), computed)


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
                last_evidence=readiness[case.pk].last_evidence,
                last_logged=readiness[case.pk].last_logged,
                item_count=readiness[case.pk].item_count,
            )
            for case in cases
        ],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=[
            "as_of",
            "data_version",
            "status",
            "flag_kinds",
            "report",
            "last_evidence",
            "last_logged",
            "item_count",
        ],
    )


def refresh_snapshots(cases: QuerySet, *, batch_size: int = 500) -> int:
    """Bring today's snapshots of these cases up to date; returns how many were computed.

    The only writer of snapshots: run by the hourly task for every case (reviews.tasks), so
    that a new day finds them ready, and by each service that changes a case's evidence or
    check-ins, in its transaction.
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
    # Per case, how many items it has, and the latest up to `as_of` by the date of its work, the
    # later logged of a tie: (date, id) and when it was logged.
    counts: dict[int, int] = defaultdict(int)
    latest: dict[int, tuple[tuple[datetime.date, int], datetime.datetime]] = {}
    rows = (
        Evidence.objects.filter(case_id__in=ids)
        .annotate(positions=ArrayAgg("indicators__position", default=[]))
        .values_list("case_id", "capability__number", "date", "positions", "id", "created_at")
    )
    for case_id, number, date, positions, pk, created_at in rows:
        counts[case_id] += 1
        if date > as_of:
            # Readiness ignores what is dated later.
            continue
        evidence[case_id].append(
            EvidenceItem(number, date, tuple(p for p in positions if p is not None))
        )
        if case_id not in latest or (date, pk) > latest[case_id][0]:
            latest[case_id] = ((date, pk), created_at)

    answers: dict[int, dict[int, tuple[datetime.date, dict[int, str]]]] = defaultdict(dict)
    rows = Answer.objects.filter(check_in__case_id__in=ids, check_in__date__lte=as_of).values_list(
        "check_in__case_id", "check_in_id", "check_in__date", "question__position", "value"
    )
    for case_id, check_in_id, date, position, value in rows:
        answers[case_id].setdefault(check_in_id, (date, {}))[1][position] = value

    return {
        case.pk: replace(
            compute_readiness(
                specs[case.guide_id],
                evidence[case.pk],
                [CheckIn(date, given) for date, given in answers[case.pk].values()],
                as_of,
            ),
            last_logged=latest[case.pk][1] if case.pk in latest else None,
            item_count=counts[case.pk],
        )
        for case in cases
    }


def case_readiness(case: Case, as_of: datetime.date | None = None) -> Readiness:
    return readiness_for_cases([case], as_of)[case.pk]
