"""The seeded organisation's committee: a cycle in committee, its nominated cases, a panel of
three who sponsor none of them and every sheet in, the same for the same seed."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from core import clock
from demo.seeding import seed
from reviews.calibration import calibration
from reviews.models import CapabilityScore, Case, Cycle, ScoreSheet

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

AS_OF = clock.today()
SMALL = {"candidates": 14, "sponsors": 3, "months": 9, "items_per_month": 3}


def scores_written() -> list[tuple]:
    return sorted(
        CapabilityScore.objects.values_list(
            "sheet__nomination__case__candidate__username",
            "sheet__panellist__username",
            "capability__number",
            "value",
        )
    )


def test_a_cycle_in_committee_with_every_sheet_in():
    result = seed(**SMALL, seed=1, as_of=AS_OF, password="seed-test-pass", cycle_cases=10)
    cycle = Cycle.objects.get()
    assert cycle.state == Cycle.State.COMMITTEE
    assert list(cycle.moves.values_list("to_state", flat=True)) == [
        "nominating",
        "scoring",
        "committee",
    ]
    open_cases = Case.objects.filter(status__in=Case.ACTIVE_STATUSES).count()
    nominations = list(cycle.nominations.select_related("case"))
    assert len(nominations) == min(10, open_cases) == result.counts["nominations"]
    panel = list(User.objects.filter(panel_seats__cycle=cycle))
    assert len(panel) == 3
    assert not Case.objects.filter(sponsor__in=panel).exists()
    assert all(person.check_password("seed-test-pass") for person in panel)
    capabilities = result.guide.capabilities.count()
    sheets = Counter(ScoreSheet.objects.current().values_list("nomination", flat=True))
    assert sheets == {nomination.pk: 3 for nomination in nominations}
    assert CapabilityScore.objects.count() == 3 * len(nominations) * capabilities
    # Something for the committee to discuss first: one wide split at least.
    view = calibration(cycle=cycle, user=result.hr, is_hr=True)
    assert view.rows[0].agenda == 1 and view.rows[0].disagreement.largest == 3
    assert all(row.visible and sum(row.tally.values()) == 3 for row in view.rows)


class Discard(Exception):
    pass


def scores_of_a_discarded_seed(seed_number: int) -> list[tuple]:
    try:
        with transaction.atomic():
            seed(**SMALL, seed=seed_number, as_of=AS_OF, password="p", cycle_cases=6)
            rows = scores_written()
            raise Discard
    except Discard:
        return rows


def test_the_same_seed_writes_the_same_scores():
    first = scores_of_a_discarded_seed(1)
    assert len(first) == 3 * 6 * 4
    assert scores_of_a_discarded_seed(1) == first
    assert scores_of_a_discarded_seed(2) != first


def test_the_command_seeds_the_cycle_unless_told_not_to():
    out = io.StringIO()
    call_command("seed_demo", "--candidates=4", "--sponsors=2", "--months=3", "--force", stdout=out)
    assert "nominations" in out.getvalue()
    assert Cycle.objects.count() == 1


def test_no_cycle_when_told():
    call_command(
        "seed_demo", "--candidates=4", "--sponsors=2", "--months=3", "--cycle-cases=0",
        "--force", stdout=io.StringIO(),
    )  # fmt: skip
    assert not Cycle.objects.exists()
