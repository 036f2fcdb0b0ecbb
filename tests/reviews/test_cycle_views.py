"""The cycle pages: HR's list, new cycle, cycle page, move, nomination and panel; the sponsor's
nomination and "Where it stands" on the case page; the panellist's cycles and what they read."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from reviews import cycles
from reviews.models import Case, Cycle, CycleMove, Nomination, Panellist
from tests.factories import (
    CaseFactory,
    CycleFactory,
    HRFactory,
    PanellistFactory,
    UserFactory,
    published_guide,
    signed_case,
)

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]


@pytest.fixture
def hr():
    return HRFactory(name="Hana Example")


@pytest.fixture
def ready_case():
    return signed_case(
        candidate=UserFactory(name="Carla Example"),
    )


@pytest.fixture
def cycle(hr, ready_case):
    return cycles.create_cycle(
        name="Spring 2027",
        guides=[ready_case.guide],
        nominations_close=datetime.date(2026, 7, 1),
        scores_due=datetime.date(2026, 7, 15),
        committee_meets=datetime.date(2026, 7, 22),
        outcomes_due=datetime.date(2026, 7, 29),
        appeal_days=14,
        show_panel_names=False,
        by=hr,
    )


def queries_of(client, user, url, show=False) -> int:
    """How many queries the page costs once the person's session holds their roles."""
    client.force_login(user)
    client.get(reverse("about"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    if show:
        print("\n".join(q["sql"][:150] for q in captured.captured_queries), "\n------")
    return len(captured)


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- HR ----------------------------------------------------------------------------------------


def test_the_list_shows_each_cycle_in_words(client, hr, cycle, ready_case):
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    PanellistFactory(cycle=cycle)
    text = page(client, hr, reverse("cycles:cycle_list"))
    assert "Spring 2027" in text
    assert "Open for nominations" in text
    assert "1 Jul 2026" in text and "22 Jul 2026" in text
    assert "1 case" in text and "1 person" in text


def test_the_list_says_what_to_do_when_empty(client, hr):
    assert "No promotion cycles yet" in page(client, hr, reverse("cycles:cycle_list"))


def test_the_list_reads_a_fixed_number_of_queries(client, hr, django_assert_num_queries):
    guides = [published_guide() for _ in range(2)]
    for _ in range(4):
        CycleFactory(guides=guides, created_by=hr)
        PanellistFactory(cycle=Cycle.objects.latest("id"))
    client.force_login(hr)
    client.get(reverse("about"))
    # The session, its user, the cycles with their counts, their guides with levels.
    with django_assert_num_queries(4):
        assert client.get(reverse("cycles:cycle_list")).status_code == 200


def test_hr_creates_a_cycle_from_the_form(client, hr):
    guide = published_guide()
    client.force_login(hr)
    form = client.get(reverse("cycles:cycle_create")).content.decode()
    assert 'type="checkbox"' in form and 'name="guides"' in form
    response = client.post(
        reverse("cycles:cycle_create"),
        {
            "name": "Autumn 2027",
            "guides": [guide.pk],
            "nominations_close": "2026-07-01",
            "scores_due": "2026-07-10",
            "committee_meets": "2026-07-20",
            "outcomes_due": "2026-07-30",
            "appeal_days": "10",
        },
    )
    cycle = Cycle.objects.get(name="Autumn 2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("cycles:cycle_detail", args=[cycle.pk])
    assert cycle.appeal_days == 10 and not cycle.show_panel_names
    assert CycleMove.objects.filter(cycle=cycle, from_state="").exists()


def test_dates_out_of_order_are_refused_in_plain_words(client, hr):
    client.force_login(hr)
    response = client.post(
        reverse("cycles:cycle_create"),
        {
            "name": "Autumn 2027",
            "guides": [published_guide().pk],
            "nominations_close": "2026-07-20",
            "scores_due": "2026-07-10",
            "committee_meets": "2026-07-20",
            "outcomes_due": "2026-07-30",
            "appeal_days": "10",
        },
    )
    assert response.status_code == 200
    assert "The dates must follow one another" in response.content.decode()
    assert not Cycle.objects.exists()


def test_an_empty_form_names_each_field(client, hr):
    client.force_login(hr)
    text = client.post(reverse("cycles:cycle_create"), {}).content.decode()
    for words in (
        "Give the cycle a name.",
        "Choose at least one guide the cycle covers.",
        "Enter the date the committee meets.",
    ):
        assert words in text


def test_the_cycle_page_shows_moves_nominations_and_conflicts(client, hr, cycle, ready_case):
    ready_case.sponsor.name = "Pat Example"
    ready_case.sponsor.save()
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    other = CaseFactory(guide=ready_case.guide, candidate=UserFactory(name="Olive Example"))
    cycles.nominate(case=other, cycle=cycle, by=hr, reason="Acting director since March.")
    cycles.appoint(cycle=cycle, user=ready_case.sponsor, by=hr)
    cycles.appoint(cycle=cycle, user=UserFactory(name="Quinn Example"), by=hr)
    cycles.move_cycle(cycle=cycle, to_state="scoring", by=hr)

    text = page(client, hr, reverse("cycles:cycle_detail", args=[cycle.pk]))
    assert "Opened for nominations by Hana Example on 15 June 2026" in text
    assert "Moved to scoring by Hana Example on 15 June 2026" in text
    assert "Carla Example" in text and "Olive Example" in text
    assert "signed off as ready" in text
    assert "Acting director since March." in text
    assert "By Hana Example" in text and "By Pat Example" in text
    assert "Pat Example sponsors this case" in text
    assert "Quinn Example" in text
    assert "Move to “In committee”" in text
    # Nominations are over: no form to nominate.
    assert 'name="reason"' not in text


def test_the_cycle_page_reads_a_fixed_number_of_queries(client, hr, cycle, ready_case):
    url = reverse("cycles:cycle_detail", args=[cycle.pk])
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    PanellistFactory(cycle=cycle)
    few = queries_of(client, hr, url)
    for _ in range(3):
        case = signed_case(guide=ready_case.guide)
        cycles.nominate(case=case, cycle=cycle, by=case.sponsor)
        PanellistFactory(cycle=cycle, user=case.sponsor)
    assert queries_of(client, hr, url) == few


def test_the_next_move_is_confirmed_first(client, hr, cycle, ready_case):
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    PanellistFactory(cycle=cycle)
    url = reverse("cycles:cycle_move", args=[cycle.pk])
    text = page(client, hr, url)
    assert "Move Spring 2027 to “Scoring”?" in text
    assert not CycleMove.objects.filter(to_state="scoring").exists()
    response = client.post(url, {"to_state": "scoring"})
    assert response["Location"] == reverse("cycles:cycle_detail", args=[cycle.pk])
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.SCORING


def test_a_refused_move_says_why(client, hr, cycle):
    client.force_login(hr)
    response = client.post(
        reverse("cycles:cycle_move", args=[cycle.pk]), {"to_state": "scoring"}, follow=True
    )
    assert "No case is nominated yet" in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.NOMINATING


def test_in_committee_the_page_points_to_the_committee(client, hr, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.COMMITTEE)
    text = page(client, hr, reverse("cycles:cycle_detail", args=[cycle.pk]))
    assert "Outcomes are published from the committee page." in text
    assert reverse("cycles:cycle_move", args=[cycle.pk]) not in text
    response = client.post(
        reverse("cycles:cycle_move", args=[cycle.pk]), {"to_state": "published"}, follow=True
    )
    assert "Outcomes are published from the committee page." in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.COMMITTEE


def test_in_committee_the_page_links_to_the_calibration_and_the_outcomes(client, hr, cycle):
    detail = reverse("cycles:cycle_detail", args=[cycle.pk])
    calibration = reverse("cycles:cycle_calibration", args=[cycle.pk])
    publication = reverse("scoring:cycle_publish", args=[cycle.pk])
    text = page(client, hr, detail)
    assert calibration not in text and publication not in text
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.COMMITTEE)
    text = page(client, hr, detail)
    assert f'href="{calibration}"' in text
    assert f'href="{publication}"' in text


def test_hr_nominates_a_case_with_its_reason(client, hr, cycle):
    case = CaseFactory(guide=cycle.guides.get())
    client.force_login(hr)
    url = reverse("cycles:cycle_nominate", args=[cycle.pk])
    text = client.post(url, {"case": case.pk, "reason": ""}).content.decode()
    assert "Say why the people team nominates this case." in text
    assert not Nomination.objects.exists()
    response = client.post(url, {"case": case.pk, "reason": "Acting director."})
    assert response.status_code == 302
    assert Nomination.objects.get().reason == "Acting director."


def test_hr_is_offered_only_cases_in_no_open_cycle(client, hr, cycle, ready_case):
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    free = CaseFactory(guide=ready_case.guide, candidate=UserFactory(name="Free Example"))
    CaseFactory(candidate=UserFactory(name="Elsewhere Example"))
    text = page(client, hr, reverse("cycles:cycle_detail", args=[cycle.pk]))
    form = text[text.index('id="nominate-title"') :]
    assert f'value="{free.pk}"' in form and "Free Example" in form
    assert f'value="{ready_case.pk}"' not in form
    assert "Elsewhere Example" not in form


def test_hr_appoints_and_removes_on_the_panel_page(client, hr, cycle):
    person = UserFactory(name="Quinn Example")
    client.force_login(hr)
    url = reverse("cycles:cycle_panel", args=[cycle.pk])
    assert client.post(url, {"user": person.pk}).status_code == 302
    assert "Quinn Example" in client.get(url).content.decode()
    text = client.post(url, {"user": person.pk}).content.decode()
    assert "Select a valid choice" in text or "on this panel already" in text
    remove = reverse("cycles:panel_remove", args=[cycle.pk, person.pk])
    assert client.post(remove).status_code == 302
    assert not Panellist.objects.exists()


def test_the_panel_page_says_it_is_fixed_in_committee(client, hr, cycle):
    seat = PanellistFactory(cycle=cycle)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.COMMITTEE)
    text = page(client, hr, reverse("cycles:cycle_panel", args=[cycle.pk]))
    assert cycles.PANEL_FIXED in text
    response = client.post(reverse("cycles:panel_remove", args=[cycle.pk, seat.user_id]))
    assert response.status_code == 302
    assert Panellist.objects.filter(pk=seat.pk).exists()


# --- The case page -----------------------------------------------------------------------------


def test_the_sponsor_nominates_from_the_case_page(client, cycle, ready_case):
    text = page(client, ready_case.sponsor, ready_case.get_absolute_url())
    url = reverse("reviews:case_nominate", args=[ready_case.pk, cycle.pk])
    assert "Nominate to Spring 2027" in text and url in text
    assert "Yes, nominate to Spring 2027" in page(client, ready_case.sponsor, url)
    assert not Nomination.objects.exists()
    response = client.post(url)
    assert response["Location"] == ready_case.get_absolute_url()
    assert Nomination.objects.get().by == ready_case.sponsor
    text = page(client, ready_case.sponsor, ready_case.get_absolute_url())
    assert "Nominated to Spring 2027 on 15 June 2026." in text
    assert url not in text


def test_no_button_before_a_ready_sign_off(client, cycle):
    case = CaseFactory(guide=cycle.guides.get())
    text = page(client, case.sponsor, case.get_absolute_url())
    assert "Nominate to" not in text
    assert "Where it stands" not in text


def test_a_sentence_when_no_cycle_is_open(client, ready_case):
    text = page(client, ready_case.sponsor, ready_case.get_absolute_url())
    assert "No promotion cycle is open for nominations on this guide yet." in text


def test_the_candidate_sees_where_it_stands_and_no_button(client, hr, cycle, ready_case):
    assert "Where it stands" not in page(
        client, ready_case.candidate, ready_case.get_absolute_url()
    )
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    text = page(client, ready_case.candidate, ready_case.get_absolute_url())
    assert "Nominated to Spring 2027 on 15 June 2026." in text
    assert "Nominate to" not in text
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.COMMITTEE)
    text = page(client, ready_case.candidate, ready_case.get_absolute_url())
    assert "With the committee (meets 22 July 2026)." in text
    published = datetime.datetime(2026, 7, 29, 9, tzinfo=datetime.UTC)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.PUBLISHED, published_at=published)
    text = page(client, ready_case.candidate, ready_case.get_absolute_url())
    assert "Outcome published on 29 July 2026." in text


