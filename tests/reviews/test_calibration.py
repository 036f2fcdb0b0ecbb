"""The committee's calibration page: the agenda, who sees which scores when, sorting, and a
query count that stays the same from 5 cases to 50."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from reviews.calibration import calibration, may_see_scores
from reviews.models import Case, Cycle, Recommendation
from reviews.readiness.snapshots import refresh_snapshots
from tests.factories import (
    CaseFactory,
    CycleFactory,
    EvidenceFactory,
    HRFactory,
    NominationFactory,
    PanellistFactory,
    ScoreSheetFactory,
    UserFactory,
    published_guide,
)

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]

DEMONSTRATED = 2


def url(cycle) -> str:
    return reverse("cycles:cycle_calibration", args=[cycle.pk])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def guide():
    return published_guide(capabilities=4)


@pytest.fixture
def cycle(guide):
    return CycleFactory(guides=[guide])


@pytest.fixture
def panel(cycle):
    return [
        PanellistFactory(cycle=cycle, user=UserFactory(name=f"Panellist {n}")).user
        for n in range(3)
    ]


def nominate(cycle, guide, name: str, *, sponsor=None):
    extra = {"sponsor": sponsor} if sponsor else {}
    case = CaseFactory(guide=guide, candidate=UserFactory(name=name), **extra)
    EvidenceFactory(case=case, date=datetime.date(2026, 5, 4))
    return NominationFactory(cycle=cycle, case=case)


def in_state(cycle, state):
    cycle.state = state
    cycle.save(update_fields=["state"])
    return cycle


def rows_of(response):
    return [row for group in response.context["view"].groups for row in group.rows]


def names_in_order(response) -> list[str]:
    return [row.name for row in rows_of(response)]


# --- Query count --------------------------------------------------------------------------------


def fill(cycle, guide, panel, count: int, start: int = 0) -> None:
    """`count` more nominated cases, every panellist's sheet in."""
    for n in range(start, start + count):
        nomination = nominate(cycle, guide, f"Candidate {n:02d}")
        for seat, panellist in enumerate(panel):
            ScoreSheetFactory(
                nomination=nomination, panellist=panellist, values={1: (n + seat) % 4}
            )


# session, user (roles come from the session), the cycle with whether the viewer sits on its
# panel; the nominated cases with candidate, sponsor, guide and levels, readiness snapshot and
# nomination; their guides' capabilities; the panel; the current sheets; the visible scores
CALIBRATION_QUERIES = 8


@pytest.mark.parametrize("persona", ["hr", "panellist"])
def test_the_same_queries_for_5_and_50_cases(
    cycle, guide, panel, persona, django_assert_num_queries
):
    fill(cycle, guide, panel, 5)
    in_state(cycle, Cycle.State.COMMITTEE)
    viewer = HRFactory() if persona == "hr" else panel[0]
    client = client_for(viewer)
    refresh_snapshots(Case.objects.all())
    with django_assert_num_queries(CALIBRATION_QUERIES):
        response = client.get(url(cycle))
    assert len(rows_of(response)) == 5
    fill(cycle, guide, panel, 45, start=5)
    refresh_snapshots(Case.objects.all())
    with django_assert_num_queries(CALIBRATION_QUERIES):
        response = client.get(url(cycle))
    assert len(rows_of(response)) == 50
    assert all(row.visible and row.disagreement for row in rows_of(response))


def test_without_fresh_snapshots_readiness_costs_four_queries_for_all(
    cycle, guide, panel, django_assert_num_queries
):
    fill(cycle, guide, panel, 5)
    in_state(cycle, Cycle.State.COMMITTEE)
    client = client_for(HRFactory())
    with django_assert_num_queries(CALIBRATION_QUERIES + 4):
        client.get(url(cycle))
    fill(cycle, guide, panel, 20, start=5)
    with django_assert_num_queries(CALIBRATION_QUERIES + 4):
        response = client.get(url(cycle))
    assert response.status_code == 200


