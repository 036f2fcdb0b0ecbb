"""The level histories of the seeded organisation (demo/seeding.py), written in bulk as
accounts.levels `change_level` would write them one by one."""

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from accounts.levels import keep_level_since
from accounts.models import LevelChange, User
from guides.models import Guide
from reviews.readiness.months import month_start

BATCH = 2000


def start_histories(people: Sequence[User], *, as_of: datetime.date, rng: random.Random) -> None:
    """Each person's history starts with the level they hold, reached one to six years back."""
    recorded = timezone.now()
    LevelChange.objects.bulk_create(
        (
            LevelChange(
                user=person,
                level_id=person.current_level_id,
                since=month_start(as_of, rng.randint(12, 72)),
                reason=LevelChange.Reason.START,
                recorded_at=recorded,
            )
            for person in people
        ),
        batch_size=BATCH,
    )
    keep_level_since(User.objects.filter(pk__in=[person.pk for person in people]))


def promote(promoted: Sequence[tuple], guide: Guide, hr: User) -> None:
    """As `record_decision` does for a promotion: the candidates of these (case, signed plan)
    pairs move to the guide's target level, from the decision's effective date."""
    User.objects.filter(pk__in=[case.candidate_id for case, _ in promoted]).update(
        current_level=guide.to_level
    )
    recorded = timezone.now()
    LevelChange.objects.bulk_create(
        (
            LevelChange(
                user_id=case.candidate_id,
                level=guide.to_level,
                since=plan.last_item + datetime.timedelta(days=14),
                reason=LevelChange.Reason.DECISION,
                note=f"Promoted on {guide}",
                recorded_by=hr,
                recorded_at=recorded,
            )
            for case, plan in promoted
        ),
        batch_size=BATCH,
    )
    keep_level_since(User.objects.filter(pk__in=[case.candidate_id for case, _ in promoted]))
