"""The rows of the lists: HR's cases, one per case with its readiness, and evidence items as the
evidence list and the case page show them."""

import datetime
from dataclasses import dataclass

from django.utils.dateformat import format as date_format

from reviews.models import Case, Evidence
from reviews.readiness.snapshots import Summary
from reviews.words import FlagWords, flag_kind_words, status_label, time_at_level


@dataclass(frozen=True)
class CaseRow:
    """One row of HR's case list: the case, read `for_hr_list`, its readiness and its address.

    The row's other links are the case's own pages, which sit under its address (reviews/urls.py:
    `<id>/manage/`, `<id>/packet.pdf`): one reverse() per row rather than four.
    A test of the list holds them to reverse()."""

    case: Case
    readiness: Summary
    url: str
    # The cells' words, made once per row here rather than looked up in the template.
    name: str
    guide_label: str
    sponsor_name: str
    opened_label: str
    opened_iso: str
    status_label: str
    time_at_level: str

    @property
    def manage_url(self) -> str:
        return f"{self.url}manage/"

    @property
    def pdf_url(self) -> str:
        return f"{self.url}packet.pdf"

    @property
    def json_url(self) -> str:
        return f"{self.url}packet.json"

    @property
    def readiness_label(self) -> str:
        return status_label(self.readiness.status)

    @property
    def flags(self) -> tuple[FlagWords, ...]:
        return tuple(flag_kind_words(kind) for kind in self.readiness.flag_kinds)


def case_rows(cases, readiness: dict[int, Summary], *, today: datetime.date) -> list[CaseRow]:
    """HR's rows for these cases, read `with_time_at_level` too; `readiness` as `summaries_of`
    gives it."""
    return [_row(case, readiness[case.pk], today) for case in cases]


def _row(case: Case, readiness: Summary, today: datetime.date) -> CaseRow:
    return CaseRow(
        case=case,
        readiness=readiness,
        url=case.get_absolute_url(),
        name=case.candidate.display_name,
        guide_label=case.guide.label,
        sponsor_name=case.sponsor.display_name,
        opened_label=date_format(case.opened_on, "j M Y"),
        opened_iso=case.opened_on.isoformat(),
        status_label=case.get_status_display(),
        time_at_level=time_at_level(case.candidate_level, case.candidate_level_since, today),
    )


@dataclass(frozen=True)
class ItemRow:
    """One evidence item of a list, read `as_rows()`, with its words made once here."""

    pk: int
    url: str
    title: str
    starred: bool
    date_iso: str
    date_label: str
    capability: str
    capability_number: int
    # The indicators tagged, in position order, each `{"position", "text"}`.
    tags: list[dict]
    files: int

    @property
    def title_id(self) -> str:
        """The id of the item's title in a list, which its star button is described by."""
        return f"item-{self.pk}-title"


def item_rows(items) -> list[ItemRow]:
    """Rows of items read with `Evidence.objects.as_rows()`."""
    return [_item_row(item) for item in items]


def _item_row(item: Evidence) -> ItemRow:
    capability = item.capability
    return ItemRow(
        pk=item.pk,
        url=item.get_absolute_url(),
        title=item.title,
        starred=item.starred,
        date_iso=item.date.isoformat(),
        date_label=date_format(item.date, "j M Y"),
        capability=f"{capability.number}. {capability.title}",
        capability_number=capability.number,
        tags=item.tags,
        files=item.files,
    )
