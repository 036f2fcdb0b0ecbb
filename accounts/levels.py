"""Changing a person's level, and the history each change appends to (LevelChange).

Every write of `User.current_level` that the app makes goes through `change_level`: a promotion
decision, HR's edit in the admin, a person created by a packet import, the demo. The history is
what "time at level" is counted from, on case pages, dashboards, lists and packets.
"""

import datetime

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import LevelChange, User
from core import clock


def change_level(
    *,
    user: User,
    level,
    since: datetime.date,
    reason: str,
    note: str = "",
    by: User | None = None,
) -> LevelChange:
    """Move `user` to `level` (a guides Level, or None) from `since`, and record why.

    The person's row is saved with the new level; the change is appended to their history even
    when the level is the one they already hold, so a correction of the date is kept too.
    """
    if reason not in LevelChange.Reason.values:
        raise ValueError(f"not a level change reason: {reason!r}")
    with transaction.atomic():
        if user.current_level_id != getattr(level, "pk", None):
            user.current_level = level
            user.save(update_fields=["current_level"])
        return LevelChange.objects.create(
            user=user,
            level=level,
            since=since,
            reason=reason,
            note=note[:200],
            recorded_by=by,
            recorded_at=clock.now(),
        )


def level_since(user_ref: str = "pk") -> Subquery:
    """The date from which the person at `user_ref` has held their current level, for
    `annotate()`: one subquery in the list's own query, not one query per row.

    `user_ref` is the path from the annotated model to the user ("candidate" on cases).
    """
    prefix = "" if user_ref == "pk" else f"{user_ref}__"
    return Subquery(
        LevelChange.objects.filter(
            user=OuterRef(user_ref), level=OuterRef(f"{prefix}current_level")
        )
        .order_by("-since", "-id")
        .values("since")[:1]
    )


def history_of(user: User) -> QuerySet[LevelChange]:
    """A person's level history, oldest first, with the levels it names."""
    return user.level_changes.select_related("level", "recorded_by").order_by("since", "id")
