"""What lists of cases show in every row, worked out in Python rather than in templates.

A list draws fifty rows; a template filter or `{% url %}` per cell makes it several times slower
than the page around it, so rows carry finished texts and the templates only place them.
"""

import datetime
import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from django.core.cache import caches
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from reviews.models import Case
from reviews.readiness.months import MONTH_NAMES
from reviews.readiness.rule import Status
from reviews.readiness.snapshots import Summary
from reviews.words import FlagWords, flag_kind_words, status_label

# Drawn rows are kept in their own cache (config/settings.py) for a day.
ROW_CACHE = "rows"
ROW_CACHE_SECONDS = 24 * 60 * 60
CASE_ROW_TEMPLATE = "reviews/includes/_case_row.html"

# The classes of reviews/includes/_status_badge.html, so rows need no include each.
STATUS_BADGES = {
    Status.READY: "text-bg-success",
    Status.BUILDING: "text-bg-primary",
    Status.NOT_STARTED: "text-bg-secondary",
}


def day_label(day: datetime.date) -> str:
    """'3 Nov 2026', as the template filter date:"j M Y" writes it, for a fraction of its cost."""
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


def row_key(template: str, drawn_from: tuple) -> str:
    """A drawn row's cache key: its template and everything the row is drawn from, so a kept
    row is never out of date, only unused."""
    return "row:" + hashlib.sha256(repr((template, *drawn_from)).encode()).hexdigest()


def drawn_rows[K: Hashable](
    keys: dict[K, str], draw: Callable[[list[K]], dict[K, str]]
) -> dict[K, SafeString]:
    """Each row's markup by its id in `keys` (id → `row_key`): kept ones from the cache, the
    others drawn by `draw(ids)`, which returns markup by id, and kept."""
    found = caches[ROW_CACHE].get_many(list(keys.values()))
    missing = [row_id for row_id, key in keys.items() if key not in found]
    if missing:
        drawn = {keys[row_id]: markup for row_id, markup in draw(missing).items()}
        caches[ROW_CACHE].set_many(drawn, ROW_CACHE_SECONDS)
        found.update(drawn)
    # Every row template escapes what it shows.
    return {row_id: mark_safe(found[key]) for row_id, key in keys.items()}  # noqa: S308


@dataclass(frozen=True)
class CaseRow:
    """One row of HR's case list."""

    case: Case
    url: str
    name: str
    guide_label: str
    sponsor: str
    opened_on: datetime.date
    opened_label: str
    status_label: str
    readiness_label: str
    badge_class: str
    flags: tuple[FlagWords, ...]
    pdf_url: str
    json_url: str
    manage_url: str
    html: SafeString = SafeString()

    @property
    def drawn_from(self) -> tuple:
        return (
            self.url,
            self.name,
            self.guide_label,
            self.sponsor,
            self.opened_label,
            self.status_label,
            self.readiness_label,
            self.flags,
        )


def case_rows(cases: list[Case], readiness: dict[int, Summary]) -> list[CaseRow]:
    """HR's rows for these cases; `readiness` as `readiness_summaries` gives it."""
    # A case's pages sit under the case list's address (reviews/urls.py), so one reverse()
    # serves every row; tests hold these to reverse().
    base = reverse("reviews:case_list")
    rows = {case.pk: _case_row(case, readiness[case.pk], f"{base}{case.pk}/") for case in cases}
    markup = drawn_rows(
        {pk: row_key(CASE_ROW_TEMPLATE, row.drawn_from) for pk, row in rows.items()},
        lambda ids: {pk: render_to_string(CASE_ROW_TEMPLATE, {"row": rows[pk]}) for pk in ids},
    )
    return [replace(row, html=markup[pk]) for pk, row in rows.items()]


def _case_row(case: Case, readiness: Summary, url: str) -> CaseRow:
    return CaseRow(
        case=case,
        url=url,
        name=case.candidate.display_name,
        guide_label=case.guide.label,
        sponsor=case.sponsor.display_name,
        opened_on=case.opened_on,
        opened_label=day_label(case.opened_on),
        status_label=case.get_status_display(),
        readiness_label=status_label(readiness.status),
        badge_class=STATUS_BADGES[readiness.status],
        flags=tuple(flag_kind_words(kind) for kind in readiness.flag_kinds),
        pdf_url=f"{url}packet.pdf",
        json_url=f"{url}packet.json",
        manage_url=f"{url}manage/",
    )
