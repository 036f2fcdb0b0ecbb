"""HR's case filters, shared by the case list and every export of "these cases"."""

from django.db.models import QuerySet

from reviews.models import Case
from reviews.progress import readiness_for_cases
from reviews.readiness import Readiness


def filter_cases(cases: QuerySet, data: dict) -> QuerySet:
    """Cases matching the filter form's cleaned data; readiness filters are computed, then kept
    as an id list so the result stays a queryset that exports can stream."""
    if data.get("guide"):
        cases = cases.filter(guide=data["guide"])
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    if data.get("sponsor"):
        cases = cases.filter(sponsor=data["sponsor"])
    wanted_status, wanted_flag = data.get("readiness"), data.get("flag")
    if wanted_status or wanted_flag:
        readiness = readiness_for_cases(cases.select_related("guide"))
        keep = [
            case_id
            for case_id, report in readiness.items()
            if matches(report, status=wanted_status, flag=wanted_flag)
        ]
        cases = cases.filter(pk__in=keep)
    return cases


def matches(report: Readiness, *, status: str | None, flag: str | None) -> bool:
    if status and report.status != status:
        return False
    if flag == "thin":
        return any(f.startswith("thin:") for f in report.flags)
    return not flag or flag in report.flags


def hr_cases() -> QuerySet:
    return Case.objects.with_people().order_by("-opened_on", "-id")
