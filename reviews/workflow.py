"""Writes of the review workflow beside reviews.services: a sponsor's look at a case (which no
packet holds), and a bulk endorsement, each one made through `services.give_feedback`."""

from collections.abc import Sequence

from django.db import transaction

from core import clock
from reviews import notices
from reviews.models import Case, CaseLook, Evidence, Feedback
from reviews.services import give_feedback


def endorse_all(*, items: Sequence[Evidence], sponsor) -> int:
    """Endorse each of these items without a message, all or nothing; how many were endorsed.
    Each candidate gets one notice for all of their items, not one per item."""
    with transaction.atomic():
        given = [
            give_feedback(
                evidence=evidence, author=sponsor, kind=Feedback.Kind.ENDORSE, text="", notify=False
            )
            for evidence in items
        ]
        by_case = {}
        for feedback in given:
            by_case.setdefault(feedback.case_id, []).append(feedback)
        for feedbacks in by_case.values():
            notices.endorsed(case=feedbacks[0].case, feedbacks=feedbacks)
    return len(items)


def record_look(*, user, case: Case) -> None:
    """The sponsor looked at the case's evidence and threads as a whole, now: a read receipt,
    the one write a page that only shows things makes, so that what comes after is marked new."""
    CaseLook.objects.update_or_create(user=user, case=case, defaults={"looked_at": clock.now()})