# --- The agenda ---------------------------------------------------------------------------------


def score(nomination, panel, *per_panellist, recommendations=None):
    """One sheet per panellist: `per_panellist[i]` maps capability numbers to values."""
    recommendations = recommendations or [Recommendation.PROMOTE] * len(panel)
    for panellist, values, recommendation in zip(
        panel, per_panellist, recommendations, strict=True
    ):
        ScoreSheetFactory(
            nomination=nomination,
            panellist=panellist,
            values=values,
            recommendation=recommendation,
        )


@pytest.fixture
def agenda(cycle, guide, panel):
    """Four cases whose disagreement is known: largest spread, then sum, then name."""
    wide = nominate(cycle, guide, "Wendy Wide")  # spread 3 on capability 1
    score(wide, panel, {1: 0}, {1: 3}, {})
    summed = nominate(cycle, guide, "Sam Summed")  # spreads 2 and 1: largest 2, sum 3
    score(summed, panel, {1: 1, 2: 1}, {1: 3, 2: 2}, {1: 2, 2: 2})
    late = nominate(cycle, guide, "Zoe Tied")  # spread 2, sum 2
    score(late, panel, {3: 0}, {3: 2}, {3: 1})
    early = nominate(cycle, guide, "Abe Tied")  # spread 2, sum 2: before Zoe by name
    score(
        early,
        panel,
        {4: 1},
        {4: 3},
        {},
        recommendations=[Recommendation.NOT_YET, Recommendation.PROMOTE, Recommendation.NOT_YET],
    )
    calm = nominate(cycle, guide, "Cal Calm")  # everyone agrees
    score(calm, panel, {}, {}, {})
    return cycle


def test_the_agenda_puts_the_largest_disagreement_first(agenda):
    in_state(agenda, Cycle.State.COMMITTEE)
    response = client_for(HRFactory()).get(url(agenda))
    assert names_in_order(response) == [
        "Wendy Wide",
        "Sam Summed",
        "Abe Tied",
        "Zoe Tied",
        "Cal Calm",
    ]
    body = response.content.decode()
    positions = re.findall(r"Agenda (\d+)</div>\s*<div class=\"calibration-name\">([^<]+)<", body)
    assert positions == [
        ("1", "Wendy Wide"),
        ("2", "Sam Summed"),
        ("3", "Abe Tied"),
        ("4", "Zoe Tied"),
        ("5", "Cal Calm"),
    ]
    rows = {row.name: row for row in rows_of(response)}
    wide = rows["Wendy Wide"]
    assert (wide.disagreement.largest, wide.disagreement.total) == (3, 3)
    first = wide.cells[0].spread
    assert (first.low, first.high) == (0, 3)
    assert first.counts_label == "Not shown 1 · Emerging 0 · Demonstrated 1 · Strong 1"
    assert first.range_label == "Not shown to Strong"
    assert rows["Sam Summed"].disagreement.total == 3
    assert rows["Abe Tied"].tally_label == "Promote 1 · Not yet 2"
    assert "Not shown 1 · Emerging 0 · Demonstrated 1 · Strong 1" in body
    assert "Promote 1 · Not yet 2" in body
    assert rows["Cal Calm"].cells[0].spread.range_label == "Demonstrated"


def test_sorting_by_candidate_marks_the_column(agenda):
    in_state(agenda, Cycle.State.COMMITTEE)
    client = client_for(HRFactory())
    response = client.get(url(agenda), {"sort": "candidate"})
    assert names_in_order(response) == sorted(names_in_order(response))
    body = response.content.decode()
    assert re.search(
        r'<th scope="col" aria-sort="ascending"><a href="\?sort=candidate&amp;dir=desc">Candidate',
        body,
    )
    assert body.count("aria-sort=") == 1
    # The agenda's numbers stay with their cases whatever the order.
    assert 'Agenda 1</div>\n          <div class="calibration-name">Wendy Wide' in body

    response = client.get(url(agenda), {"sort": "recommendation"})
    assert names_in_order(response)[-1] == "Abe Tied"
    response = client.get(url(agenda), {"sort": "disagreement", "dir": "asc"})
    assert names_in_order(response)[:1] == ["Cal Calm"]
    # Nonsense sorts fall back to the agenda.
    response = client.get(url(agenda), {"sort": "password", "dir": "sideways"})
    assert names_in_order(response)[0] == "Wendy Wide"


