"""A cycle's results for HR: one row per nominated case (CSV, XLSX), the panel's scores and the
outcomes as their own sheets, and the cycle's ZIP of briefs, packets and those files.

The results cost a fixed number of queries whatever the number of cases: the nominations with
their people and guide (one), readiness (reviews.readiness.snapshots.readiness_of: four at most),
the capabilities (one), the current score sheets with their panellists (one), their scores (one),
the current outcomes (one) and the appeals (one). Scores appear once the cycle is in committee
and outcomes once it is published (reviews.scoring.REVEALED, PUBLISHED); before, the columns say
so. This is HR's export: panellists are named whatever the cycle shows candidates. Every value is
in words (reviews/words.py), and every cell goes through exports.neutralise on writing.
"""

import datetime
import json
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from accounts.models import display_name_of
from core import clock
from guides.models import Capability
from reviews.models import Appeal, CapabilityScore, Case, Cycle, Outcome, ScoreSheet
from reviews.packets.build import read_packet
from reviews.packets.exports import _folder, _ZipStream, write_csv, write_xlsx, zip_members
from reviews.readiness.snapshots import readiness_of
from reviews.scoring import PUBLISHED, REVEALED
from reviews.words import (
    NO_APPEAL,
    NO_OUTCOME,
    NOT_ANSWERED,
    NOT_IN_COMMITTEE,
    NOT_PUBLISHED,
    NOT_SCORED,
    appeal_result_label,
    outcome_result_label,
    recommendation_label,
    recommendation_tally,
    score_label,
    score_range,
    status_label,
)

FIXED_COLUMNS = (
    "Candidate",
    "Sponsor",
    "Guide",
    "Nominated by",
    "Nominated on",
    "Nomination reason",
    "Readiness",
    "Panel's recommendations",
)
OUTCOME_COLUMNS = (
    "Outcome",
    "Rationale",
    "Justification against the panel",
    "Appeal",
    "Answer to the appeal",
)
SCORE_COLUMNS = (
    "Candidate",
    "Guide",
    "Panellist",
    "Capability",
    "Score",
    "Reason",
    "Recommendation",
    "Recommendation's reason",
    "Submitted on",
)
OUTCOMES_CSV_COLUMNS = ("Candidate", "Guide", "Recorded by", "Recorded on", *OUTCOME_COLUMNS)


@dataclass
class Results:
    cycle: Cycle
    header: list[str]
    rows: list[list]
    scores: list[list]
    outcomes: list[list]


def _nominated(cycle: Cycle, as_of: datetime.date):
    return (
        Case.objects.filter(nominations__cycle=cycle)
        .with_people()
        .defer("narrative")
        .with_snapshot(as_of, report=True)
        .annotate(
            nomination_id=F("nominations__id"),
            nominated_at=F("nominations__created_at"),
            nomination_reason=F("nominations__reason"),
            by_name=F("nominations__by__name"),
            by_first_name=F("nominations__by__first_name"),
            by_last_name=F("nominations__by__last_name"),
            by_username=F("nominations__by__username"),
        )
        .order_by("candidate__name", "pk")
    )


def capability_headers(capabilities: list[tuple[int, str]]) -> list[str]:
    return [f"Scores: {number}. {title}" for number, title in capabilities]


