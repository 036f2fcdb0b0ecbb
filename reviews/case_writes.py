"""The one way into a write that changes what a case's packet holds.

A ready sign-off stores the hash of the packet as it stands. Every write that changes the packet
(the narrative, evidence and its files, check-ins, feedback, the sponsor) runs inside
`case_open_for_writes`, which locks the case row and checks, under the lock, that the case is
still open; the sign-off locks the same row (`locked_case`). So a write lands wholly before the
sign-off reads the packet, or it waits, finds the case signed off and is refused: the status a
page read earlier may be stale by the time its form is sent.
"""

import contextlib
import enum
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction

from reviews.models import Case


class Part(enum.Enum):
    """What of a case a write changes, for the words of its refusal."""

    EVIDENCE = "evidence"
    NARRATIVE = "narrative"
    CHECK_INS = "check-ins"
    FEEDBACK = "feedback"
    SPONSOR = "sponsor"
    GUIDE = "guide version"
    STARS = "best items"


# Why a write is refused: (the case is signed off, the case is decided or withdrawn).
REFUSALS = {
    Part.EVIDENCE: (
        "This case is signed off, so its evidence can no longer change.",
        "This case is closed, so its evidence can no longer change.",
    ),
    Part.NARRATIVE: ("This case is no longer open, so its narrative can no longer change.",) * 2,
    Part.CHECK_INS: ("Check-ins can only be taken while the case is open.",) * 2,
    Part.FEEDBACK: ("This case is signed off or closed, so its feedback threads are closed too.",)
    * 2,
    Part.SPONSOR: ("Only an open case can change sponsor.",) * 2,
    Part.STARS: (
        "This case is signed off, so its chosen best items can no longer change.",
        "This case is closed, so its chosen best items can no longer change.",
    ),
    Part.GUIDE: (
        "This case is signed off, so it stays on the guide version it was signed off on.",
        "This case is closed, so it stays on its guide version.",
    ),
}


class CaseNotOpen(ValidationError):
    """A write refused because the case is no longer open, said in plain words."""


def refusal(case: Case, part: Part) -> str | None:
    """Why this part of the case cannot change now, or None while it can."""
    if case.status == Case.Status.OPEN:
        return None
    signed_off, closed = REFUSALS[part]
    return signed_off if case.status == Case.Status.SIGNED_OFF else closed


def locked_case(case_id: int) -> Case:
    """The case read afresh, with its people and guide, its row locked until the transaction
    that must surround this call ends.

    The row is locked by a statement of its own, before the read: a lock taken through the joins
    to the people loses the row when a change of sponsor commits while it waits (PostgreSQL
    re-checks the join against the people rows it had already read), and the case is not found.
    """
    list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk"))
    return Case.objects.with_people().get(pk=case_id)


@contextlib.contextmanager
def case_open_for_writes(case_id: int, part: Part) -> Iterator[Case]:
    """A transaction holding the case's row lock, entered only while the case is open; raises
    `CaseNotOpen` otherwise. Write what changes the packet inside it."""
    with transaction.atomic():
        case = locked_case(case_id)
        if message := refusal(case, part):
            raise CaseNotOpen(message)
        yield case
