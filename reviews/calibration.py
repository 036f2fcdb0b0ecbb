"""The committee's calibration view of a cycle: every nominated case side by side, ordered by
how much the panel disagrees on it.

`calibration` reads it in a fixed number of queries, whatever the number of cases, panellists
and capabilities: the nominated cases with their people, guide and readiness snapshot (one);
the capabilities of their guides (one); the panel (one); the current score sheets (one); and,
once scores may be seen at all, the scores of the cases this person may see (one). Readiness
comes from the snapshots (reviews.readiness.snapshots.readiness_of: a case without a fresh one
has it computed in memory, four queries for all of them, nothing written).

Who sees which scores is one rule, `may_see_scores`; the page reads scores only through it.
The agenda (largest disagreement first) is worked out from the scores this person may see
only, so a hidden case's place in it says nothing of its scores.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import F

from core import clock
from guides.models import Capability, Guide
from reviews.models import (
    CapabilityScore,
    Case,
    Cycle,
    Panellist,
    Recommendation,
    ScoreSheet,
)
from reviews.readiness.rule import Readiness, Status
from reviews.readiness.snapshots import readiness_of
from reviews.scoring import REVEALED, sees_scores
from reviews.words import (
    CONFLICT_WORDS,
    SCORES_HIDDEN_UNTIL_SUBMITTED,
    STATUS_LABELS,
    SUSTAINED_WORDS,
    recommendation_tally,
    score_counts,
    score_range,
    submitted_count,
)


def scores_revealed(cycle: Cycle) -> bool:
    """In committee and after: the states in which the panel's scores are revealed."""
    return cycle.state in REVEALED


def conflict_of(case: Case, user) -> str:
    """ "sponsor" or "candidate" when this person may not judge the case, else ""."""
    if user.pk == case.sponsor_id:
        return "sponsor"
    if user.pk == case.candidate_id:
        return "candidate"
    return ""


def may_see_scores(*, cycle: Cycle, case: Case, user, is_hr: bool, submitted: bool) -> bool:
    """The reveal rule (reviews.scoring.sees_scores) for one case of this cycle, as the
    committee's view applies it: a case's sponsor and candidate never see its scores here,
    published or not (they read them on the case's outcome page once published)."""
    if conflict_of(case, user):
        return False
    return sees_scores(state=cycle.state, case=case, user=user, is_hr=is_hr, submitted=submitted)


@dataclass(frozen=True)
class Spread:
    """The panel's scores of one capability of one case, worded once here rather than cell by
    cell in the template."""

    low: int
    high: int
    counts: dict[int, int]
    range_label: str
    counts_label: str

    @property
    def width(self) -> int:
        return self.high - self.low

    @classmethod
    def of(cls, values: list[int]) -> "Spread":
        low, high, counts = min(values), max(values), dict(Counter(values))
        return cls(low, high, counts, score_range(low, high), score_counts(counts))


@dataclass(frozen=True)
class CapabilityCell:
    number: int
    title: str
    sustained: bool
    sustained_label: str
    spread: Spread | None


@dataclass(frozen=True)
class Disagreement:
    """A case's largest per-capability spread (max − min), then the sum of its spreads."""

    largest: int
    total: int


@dataclass
class CaseRow:
    nomination_id: int
    case: Case
    name: str
    sponsor_name: str
    readiness: Readiness
    cells: list[CapabilityCell]
    submitted: int
    eligible: int
    # Whether this person sees the case's scores, and when not (in committee) why not.
    visible: bool
    hidden_note: str = ""
    tally: dict[str, int] = field(default_factory=dict)
    disagreement: Disagreement | None = None
    # The case's place on the agenda, among the cases this person sees the scores of.
    agenda: int | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.readiness.status]

    @property
    def sustained_count(self) -> int:
        return sum(cell.sustained for cell in self.cells)

    @property
    def tally_label(self) -> str:
        return recommendation_tally(self.tally)

    @property
    def submitted_label(self) -> str:
        return submitted_count(self.submitted, self.eligible)

    def agenda_key(self):
        """Largest disagreement first, then the larger sum of spreads, then by name."""
        return (-self.disagreement.largest, -self.disagreement.total, self.name.casefold())


@dataclass
class GuideGroup:
    guide: Guide
    capabilities: list[tuple[int, str]]
    rows: list[CaseRow]


@dataclass
class Calibration:
    cycle: Cycle
    revealed: bool
    as_of: datetime.date
    groups: list[GuideGroup]
    panel_size: int

    @property
    def rows(self) -> list[CaseRow]:
        return [row for group in self.groups for row in group.rows]


def nominated_cases(cycle: Cycle, as_of: datetime.date):
    """The cycle's nominated cases with their people, guide, readiness snapshot and
    `nomination_id`, in one query."""
    # The nomination comes through the join the filter made: one per cycle and case.
    return (
        Case.objects.filter(nominations__cycle=cycle)
        .with_people()
        .defer("narrative", *(f"guide__{name}" for name in Guide.LONG_TEXTS))
        .with_snapshot(as_of, report=True)
        .annotate(nomination_id=F("nominations__id"))
        .order_by("pk")
    )