def test_the_page_is_a_table_readers_can_follow(agenda):
    in_state(agenda, Cycle.State.COMMITTEE)
    body = client_for(HRFactory()).get(url(agenda)).content.decode()
    assert (
        "<caption>5 nominated cases, in agenda order, largest disagreement first</caption>" in body
    )
    assert body.count('<th scope="row" class="calibration-case">') == 5
    # One column per capability of the one guide.
    assert body.count('class="calibration-capability"') == 4
    assert body.count("<svg") >= 5
    assert 'aria-sort="descending"' in body


# --- Who sees what, when ------------------------------------------------------------------------


def test_before_committee_nobody_sees_scores_only_who_has_submitted(agenda, panel):
    in_state(agenda, Cycle.State.SCORING)
    for viewer in (HRFactory(), panel[0]):
        response = client_for(viewer).get(url(agenda))
        body = response.content.decode()
        assert "Scores are revealed when the cycle moves to committee" in body
        assert "3 of 3 panellists submitted" in body
        assert "calibration-counts" not in body
        assert "Agenda 1" not in body
        assert "Promote" not in body
        rows = rows_of(response)
        assert all(not row.visible and not row.tally and row.disagreement is None for row in rows)
        assert all(cell.spread is None for row in rows for cell in row.cells)
        assert names_in_order(response) == sorted(names_in_order(response))


def test_before_committee_no_score_is_even_read(agenda, panel, django_assert_num_queries):
    in_state(agenda, Cycle.State.SCORING)
    refresh_snapshots(Case.objects.all())
    client = client_for(HRFactory())
    with django_assert_num_queries(CALIBRATION_QUERIES - 1):
        client.get(url(agenda))


def test_a_panellist_sees_a_case_once_they_submitted_for_it(cycle, guide, panel):
    scored = nominate(cycle, guide, "Scored Case")
    score(scored, panel, {1: 0}, {1: 3}, {})
    waiting = nominate(cycle, guide, "Waiting Case")
    score(waiting, panel[1:], {1: 0}, {1: 3})
    in_state(cycle, Cycle.State.COMMITTEE)
    response = client_for(panel[0]).get(url(cycle))
    rows = {row.name: row for row in rows_of(response)}
    assert rows["Scored Case"].visible and rows["Scored Case"].agenda == 1
    hidden = rows["Waiting Case"]
    assert not hidden.visible and hidden.agenda is None and hidden.tally == {}
    assert all(cell.spread is None for cell in hidden.cells)
    body = response.content.decode()
    assert "Submit your own scores for this case to see the panel&#x27;s." in body
    # Who has submitted is no secret.
    assert "2 of 3 panellists submitted" in body
    # HR sees both.
    response = client_for(HRFactory()).get(url(cycle))
    assert all(row.visible and row.agenda for row in rows_of(response))


def test_a_panellist_never_sees_the_scores_of_a_case_they_sponsor(cycle, guide, panel):
    own = nominate(cycle, guide, "Sponsored Case", sponsor=panel[0])
    score(own, panel[1:], {1: 0}, {1: 3})
    in_state(cycle, Cycle.State.COMMITTEE)
    response = client_for(panel[0]).get(url(cycle))
    (row,) = rows_of(response)
    assert not row.visible and row.tally == {}
    assert "You sponsor this case, so its scores are not shown to you." in response.content.decode()
    # The panel less the conflicted panellist may score it.
    assert row.submitted_label == "2 of 2 panellists submitted"


