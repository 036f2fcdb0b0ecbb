"""The sponsoring director's dashboard: one row per candidate they sponsor.

Cost is fixed whatever the number of cases: one query for the cases with their candidates,
sign-off date, count of items the sponsor has given feedback on and readiness snapshot, one for
their guides (`Case.objects.for_dashboard`); readiness without a fresh snapshot is computed in
four more, for all of them. The last item's date, when it was logged and how many items there
are come with the readiness, kept as the snapshot's own columns when the evidence changes; the
whole report is decoded only for a row with flags to word or a heat strip not kept yet
(`row_facts`). Sorting and filtering by readiness happen here, in Python, afterwards.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.views.decorators.http import require_GET

from core import clock
from reviews.models import Case
from reviews.readiness.heatstrip import kept_strip
from reviews.readiness.months import months_open
from reviews.readiness.rule import FlagKind, Status
from reviews.readiness.snapshots import RowFacts, row_facts
from reviews.templatetags.reviews_tags import status_badge
from reviews.words import (
    FLAG_LABELS,
    STATUS_LABELS,
    FlagWords,
    flags_for,
    stale_cases_sentence,
    time_at_level,
)

# Progress order, so sorting by status ascending goes from not started to ready.
STATUS_ORDER = {Status.NOT_STARTED: 0, Status.BUILDING: 1, Status.READY: 2}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # The direction of a sortable column's first click: names A→Z, numbers and dates largest
    # first; None for a column that does not sort.
    first_dir: str | None = None


# At phone width static/css/app.css names each cell by these labels, in this order.
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
class Day:
    """A date as the rows show it, "3 Dec 2026", and its ISO form for <time datetime>."""

    label: str
    iso: str


def _day(value: datetime.date | datetime.datetime | None) -> Day | None:
    """As the `date` filter words it: a time in the current time zone."""
    if not value:
        return None
    value = template_localtime(value)
    day = value.date() if isinstance(value, datetime.datetime) else value
    return Day(date_format(value, "j M Y"), day.isoformat())


@dataclass(frozen=True)
class Row:
    """One candidate's row: what the dashboard sorts, filters and counts, and what it shows."""

    case: Case
    name: str
    months_open: int
    status: Status
    flag_kinds: tuple[FlagKind, ...]
    flags: tuple[FlagWords, ...]
    # The small heat strip, kept once drawn (reviews.readiness.heatstrip).
    heat_strip: SafeString
    last_evidence: datetime.date | None
    awaiting: int
    signed_off_at: datetime.datetime | None
    # Since the sponsor last looked (reviews.querysets.CaseQuerySet.with_news).
    new_items: int = 0
    new_replies: int = 0
    last_logged: datetime.datetime | None = None
    # What the row shows, worded once here rather than looked up cell by cell in the template.
    url: str = ""
    guide_label: str = ""
    status_label: str = ""
    status_badge: str = ""
    # The case's own state under its readiness: "Signed off" with its date, or a closed case's
    # status; "" for an open case.
    state_note: str = ""
    signed_off_day: Day | None = None
    last_evidence_day: Day | None = None
    last_logged_day: Day | None = None
    awaiting_url: str = ""
    # "2 years 3 months at M3": how long the candidate has held their level.
    time_at_level: str = ""

    @property
    def closed(self) -> bool:
        return self.case.status not in Case.ACTIVE_STATUSES


def _row(case: Case, facts: RowFacts, as_of: datetime.date, queue_url: str) -> Row:
    status = facts.status
    if case.status == Case.Status.SIGNED_OFF:
        note = "Signed off"
    elif case.status not in Case.ACTIVE_STATUSES:
        note = case.get_status_display()
    else:
        note = ""
    # Only an open case's items wait: the threads of the others are closed.
    awaiting = facts.item_count - case.answered + case.reopened if case.is_open else 0
    return Row(
        case=case,
        name=case.candidate.display_name,
        months_open=months_open(case.opened_on, as_of),
        status=status,
        flag_kinds=facts.flag_kinds,
        # The whole report is read for the flags' words only when there are flags.
        flags=flags_for(facts.report()) if facts.flag_kinds else (),
        heat_strip=kept_strip(case, as_of, facts.report, small=True),
        last_evidence=facts.last_evidence,
        awaiting=awaiting,
        signed_off_at=case.signed_off_at,
        new_items=case.new_items,
        new_replies=case.new_replies,
        last_logged=facts.last_logged,
        url=case.get_absolute_url(),
        guide_label=case.guide.label,
        status_label=STATUS_LABELS[status],
        status_badge=status_badge(status),
        state_note=note,
        signed_off_day=_day(case.signed_off_at),
        last_evidence_day=_day(facts.last_evidence),
        last_logged_day=_day(facts.last_logged),
        awaiting_url=f"{queue_url}?case={case.pk}" if awaiting and case.is_open else "",
        time_at_level=time_at_level(case.candidate_level, case.candidate_level_since, as_of),
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
    every_case = list(
        Case.objects.for_dashboard(user)
        .with_news(user)
        .with_time_at_level()
        .with_snapshot(as_of, facts=True)
        .order_by("id")
    )
    in_scope = [c for c in every_case if closed or c.status in Case.ACTIVE_STATUSES]
    facts = row_facts(in_scope, as_of)
    queue_url = reverse("reviews:review_queue")
    rows = [_row(case, facts[case.pk], as_of, queue_url) for case in in_scope]

    summary = [
        {"key": key, "count": n, "label": label.lower()}
        for key, label in STATUS_LABELS.items()
        if (n := sum(row.status == key for row in rows))
    ]
    stale = sum(FlagKind.STALE in row.flag_kinds for row in rows)
    if stale:
        label = FLAG_LABELS[FlagKind.STALE].lower()
        summary.append({"key": FlagKind.STALE, "count": stale, "label": label})
    statuses = " · ".join(f"{i['count']} {i['label']}" for i in summary if i["key"] in Status)

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
        "summary_line": f"{statuses}." if statuses else "",
        "summary_note": stale_cases_sentence(stale) if stale else "",
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
