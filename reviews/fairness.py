"""The fairness view: nomination and promotion rates, and time at level before promotion, by
guide, by sponsor and by each grouping field's answers; for one cycle or across the published
ones. Read in a fixed number of queries (`load`), then counted in memory (`build`). One module
of about 400 lines: the reading and the counting share their rules, written once below.

Who counts (the page says the same, templates/reviews/fairness/_definitions.html):

- *Eligible* for a cycle: a person with a case on one of the cycle's guides that was open or
  signed off at the end of the day nominations closed (opened on or before it, and neither
  decided nor withdrawn by then), and anyone whose case was nominated to it.
- *Nominated*: their case has a nomination in the cycle.
- *Promoted*: the current outcome of that nomination is "promoted", in a cycle whose outcomes are
  published (or that is closed since).
- *Time at level*: for each promotion, the whole calendar months from the day the candidate
  reached the level the guide starts from (the latest step to it in their level history, on or
  before publication) to the day the outcomes were published.

Rates are shares of the eligible people of the group. A person eligible in several cycles (or on
several guides) counts once in each group they fall in; across cycles they count once in all.
Grouping fields are read as people's declarations are now.

Small groups. A group of fewer than MIN_GROUP people shows "fewer than 5" instead of each of its
numbers. Since the groups of a table share one total (shown as "Everyone", and the same in every
table), the hidden groups together are the total less the shown ones: so a table hides more, the
smallest shown group first, until its hidden groups are at least two and hold at least MIN_GROUP
people together (or every group is hidden), and no hidden number can be worked out. Across
cycles, a group hidden in any one of the cycles is hidden too, so that no hidden number is the
across-cycles figure less the other cycles'. A median of fewer than MIN_GROUP promotions is
hidden the same way. What no rule here prevents: comparing the page from one day to the next,
after someone has answered or withdrawn, shows a group grow or shrink by one.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import Declaration, GroupingField, LevelChange, display_name_of
from guides.models import Guide, guide_label
from reviews.cycle_models import Cycle, Nomination, Outcome
from reviews.models import Case

MIN_GROUP = 5
FEWER = "fewer than 5"
NOT_PUBLISHED = "not published yet"
PUBLISHED_STATES = [Cycle.State.PUBLISHED, Cycle.State.CLOSED]
PREFER_NOT = "prefer_not"
NOT_DECLARED = "not_declared"

COLUMNS = (
    "People eligible",
    "Nominated",
    "Nomination rate",
    "Promoted",
    "Promotion rate",
    "Median months at level before promotion",
)


@dataclass(frozen=True)
class Candidacy:
    """One person eligible in one cycle through one case."""

    cycle: int
    case: int
    person: int
    guide: int
    sponsor: int
    nominated: bool
    promoted: bool
    months: int | None


@dataclass(frozen=True)
class Row:
    label: str
    people: int
    nominated: int
    promoted: int | None  # None while the cycle's outcomes are not published
    median_months: float | None
    promotions_timed: int
    hidden: bool = False

    def cells(self) -> list:
        """The row's numbers as the page and both exports show them."""
        if self.hidden:
            return [FEWER] * len(COLUMNS)
        if self.promoted is None:
            promoted = [NOT_PUBLISHED] * 3
        else:
            timed = self.promotions_timed >= MIN_GROUP and self.median_months is not None
            promoted = [
                self.promoted,
                percent(self.promoted, self.people),
                _number(self.median_months) if timed else FEWER,
            ]
        return [self.people, self.nominated, percent(self.nominated, self.people), *promoted]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[Row]
    caveat: str


@dataclass(frozen=True)
class Report:
    cycles: list[Cycle]
    overall: Row
    tables: list[Table] = field(default_factory=list)

    @property
    def overall_rows(self) -> list[Row]:
        return [self.overall]

    def export_rows(self) -> list[list]:
        """Every row of the page, in its order, as the CSV and XLSX hold them."""
        rows = [["Everyone", self.overall.label, *self.overall.cells()]]
        for table in self.tables:
            rows += [[table.title, row.label, *row.cells()] for row in table.rows]
        return rows


EXPORT_HEADER = ("Grouping", "Group", *COLUMNS)


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 1)


