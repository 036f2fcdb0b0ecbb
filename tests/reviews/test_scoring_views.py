"""The pages of scores and outcomes: the panellist's sheet, HR's outcome and publication, the
candidate's published outcome with its appeal. Nothing of the scores shows before its time."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reviews import scoring
from reviews.models import Appeal, Cycle, Decision, Outcome, ScoreSheet
from tests.factories import PanellistFactory, UserFactory
from tests.form_tokens import with_token
from tests.reviews.scoring_world import make_world, move, submit

pytestmark = [pytest.mark.django_db, pytest.mark.today("2027-05-07")]

# A reason only one panellist gave, to look for on pages that must not show it.
SECRET_REASON = "Private view of Ben on capability"


@pytest.fixture
def world():
    return make_world()


def sheet_url(world):
    return reverse("scoring:score_sheet", args=[world.nomination.pk])


def sheet_form(world, value=2, recommendation="promote"):
    data = {"recommendation": recommendation, "reason": "Sustained over the window."}
    for capability in world.capabilities:
        data[f"value_{capability.pk}"] = str(value)
        data[f"reason_{capability.pk}"] = f"Seen in items on {capability.number}."
    return with_token(data)


def others_scored(world):
    scoring.submit_scores(
        nomination=world.nomination,
        panellist=world.panel[1],
        scores={c.pk: (0, f"{SECRET_REASON} {c.number}") for c in world.capabilities},
        recommendation="not_yet",
        reason="Not yet sustained.",
    )


def test_the_form_offers_the_scale_in_words_for_every_capability(client, world):
    client.force_login(world.panel[0])
    page = client.get(sheet_url(world)).content.decode()

    for capability in world.capabilities:
        assert f'name="value_{capability.pk}"' in page
        assert f'name="reason_{capability.pk}"' in page
    for word in ("Not shown", "Emerging", "Demonstrated", "Strong"):
        assert word in page
    assert reverse("reviews:packet_download", args=[world.case.pk, "pdf"]) in page


def test_a_panellist_submits_and_sees_their_own_sheet(client, world):
    client.force_login(world.panel[0])
    response = client.post(sheet_url(world), sheet_form(world, value=3))

    assert response.status_code == 302
    sheet = ScoreSheet.objects.get()
    assert (sheet.panellist, sheet.recommendation) == (world.panel[0], "promote")
    page = client.get(sheet_url(world)).content.decode()
    assert "What you submitted" in page
    assert "Seen in items on 2." in page


def test_a_sheet_missing_a_reason_is_refused_on_the_form(client, world):
    client.force_login(world.panel[0])
    data = sheet_form(world)
    data[f"reason_{world.capabilities[0].pk}"] = ""

    response = client.post(sheet_url(world), data)

    assert response.status_code == 200
    assert "Give the reason for your score on capability 1." in response.content.decode()
    assert ScoreSheet.objects.count() == 0


def test_the_same_form_sent_twice_saves_one_sheet(client, world):
    client.force_login(world.panel[0])
    data = sheet_form(world)
    client.post(sheet_url(world), data)
    client.post(sheet_url(world), data)
    assert ScoreSheet.objects.count() == 1


def test_a_panellist_sees_no_other_scores_before_committee_even_after_submitting(client, world):
    others_scored(world)
    client.force_login(world.panel[0])
    client.post(sheet_url(world), sheet_form(world))

    page = client.get(sheet_url(world)).content.decode()
    assert SECRET_REASON not in page
    assert "Not yet sustained." not in page
    assert "shown to each panellist at the same time" in page


def test_in_committee_a_panellist_who_did_not_score_sees_nothing(client, world):
    others_scored(world)
    move(world, Cycle.State.COMMITTEE)
    client.force_login(world.panel[2])

    page = client.get(sheet_url(world)).content.decode()
    assert SECRET_REASON not in page
    assert "Recommendations:" not in page
    assert client.post(sheet_url(world), sheet_form(world)).status_code == 302
    assert not ScoreSheet.objects.filter(panellist=world.panel[2]).exists()


def test_in_committee_a_panellist_who_scored_sees_the_others(client, world):
    others_scored(world)
    submit(world, world.panel[0])
    move(world, Cycle.State.COMMITTEE)
    client.force_login(world.panel[0])

    page = client.get(sheet_url(world)).content.decode()
    assert f"{SECRET_REASON} 1" in page
    assert "Recommendations: 1 promote · 1 not yet." in page


@pytest.mark.parametrize("who", ["sponsor", "candidate", "outsider"])
def test_people_who_may_not_score_the_case_do_not_find_its_sheet(client, world, who):
    """The case's own people even on the panel, and anyone off it."""
    if who == "outsider":
        person = UserFactory()
    else:
        person = getattr(world.case, who)
        PanellistFactory(cycle=world.cycle, user=person)
    client.force_login(person)

    assert client.get(sheet_url(world)).status_code == 404
    assert client.post(sheet_url(world), sheet_form(world)).status_code == 404
    assert ScoreSheet.objects.count() == 0


