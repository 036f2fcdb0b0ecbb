"""HR's case filters, shared by the case list and every export of "these cases"."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

from reviews.models import Case
from reviews.readiness.rule import Readiness
from reviews.readiness.snapshots import matching_readiness


@dataclass(frozen=True)
class FilteredCases:
    """The matching cases, as a queryset that exports can stream, and the readiness that
    filtering had to compute (of the cases without a fresh snapshot), for the page to show."""

    cases: QuerySet
    computed: dict[int, Readiness] = field(default_factory=dict)


def filter_cases(cases: QuerySet, data: dict, *, as_of: datetime.date) -> FilteredCases:
    """Cases matching the filter form's cleaned data. Readiness filters match today's fresh
    snapshots in SQL and compute the others' readiness in memory (readiness.snapshots,
    `matching_readiness`); nothing is written."""
    if data.get("guide"):
        cases = cases.filter(guide=data["guide"])
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    if data.get("sponsor"):
        cases = cases.filter(sponsor=data["sponsor"])
    wanted_status, wanted_flag = data.get("readiness"), data.get("flag")
    if not (wanted_status or wanted_flag):
        return FilteredCases(cases)
    match = matching_readiness(cases, status=wanted_status, flag=wanted_flag, as_of=as_of)
    return FilteredCases(cases.filter(match.condition), match.computed)


def hr_cases() -> QuerySet:
    return Case.objects.with_people().order_by("-opened_on", "-id")
