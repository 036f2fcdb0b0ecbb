"""The services of a promotion cycle before its committee (reviews/cycles.py): creating and moving
a cycle, nominating cases, appointing and removing panellists, and every refusal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews import cycles
from reviews.models import Case, Cycle, CycleMove, Nomination, Panellist, ScoreSheet, SignOff
from tests.factories import (
    CaseFactory,
    CycleFactory,
    GuideFactory,
    HRFactory,
    PanellistFactory,
    SignOffFactory,
    UserFactory,
    published_guide,
    signed_case,
)
from tests.locks import at_once

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]

DAY = datetime.date(2026, 7, 1)


def dates(**changes):
    days = {
        "nominations_close": DAY,
        "scores_due": DAY + datetime.timedelta(days=14),
        "committee_meets": DAY + datetime.timedelta(days=21),
        "outcomes_due": DAY + datetime.timedelta(days=28),
    }
    return {**days, **changes}


def create(by, guides=(), **changes):
    arguments = {
        "name": "Spring 2027",
        "guides": guides,
        "appeal_days": 14,
        "show_panel_names": False,
        **dates(),
    }
    return cycles.create_cycle(by=by, **{**arguments, **changes})


def message(error: ValidationError) -> str:
    return " ".join(error.messages)


@pytest.fixture
def hr():
    return HRFactory()


@pytest.fixture
def ready_case():
    return signed_case()


@pytest.fixture
def cycle(ready_case, hr):
    return CycleFactory(guides=[ready_case.guide], created_by=hr)


# --- Creating a cycle ---------------------------------------------------------------------------


def test_hr_creates_a_cycle_open_for_nominations_with_its_first_move(hr):
    guide = published_guide()
    cycle = create(hr, [guide])
    assert cycle.state == Cycle.State.NOMINATING
    assert list(cycle.guides.all()) == [guide]
    assert cycle.created_by == hr
    move = CycleMove.objects.get(cycle=cycle)
    assert (move.from_state, move.to_state, move.by) == ("", Cycle.State.NOMINATING, hr)


def test_only_hr_creates_a_cycle():
    with pytest.raises(PermissionDenied):
        create(UserFactory(), [published_guide()])
    assert not Cycle.objects.exists()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"name": "  "}, "Give the cycle a name."),
        ({"guides": []}, "Choose at least one guide"),
        ({"appeal_days": 0}, "at least one day"),
        ({**dates(scores_due=DAY - datetime.timedelta(days=1))}, "must follow one another"),
        ({**dates(outcomes_due=DAY)}, "must follow one another"),
    ],
)
def test_a_cycle_is_refused_in_plain_words(hr, changes, words):
    changes = {"guides": [published_guide()], **changes}
    with pytest.raises(ValidationError) as refused:
        create(hr, **changes)
    assert words in message(refused.value)
    assert not Cycle.objects.exists()
    assert not CycleMove.objects.exists()


def test_a_cycle_does_not_cover_a_draft_guide(hr):
    with pytest.raises(ValidationError) as refused:
        create(hr, [GuideFactory()])
    assert "not drafts" in message(refused.value)


def test_a_second_cycle_of_the_same_name_is_refused(hr):
    guide = published_guide()
    create(hr, [guide])
    with pytest.raises(ValidationError) as refused:
        create(hr, [guide], name=" Spring 2027 ")
    assert "There is a cycle named “Spring 2027” already." in message(refused.value)
    assert Cycle.objects.count() == 1


# --- Moving a cycle -----------------------------------------------------------------------------


def test_a_cycle_moves_one_step_at_a_time_each_move_recorded(hr, cycle, ready_case):
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    PanellistFactory(cycle=cycle)
    cycles.move_cycle(cycle=cycle, to_state="scoring", by=hr)
    cycles.move_cycle(cycle=cycle, to_state="committee", by=hr)
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.COMMITTEE
    assert list(cycle.moves.values_list("from_state", "to_state", "by")) == [
        ("nominating", "scoring", hr.pk),
        ("scoring", "committee", hr.pk),
    ]


@pytest.mark.parametrize("to_state", ["committee", "published", "closed", "nominating", "nonsense"])
def test_a_cycle_does_not_skip_or_go_back(hr, cycle, to_state):
    PanellistFactory(cycle=cycle)
    with pytest.raises(ValidationError) as refused:
        cycles.move_cycle(cycle=cycle, to_state=to_state, by=hr)
    assert "one step at a time" in message(refused.value)
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.NOMINATING
    assert not cycle.moves.exists()


def test_publishing_is_the_committee_pages_move(hr, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.COMMITTEE)
    with pytest.raises(ValidationError) as refused:
        cycles.move_cycle(cycle=cycle, to_state="published", by=hr)
    assert message(refused.value) == "Outcomes are published from the committee page."
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.COMMITTEE


def test_scoring_needs_a_nomination_and_a_panel(hr, cycle, ready_case):
    with pytest.raises(ValidationError) as refused:
        cycles.move_cycle(cycle=cycle, to_state="scoring", by=hr)
    assert "No case is nominated yet" in message(refused.value)
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    with pytest.raises(ValidationError) as refused:
        cycles.move_cycle(cycle=cycle, to_state="scoring", by=hr)
    assert "Appoint the panel" in message(refused.value)
    assert not cycle.moves.exists()


def test_closing_a_published_cycle_ends_its_nominations(hr, cycle, ready_case):
    nomination = cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.PUBLISHED)
    cycles.move_cycle(cycle=cycle, to_state="closed", by=hr)
    nomination.refresh_from_db()
    assert nomination.active is False
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.CLOSED
    with pytest.raises(ValidationError) as refused:
        cycles.move_cycle(cycle=cycle, to_state="closed", by=hr)
    assert "closed" in message(refused.value)


def test_only_hr_moves_a_cycle(cycle, ready_case):
    with pytest.raises(PermissionDenied):
        cycles.move_cycle(cycle=cycle, to_state="scoring", by=ready_case.sponsor)
    assert not cycle.moves.exists()


# --- Nominating ---------------------------------------------------------------------------------


def test_the_sponsor_nominates_a_case_signed_off_as_ready(cycle, ready_case):
    nomination = cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    assert (nomination.case, nomination.cycle, nomination.by) == (
        ready_case,
        cycle,
        ready_case.sponsor,
    )
    assert nomination.active


def test_the_sponsor_cannot_nominate_before_a_ready_sign_off(cycle):
    case = CaseFactory(guide=cycle.guides.get())
    SignOffFactory(case=case, decision=SignOff.Decision.NOT_READY)
    with pytest.raises(ValidationError) as refused:
        cycles.nominate(case=case, cycle=cycle, by=case.sponsor)
    assert "signed it off as ready" in message(refused.value)
    assert not Nomination.objects.exists()


def test_hr_nominates_an_open_case_with_a_reason(hr, cycle):
    case = CaseFactory(guide=cycle.guides.get())
    nomination = cycles.nominate(case=case, cycle=cycle, by=hr, reason="  Acting director.  ")
    assert nomination.reason == "Acting director."
    assert nomination.by == hr


def test_hr_must_say_why(hr, cycle, ready_case):
    with pytest.raises(ValidationError) as refused:
        cycles.nominate(case=ready_case, cycle=cycle, by=hr, reason="   ")
    assert refused.value.message_dict == {
        "reason": ["Say why the people team nominates this case."]
    }
    assert not Nomination.objects.exists()


def test_nobody_else_nominates(cycle, ready_case):
    for person in (ready_case.candidate, UserFactory()):
        with pytest.raises(PermissionDenied):
            cycles.nominate(case=ready_case, cycle=cycle, by=person, reason="Me, please.")
    assert not Nomination.objects.exists()


def test_a_cycle_past_nominations_takes_none(hr, cycle, ready_case):
    for state in (Cycle.State.SCORING, Cycle.State.COMMITTEE, Cycle.State.CLOSED):
        Cycle.objects.filter(pk=cycle.pk).update(state=state)
        with pytest.raises(ValidationError) as refused:
            cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
        assert "no longer open for nominations" in message(refused.value)
    assert not Nomination.objects.exists()


def test_a_case_on_another_guide_is_refused(hr, ready_case):
    other = CycleFactory(guides=[published_guide()])
    with pytest.raises(ValidationError) as refused:
        cycles.nominate(case=ready_case, cycle=other, by=ready_case.sponsor)
    assert "does not cover this case's guide" in message(refused.value)


def test_a_closed_case_is_refused(hr, cycle, ready_case):
    Case.objects.filter(pk=ready_case.pk).update(status=Case.Status.WITHDRAWN)
    with pytest.raises(ValidationError) as refused:
        cycles.nominate(case=ready_case, cycle=cycle, by=hr, reason="Still worth it.")
    assert "closed" in message(refused.value)


def test_a_case_is_in_one_open_cycle_at_a_time(hr, cycle, ready_case):
    first = cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    second = CycleFactory(name="Autumn 2027", guides=[ready_case.guide])
    with pytest.raises(ValidationError) as refused:
        cycles.nominate(case=ready_case, cycle=second, by=ready_case.sponsor)
    assert message(refused.value) == (
        f"This case is in {cycle.name}, an open cycle, so it cannot enter Autumn 2027 too."
    )
    with pytest.raises(ValidationError) as refused:
        cycles.nominate(case=ready_case, cycle=cycle, by=hr, reason="Again.")
    assert message(refused.value) == f"This case is nominated to {cycle.name} already."
    assert list(Nomination.objects.all()) == [first]

    # Once the first cycle closes, the case may enter another.
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.PUBLISHED)
    cycles.move_cycle(cycle=cycle, to_state="closed", by=hr)
    assert cycles.nominate(case=ready_case, cycle=second, by=ready_case.sponsor).active


@pytest.mark.django_db(transaction=True)
def test_two_cycles_taking_a_case_at_once_take_it_once():
    """Two nominations of one case to two cycles at once: one is made, the other is refused in
    words (under the case's lock, or by the constraint behind it), never a server error."""
    hr = HRFactory()
    case = signed_case()
    waiting = [CycleFactory(guides=[case.guide], created_by=hr) for _ in range(2)]

    def attempt():
        cycles.nominate(case=case, cycle=waiting.pop(), by=case.sponsor)
        return "nominated"

    refused, made = sorted(at_once(attempt, refused=ValidationError, words=message))
    assert made == "nominated"
    assert "open cycle" in refused
    assert Nomination.objects.filter(case=case, active=True).count() == 1


# --- The panel ----------------------------------------------------------------------------------


def test_hr_appoints_and_removes_panellists(hr, cycle):
    person = UserFactory()
    seat = cycles.appoint(cycle=cycle, user=person, by=hr)
    assert (seat.cycle, seat.user, seat.appointed_by) == (cycle, person, hr)
    cycles.remove_from_panel(cycle=cycle, user=person, by=hr)
    assert not Panellist.objects.exists()


def test_a_person_sits_once_on_a_panel(hr, cycle):
    person = UserFactory(name="Pat Example")
    cycles.appoint(cycle=cycle, user=person, by=hr)
    with pytest.raises(ValidationError) as refused:
        cycles.appoint(cycle=cycle, user=person, by=hr)
    assert refused.value.message_dict == {"user": ["Pat Example is on this panel already."]}
    assert Panellist.objects.count() == 1


def test_someone_who_cannot_sign_in_is_not_appointed(hr, cycle):
    with pytest.raises(ValidationError):
        cycles.appoint(cycle=cycle, user=UserFactory(is_active=False), by=hr)
    assert not Panellist.objects.exists()


def test_removing_someone_not_on_the_panel_is_refused(hr, cycle):
    with pytest.raises(ValidationError) as refused:
        cycles.remove_from_panel(cycle=cycle, user=UserFactory(name="Pat Example"), by=hr)
    assert message(refused.value) == "Pat Example is not on this panel."


@pytest.mark.parametrize("state", ["committee", "published", "closed"])
def test_the_panel_is_fixed_from_the_committee_on(hr, cycle, state):
    seated = PanellistFactory(cycle=cycle).user
    Cycle.objects.filter(pk=cycle.pk).update(state=state)
    with pytest.raises(ValidationError) as refused:
        cycles.appoint(cycle=cycle, user=UserFactory(), by=hr)
    assert message(refused.value) == cycles.PANEL_FIXED
    with pytest.raises(ValidationError):
        cycles.remove_from_panel(cycle=cycle, user=seated, by=hr)
    assert list(Panellist.objects.values_list("user", flat=True)) == [seated.pk]


def test_a_panellist_who_has_scored_stays(hr, cycle, ready_case):
    nomination = cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    person = PanellistFactory(cycle=cycle, user=UserFactory(name="Pat Example")).user
    ScoreSheet.objects.create(
        nomination=nomination, panellist=person, recommendation="promote", reason="Clear."
    )
    with pytest.raises(ValidationError) as refused:
        cycles.remove_from_panel(cycle=cycle, user=person, by=hr)
    assert "Pat Example has submitted scores" in message(refused.value)
    assert Panellist.objects.filter(user=person).exists()


def test_only_hr_changes_the_panel(cycle, ready_case):
    with pytest.raises(PermissionDenied):
        cycles.appoint(cycle=cycle, user=UserFactory(), by=ready_case.sponsor)
    seated = PanellistFactory(cycle=cycle).user
    with pytest.raises(PermissionDenied):
        cycles.remove_from_panel(cycle=cycle, user=seated, by=ready_case.sponsor)
    assert Panellist.objects.count() == 1


def test_conflicts_are_per_case_not_per_cycle(hr, cycle, ready_case):
    """The sponsor of one nominated case sits on the panel: they score the other cases, not
    theirs; the candidate of a case does not score their own."""
    other = signed_case(guide=ready_case.guide)
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    cycles.nominate(case=other, cycle=cycle, by=other.sponsor)
    cycles.appoint(cycle=cycle, user=ready_case.sponsor, by=hr)
    cycles.appoint(cycle=cycle, user=other.candidate, by=hr)
    scorable = Nomination.objects.scorable_by
    assert [n.case for n in scorable(ready_case.sponsor)] == [other]
    assert [n.case for n in scorable(other.candidate)] == [ready_case]
