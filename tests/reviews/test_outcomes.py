"""The committee's outcomes, their publication (decisions, levels, notices and mails), the
appeals, and the outcome record for the packet."""

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import ProgrammingError, connection, transaction

from accounts.models import LevelChange
from inbox.models import Notice
from reviews import scoring
from reviews.models import Appeal, Case, CycleMove, Decision, Outcome
from reviews.notifications import send_due_notifications
from reviews.outcomes import outcome_record
from tests.factories import NominationFactory, UserFactory, published_guide, signed_case
from tests.reviews.scoring_world import in_committee, make_world, move, submit

pytestmark = [pytest.mark.django_db, pytest.mark.today("2027-05-07")]


@pytest.fixture
def world():
    return in_committee()


def record(world, result="promoted", justification="", by=None, nomination=None):
    return scoring.record_outcome(
        nomination=nomination or world.nomination,
        result=result,
        rationale="Sustained across every capability.",
        justification=justification,
        by=by or world.hr,
    )


def test_an_outcome_with_the_majority_needs_no_justification(world):
    outcome = record(world, "promoted")
    assert (outcome.result, outcome.justification, outcome.supersedes) == ("promoted", "", None)


def test_an_outcome_against_the_majority_needs_a_justification(world):
    with pytest.raises(ValidationError) as refused:
        record(world, "not_yet")
    assert refused.value.message_dict["justification"] == [
        "The panel's majority recommended promote: say why the committee decided otherwise."
    ]
    assert Outcome.objects.count() == 0

    outcome = record(world, "not_yet", justification="The scope shown is one team's.")
    assert outcome.justification == "The scope shown is one team's."


def test_a_rationale_is_required(world):
    with pytest.raises(ValidationError) as refused:
        scoring.record_outcome(
            nomination=world.nomination,
            result="promoted",
            rationale=" ",
            justification="",
            by=world.hr,
        )
    assert refused.value.message_dict["rationale"] == ["Give the committee's rationale."]


