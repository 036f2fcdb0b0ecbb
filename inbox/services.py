"""Writing notices and marking them read, keeping each person's unread count exact.

The count lives on the person's row (`User.unread_notices`), which every request loads anyway, so
the top bar shows it without a query of its own. It moves only with a notice's own change and in
the same transaction: +1 for each notice written, −1 for each that turns from unread to read
(the UPDATE's row count says how many did, so two tabs marking the same notice count it once).
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from accounts.models import User
from core import clock
from inbox.models import Notice


def notify(*, recipient_id: int, kind: str, text: str, about: str, link: str) -> Notice | None:
    """One notice for one person; none for nobody (a case without that person)."""
    if recipient_id is None:
        return None
    with transaction.atomic():
        notice = Notice.objects.create(
            recipient_id=recipient_id, kind=kind, text=text[:300], about=about[:300], link=link
        )
        User.objects.filter(pk=recipient_id).update(unread_notices=F("unread_notices") + 1)
    return notice


def mark_read(*, user, notices: Iterable[int] | None = None) -> int:
    """Mark `user`'s notices read (all of them when `notices` is None); how many changed."""
    with transaction.atomic():
        rows = Notice.objects.filter(recipient=user, read_at__isnull=True)
        if notices is not None:
            rows = rows.filter(pk__in=list(notices))
        changed = rows.update(read_at=clock.now())
        if changed:
            User.objects.filter(pk=user.pk).update(unread_notices=F("unread_notices") - changed)
            user.unread_notices = max(0, user.unread_notices - changed)
    return changed
