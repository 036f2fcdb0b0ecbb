"""HR's forms offer only what can be chosen and confirm what changes a level; a refused packet
says where each problem is in words; everyone on a case finds its packet."""

import re

import pytest
from django.urls import reverse

from reviews.models import Case, Decision
from reviews.packets.places import place
from tests.factories import (
    CaseFactory,
    HRFactory,
    LevelFactory,
    UserFactory,
    published_guide,
    signed_case,
)
from tests.form_tokens import with_token

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]


@pytest.fixture
def hr_client(client):
    client.force_login(HRFactory())
    return client


def offered(page, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}".*?</select>', page, re.S)[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_only_people_senior_enough_are_offered_as_sponsors(hr_client):
    guide = published_guide()
    UserFactory(name="Dana Director", current_level=guide.to_level)
    UserFactory(name="Jo Junior", current_level=guide.from_level)
    UserFactory(name="Nell Nolevel")
    page = hr_client.get(reverse("reviews:case_create")).text
    level = guide.to_level
    assert offered(page, "sponsor") == [f"Dana Director ({level.code} {level.title})"]
    assert "Jo Junior" in " ".join(offered(page, "candidate"))


def test_a_new_sponsor_is_chosen_among_those_senior_enough_but_not_the_candidate(hr_client):
    guide = published_guide()
    case = CaseFactory(
        guide=guide, candidate=UserFactory(name="Cara Candidate", current_level=guide.to_level)
    )
    UserFactory(name="Jo Junior", current_level=guide.from_level)
    above = LevelFactory(code="E2", title="Vice President", rank=guide.to_level.rank + 1)
    UserFactory(name="Vera Above", current_level=above)
    page = hr_client.get(reverse("reviews:case_manage", args=[case.pk])).text
    names = " ".join(offered(page, "sponsor"))
    assert "Vera Above (E2 Vice President)" in names
    assert case.sponsor.display_name in names
    assert "Jo Junior" not in names and "Cara Candidate" not in names


def decide(client, case, **data):
    return client.post(
        reverse("reviews:case_manage", args=[case.pk]),
        with_token({"action": "decision", "effective_date": "2027-01-01", **data}),
    )


def test_promoted_waits_for_the_box_that_says_it_changes_a_level(hr_client):
    case = signed_case()
    page = decide(hr_client, case, outcome="promoted").text
    assert "Tick the box to confirm the promotion: it moves" in page
    assert f"{case.guide.to_level.code} {case.guide.to_level.title}" in page
    assert not Decision.objects.exists()
    decide(hr_client, case, outcome="promoted", confirm_promotion="on")
    assert Case.objects.get(pk=case.pk).status == Case.Status.DECIDED


def test_not_yet_needs_no_box(hr_client):
    case = signed_case()
    decide(hr_client, case, outcome="not_yet")
    assert Decision.objects.get().outcome == "not_yet"


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("$", "the file as a whole"),
        ("$.format", "the format line"),
        ("$.candidate.email", "the candidate, email address"),
        ("$.evidence[3].indicators[0]", "evidence item 4, indicator 1"),
        ('$.check_ins[0].answers["2"]', "check-in 1, the answer to question 2"),
        ("$.feedback[2].evidence", "feedback message 3, the evidence item it is on"),
        # The parts an import leaves behind, which its schema checks too.
        ("$.sign_offs[1].packet_sha256", "sign-off 2, packet hash"),
        ("$.feedback[0].imported.at", "feedback message 1, its import, its time"),
        ("$.readiness.capabilities[2].sustained", "the readiness report, capability 3, sustained"),
        ("$.level_history[0].since", "level history step 1, since"),
        ("$.decision.effective_date", "the decision, effective date"),
        ("$.something[0]", "$.something[0]"),
    ],
)
def test_a_json_path_is_said_in_words(path, words):
    assert place(path) == words


@pytest.mark.parametrize("persona", ["candidate", "sponsor"])
def test_the_case_page_offers_the_packet_to_the_candidate_and_the_sponsor(client, persona):
    case = CaseFactory()
    client.force_login(getattr(case, persona))
    page = client.get(case.get_absolute_url()).text
    assert reverse("reviews:packet_download", args=[case.pk, "pdf"]) in page
    assert reverse("reviews:packet_download", args=[case.pk, "json"]) in page
    assert "Download the packet" in page


def test_open_a_case_names_each_missing_field_and_offers_plain_empty_choices(hr_client):
    published_guide()
    empty = hr_client.get(reverse("reviews:case_create")).text
    assert "---------" not in empty and "Select an option" not in empty
    assert '<option value="" selected>Choose a candidate</option>' in empty
    assert '<option value="" selected>Choose a sponsor</option>' in empty
    page = hr_client.post(reverse("reviews:case_create"), {"opened_on": ""}).text
    assert "This field is required." not in page
    for words in (
        "Choose the candidate.",
        "Choose the guide.",
        "Choose the sponsor.",
        "Enter the date the case opens.",
    ):
        assert words in page


def test_the_decision_form_names_each_missing_field(hr_client):
    case = signed_case()
    page = hr_client.get(reverse("reviews:case_manage", args=[case.pk])).text
    assert "---------" not in page and "Select an option" not in page
    page = decide(hr_client, case, effective_date="").text
    assert "This field is required." not in page
    assert "Choose the outcome." in page
    assert "Enter the date the decision takes effect." in page


def test_candidates_offered_are_below_the_target_level_and_not_hr(hr_client):
    guide = published_guide()
    UserFactory(name="Cora Candidate", current_level=guide.from_level)
    UserFactory(name="Dana Director", current_level=guide.to_level)
    HRFactory(name="Hana People", current_level=guide.from_level)
    page = hr_client.get(reverse("reviews:case_create")).text
    names = " ".join(offered(page, "candidate"))
    assert "Cora Candidate" in names
    assert "Dana Director" not in names and "Hana People" not in names


def test_a_candidate_at_the_target_level_or_in_hr_is_refused(hr_client):
    guide = published_guide()
    sponsor = UserFactory(current_level=guide.to_level)
    for candidate, words in (
        (UserFactory(name="Dana Director", current_level=guide.to_level), "already holds"),
        (HRFactory(name="Hana People", current_level=guide.from_level), "works in HR"),
    ):
        page = hr_client.post(
            reverse("reviews:case_create"),
            {
                "candidate": candidate.pk,
                "guide": guide.pk,
                "sponsor": sponsor.pk,
                "opened_on": "2026-11-16",
            },
        ).text
        assert words in page
    assert not Case.objects.exists()