def whole_months(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


# --- Reading: a fixed number of queries whatever the number of cycles, cases and people ---------


@dataclass(frozen=True)
class Data:
    cycles: list[Cycle]
    candidacies: list[Candidacy]
    guides: dict[int, str]
    sponsors: dict[int, str]
    fields: list[GroupingField]
    declared: dict[tuple[int, int], str]  # (person, field) -> answer id as text, or PREFER_NOT


def published_cycles():
    return Cycle.objects.filter(state__in=PUBLISHED_STATES).order_by("outcomes_due", "id")


def load(cycles: Iterable[Cycle]) -> Data:
    """Everything `build` counts: seven queries (cycles' guides, cases, nominations, guides,
    grouping fields, their answers, declarations), none more for more data."""
    cycles = list(cycles)
    by_id = {cycle.pk: cycle for cycle in cycles}
    covered = defaultdict(set)
    # 1: which guides each cycle covers
    for cycle_id, guide_id in Cycle.guides.through.objects.filter(cycle_id__in=by_id).values_list(
        "cycle_id", "guide_id"
    ):
        covered[guide_id].add(cycle_id)
    # 2: nominations with their current outcome and the candidate's start at the level
    nominations = {}
    level_start = (
        LevelChange.objects.filter(
            user=OuterRef("case__candidate"),
            level=OuterRef("case__guide__from_level"),
            since__lte=OuterRef("published_on"),
        )
        .order_by("-since", "-id")
        .values("since")[:1]
    )
    promoted = Outcome.objects.current().filter(
        nomination=OuterRef("pk"), result=Outcome.Result.PROMOTED
    )
    for row in (
        Nomination.objects.filter(cycle_id__in=by_id)
        .annotate(
            published_on=Coalesce(TruncDate("cycle__published_at"), F("cycle__outcomes_due")),
            promoted=Exists(promoted),
            level_start=Subquery(level_start),
        )
        .values("cycle_id", "case_id", "promoted", "level_start")
    ):
        nominations[row["cycle_id"], row["case_id"]] = row
    nominated_in = defaultdict(set)
    for cycle_id, case_id in nominations:
        nominated_in[case_id].add(cycle_id)
    # 3: the cases on the cycles' guides, or nominated, with the day each was closed, if it was
    events = apps.get_model("reviews", "CaseEvent").objects.filter(
        pgh_obj=OuterRef("pk"), status=Case.Status.WITHDRAWN
    )
    cases = (
        Case.objects.filter(Q(guide_id__in=covered) | Q(pk__in=nominated_in))
        .annotate(
            decided_on=TruncDate("decision__created_at"),
            withdrawn_on=Subquery(events.order_by("pgh_created_at").values("pgh_created_at")[:1]),
            withdrawn_day=TruncDate(F("withdrawn_on")),
        )
        .values(
            "pk",
            "candidate_id",
            "guide_id",
            "sponsor_id",
            "opened_on",
            "status",
            "decided_on",
            "withdrawn_day",
            *[f"sponsor__{name}" for name in ("name", "first_name", "last_name", "username")],
        )
    )
    candidacies, sponsors = [], {}
    for case in cases:
        closed_on = case["decided_on"] or (
            case["withdrawn_day"] if case["status"] == Case.Status.WITHDRAWN else None
        )
        for cycle_id in covered[case["guide_id"]] | nominated_in[case["pk"]]:
            cycle = by_id[cycle_id]
            nomination = nominations.get((cycle_id, case["pk"]))
            open_at_close = case["opened_on"] <= cycle.nominations_close and (
                closed_on is None or closed_on > cycle.nominations_close
            )
            if not (open_at_close or nomination):
                continue
            sponsors[case["sponsor_id"]] = display_name_of(
                case["sponsor__name"],
                case["sponsor__first_name"],
                case["sponsor__last_name"],
                case["sponsor__username"],
            )
            candidacies.append(_candidacy(cycle, case, nomination))
    # 4: the guides' names
    guides = {
        guide.pk: guide_label(guide.from_level.code, guide.to_level.code, guide.version)
        for guide in Guide.objects.with_levels()
        .filter(pk__in={c.guide for c in candidacies})
        .only("version", "from_level__code", "to_level__code")
    }
    # 5, 6: the active grouping fields and their answers
    fields = list(GroupingField.objects.filter(active=True).prefetch_related("answers"))
    # 7: what the eligible people declared for them
    people = {c.person for c in candidacies}
    declared = {}
    for person, field_id, answer, prefer_not in Declaration.objects.filter(
        user_id__in=people, field__active=True
    ).values_list("user_id", "field_id", "answer_id", "prefer_not_to_say"):
        declared[person, field_id] = PREFER_NOT if prefer_not else str(answer)
    return Data(cycles, candidacies, guides, sponsors, fields, declared)


def _candidacy(cycle: Cycle, case: dict, nomination: dict | None) -> Candidacy:
    published = cycle.state in PUBLISHED_STATES
    promoted = bool(published and nomination and nomination["promoted"])
    months = None
    if promoted and nomination["level_start"] is not None:
        published_on = publication_day(cycle)
        months = whole_months(nomination["level_start"], published_on)
    return Candidacy(
        cycle=cycle.pk,
        case=case["pk"],
        person=case["candidate_id"],
        guide=case["guide_id"],
        sponsor=case["sponsor_id"],
        nominated=nomination is not None,
        promoted=promoted,
        months=months,
    )


def publication_day(cycle: Cycle) -> datetime.date:
    if cycle.published_at is None:
        return cycle.outcomes_due
    return timezone.localdate(cycle.published_at)


# --- Counting: plain data in, rows out -------------------------------------------------------


@dataclass(frozen=True)
class Grouping:
    key: str
    title: str
    groups: list[tuple[str, str]]  # (group key, label), in the order shown
    group_of: Callable[[Candidacy], str]
    caveat: str


def groupings(data: Data) -> list[Grouping]:
    guide_ids = sorted({c.guide for c in data.candidacies}, key=data.guides.get)
    sponsor_ids = sorted({c.sponsor for c in data.candidacies}, key=data.sponsors.get)
    found = [
        Grouping(
            "guide",
            "By guide",
            [(str(g), data.guides[g]) for g in guide_ids],
            lambda c: str(c.guide),
            "Guides lead to different levels, with their own bar and timeline: compare a guide "
            "with itself over cycles rather than with another guide.",
        ),
        Grouping(
            "sponsor",
            "By sponsor",
            [(str(s), data.sponsors[s]) for s in sponsor_ids],
            lambda c: str(c.sponsor),
            "A sponsor with few candidates shows as “fewer than 5”; a low rate may reflect the "
            "candidates a sponsor has, not how they sponsor.",
        ),
    ]
    for grouping_field in data.fields:
        groups = [(str(a.pk), a.label) for a in grouping_field.answers.all()]
        groups += [(PREFER_NOT, "Prefer not to say"), (NOT_DECLARED, "Not declared")]
        found.append(
            Grouping(
                f"field-{grouping_field.pk}",
                f"By {grouping_field.name}",
                groups,
                lambda c, pk=grouping_field.pk: data.declared.get((c.person, pk), NOT_DECLARED),
                "Answers are optional and self-declared, and read as they are today: the "
                "“not declared” group mixes every kind of person, and a difference between "
                "groups is a question to look into, not a cause.",
            )
        )
    return found


def count(label: str, candidacies: list[Candidacy], *, published: bool) -> Row:
    people = {c.person for c in candidacies}
    nominated = {c.person for c in candidacies if c.nominated}
    promoted = {c.person for c in candidacies if c.promoted}
    months = [c.months for c in candidacies if c.promoted and c.months is not None]
    return Row(
        label=label,
        people=len(people),
        nominated=len(nominated),
        promoted=len(promoted) if published else None,
        median_months=statistics.median(months) if months else None,
        promotions_timed=len(months),
        hidden=len(people) < MIN_GROUP,
    )


def hide_complements(rows: list[Row], forced: set[int] = frozenset()) -> list[Row]:
    """Rows under MIN_GROUP people, and `forced`, hidden; then, while the hidden rows are a
    single one or hold fewer than MIN_GROUP people together, the smallest shown one as well.

    The rows share one total, so the hidden rows together are always the total less the shown
    ones: that sum is never one row's number nor a count of fewer than MIN_GROUP people."""
    hidden = {i for i, row in enumerate(rows) if row.hidden} | set(forced)

    def exposed() -> bool:
        together = sum(rows[i].people for i in hidden)
        return 0 < len(hidden) < len(rows) and (len(hidden) == 1 or together < MIN_GROUP)

    while exposed():
        smallest = min((row.people, i) for i, row in enumerate(rows) if i not in hidden)
        hidden.add(smallest[1])
    return [_hidden(row) if i in hidden else row for i, row in enumerate(rows)]


def _hidden(row: Row) -> Row:
    return Row(row.label, row.people, row.nominated, row.promoted, None, 0, hidden=True)


def _table(grouping: Grouping, candidacies, *, published, forced=frozenset()) -> Table:
    members = defaultdict(list)
    for candidacy in candidacies:
        members[grouping.group_of(candidacy)].append(candidacy)
    rows = [count(label, members[key], published=published) for key, label in grouping.groups]
    keys = [key for key, _ in grouping.groups]
    rows = hide_complements(rows, {keys.index(k) for k in forced if k in keys})
    return Table(grouping.key, grouping.title, rows, grouping.caveat)


def hidden_keys(table: Table, grouping: Grouping) -> set[str]:
    return {key for (key, _), row in zip(grouping.groups, table.rows, strict=True) if row.hidden}


def build(data: Data) -> Report:
    """The report of one cycle (`data` of one) or across several, from what `load` read."""
    published = all(cycle.state in PUBLISHED_STATES for cycle in data.cycles)
    overall = count("All eligible people", data.candidacies, published=published)
    tables = []
    for grouping in groupings(data):
        forced = set()
        if len(data.cycles) > 1:
            for cycle in data.cycles:
                own = [c for c in data.candidacies if c.cycle == cycle.pk]
                single = _table(grouping, own, published=published)
                forced |= hidden_keys(single, grouping)
        tables.append(_table(grouping, data.candidacies, published=published, forced=forced))
    return Report(data.cycles, overall, tables)


def report_for(cycles: Iterable[Cycle]) -> Report:
    return build(load(cycles))
