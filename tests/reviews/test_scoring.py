"""The panel's independent scores: who scores, when, what a sheet must hold, and the reveal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import ProgrammingError, connection, transaction

from reviews import scoring
from reviews.models import CapabilityScore, Cycle, ScoreSheet
from tests.factories import PanellistFactory
from tests.reviews.scoring_world import make_world, move, scores_for, submit

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]


@pytest.fixture
def world():
    return make_world()


def test_a_sheet_holds_a_score_and_a_reason_for_every_capability(world):
    sheet = submit(world, world.panel[0], value=3)

    assert sheet.recommendation == "promote"
    assert [(s.capability.number, s.value) for s in sheet.scores.all()] == [(1, 3), (2, 3), (3, 3)]
    assert sheet.scores.first().reason == "Seen in the packet. (1)"


def test_a_capability_left_unscored_is_refused_by_name(world):
    scores = scores_for(world)
    first = world.capabilities[0]
    del scores[first.pk]

    with pytest.raises(ValidationError) as refused:
        scoring.submit_scores(
            nomination=world.nomination,
            panellist=world.panel[0],
            scores=scores,
            recommendation="promote",
            reason="Sustained.",
        )
    assert refused.value.message_dict[f"value_{first.pk}"] == ["Choose a score for capability 1."]
    assert ScoreSheet.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"score_reason": "  "}, "reason_{pk}", "Give the reason for your score on capability 1."),
        ({"value": 4}, "value_{pk}", "Choose a score for capability 1."),
        ({"recommendation": "maybe"}, "recommendation", "Choose promote or not yet."),
        ({"reason": ""}, "reason", "Give the reason for your recommendation."),
    ],
)
def test_an_incomplete_sheet_is_refused_whole(world, change, field, message):
    first = world.capabilities[0]
    scores = scores_for(world)
    scores[first.pk] = (change.get("value", 2), change.get("score_reason", "Because."))

    with pytest.raises(ValidationError) as refused:
        scoring.submit_scores(
            nomination=world.nomination,
            panellist=world.panel[0],
            scores=scores,
            recommendation=change.get("recommendation", "promote"),
            reason=change.get("reason", "Sustained."),
        )
    assert refused.value.message_dict[field.format(pk=first.pk)] == [message]
    assert (ScoreSheet.objects.count(), CapabilityScore.objects.count()) == (0, 0)


def test_someone_off_the_panel_cannot_score(world):
    outsider = make_world().panel[0]
    with pytest.raises(PermissionDenied, match="not on the panel"):
        submit(world, outsider)
    assert ScoreSheet.objects.count() == 0


@pytest.mark.parametrize("who", ["sponsor", "candidate"])
def test_a_panellist_does_not_score_a_case_they_sponsor_or_are_the_candidate_of(world, who):
    conflicted = getattr(world.case, who)
    PanellistFactory(cycle=world.cycle, user=conflicted)

    with pytest.raises(PermissionDenied, match="you do not score it"):
        submit(world, conflicted)
    assert ScoreSheet.objects.count() == 0


@pytest.mark.parametrize(
    "state", [Cycle.State.NOMINATING, Cycle.State.PUBLISHED, Cycle.State.CLOSED]
)
def test_scores_are_given_only_while_the_cycle_is_scoring(world, state):
    move(world, state)
    with pytest.raises(ValidationError, match="Scores are given while the cycle is in scoring"):
        submit(world, world.panel[0])
    assert ScoreSheet.objects.count() == 0


def test_in_committee_only_a_panellist_who_scored_can_change_their_scores(world):
    first = submit(world, world.panel[0], recommendation="not_yet")
    move(world, Cycle.State.COMMITTEE)

    with pytest.raises(ValidationError, match="only panellists who scored this case before"):
        submit(world, world.panel[1])
    changed = submit(world, world.panel[0], recommendation="promote")

    assert changed.supersedes == first
    assert ScoreSheet.objects.filter(panellist=world.panel[1]).count() == 0


def test_a_change_is_a_new_sheet_superseding_the_old_both_kept(world):
    first = submit(world, world.panel[0], value=1, recommendation="not_yet")
    second = submit(world, world.panel[0], value=3, recommendation="promote")

    assert second.supersedes_id == first.pk
    assert list(ScoreSheet.objects.current()) == [second]
    first.refresh_from_db()
    assert {s.value for s in first.scores.all()} == {1}
    assert {s.value for s in second.scores.all()} == {3}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE reviews_scoresheet SET reason = 'edited'",
        "DELETE FROM reviews_scoresheet",
        "UPDATE reviews_capabilityscore SET value = 0",
    ],
)
def test_submitted_scores_are_append_only(world, statement):
    submit(world, world.panel[0])
    with (
        pytest.raises(ProgrammingError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert ScoreSheet.objects.get().reason == "Sustained."


def test_nobody_sees_others_scores_while_the_cycle_is_scoring(world):
    for panellist in world.panel:
        submit(world, panellist)

    for person in [*world.panel, world.hr, world.case.candidate, world.case.sponsor]:
        assert list(scoring.visible_sheets(nomination=world.nomination, user=person)) == []


def test_in_committee_a_panellist_sees_the_others_only_after_submitting_their_own(world):
    submit(world, world.panel[0])
    submit(world, world.panel[1], recommendation="not_yet")
    move(world, Cycle.State.COMMITTEE)

    seen = scoring.visible_sheets(nomination=world.nomination, user=world.panel[0])
    assert [sheet.panellist for sheet in seen] == [world.panel[1]]
    assert list(scoring.visible_sheets(nomination=world.nomination, user=world.panel[2])) == []


def test_in_committee_hr_sees_every_sheet_but_the_candidate_and_sponsor_see_none(world):
    for panellist in world.panel:
        submit(world, panellist)
    move(world, Cycle.State.COMMITTEE)

    assert len(scoring.visible_sheets(nomination=world.nomination, user=world.hr)) == 3
    for person in (world.case.candidate, world.case.sponsor):
        assert list(scoring.visible_sheets(nomination=world.nomination, user=person)) == []


def test_the_candidate_sees_nothing_before_publication_even_as_hr(world):
    for panellist in world.panel:
        submit(world, panellist)
    move(world, Cycle.State.COMMITTEE)
    world.case.candidate.groups.add(world.hr.groups.get())

    assert (
        list(scoring.visible_sheets(nomination=world.nomination, user=world.case.candidate)) == []
    )


def test_once_published_the_candidate_and_sponsor_see_the_current_sheets(world):
    submit(world, world.panel[0], value=1)
    submit(world, world.panel[0], value=3)
    submit(world, world.panel[1])
    move(world, Cycle.State.PUBLISHED)

    for person in (world.case.candidate, world.case.sponsor):
        seen = scoring.visible_sheets(nomination=world.nomination, user=person)
        assert sorted(s.panellist.pk for s in seen) == sorted(p.pk for p in world.panel[:2])
    assert {
        s.scores.first().value
        for s in scoring.visible_sheets(nomination=world.nomination, user=world.case.candidate)
    } == {3, 2}


def test_a_panellist_of_another_cycle_sees_nothing(world):
    for panellist in world.panel:
        submit(world, panellist)
    move(world, Cycle.State.COMMITTEE)
    elsewhere = make_world().panel[0]

    assert list(scoring.visible_sheets(nomination=world.nomination, user=elsewhere)) == []


def test_the_majority_counts_current_sheets_and_a_tie_has_none(world):
    submit(world, world.panel[0], recommendation="promote")
    submit(world, world.panel[1], recommendation="not_yet")
    tie = scoring.majority(world.nomination)
    assert (tie.counts, tie.majority) == ({"promote": 1, "not_yet": 1}, None)

    submit(world, world.panel[1], recommendation="promote")
    submit(world, world.panel[2], recommendation="not_yet")
    tally = scoring.majority(world.nomination)
    assert (tally.counts, tally.majority) == ({"promote": 2, "not_yet": 1}, "promote")


def test_nobody_scored_is_no_majority(world):
    tally = scoring.majority(world.nomination)
    assert (tally.sheets, tally.majority) == (0, None)
