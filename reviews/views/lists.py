"""HR's list of cases: one row per case with its readiness."""

from dataclasses import dataclass

from reviews.models import Case
from reviews.readiness.snapshots import Summary
from reviews.words import FlagWords, flag_kind_words, status_label


@dataclass(frozen=True)
class CaseRow:
    """One row of HR's case list: the case, read `for_hr_list`, its readiness and its address.

    The row's other links are the case's own pages, which sit under its address (reviews/urls.py:
    `<id>/manage/`, `<id>/packet.pdf`): one reverse() per row rather than four.
    A test of the list holds them to reverse()."""

    case: Case
    readiness: Summary
    url: str

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
    def name(self) -> str:
        return self.case.candidate.display_name

    @property
    def readiness_label(self) -> str:
        return status_label(self.readiness.status)

    @property
    def flags(self) -> tuple[FlagWords, ...]:
        return tuple(flag_kind_words(kind) for kind in self.readiness.flag_kinds)


def case_rows(cases, readiness: dict[int, Summary]) -> list[CaseRow]:
    """HR's rows for these cases; `readiness` as `summaries_of` gives it."""
    return [CaseRow(case, readiness[case.pk], case.get_absolute_url()) for case in cases]
