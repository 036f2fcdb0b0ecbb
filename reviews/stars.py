"""The candidate's chosen best items: a star on an evidence item, at most STARS_PER_CAPABILITY
of a capability, which the committee brief (reviews/packets/brief.py) shows first.

A star is not part of what a sponsor signs (reviews/packets/build.py leaves it out of the
packet), and readiness does not read it; but it is a change of the case's evidence row, so it
takes the case's row lock like every other write of the case (reviews/case_writes.py): two stars
sent at once from two tabs cannot both be the third.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from reviews.case_writes import Part, case_open_for_writes
from reviews.models import Evidence
from reviews.services import refresh_snapshot

STARS_PER_CAPABILITY = 2


def star_evidence(*, evidence: Evidence, by, starred: bool) -> Evidence:
    """Star or unstar one item as one of the candidate's best; only the candidate of an open
    case may, and a capability holds at most STARS_PER_CAPABILITY stars."""
    with case_open_for_writes(evidence.case_id, Part.STARS) as case:
        if by.pk != case.candidate_id:
            raise PermissionDenied("Only the candidate chooses their best items.")
        item = Evidence.objects.select_related("capability").get(pk=evidence.pk, case=case)
        if item.starred == starred:
            return item
        if starred:
            others = Evidence.objects.filter(
                case=case, capability=item.capability, starred=True
            ).count()
            if others >= STARS_PER_CAPABILITY:
                raise ValidationError(
                    f"You have starred {STARS_PER_CAPABILITY} items for "
                    f"{item.capability.title} already: unstar one first."
                )
        item.starred = starred
        item.save(update_fields=["starred"])
        # The row's change moved the case's data version, which the readiness snapshot is kept
        # by; the readiness itself is the same, so the snapshot is brought up to date at once.
        refresh_snapshot(case)
        return item
