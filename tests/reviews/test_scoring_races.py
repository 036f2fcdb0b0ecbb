"""Two writes of scores or outcomes at the same moment, in two threads with their own
connections, on real PostgreSQL: the locks make them land one after the other."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from reviews import scoring
from reviews.models import Decision, Outcome, ScoreSheet
from tests.reviews.scoring_world import make_world, move, scores_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.today("2026-06-15")]


def at_once(*writes) -> list:
    """Run the writes together; what each returned or raised."""
    start = threading.Barrier(len(writes))
    results = [None] * len(writes)

    def run(index, write):
        try:
            start.wait()
            results[index] = write()
        except Exception as error:  # noqa: BLE001 - the test reads what each raised
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_sheet_sent_from_two_tabs_at_once_makes_a_chain_of_two(db):
    world = make_world()

    def send(value):
        return lambda: scoring.submit_scores(
            nomination=world.nomination,
            panellist=world.panel[0],
            scores=scores_for(world, value),
            recommendation="promote",
            reason="Sustained.",
        )

    results = at_once(send(1), send(3))

    assert all(isinstance(r, ScoreSheet) for r in results), results
    sheets = list(ScoreSheet.objects.order_by("id"))
    assert [s.supersedes_id for s in sheets] == [None, sheets[0].pk]


ROUNDS = 5


def test_two_outcomes_recorded_at_once_make_a_chain_of_two(db):
    """A few rounds: without the lock the two usually, not always, collide."""
    for _ in range(ROUNDS):
        world = make_world()
        move(world, "committee")

        def record(result, world=world):
            return lambda: scoring.record_outcome(
                nomination=world.nomination,
                result=result,
                rationale="Decided.",
                justification="",
                by=world.hr,
            )

        results = at_once(record("promoted"), record("not_yet"))

        assert all(isinstance(r, Outcome) for r in results), results
        outcomes = list(Outcome.objects.filter(nomination=world.nomination).order_by("id"))
        assert [o.supersedes_id for o in outcomes] == [None, outcomes[0].pk]


def test_a_cycle_published_twice_at_once_is_published_once(db):
    world = make_world()
    move(world, "committee")
    scoring.record_outcome(
        nomination=world.nomination,
        result="promoted",
        rationale="Decided.",
        justification="",
        by=world.hr,
    )

    results = at_once(
        lambda: scoring.publish_cycle(cycle=world.cycle, by=world.hr),
        lambda: scoring.publish_cycle(cycle=world.cycle, by=world.hr),
    )

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert "published from committee; this one is outcomes published" in refused[0].messages[0]
    assert Decision.objects.count() == 1
    assert world.cycle.moves.count() == 1