def outcome_url(world):
    return reverse("scoring:outcome_record", args=[world.cycle.pk, world.nomination.pk])


def in_committee(world):
    others_scored(world)
    submit(world, world.panel[0], recommendation="not_yet")
    move(world, Cycle.State.COMMITTEE)


def test_hr_reads_the_scores_and_majority_beside_the_outcome_form(client, world):
    in_committee(world)
    client.force_login(world.hr)

    page = client.get(outcome_url(world)).content.decode()
    assert f"{SECRET_REASON} 1" in page
    assert "The panel's majority recommends <strong>not yet</strong>" in page
    assert "Panellist Ben" in page


def test_an_outcome_against_the_majority_asks_for_its_justification(client, world):
    in_committee(world)
    client.force_login(world.hr)
    data = {"result": "promoted", "rationale": "Sustained.", "justification": ""}

    refused = client.post(outcome_url(world), with_token(data))
    assert refused.status_code == 200
    assert (
        "The panel&#x27;s majority recommended not yet: say why the committee decided otherwise."
        in refused.content.decode()
    )
    assert Outcome.objects.count() == 0

    data["justification"] = "The panel had not read the latest items."
    assert client.post(outcome_url(world), with_token(data)).status_code == 302
    assert Outcome.objects.get().justification == "The panel had not read the latest items."


def test_the_outcome_page_shows_no_scores_while_scoring(client, world):
    others_scored(world)
    client.force_login(world.hr)
    page = client.get(outcome_url(world)).content.decode()
    assert SECRET_REASON not in page
    assert "shown once the cycle is in committee" in page


def publish_url(world):
    return reverse("scoring:cycle_publish", args=[world.cycle.pk])


def test_the_publish_page_lists_the_cases_and_refuses_while_one_lacks_an_outcome(client, world):
    in_committee(world)
    client.force_login(world.hr)

    page = client.get(publish_url(world)).content.decode()
    assert "Cora Candidate" in page and "No outcome yet" in page
    response = client.post(publish_url(world), follow=True)
    assert "Still without one: Cora Candidate" in response.content.decode()
    world.cycle.refresh_from_db()
    assert world.cycle.state == Cycle.State.COMMITTEE


def publish(world, result="not_yet"):
    in_committee(world)
    scoring.record_outcome(
        nomination=world.nomination,
        result=result,
        rationale="The window shows one team's scope.",
        justification="",
        by=world.hr,
    )


def test_hr_publishes_from_the_confirmation(client, world):
    publish(world)
    client.force_login(world.hr)

    assert "Publish these outcomes" in client.get(publish_url(world)).content.decode()
    client.post(publish_url(world))

    world.cycle.refresh_from_db()
    assert world.cycle.state == Cycle.State.PUBLISHED
    assert Decision.objects.get().outcome == "not_yet"


def test_after_publication_the_cycle_lists_its_appeals_to_answer(client, world):
    publish(world)
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    client.force_login(world.hr)
    assert "No candidate has appealed." in client.get(publish_url(world)).content.decode()

    scoring.appeal(nomination=world.nomination, by=world.case.candidate, reason="Look again.")
    page = client.get(publish_url(world)).content.decode()
    assert "Cora Candidate appealed on 7 May 2027" in page
    assert reverse("reviews:case_outcome", args=[world.case.pk]) in page


def case_outcome_url(world):
    return reverse("reviews:case_outcome", args=[world.case.pk])


