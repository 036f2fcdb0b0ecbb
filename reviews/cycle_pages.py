"""What the cycle pages read: the cycles with their counts, a cycle's moves, nominations and panel
with each panellist's conflicts, a panellist's own cycles, and where one case stands. Each is a
fixed number of queries, however many cases and people there are."""

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from accounts.models import User
from guides.models import Guide
from reviews.models import Case, Cycle, Nomination, Panellist
from reviews.querysets import count_of
from reviews.readiness.snapshots import summaries_of
from reviews.words import conflict_reason, cycle_move_sentence, status_label

PEOPLE_OF_CASE = (
    "case__candidate",
    "case__sponsor",
    "case__guide__from_level",
    "case__guide__to_level",
)


def cycles_listed():
    """Every cycle, newest committee first, with its guides and its counts of nominations and
    panellists (`nominated`, `seated`): three queries."""
    return Cycle.objects.annotate(
        nominated=Subquery(count_of(Nomination.objects.filter(cycle=OuterRef("pk")), per="cycle")),
        seated=Subquery(count_of(Panellist.objects.filter(cycle=OuterRef("pk")), per="cycle")),
    ).prefetch_related(Prefetch("guides", queryset=Guide.objects.with_levels()))


def cycle_for_page(pk: int):
    return cycles_listed().prefetch_related("moves__by").filter(pk=pk)


@dataclass(frozen=True)
class Conflict:
    panellist: str
    reason: str


@dataclass(frozen=True)
class NominationRow:
    nomination: Nomination
    readiness: str
    # Who on the panel does not score this case, and why.
    excluded: list[Conflict] = field(default_factory=list)


def conflicts(case: Case, panel: list[Panellist]) -> list[Conflict]:
    """The panellists who do not score this case: its sponsor and its candidate."""
    found = []
    for seat in panel:
        if seat.user_id in (case.sponsor_id, case.candidate_id):
            name = seat.user.display_name
            found.append(
                Conflict(name, conflict_reason(name, sponsor=seat.user_id == case.sponsor_id))
            )
    return found


def nomination_rows(cycle: Cycle, panel: list[Panellist], today: datetime.date):
    """The cycle's nominations with each case's people, readiness in words and conflicts."""
    nominations = list(
        cycle.nominations.select_related(*PEOPLE_OF_CASE, "by").order_by("created_at", "id")
    )
    cases = (
        Case.objects.filter(pk__in=[n.case_id for n in nominations])
        .select_related("guide")
        .with_snapshot(today)
    )
    readiness = summaries_of(cases, today)
    return [
        NominationRow(
            nomination=n,
            readiness=status_label(readiness[n.case_id].status),
            excluded=conflicts(n.case, panel),
        )
        for n in nominations
    ]


def panel_of(cycle: Cycle) -> list[Panellist]:
    return list(cycle.panel.select_related("user__current_level", "appointed_by"))


def move_lines(cycle: Cycle) -> list[str]:
    return [
        cycle_move_sentence(move.from_state, move.to_state, move.by.display_name, move.at)
        for move in cycle.moves.all()
    ]


@dataclass(frozen=True)
class PanelCycle:
    """A panellist's view of one of their cycles."""

    cycle: Cycle
    scorable: list[Nomination]
    excluded: list[tuple[Nomination, str]]


def panel_cycles(user: User) -> list[PanelCycle]:
    """The open cycles this person sits on: the cases they may score, and apart those they are
    excluded from, with why. Two queries."""
    cycles = list(
        Cycle.objects.filter(panel__user=user)
        .exclude(state=Cycle.State.CLOSED)
        .prefetch_related(
            Prefetch(
                "nominations",
                queryset=Nomination.objects.select_related(*PEOPLE_OF_CASE).order_by(
                    "created_at", "id"
                ),
            )
        )
    )
    found = []
    for cycle in cycles:
        scorable, excluded = [], []
        for n in cycle.nominations.all():
            if user.pk in (n.case.sponsor_id, n.case.candidate_id):
                you = "You sponsor this case" if n.case.sponsor_id == user.pk else None
                excluded.append((n, you or "You are the candidate on this case"))
            else:
                scorable.append(n)
        found.append(PanelCycle(cycle, scorable, excluded))
    return found


@dataclass(frozen=True)
class Standing:
    """Where a case stands in the cycles: its latest nomination, from `with_standing`."""

    cycle_id: int
    cycle_name: str
    state: str
    active: bool
    nominated_on: datetime.date
    scores_due: datetime.date
    committee_meets: datetime.date
    published_on: datetime.date | None


def _day(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    if "T" in value:
        return timezone.localdate(datetime.datetime.fromisoformat(value))
    return datetime.date.fromisoformat(value)


def standing_of(case: Case) -> Standing | None:
    """The case's latest nomination, read with it (`Case.objects.with_standing`), or None."""
    row = case.nomination
    if row is None:
        return None
    return Standing(
        cycle_id=row["cycle"],
        cycle_name=row["name"],
        state=row["state"],
        active=row["active"],
        nominated_on=_day(row["on"]),
        scores_due=_day(row["scores_due"]),
        committee_meets=_day(row["committee_meets"]),
        published_on=_day(row["published_at"]),
    )


@dataclass(frozen=True)
class OpenCycle:
    pk: int
    name: str
    closes: datetime.date


def nominable_to(case: Case, user, standing: Standing | None) -> list[OpenCycle] | None:
    """The cycles this person may nominate the case to from its page: for its sponsor, once it
    is signed off as ready and in no open cycle. None when the sponsor would not expect to (the
    case is not signed off, or it is in a cycle already); an empty list when no cycle on the
    case's guide is open for nominations."""
    if case.sponsor_id != user.pk or case.status != Case.Status.SIGNED_OFF:
        return None
    if standing is not None and standing.active:
        return None
    return [OpenCycle(c["pk"], c["name"], _day(c["closes"])) for c in case.open_cycles]
