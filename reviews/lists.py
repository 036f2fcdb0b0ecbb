"""What lists of cases show in every row, worked out in Python rather than in templates.

A list draws fifty rows; a template filter or `{% url %}` per cell makes it several times slower
than the page around it, so rows carry finished texts and the templates only place them.
"""

import datetime
from dataclasses import dataclass

from reviews.heatstrip import MONTH_NAMES
from reviews.models import Case
from reviews.progress import Summary

READINESS_LABELS = {"ready": "Ready", "building": "Building", "not_started": "Not started"}
FLAG_LABELS = {"stale": "Stale", "lopsided": "Lopsided", "thin": "Thin"}
FLAG_DESCRIPTIONS = {
    "stale": "No evidence in the last 60 days.",
    "lopsided": "One capability has far more items than another.",
    "thin": "Fewer than half of a capability's indicators are shown in the window.",
}
# The classes of reviews/includes/_status_badge.html, so rows need no include each.
STATUS_BADGES = {
    "ready": "text-bg-success",
    "building": "text-bg-primary",
    "not_started": "text-bg-secondary",
}


def day_label(day: datetime.date) -> str:
    """'3 Nov 2026', as the template filter date:"j M Y" writes it, for a fraction of its cost."""
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


def guide_label(guide) -> str:
    return f"{guide.from_level.code} → {guide.to_level.code} v{guide.version}"


@dataclass(frozen=True)
class Flag:
    label: str
    description: str


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
    flags: tuple[Flag, ...]
    pdf_url: str
    json_url: str
    manage_url: str


def case_row(case: Case, readiness: Summary) -> CaseRow:
    # The case's other addresses sit under its own (reviews/urls.py), so one reverse() serves
    # the row; tests hold these to reverse().
    url = case.get_absolute_url()
    return CaseRow(
        case=case,
        url=url,
        name=case.candidate.display_name,
        guide_label=guide_label(case.guide),
        sponsor=case.sponsor.display_name,
        opened_on=case.opened_on,
        opened_label=day_label(case.opened_on),
        status_label=case.get_status_display(),
        readiness_label=READINESS_LABELS[readiness.status],
        badge_class=STATUS_BADGES[readiness.status],
        flags=tuple(
            Flag(FLAG_LABELS[kind], FLAG_DESCRIPTIONS[kind]) for kind in readiness.flag_kinds
        ),
        pdf_url=f"{url}packet.pdf",
        json_url=f"{url}packet.json",
        manage_url=f"{url}manage/",
    )
