"""The sponsoring director's dashboard: one row per candidate they sponsor.

Cost is fixed whatever the number of cases: one query for the cases with their candidates, last
evidence date, sign-off date and count of items awaiting feedback, one for their guides, one for
their readiness status and flags (reviews.readiness.snapshots.readiness_summaries). Each row's
markup is kept once drawn, under a key made of everything it is drawn from; only rows drawn
again read their readiness report. Sorting and filtering by readiness happen here, in Python,
afterwards.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from core import clock
from reviews.models import Case, Evidence, Feedback, SignOff
from reviews.readiness.heatstrip import render_heat_strip
from reviews.readiness.months import months_open
from reviews.readiness.rule import FlagKind, Readiness, Status
from reviews.readiness.snapshots import Summary, readiness_for_cases, readiness_summaries
from reviews.views.lists import STATUS_BADGES, day_label, drawn_rows, row_key
from reviews.words import FLAG_LABELS, STATUS_LABELS, FlagWords, flags_for, status_label

# Progress order, so sorting by status ascending goes from not started to ready.
STATUS_ORDER = {Status.NOT_STARTED: 0, Status.BUILDING: 1, Status.READY: 2}
ROW_TEMPLATE = "reviews/includes/_dashboard_row.html"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # The direction of a sortable column's first click: names A→Z, numbers and dates largest
    # first; None for a column that does not sort.
    first_dir: str | None = None


COLUMNS = (
    Column("name", "Candidate", "asc"),
    Column("guide", "Guide"),
    Column("months", "Months open", "desc"),
    Column("status", "Readiness", "asc"),
    Column("flags", "Flags"),
    Column("strip", "Evidence by month"),
    Column("last", "Last evidence", "desc"),
    Column("awaiting", "Awaiting your feedback", "desc"),
)
SORT_KEYS = {column.key: column for column in COLUMNS if column.first_dir}
DEFAULT_SORT = "name"
DIRECTION_WORDS = {"asc": "ascending", "desc": "descending"}


@dataclass(frozen=True)
class RowParts:
    """Everything one candidate's row shows, worked out here so that the row template only
    places it."""

    url: str
    name: str
    guide_label: str
    months_open: int
    status: Status
    flags: tuple[FlagWords, ...]
    heat_strip: SafeString
    last_evidence: datetime.date | None
    awaiting: int
    # Under the badge: "Signed off" with its day, the closed status, or nothing.
    note: str
    note_day: datetime.date | None

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def badge_class(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def last_evidence_label(self) -> str:
        return day_label(self.last_evidence) if self.last_evidence else ""

    @property
    def note_day_label(self) -> str:
        return day_label(self.note_day) if self.note_day else ""


@dataclass(frozen=True)
class Row:
    """A row as the dashboard sorts, filters and counts it, with its markup."""

    case: Case
    name: str
    months_open: int
    status: Status
    flag_kinds: tuple[FlagKind, ...]
    last_evidence: datetime.date | None
    awaiting: int
    signed_off_at: datetime.datetime | None
    html: SafeString

    @property
    def closed(self) -> bool:
        return self.case.status not in Case.ACTIVE_STATUSES


def _note(case: Case) -> tuple[str, datetime.date | None]:
    if case.status == Case.Status.SIGNED_OFF:
        signed = case.signed_off_at
        return "Signed off", timezone.localtime(signed).date() if signed else None
    if case.status not in Case.ACTIVE_STATUSES:
        return case.get_status_display(), None
    return "", None


def row_parts(case: Case, readiness: Readiness, as_of: datetime.date) -> RowParts:
    """`case` as `sponsored_cases` gives it."""
    note, note_day = _note(case)
    return RowParts(
        url=case.get_absolute_url(),
        name=case.candidate.display_name,
        guide_label=case.guide.label,
        months_open=months_open(case.opened_on, as_of),
        status=readiness.status,
        flags=flags_for(readiness),
        # render_heat_strip escapes every text it draws, so its SVG can go in as it is.
        heat_strip=mark_safe(render_heat_strip(readiness, small=True)),  # noqa: S308
        last_evidence=case.last_evidence,
        awaiting=case.awaiting,
        note=note,
        note_day=note_day,
    )


def drawn_from(case: Case, as_of: datetime.date) -> tuple:
    """Everything a row is drawn from. Readiness is there as the data version it was computed
    from and the day; a guide is never changed once cases use it."""
    return (
        case.pk,
        case.data_version,
        as_of.isoformat(),
        case.status,
        case.candidate.display_name,
        case.guide_id,
        case.guide.label,
        case.opened_on.isoformat(),
        case.last_evidence and case.last_evidence.isoformat(),
        case.awaiting,
        case.signed_off_at and case.signed_off_at.isoformat(),
        timezone.get_current_timezone_name(),
    )


def rows_markup(
    cases: list[Case], summaries: dict[int, Summary], as_of: datetime.date
) -> dict[int, SafeString]:
    """Each case's row markup by case id, kept or drawn.

    Drawing needs the whole readiness report: the ones computed for `summaries` are used, the
    others read from the snapshots in one query."""
    by_pk = {case.pk: case for case in cases}

    def draw(ids: list[int]) -> dict[int, str]:
        reports = {pk: s.readiness for pk, s in summaries.items() if s.readiness is not None}
        reports.update(readiness_for_cases([by_pk[pk] for pk in ids if pk not in reports], as_of))
        return {
            pk: render_to_string(ROW_TEMPLATE, {"row": row_parts(by_pk[pk], reports[pk], as_of)})
            for pk in ids
        }

    keys = {case.pk: row_key(ROW_TEMPLATE, drawn_from(case, as_of)) for case in cases}
    return drawn_rows(keys, draw)


def sponsored_cases(user, as_of: datetime.date):
    """Every case this person sponsors, with what a row shows that SQL can count."""
    # Awaiting = items − items this sponsor has given feedback on: two counts on indexes per
    # case, where an anti-join would read every item of every case.
    items = (
        Evidence.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("*"))
        .values("n")
    )
    answered = (
        Feedback.objects.filter(case=OuterRef("pk"), author=user)
        .order_by()
        .values("case")
        .annotate(n=Count("evidence", distinct=True))
        .values("n")
    )
    last_evidence = (
        Evidence.objects.filter(case=OuterRef("pk"), date__lte=as_of)
        .order_by("-date")
        .values("date")[:1]
    )
    ready_sign_off = SignOff.objects.filter(
        case=OuterRef("pk"), decision=SignOff.Decision.READY
    ).values("created_at")[:1]
    return (
        Case.objects.filter(sponsor=user)
        # The sponsor is this person: no need to read them once per row.
        .for_lists(sponsor=False)
        .annotate(
            # Items dated after as_of are ignored, as readiness ignores them. Subqueries rather
            # than a join: no GROUP BY, so each runs once per case, on an index.
            last_evidence=Subquery(last_evidence),
            awaiting=Coalesce(Subquery(items, output_field=IntegerField()), Value(0))
            - Coalesce(Subquery(answered, output_field=IntegerField()), Value(0)),
            signed_off_at=Subquery(ready_sign_off),
        )
        .order_by("id")
    )


def _choice(params: QueryDict, name: str, allowed) -> str:
    value = params.get(name, "")
    return value if value in allowed else ""


def _sort_key(sort: str):
    if sort == "months":
        return lambda row: row.months_open
    if sort == "status":
        return lambda row: STATUS_ORDER[row.status]
    if sort == "last":
        return lambda row: row.last_evidence or datetime.date.min
    if sort == "awaiting":
        return lambda row: row.awaiting
    return lambda row: row.name.casefold()


def _query(filters: dict[str, str], **changes: str) -> str:
    query = QueryDict(mutable=True)
    for name, value in {**filters, **changes}.items():
        if value:
            query[name] = value
    return "?" + query.urlencode() if query else "?"


def _headers(filters: dict[str, str], sort: str, direction: str) -> list[dict]:
    headers = []
    for column in COLUMNS:
        if not column.first_dir:
            headers.append({"key": column.key, "label": column.label, "href": None})
            continue
        current = column.key == sort
        next_dir = ("desc" if direction == "asc" else "asc") if current else column.first_dir
        headers.append(
            {
                "key": column.key,
                "label": column.label,
                "href": _query(filters, sort=column.key, dir=next_dir),
                "aria_sort": DIRECTION_WORDS[direction] if current else None,
                "arrow": ("▲" if direction == "asc" else "▼") if current else "",
                "action": f"sort {DIRECTION_WORDS[next_dir]}",
            }
        )
    return headers


def dashboard_context(user, params: QueryDict, *, as_of: datetime.date | None = None) -> dict:
    """Template context of reviews/dashboard.html for a sponsor, from the request's GET."""
    as_of = as_of or clock.today()
    status = _choice(params, "status", STATUS_LABELS)
    flag = _choice(params, "flag", FLAG_LABELS)
    closed = "1" if params.get("closed") == "1" else ""
    sort = _choice(params, "sort", SORT_KEYS) or DEFAULT_SORT
    direction = _choice(params, "dir", DIRECTION_WORDS) or SORT_KEYS[sort].first_dir

    # Closed cases are dropped here rather than in SQL, so that a sponsor whose every case is
    # closed is told so without a second query.
    every_case = list(sponsored_cases(user, as_of))
    in_scope = [c for c in every_case if closed or c.status in Case.ACTIVE_STATUSES]
    summaries = readiness_summaries(in_scope, as_of)
    markup = rows_markup(in_scope, summaries, as_of)

    rows = [
        Row(
            case=case,
            name=case.candidate.display_name,
            months_open=months_open(case.opened_on, as_of),
            status=summaries[case.pk].status,
            flag_kinds=summaries[case.pk].flag_kinds,
            last_evidence=case.last_evidence,
            awaiting=case.awaiting,
            signed_off_at=case.signed_off_at,
            html=markup[case.pk],
        )
        for case in in_scope
    ]

    summary = [
        {"key": key, "count": n, "label": label.lower()}
        for key, label in STATUS_LABELS.items()
        if (n := sum(row.status == key for row in rows))
    ]
    stale = sum(FlagKind.STALE in row.flag_kinds for row in rows)
    if stale:
        label = FLAG_LABELS[FlagKind.STALE].lower()
        summary.append({"key": FlagKind.STALE, "count": stale, "label": label})

    shown = [
        row
        for row in rows
        if (not status or row.status == status) and (not flag or flag in row.flag_kinds)
    ]
    # Sorted by name first, so rows that tie on the chosen column stay in name order.
    shown.sort(key=_sort_key("name"))
    shown.sort(key=_sort_key(sort), reverse=direction == "desc")

    filters = {"status": status, "flag": flag, "closed": closed}
    return {
        "as_of": as_of,
        "rows": shown,
        "summary": summary,
        "in_scope_count": len(rows),
        "has_cases": bool(every_case),
        "closed_count": len(every_case) - sum(c.status in Case.ACTIVE_STATUSES for c in every_case),
        "filters": filters,
        "filtered": bool(status or flag),
        "status_choices": list(STATUS_LABELS.items()),
        "flag_choices": list(FLAG_LABELS.items()),
        "sort": sort,
        "dir": direction,
        "sort_label": SORT_KEYS[sort].label,
        "dir_word": DIRECTION_WORDS[direction],
        "headers": _headers(filters, sort, direction),
        "clear_url": _query({"closed": closed}, sort=sort, dir=direction),
        "show_closed_url": _query(filters, closed="1", sort=sort, dir=direction),
    }


@require_GET
@login_required
def dashboard(request):
    """Every case this person sponsors, with readiness over time."""
    return render(request, "reviews/dashboard.html", dashboard_context(request.user, request.GET))
