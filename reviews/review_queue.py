"""A sponsor's review queue: the evidence items on their open cases that wait for their answer.

An item waits when the sponsor has not yet written in its thread, or when the candidate replied
after the sponsor's last message. The queue runs in a fixed order — candidate, case, then the
items by the date of the work, oldest first — so "next" always means the same item, and an item
skipped comes round again at the end.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q, Subquery

from reviews.models import Case, Evidence, Feedback
from reviews.querysets import looked_at

ORDER = (
    "case__candidate__name",
    "case__candidate__last_name",
    "case__candidate__username",
    "case_id",
    "date",
    "id",
)


def _with_answers(items: models.QuerySet, sponsor) -> models.QuerySet:
    """Items with `sponsor_last` (the sponsor's latest message's time, or None) and
    `replied` (whether the candidate wrote after it)."""
    sponsor_last = (
        Feedback.objects.filter(evidence=OuterRef("pk"), author=sponsor)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return items.annotate(sponsor_last=Subquery(sponsor_last)).annotate(
        replied=Exists(
            Feedback.objects.filter(
                evidence=OuterRef("pk"),
                author=OuterRef("case__candidate"),
                created_at__gt=OuterRef("sponsor_last"),
            )
        )
    )


WAITING = Q(sponsor_last__isnull=True) | Q(replied=True)


def waiting_items(items: models.QuerySet, sponsor) -> models.QuerySet:
    """Those of `items` that wait for the sponsor's answer: the queue's rule, which the
    dashboard's count of items awaiting feedback uses too."""
    return _with_answers(items, sponsor).filter(WAITING)


def scope(sponsor, case: Case | None = None) -> models.QuerySet:
    """Every item of the sponsor's open cases (or of one of them), with their answers and
    `looked_at`, when the sponsor last looked at the item's case (None if never)."""
    items = Evidence.objects.filter(case__sponsor=sponsor, case__status=Case.Status.OPEN)
    if case is not None:
        items = items.filter(case=case)
    return _with_answers(items, sponsor).annotate(looked_at=looked_at(sponsor))


def is_new(item) -> bool:
    """Logged since the sponsor last looked at its case, from an item read through `scope`."""
    return item.looked_at is None or item.created_at > item.looked_at


def waiting(sponsor, case: Case | None = None) -> models.QuerySet:
    return waiting_items(scope(sponsor, case), sponsor).order_by(*ORDER)


def unanswered(sponsor, case: Case | None = None) -> models.QuerySet:
    """The items the sponsor has never written on, which a bulk endorsement answers."""
    return scope(sponsor, case).filter(sponsor_last__isnull=True).order_by(*ORDER)


@dataclass(frozen=True)
class Position:
    """Where the queue stands: the item to show, how many wait, and which comes after it."""

    current: int | None
    left: int
    following: int | None


def position(
    sponsor, case: Case | None, *, after: int | None = None, item: int | None = None
) -> Position:
    """The item to show, in one query: `item` while it waits (an answer refused shows it again),
    else the first waiting item after `after` (an item just answered or skipped, which may no
    longer wait), else the first of the queue."""
    rows = list(
        scope(sponsor, case)
        .filter(WAITING | Q(pk=after or 0))
        .annotate(waits=ExpressionWrapper(WAITING, output_field=models.BooleanField()))
        .order_by(*ORDER)
        .values_list("pk", "waits")
    )
    ids = [pk for pk, waits in rows if waits]
    ordered = [pk for pk, _ in rows]
    current = item if item in ids else None
    if current is None and after in ordered:
        later = [pk for pk in ordered[ordered.index(after) + 1 :] if pk in ids]
        current = later[0] if later else None
    if current is None and ids:
        current = ids[0]
    following = None
    if current is not None and len(ids) > 1:
        index = ids.index(current)
        following = ids[(index + 1) % len(ids)]
    return Position(current=current, left=len(ids), following=following)
