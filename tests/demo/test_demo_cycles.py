"""The demo's promotion cycles (demo/cycles.py): one in committee whose panel disagrees on one
case, and an earlier one published."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from core import clock
from demo.cycles import CURRENT, EARLIER, PANEL
from reviews.calibration import calibration
from reviews.models import Cycle, Decision, Outcome, ScoreSheet
from reviews.scoring import appeal_open, publish_cycle, record_outcome

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture
def demo():
    call_command(
        "import_guide", str(settings.BASE_DIR / "guides/data/m3-to-e1.md"), stdout=StringIO()
    )
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def test_a_cycle_in_committee_with_three_cases_and_a_panel_of_three(demo):
    cycle = Cycle.objects.get(name=CURRENT)
    assert cycle.state == Cycle.State.COMMITTEE
    nominated = {n.case.candidate.username: n for n in cycle.nominations.select_related("case")}
    assert set(nominated) == {"ada", "ben", "cleo"}
    # The people team nominated them, each with its reason.
    assert all(n.by.username == "hana" and n.reason for n in nominated.values())
    assert sorted(seat.user.username for seat in cycle.panel.all()) == sorted(PANEL)
    assert ScoreSheet.objects.current().filter(nomination__cycle=cycle).count() == 9
    assert f"{CURRENT}: in committee, cases of ada, ben, cleo; panel uma, vic, wyn." in demo


def test_the_panel_disagrees_most_on_one_case_which_heads_the_agenda(demo):
    cycle = Cycle.objects.get(name=CURRENT)
    view = calibration(cycle=cycle, user=User.objects.get(username="hana"), is_hr=True)
    rows = sorted((row for group in view.groups for row in group.rows), key=lambda r: r.agenda)
    assert [row.case.candidate.username for row in rows][0] == "cleo"
    largest = [row.disagreement.largest for row in rows]
    assert largest[0] > largest[1] and largest[0] >= 2


def test_an_earlier_cycle_published_not_yet_on_bens_first_case(demo):
    cycle = Cycle.objects.get(name=EARLIER)
    assert cycle.state == Cycle.State.PUBLISHED
    (nomination,) = cycle.nominations.select_related("case__candidate")
    assert nomination.case.candidate.username == "ben"
    assert Outcome.objects.current().get(nomination=nomination).result == "not_yet"
    decision = Decision.objects.get(case=nomination.case)
    assert decision.outcome == "not_yet"
    assert cycle.published_at.date() == decision.effective_date < clock.today()
    # Long past: the appeal window closed with it, and its moves are dated in order.
    assert not appeal_open(nomination)
    days = [move.at for move in cycle.moves.all()]
    assert days == sorted(days) and days[-1].date() == decision.effective_date


def test_running_again_makes_the_current_cycle_afresh_and_keeps_the_earlier_one(demo):
    earlier = list(Cycle.objects.get(name=EARLIER).nominations.values_list("pk", flat=True))
    current = Cycle.objects.get(name=CURRENT).pk
    call_command("load_demo", force=True, stdout=StringIO())
    assert set(Cycle.objects.values_list("name", flat=True)) == {CURRENT, EARLIER}
    assert list(Cycle.objects.get(name=EARLIER).nominations.values_list("pk", flat=True)) == earlier
    again = Cycle.objects.get(name=CURRENT)
    assert again.pk != current
    assert again.nominations.count() == 3
    assert ScoreSheet.objects.current().filter(nomination__cycle=again).count() == 9


def test_a_current_cycle_published_while_trying_the_app_is_kept(demo):
    cycle = Cycle.objects.get(name=CURRENT)
    hana = User.objects.get(username="hana")
    for nomination in cycle.nominations.all():
        record_outcome(
            nomination=nomination, result="not_yet", rationale="Tried.", justification="x", by=hana
        )
    publish_cycle(cycle=cycle, by=hana)
    call_command("load_demo", force=True, stdout=StringIO())
    kept = Cycle.objects.get(name=CURRENT)
    assert (kept.pk, kept.state) == (cycle.pk, Cycle.State.PUBLISHED)