def test_the_case_page_reads_where_it_stands_with_the_case(client, ready_case):
    """Where it stands costs no query of its own: the case page's count is the same with a
    nomination and open cycles as without."""
    url = ready_case.get_absolute_url()
    without = queries_of(client, ready_case.sponsor, url)
    cycle = CycleFactory(guides=[ready_case.guide])
    CycleFactory(guides=[ready_case.guide])
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    assert queries_of(client, ready_case.sponsor, url) == without


def test_only_the_sponsor_nominates_from_the_case(client, hr, cycle, ready_case):
    url = reverse("reviews:case_nominate", args=[ready_case.pk, cycle.pk])
    for person in (ready_case.candidate, hr):
        client.force_login(person)
        assert client.post(url).status_code == 403
    client.force_login(UserFactory())
    assert client.post(url).status_code == 404
    assert not Nomination.objects.exists()


def test_the_history_shows_the_nomination(client, hr, cycle, ready_case):
    ready_case.sponsor.name = "Pat Example"
    ready_case.sponsor.save()
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    text = page(client, hr, reverse("reviews:case_history", args=[ready_case.pk]))
    assert "Nominated to Spring 2027 by Pat Example" in text


# --- The panellist ------------------------------------------------------------------------------


@pytest.fixture
def panel_world(hr, cycle, ready_case):
    """A panellist who sponsors one nominated case and may score another; a third case is not
    nominated, and a fourth is in a cycle they are not on."""
    panellist = UserFactory(name="Pat Example", current_level=ready_case.guide.to_level)
    own = signed_case(guide=ready_case.guide, sponsor=panellist)
    not_nominated = CaseFactory(guide=ready_case.guide)
    elsewhere = signed_case(guide=ready_case.guide)
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    cycles.nominate(case=own, cycle=cycle, by=panellist)
    cycles.nominate(
        case=elsewhere, cycle=CycleFactory(guides=[ready_case.guide]), by=elsewhere.sponsor
    )
    cycles.appoint(cycle=cycle, user=panellist, by=hr)
    return {
        "panellist": panellist,
        "scores": ready_case,
        "own": own,
        "not_nominated": not_nominated,
        "elsewhere": elsewhere,
    }