def results(cycle: Cycle, *, as_of: datetime.date | None = None) -> Results:
    """The cycle's results, its scores (one row per panellist and capability) and its outcomes."""
    as_of = as_of or clock.today()
    revealed, published = cycle.state in REVEALED, cycle.state in PUBLISHED
    cases = list(_nominated(cycle, as_of))
    readiness = readiness_of(cases, as_of)
    capabilities = defaultdict(list)
    for guide_id, pk, number, title in (
        Capability.objects.filter(guide_id__in={case.guide_id for case in cases})
        .order_by("guide_id", "number")
        .values_list("guide_id", "pk", "number", "title")
    ):
        capabilities[guide_id].append((pk, number, title))
    # Guides of one cycle may differ: a column per capability number and title met.
    columns = sorted({(n, t) for caps in capabilities.values() for _, n, t in caps})

    sheets = defaultdict(list)
    scores = defaultdict(list)
    if revealed and cases:
        for sheet in (
            ScoreSheet.objects.current()
            .filter(nomination__cycle=cycle)
            .select_related("panellist")
            .order_by("panellist__name", "id")
        ):
            sheets[sheet.nomination_id].append(sheet)
        for score in (
            CapabilityScore.objects.filter(
                sheet__nomination__cycle=cycle, sheet__superseded_by__isnull=True
            )
            .select_related("capability")
            .order_by("capability__number")
        ):
            scores[score.sheet_id].append(score)
    outcomes, appeals = {}, {}
    if published and cases:
        outcomes = {
            o.nomination_id: o
            for o in Outcome.objects.current()
            .filter(nomination__cycle=cycle)
            .select_related("recorded_by")
        }
        appeals = {a.nomination_id: a for a in Appeal.objects.filter(nomination__cycle=cycle)}

    rows, score_rows, outcome_rows = [], [], []
    for case in cases:
        given = sheets[case.nomination_id]
        by_capability = defaultdict(list)
        for sheet in given:
            for score in scores[sheet.pk]:
                by_capability[(score.capability.number, score.capability.title)].append(score.value)
        guide = case.guide.label
        candidate = case.candidate.display_name
        row = [
            candidate,
            case.sponsor.display_name,
            guide,
            display_name_of(case.by_name, case.by_first_name, case.by_last_name, case.by_username),
            timezone.localdate(case.nominated_at),
            case.nomination_reason,
            status_label(readiness[case.pk].status),
        ]
        if not revealed:
            row.append(NOT_IN_COMMITTEE)
            row += [NOT_IN_COMMITTEE] * len(columns)
        else:
            tally = Counter(sheet.recommendation for sheet in given)
            row.append(recommendation_tally(tally) if given else NOT_SCORED)
            for column in columns:
                values = by_capability.get(column)
                row.append(score_range(min(values), max(values)) if values else NOT_SCORED)
        row += _outcome_cells(
            published, outcomes.get(case.nomination_id), appeals.get(case.nomination_id)
        )
        rows.append(row)
        for sheet in given:
            for score in scores[sheet.pk]:
                score_rows.append(
                    [
                        candidate,
                        guide,
                        sheet.panellist.display_name,
                        f"{score.capability.number}. {score.capability.title}",
                        score_label(score.value),
                        score.reason,
                        recommendation_label(sheet.recommendation),
                        sheet.reason,
                        timezone.localdate(sheet.submitted_at),
                    ]
                )
        outcome = outcomes.get(case.nomination_id)
        if outcome is not None:
            outcome_rows.append(
                [
                    candidate,
                    guide,
                    outcome.recorded_by.display_name,
                    timezone.localdate(outcome.created_at),
                    *_outcome_cells(True, outcome, appeals.get(case.nomination_id)),
                ]
            )
    header = [*FIXED_COLUMNS, *capability_headers(columns), *OUTCOME_COLUMNS]
    return Results(cycle, header, rows, score_rows, outcome_rows)


def _outcome_cells(published: bool, outcome: Outcome | None, appeal: Appeal | None) -> list:
    if not published:
        return [NOT_PUBLISHED] * len(OUTCOME_COLUMNS)
    if outcome is None:
        return [NO_OUTCOME, "", "", NO_APPEAL, ""]
    answer = ""
    if appeal is not None:
        answer = NOT_ANSWERED
        if appeal.result:
            answer = appeal_result_label(appeal.result)
            if appeal.result_note:
                answer += f": {appeal.result_note}"
    return [
        outcome_result_label(outcome.result),
        outcome.rationale,
        outcome.justification,
        appeal.reason if appeal is not None else NO_APPEAL,
        answer,
    ]


def results_csv(found: Results) -> Iterator[bytes]:
    return write_csv(found.rows, found.header)


def results_xlsx(found: Results) -> bytes:
    return write_xlsx(
        {
            "Results": (found.header, found.rows),
            "Scores": (SCORE_COLUMNS, found.scores),
            "Outcomes": (OUTCOMES_CSV_COLUMNS, found.outcomes),
        }
    )


def cycle_results_zip(
    cycle: Cycle,
    *,
    as_of: datetime.date | None = None,
    on_packet: Callable[[int, int], None] | None = None,
) -> Iterator[bytes]:
    """The cycle's ZIP, in pieces: at the root results.xlsx, scores.csv and outcomes.csv; per
    nominated case `<username>-<id>/brief.pdf`, `packet.pdf` and `packet.json`. One case at a
    time is held; `on_packet(done, total)` is told after each."""
    from reviews.packets.pdf import render_brief_pdf, render_packet_pdf

    as_of = as_of or clock.today()
    found = results(cycle, as_of=as_of)
    ids = list(
        Case.objects.filter(nominations__cycle=cycle).order_by("id").values_list("id", flat=True)
    )
    stream = _ZipStream()
    member = zip_members()

    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member("results.xlsx"), results_xlsx(found))
        archive.writestr(member("scores.csv"), b"".join(write_csv(found.scores, SCORE_COLUMNS)))
        archive.writestr(
            member("outcomes.csv"), b"".join(write_csv(found.outcomes, OUTCOMES_CSV_COLUMNS))
        )
        yield stream.take()
        for done, pk in enumerate(ids, start=1):
            case = Case.objects.with_people().with_level_history().filter(pk=pk).first()
            if case is None:
                continue
            folder = _folder(case)
            read = read_packet(case, as_of=as_of)
            text = json.dumps(read.packet, indent=2, ensure_ascii=False) + "\n"
            archive.writestr(member(f"{folder}/packet.json"), text.encode())
            archive.writestr(
                member(f"{folder}/packet.pdf"), render_packet_pdf(case, as_of=as_of, read=read)
            )
            archive.writestr(member(f"{folder}/brief.pdf"), render_brief_pdf(case, as_of=as_of))
            if on_packet:
                on_packet(done, len(ids))
            yield stream.take()
    if data := stream.take():
        yield data
