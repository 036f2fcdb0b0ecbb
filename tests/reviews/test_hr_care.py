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