def test_a_changed_outcome_supersedes_and_both_are_kept(world):
    first = record(world, "promoted")
    second = record(world, "not_yet", justification="New information on scope.")

    assert second.supersedes == first
    assert list(Outcome.objects.current()) == [second]
    assert Outcome.objects.count() == 2
    with (
        pytest.raises(ProgrammingError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE reviews_outcome SET rationale = 'edited'")


def test_only_hr_records_outcomes_and_never_on_their_own_case(world):
    with pytest.raises(PermissionDenied):
        record(world, by=world.panel[0])
    world.case.candidate.groups.add(world.hr.groups.get())
    with pytest.raises(PermissionDenied, match="You are the candidate"):
        record(world, by=world.case.candidate)
    assert Outcome.objects.count() == 0


@pytest.mark.parametrize("state", ["scoring", "published"])
def test_outcomes_are_recorded_only_in_committee(world, state):
    move(world, state)
    with pytest.raises(ValidationError, match="while the cycle is in committee"):
        record(world)
    assert Outcome.objects.count() == 0


def second_nomination(world):
    case = signed_case(guide=world.case.guide, candidate=UserFactory(name="Dara Second"))
    return NominationFactory(cycle=world.cycle, case=case)


def test_publishing_is_refused_while_a_case_has_no_outcome_and_names_it(world):
    second_nomination(world)
    record(world)

    with pytest.raises(ValidationError, match=r"Still without one: Dara Second \(M3 → E1\)"):
        scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    world.cycle.refresh_from_db()
    assert (world.cycle.state, world.cycle.published_at) == ("committee", None)
    assert Decision.objects.count() == 0


def test_publishing_records_each_decision_moves_the_level_and_the_cycle(world):
    other = second_nomination(world)
    record(world, "promoted")
    record(world, "not_yet", nomination=other)

    published = scoring.publish_cycle(cycle=world.cycle, by=world.hr)

    assert published.state == "published"
    assert published.published_at is not None
    move_row = CycleMove.objects.get(cycle=world.cycle)
    assert (move_row.from_state, move_row.to_state, move_row.by) == (
        "committee",
        "published",
        world.hr,
    )
    promoted = Decision.objects.get(case=world.case)
    assert (promoted.outcome, promoted.effective_date) == ("promoted", datetime.date(2027, 5, 7))
    assert Case.objects.get(pk=world.case.pk).status == Case.Status.DECIDED
    candidate = world.case.candidate
    candidate.refresh_from_db()
    assert candidate.current_level == world.case.guide.to_level
    step = LevelChange.objects.filter(user=candidate).latest("id")
    assert (step.reason, step.since) == (LevelChange.Reason.DECISION, datetime.date(2027, 5, 7))
    assert Decision.objects.get(case=other.case).outcome == "not_yet"
    other.case.candidate.refresh_from_db()
    assert other.case.candidate.current_level != world.case.guide.to_level


def test_publishing_tells_each_candidate_and_sponsor_in_the_app_and_by_mail(world, mailoutbox):
    record(world, "promoted")
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)

    notices = Notice.objects.filter(kind=Notice.Kind.OUTCOME).order_by("recipient_id")
    assert {n.recipient for n in notices} == {world.case.candidate, world.case.sponsor}
    assert all(n.link == f"/cases/{world.case.pk}/outcome/" for n in notices)
    assert "“Promoted”" in notices[0].text
    assert not Notice.objects.filter(kind=Notice.Kind.DECISION).exists()

    counts = send_due_notifications()
    assert (counts["outcome"], counts["decision"]) == (2, 0)
    mailed = [m for m in mailoutbox if "committee's outcome" in m.subject]
    assert {m.to[0] for m in mailed} == {world.case.candidate.email, world.case.sponsor.email}
    assert all(f"/cases/{world.case.pk}/outcome/" in m.body for m in mailed)
    assert "“Promoted”" in mailed[0].subject
    assert send_due_notifications()["outcome"] == 0


def test_a_case_decided_meanwhile_stops_the_publication_whole(world):
    record(world)
    Case.objects.filter(pk=world.case.pk).update(status=Case.Status.WITHDRAWN)

    with pytest.raises(ValidationError, match="is withdrawn"):
        scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    world.cycle.refresh_from_db()
    assert world.cycle.state == "committee"
    assert not Notice.objects.filter(kind=Notice.Kind.OUTCOME).exists()


def test_publishing_is_hrs_from_committee_only(world):
    record(world)
    with pytest.raises(PermissionDenied):
        scoring.publish_cycle(cycle=world.cycle, by=world.panel[0])
    move(world, "scoring")
    with pytest.raises(ValidationError, match="published from committee"):
        scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    assert Decision.objects.count() == 0


def test_the_sign_off_path_still_refuses_an_open_case():
    """The decision's rows are shared with the publication; record_decision's checks stay."""
    from reviews.services import record_decision
    from tests.factories import CaseFactory, HRFactory

    case = CaseFactory(guide=published_guide())
    with pytest.raises(ValidationError, match="after the sponsor signs the case off"):
        record_decision(
            case=case,
            outcome="promoted",
            effective_date=datetime.date(2027, 5, 7),
            note="",
            decided_by=HRFactory(),
        )


@pytest.fixture
def published(world):
    record(world, "not_yet", justification="One team's scope only.")
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    world.cycle.refresh_from_db()
    world.nomination.refresh_from_db()
    return world


def appeal(world, reason="The scope covered three teams."):
    return scoring.appeal(nomination=world.nomination, by=world.case.candidate, reason=reason)


def test_the_appeal_window_ends_on_the_last_day(published):
    assert scoring.appeal_until(published.cycle) == datetime.date(2027, 5, 21)
    with time_machine.travel(datetime.datetime(2027, 5, 21, 18, 0), tick=False):
        assert scoring.appeal_open(published.nomination)
        filed = appeal(published)
    assert filed.reason == "The scope covered three teams."


def test_an_appeal_the_day_after_is_refused(published):
    with time_machine.travel(datetime.datetime(2027, 5, 22, 9, 0), tick=False):
        assert not scoring.appeal_open(published.nomination)
        with pytest.raises(ValidationError, match="The time to appeal ended on 21 May 2027"):
            appeal(published)
    assert Appeal.objects.count() == 0


def test_an_outcome_is_appealed_once_by_its_candidate(published):
    with pytest.raises(PermissionDenied):
        scoring.appeal(nomination=published.nomination, by=published.case.sponsor, reason="No.")
    appeal(published)
    with pytest.raises(ValidationError, match="appealed this outcome already"):
        appeal(published, reason="Again.")
    assert Appeal.objects.count() == 1


def test_an_appeal_needs_a_reason_and_a_published_outcome(world):
    with pytest.raises(ValidationError, match="once it is published"):
        appeal(world)
    record(world)
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    with pytest.raises(ValidationError) as refused:
        appeal(world, reason="  ")
    assert refused.value.message_dict["reason"] == ["Say why you appeal the outcome."]


def test_hr_answers_an_appeal_once_and_the_candidate_is_told(published):
    filed = appeal(published)
    with pytest.raises(PermissionDenied):
        scoring.answer_appeal(appeal=filed, result="upheld", note="x", by=published.panel[0])
    with pytest.raises(ValidationError) as refused:
        scoring.answer_appeal(appeal=filed, result="", note="", by=published.hr)
    assert set(refused.value.message_dict) == {"result", "note"}

    answered = scoring.answer_appeal(
        appeal=filed, result="not_upheld", note="The panel read all three teams.", by=published.hr
    )
    assert (answered.result, answered.decided_by) == ("not_upheld", published.hr)
    assert Notice.objects.filter(
        recipient=published.case.candidate, kind=Notice.Kind.OUTCOME, text__contains="appeal"
    ).exists()
    with pytest.raises(ValidationError, match="answered already"):
        scoring.answer_appeal(appeal=filed, result="upheld", note="Changed.", by=published.hr)
    assert Appeal.objects.get().result == "not_upheld"


def test_the_outcome_record_is_empty_before_publication(world):
    record(world)
    shown = outcome_record(world.nomination)
    assert (shown["outcomes"], shown["scores"], shown["recommendations"]) == ([], [], [])
    assert shown["state"] == "committee"


def test_the_outcome_record_carries_the_chain_the_appeal_and_scores_without_names(published):
    appeal(published)
    shown = outcome_record(published.nomination)

    json.dumps(shown)
    assert [o["result"] for o in shown["outcomes"]] == ["not_yet"]
    assert shown["outcomes"][0]["justification"] == "One team's scope only."
    assert shown["appeal"]["reason"] == "The scope covered three teams."
    assert shown["appeal"]["result"] is None
    assert [row["capability"] for row in shown["scores"]] == [1, 2, 3]
    assert sorted(s["value"] for s in shown["scores"][0]["scores"]) == [1, 2, 3]
    assert all("panellist" not in s for row in shown["scores"] for s in row["scores"])
    assert sorted(r["recommendation"] for r in shown["recommendations"]) == [
        "not_yet",
        "promote",
        "promote",
    ]


def test_the_outcome_record_names_panellists_when_the_cycle_shows_them(published):
    type(published.cycle).objects.filter(pk=published.cycle.pk).update(show_panel_names=True)
    published.nomination.refresh_from_db()
    shown = outcome_record(published.nomination)
    names = {s["panellist"] for s in shown["scores"][0]["scores"]}
    assert names == {p.username for p in published.panel}


def test_finding_the_outcome_mails_costs_the_same_queries_for_any_number_of_cases(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for nomination in [world.nomination, second_nomination(world)]:
        record(world, "promoted", nomination=nomination)
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    with CaptureQueriesContext(connection) as two:
        assert send_due_notifications(dry_run=True)["outcome"] == 4

    later = make_world()
    for panellist in later.panel:
        submit(later, panellist)
    move(later, "committee")
    record(later, "promoted", nomination=later.nomination)
    scoring.publish_cycle(cycle=later.cycle, by=later.hr)
    with CaptureQueriesContext(connection) as three:
        assert send_due_notifications(dry_run=True)["outcome"] == 6
    assert len(three) == len(two)
