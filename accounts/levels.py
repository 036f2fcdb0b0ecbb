"""Changing a person's level, and the history each change appends to (LevelChange).

Every write of `User.current_level` that the app makes goes through `change_level`: a promotion
decision, HR's edit in the admin, a person created by a packet import, the demo. The history is
what "time at level" is counted from, on case pages, dashboards, lists and packets.
"""

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject

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
        change = LevelChange.objects.create(
            user=user,
            level=level,
            since=since,
            reason=reason,
            note=note[:200],
            recorded_by=by,
            recorded_at=clock.now(),
        )
        user.current_level = level
        user.save(update_fields=["current_level"])
        keep_level_since(User.objects.filter(pk=user.pk))
        user.level_since = User.objects.values_list("level_since", flat=True).get(pk=user.pk)
        return change


def keep_level_since(people) -> int:
    """Set `User.level_since` of these people from their histories: the latest step to the
    level each holds now, whichever order the steps were recorded in. `change_level` calls it
    for one person; writers of many histories at once (the seeding) call it once for them all."""
    latest = (
        LevelChange.objects.filter(user=OuterRef("pk"), level=OuterRef("current_level"))
        .order_by("-since", "-id")
        .values("since")[:1]
    )
    return people.update(level_since=Subquery(latest))


def history_column(user_ref: str = "pk") -> ArraySubquery:
    """The level history of the person at `user_ref`, oldest first, for `annotate()`: a list
    of `{"level", "title", "since", "reason", "note"}` (level code and title, or None for no
    level; `since` as YYYY-MM-DD), read with the row it annotates rather than by a query more."""
    return ArraySubquery(
        LevelChange.objects.filter(user=OuterRef(user_ref))
        .order_by("since", "id")
        .values(
            json=JSONObject(
                level="level__code",
                title="level__title",
                since="since",
                reason="reason",
                note="note",
            )
        )
    )


def history_of(user_id: int) -> list[dict]:
    """What `history_column` gives, for one person, by a query of its own: for a caller whose
    row was read without the column."""
    rows = (
        LevelChange.objects.filter(user_id=user_id)
        .order_by("since", "id")
        .values_list("level__code", "level__title", "since", "reason", "note")
    )
    return [
        {"level": code, "title": title, "since": since.isoformat(), "reason": reason, "note": note}
        for code, title, since, reason, note in rows
    ]


def current_since(history: list[dict], level_code: str | None) -> datetime.date | None:
    """From a `history_column` list: since when the person has held `level_code`, their
    current level (the latest step to it), or None when the history never names it."""
    for step in reversed(history):
        if step["level"] == level_code:
            return datetime.date.fromisoformat(step["since"])
    return None