def test_the_rule_in_one_place(cycle, guide, panel):
    nomination = nominate(cycle, guide, "Rule Case", sponsor=panel[1])
    case, hr = nomination.case, HRFactory()
    for state in (Cycle.State.NOMINATING, Cycle.State.SCORING):
        cycle.state = state
        assert not may_see_scores(cycle=cycle, case=case, user=hr, is_hr=True, submitted=True)
        assert not may_see_scores(
            cycle=cycle, case=case, user=panel[0], is_hr=False, submitted=True
        )
    for state in (Cycle.State.COMMITTEE, Cycle.State.PUBLISHED, Cycle.State.CLOSED):
        cycle.state = state
        assert may_see_scores(cycle=cycle, case=case, user=hr, is_hr=True, submitted=False)
        assert may_see_scores(cycle=cycle, case=case, user=panel[0], is_hr=False, submitted=True)
        assert not may_see_scores(
            cycle=cycle, case=case, user=panel[0], is_hr=False, submitted=False
        )
        # The sponsor never does, even with a sheet of theirs somehow in.
        assert not may_see_scores(
            cycle=cycle, case=case, user=panel[1], is_hr=False, submitted=True
        )
        assert not may_see_scores(
            cycle=cycle, case=case, user=case.candidate, is_hr=False, submitted=True
        )


def test_several_guides_are_grouped_by_guide(cycle, guide, panel):
    other = published_guide(capabilities=3)
    cycle.guides.add(other)
    first = nominate(cycle, guide, "On The First")
    score(first, panel, {1: 0}, {1: 1}, {})
    second = nominate(cycle, other, "On The Second")
    score(second, panel, {1: 0}, {1: 3}, {})
    in_state(cycle, Cycle.State.COMMITTEE)
    response = client_for(HRFactory()).get(url(cycle))
    groups = response.context["view"].groups
    assert [len(group.capabilities) for group in sorted(groups, key=lambda g: g.guide.pk)] == [4, 3]
    body = response.content.decode()
    assert body.count("<table") == 2
    assert body.count('<h2 class="h5 mt-4">') == 2
    # One agenda across the guides: the second guide's case differs most.
    rows = {row.name: row.agenda for row in rows_of(response)}
    assert rows == {"On The Second": 1, "On The First": 2}


def test_an_empty_cycle_says_what_happens_next(cycle, panel):
    in_state(cycle, Cycle.State.SCORING)
    body = client_for(HRFactory()).get(url(cycle)).content.decode()
    assert "No case is nominated to this cycle yet." in body


# --- Access ------------------------------------------------------------------------------------


def test_only_hr_and_the_cycles_panel_reach_the_page(agenda, panel):
    in_state(agenda, Cycle.State.COMMITTEE)
    case = agenda.nominations.first().case
    other_cycle_panellist = PanellistFactory().user
    for outsider in (case.candidate, case.sponsor, UserFactory(), other_cycle_panellist):
        assert client_for(outsider).get(url(agenda)).status_code == 404
    assert client_for(panel[0]).get(url(agenda)).status_code == 200
    assert client_for(HRFactory()).get(url(agenda)).status_code == 200
    assert client_for(HRFactory()).post(url(agenda)).status_code == 405
    response = Client().get(url(agenda))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert (
        client_for(HRFactory()).get(url(agenda).replace(str(agenda.pk), "999999")).status_code
        == 404
    )


def test_a_closed_cycle_is_hrs_only(agenda, panel):
    in_state(agenda, Cycle.State.CLOSED)
    assert client_for(panel[0]).get(url(agenda)).status_code == 404
    assert client_for(HRFactory()).get(url(agenda)).status_code == 200


def test_the_view_reads_what_the_person_may_see(agenda, panel):
    """The function the page is built on, called directly."""
    in_state(agenda, Cycle.State.COMMITTEE)
    view = calibration(cycle=agenda, user=panel[2], is_hr=False)
    assert view.revealed and view.panel_size == 3
    assert [row.agenda for row in view.rows] == [1, 2, 3, 4, 5]
