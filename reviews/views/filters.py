"""HR's case filters, shared by the case list and every export of "these cases"."""

from django.db.models import F, QuerySet

from core import clock
from reviews.models import Case
from reviews.readiness.snapshots import refresh_snapshots


def filter_cases(cases: QuerySet, data: dict) -> QuerySet:
    """Cases matching the filter form's cleaned data, as a queryset that exports can stream.

    Readiness filters read today's readiness snapshots in SQL, after bringing those of the
    matching cases up to date (usually none: the daily task and every page showing a case keep
    them fresh)."""
    if data.get("guide"):
        cases = cases.filter(guide=data["guide"])
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    if data.get("sponsor"):
        cases = cases.filter(sponsor=data["sponsor"])
    wanted_status, wanted_flag = data.get("readiness"), data.get("flag")
    if wanted_status or wanted_flag:
        refresh_snapshots(cases)
        # The snapshot is joined already: its status and flags come with each case, and
        # readiness_summaries needs no query of its own.
        cases = cases.filter(readiness_snapshot__as_of=clock.today()).annotate(
            snapshot_status=F("readiness_snapshot__status"),
            snapshot_flag_kinds=F("readiness_snapshot__flag_kinds"),
        )
        if wanted_status:
            cases = cases.filter(readiness_snapshot__status=wanted_status)
        if wanted_flag:
            cases = cases.filter(readiness_snapshot__flag_kinds__contains=[wanted_flag])
    return cases


def hr_cases() -> QuerySet:
    return Case.objects.with_people().order_by("-opened_on", "-id")