@pytest.mark.parametrize("who", ["candidate", "sponsor"])
def test_before_publication_the_outcome_page_shows_nothing(client, world, who):
    publish(world)
    client.force_login(getattr(world.case, who))

    response = client.get(case_outcome_url(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The outcome is not published yet." in page
    for secret in (SECRET_REASON, "one team's scope", "Not yet sustained", "Recommendations"):
        assert secret not in page


def test_after_publication_the_candidate_reads_outcome_and_scores_without_names(client, world):
    publish(world)
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    client.force_login(world.case.candidate)

    page = client.get(case_outcome_url(world)).content.decode()
    assert "Not yet" in page
    assert "The window shows one team&#x27;s scope." in page
    assert f"{SECRET_REASON} 1" in page
    assert "Panellist Ben" not in page
    assert "You may appeal until 21 May 2027" in page


def test_names_show_when_the_cycle_shows_them(client, world):
    publish(world)
    Cycle.objects.filter(pk=world.cycle.pk).update(show_panel_names=True)
    scoring.publish_cycle(cycle=Cycle.objects.get(pk=world.cycle.pk), by=world.hr)
    client.force_login(world.case.candidate)

    assert "Panellist Ben" in client.get(case_outcome_url(world)).content.decode()


def test_the_candidate_appeals_and_hr_answers_on_the_outcome_page(client, world):
    publish(world)
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    client.force_login(world.case.candidate)

    client.post(case_outcome_url(world), {"reason": "Three teams, not one."})
    assert Appeal.objects.get().reason == "Three teams, not one."
    assert "You may appeal until" not in client.get(case_outcome_url(world)).content.decode()

    client.force_login(world.hr)
    assert "Answer the appeal" in client.get(case_outcome_url(world)).content.decode()
    answer = reverse("reviews:appeal_answer", args=[world.case.pk])
    client.post(answer, {"result": "upheld", "result_note": "The committee meets again."})

    client.force_login(world.case.candidate)
    page = client.get(case_outcome_url(world)).content.decode()
    assert "Upheld: the outcome is reconsidered" in page
    assert "The committee meets again." in page


def test_the_appeal_form_is_gone_the_day_after_the_window(client, world):
    publish(world)
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    with time_machine.travel(datetime.datetime(2027, 5, 22, 9, 0), tick=False):
        client.force_login(world.case.candidate)
        page = client.get(case_outcome_url(world)).content.decode()
        assert "You may appeal" not in page
        assert "the time to appeal ended on 21 May 2027" in page
        response = client.post(case_outcome_url(world), {"reason": "Late."}, follow=True)
    assert "The time to appeal ended on 21 May 2027." in response.content.decode()
    assert Appeal.objects.count() == 0


def test_the_sponsor_cannot_appeal(client, world):
    publish(world)
    scoring.publish_cycle(cycle=world.cycle, by=world.hr)
    client.force_login(world.case.sponsor)

    assert client.post(case_outcome_url(world), {"reason": "For them."}).status_code == 403
    assert Appeal.objects.count() == 0


def queries_of(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The first page after logging in derives the person's roles into the session.
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_queries_for_two_sheets_or_three(client, world):
    """Each sheet's scores come with the sheets, whatever the size of the panel."""
    submit(world, world.panel[0])
    submit(world, world.panel[1])
    move(world, Cycle.State.COMMITTEE)
    client.force_login(world.hr)
    one = queries_of(client, outcome_url(world))
    client.force_login(world.panel[0])
    one_sheet = queries_of(client, sheet_url(world))

    move(world, Cycle.State.SCORING)
    submit(world, world.panel[2], recommendation="not_yet")
    move(world, Cycle.State.COMMITTEE)
    client.force_login(world.hr)
    assert queries_of(client, outcome_url(world)) == one
    client.force_login(world.panel[0])
    assert queries_of(client, sheet_url(world)) == one_sheet


def test_the_publish_page_costs_the_same_queries_for_one_case_or_three(client, world):
    from tests.factories import NominationFactory, signed_case

    move(world, Cycle.State.COMMITTEE)
    client.force_login(world.hr)
    one = queries_of(client, publish_url(world))
    for _ in range(2):
        NominationFactory(cycle=world.cycle, case=signed_case(guide=world.case.guide))
    assert queries_of(client, publish_url(world)) == one