def calibration(
    *, cycle: Cycle, user, is_hr: bool, as_of: datetime.date | None = None
) -> Calibration:
    """The calibration view of `cycle` as `user` may see it (HR when `is_hr`), rows in agenda
    order within each guide."""
    as_of = as_of or clock.today()
    revealed = scores_revealed(cycle)
    cases = list(nominated_cases(cycle, as_of))
    readiness = readiness_of(cases, as_of)
    capabilities = defaultdict(list)
    for guide_id, number, title in (
        Capability.objects.filter(guide_id__in={case.guide_id for case in cases})
        .order_by("guide_id", "number")
        .values_list("guide_id", "number", "title")
    ):
        capabilities[guide_id].append((number, title))
    panel = set(Panellist.objects.filter(cycle=cycle).order_by().values_list("user_id", flat=True))

    sheets = defaultdict(dict)  # nomination id → panellist id → recommendation
    for nomination_id, panellist_id, recommendation in (
        ScoreSheet.objects.current()
        .filter(nomination__cycle=cycle)
        .values_list("nomination_id", "panellist_id", "recommendation")
    ):
        sheets[nomination_id][panellist_id] = recommendation

    visible = {
        case.nomination_id
        for case in cases
        if may_see_scores(
            cycle=cycle,
            case=case,
            user=user,
            is_hr=is_hr,
            submitted=user.pk in sheets[case.nomination_id],
        )
    }
    scores = defaultdict(lambda: defaultdict(list))  # nomination id → capability number → values
    if visible:
        for nomination_id, number, value in (
            CapabilityScore.objects.filter(
                sheet__nomination_id__in=visible, sheet__superseded_by__isnull=True
            )
            .order_by()
            .values_list("sheet__nomination_id", "capability__number", "value")
        ):
            scores[nomination_id][number].append(value)

    rows = [
        _row(case, readiness[case.pk], sheets, scores, panel, user, revealed, visible)
        for case in cases
    ]
    for position, row in enumerate(
        sorted((row for row in rows if row.disagreement), key=CaseRow.agenda_key), start=1
    ):
        row.agenda = position

    groups = {}
    for row in rows:
        guide = row.case.guide
        group = groups.setdefault(guide.pk, GuideGroup(guide, capabilities[guide.pk], []))
        group.rows.append(row)
    ordered = sorted(groups.values(), key=lambda g: (g.guide.label, g.guide.pk))
    for group in ordered:
        group.rows.sort(key=agenda_order)
    return Calibration(cycle, revealed, as_of, ordered, len(panel))


def agenda_order(row: CaseRow):
    """The agenda's order; the cases without visible scores after it, by name."""
    if row.agenda is None:
        return (1, 0, row.name.casefold())
    return (0, row.agenda, "")


def _row(case, readiness, sheets, scores, panel, user, revealed, visible) -> CaseRow:
    given = sheets[case.nomination_id]
    seen = case.nomination_id in visible
    by_number = scores[case.nomination_id] if seen else {}
    cells = [
        CapabilityCell(
            number=c.number,
            title=c.title,
            sustained=c.sustained,
            sustained_label=SUSTAINED_WORDS[c.sustained],
            spread=Spread.of(by_number[c.number]) if by_number.get(c.number) else None,
        )
        for c in readiness.capabilities
    ]
    spreads = [cell.spread.width for cell in cells if cell.spread]
    hidden_note = ""
    if revealed and not seen:
        conflict = conflict_of(case, user)
        hidden_note = CONFLICT_WORDS[conflict] if conflict else SCORES_HIDDEN_UNTIL_SUBMITTED
    return CaseRow(
        nomination_id=case.nomination_id,
        case=case,
        name=case.candidate.display_name,
        sponsor_name=case.sponsor.display_name,
        readiness=readiness,
        cells=cells,
        submitted=len(given),
        eligible=len(panel - {case.sponsor_id, case.candidate_id}),
        visible=seen,
        hidden_note=hidden_note,
        tally=dict(Counter(given.values())) if seen else {},
        disagreement=Disagreement(max(spreads), sum(spreads)) if spreads else None,
    )


# Sorting, for the page's column headers: each key's first direction, and its order.
STATUS_ORDER = {Status.NOT_STARTED: 0, Status.BUILDING: 1, Status.READY: 2}


def sort_rows(rows: list[CaseRow], sort: str, descending: bool) -> list[CaseRow]:
    """The rows by a column; rows without what the column compares (scores not shown) after
    the others, by name, whichever the direction."""
    by_name = sorted(rows, key=lambda row: row.name.casefold())
    if sort == "candidate":
        return sorted(by_name, key=lambda row: row.name.casefold(), reverse=descending)
    if sort == "readiness":
        return sorted(
            by_name,
            key=lambda row: (STATUS_ORDER[row.readiness.status], row.sustained_count),
            reverse=descending,
        )
    if sort == "recommendation":
        known = [row for row in by_name if row.tally]
        key = _promote_first
    else:
        known = [row for row in by_name if row.agenda is not None]
        key = _agenda_last
    shown = {row.nomination_id for row in known}
    unknown = [row for row in by_name if row.nomination_id not in shown]
    return sorted(known, key=key, reverse=descending) + unknown


def _promote_first(row: CaseRow):
    return (row.tally.get(Recommendation.PROMOTE, 0), -row.tally.get(Recommendation.NOT_YET, 0))


def _agenda_last(row: CaseRow):
    # Descending disagreement is the agenda itself: its first case compares largest.
    return -row.agenda