def test_your_cycles_lists_what_you_score_and_what_you_do_not(client, panel_world):
    text = page(client, panel_world["panellist"], reverse("cycles:panel_home"))
    scorable = text[text.index("Cases you score") : text.index("Cases you do not score")]
    excluded = text[text.index("Cases you do not score") :]
    scored, own = panel_world["scores"], panel_world["own"]
    assert scored.candidate.display_name in scorable
    assert own.candidate.display_name not in scorable
    assert f"{own.candidate.display_name}: You sponsor this case." in excluded
    assert panel_world["elsewhere"].candidate.display_name not in text


def test_your_cycles_links_to_the_score_sheet_of_each_case_you_score(client, panel_world):
    scored = Nomination.objects.get(case=panel_world["scores"])
    own = Nomination.objects.get(case=panel_world["own"])
    text = page(client, panel_world["panellist"], reverse("cycles:panel_home"))
    assert f'href="{reverse("scoring:score_sheet", args=[scored.pk])}"' in text
    assert reverse("scoring:score_sheet", args=[own.pk]) not in text


def test_a_panellist_reads_the_packets_they_may_score_and_nothing_else(client, panel_world):
    client.force_login(panel_world["panellist"])
    scored = panel_world["scores"]
    for url in (
        scored.get_absolute_url(),
        reverse("reviews:packet_download", args=[scored.pk, "json"]),
        reverse("reviews:evidence_list", args=[scored.pk]),
        reverse("reviews:check_in_list", args=[scored.pk]),
    ):
        assert client.get(url).status_code == 200, url
    for url in (
        reverse("reviews:case_history", args=[scored.pk]),
        reverse("reviews:narrative_edit", args=[scored.pk]),
        reverse("reviews:sign_off_create", args=[scored.pk]),
        reverse("reviews:case_manage", args=[scored.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for case in (panel_world["not_nominated"], panel_world["elsewhere"]):
        assert client.get(case.get_absolute_url()).status_code == 404
        assert (
            client.get(reverse("reviews:packet_download", args=[case.pk, "json"])).status_code
            == 404
        )


def test_a_panellist_on_a_case_of_their_own_reads_it_as_its_candidate_does(client, hr, cycle):
    """The candidate of a nominated case on the panel reads their own case, not as panellist:
    the other nominated cases they read are the ones they may score."""
    case = signed_case(guide=cycle.guides.get())
    cycles.nominate(case=case, cycle=cycle, by=case.sponsor)
    cycles.appoint(cycle=cycle, user=case.candidate, by=hr)
    client.force_login(case.candidate)
    assert client.get(case.get_absolute_url()).status_code == 200
    assert Nomination.objects.scorable_by(case.candidate).count() == 0


def test_a_closed_cycle_ends_the_panels_reading(client, hr, cycle, panel_world):
    client.force_login(panel_world["panellist"])
    scored = panel_world["scores"]
    assert client.get(scored.get_absolute_url()).status_code == 200
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.PUBLISHED)
    cycles.move_cycle(cycle=cycle, to_state="closed", by=hr)
    assert client.get(scored.get_absolute_url()).status_code == 404
    assert client.get(reverse("cycles:panel_home")).status_code == 404


def test_the_panellist_sees_no_history_tab(client, panel_world):
    text = page(client, panel_world["panellist"], panel_world["scores"].get_absolute_url())
    assert reverse("reviews:case_history", args=[panel_world["scores"].pk]) not in text
    assert Case.objects.readable_by(panel_world["panellist"]).count() == 2


def test_the_rule_says_the_same_as_the_pages(panel_world):
    """`reviews.read_packet` asks of one case what `Case.objects.readable_by` lists."""
    panellist = User.objects.get(pk=panel_world["panellist"].pk)
    readable = set(Case.objects.readable_by(panellist))
    for name in ("scores", "own", "not_nominated", "elsewhere"):
        case = panel_world[name]
        assert panellist.has_perm("reviews.read_packet", case) == (case in readable), name
    assert readable == {panel_world["scores"], panel_world["own"]}
    outsider = UserFactory()
    assert not outsider.has_perm("reviews.read_packet", panel_world["scores"])


def test_your_cycles_reads_a_fixed_number_of_queries(client, hr, cycle, panel_world):
    url = reverse("cycles:panel_home")
    few = queries_of(client, panel_world["panellist"], url)
    for _ in range(3):
        case = signed_case(guide=panel_world["scores"].guide)
        cycles.nominate(case=case, cycle=cycle, by=case.sponsor)
    other = CycleFactory(guides=[panel_world["scores"].guide])
    cycles.appoint(cycle=other, user=panel_world["panellist"], by=hr)
    cycles.nominate(case=panel_world["not_nominated"], cycle=other, by=hr, reason="Acting.")
    assert queries_of(client, panel_world["panellist"], url) == few


def test_a_name_taken_is_refused_on_the_form(client, hr, cycle):
    client.force_login(hr)
    response = client.post(
        reverse("cycles:cycle_create"),
        {
            "name": "Spring 2027",
            "guides": [cycle.guides.get().pk],
            "nominations_close": "2026-07-01",
            "scores_due": "2026-07-10",
            "committee_meets": "2026-07-20",
            "outcomes_due": "2026-07-30",
            "appeal_days": "10",
        },
    )
    assert "There is a cycle of this name already." in response.content.decode()
    assert Cycle.objects.count() == 1


def test_where_it_stands_links_to_the_outcome_once_it_is_published(client, cycle, ready_case):
    cycles.nominate(case=ready_case, cycle=cycle, by=ready_case.sponsor)
    outcome_url = reverse("reviews:case_outcome", args=[ready_case.pk])
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.COMMITTEE)
    for person in (ready_case.candidate, ready_case.sponsor):
        assert outcome_url not in page(client, person, ready_case.get_absolute_url())
    published = datetime.datetime(2026, 7, 29, 9, tzinfo=datetime.UTC)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.PUBLISHED, published_at=published)
    for person in (ready_case.candidate, ready_case.sponsor):
        text = page(client, person, ready_case.get_absolute_url())
        assert f'href="{outcome_url}">Read the outcome</a>' in text
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)
    assert outcome_url in page(client, ready_case.candidate, ready_case.get_absolute_url())
