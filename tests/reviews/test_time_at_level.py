"""Time at level and the level history on the pages that show a candidate, and in the packet."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.levels import change_level
from reviews.packets.build import build_packet, packet_sha256
from tests.factories import CaseFactory, HRFactory, LevelFactory, UserFactory, published_guide
from tests.reviews.test_packet_pdf import pdf_pages

DAY = "2026-11-16"
pytestmark = [pytest.mark.django_db, pytest.mark.today(DAY)]


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def guide():
    return published_guide()


def candidate_with_history(guide, name="Carla Example"):
    m2 = LevelFactory(code="M2", title="Engineering Manager", rank=40)
    person = UserFactory(name=name)
    change_level(user=person, level=m2, since=d("2020-01-06"), reason="hr_edit", note="Hired")
    change_level(
        user=person, level=guide.from_level, since=d("2024-08-01"), reason="decision", note="Up"
    )
    return person


def test_the_case_page_shows_time_at_level_and_the_whole_history(client, guide):
    case = CaseFactory(guide=guide, candidate=candidate_with_history(guide))
    client.force_login(case.sponsor)
    page = client.get(case.get_absolute_url()).text
    assert "2 years 3 months at M3" in page
    assert "Carla Example’s level history" in page
    newest, oldest = page.index("M3 Head of Engineering</td>"), page.index("M2 Engineering")
    assert newest < oldest
    for words in ("1 Aug 2024", "6 Jan 2020", "Promotion decision", "Changed by HR", "Hired"):
        assert words in page
    assert "hr_edit" not in page


def test_the_candidate_reads_their_own_history(client, guide):
    case = CaseFactory(guide=guide, candidate=candidate_with_history(guide))
    client.force_login(case.candidate)
    page = client.get(case.get_absolute_url()).text
    assert "Your level history" in page
    assert "2 years 3 months at M3" in page


def test_a_case_page_without_history_says_so(client, guide):
    case = CaseFactory(guide=guide, candidate=UserFactory(current_level=guide.from_level))
    client.force_login(case.sponsor)
    page = client.get(case.get_absolute_url()).text
    assert "No level history is recorded yet" in page
    assert " at M3<" not in page


def test_the_dashboard_shows_each_candidate_time_at_level(client, guide):
    case = CaseFactory(guide=guide, candidate=candidate_with_history(guide))
    client.force_login(case.sponsor)
    page = client.get(reverse("reviews:dashboard")).text
    assert "2 years 3 months at M3" in page


def test_hr_case_list_shows_each_candidate_time_at_level(client, guide):
    CaseFactory(guide=guide, candidate=candidate_with_history(guide))
    client.force_login(HRFactory())
    page = client.get(reverse("reviews:case_list")).text
    assert "2 years 3 months at M3" in page


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["reviews:dashboard", "reviews:case_list"])
def test_time_at_level_costs_no_query_per_row(client, guide, url_name):
    sponsor = UserFactory(current_level=guide.to_level)
    hr = HRFactory()
    viewer = hr if url_name == "reviews:case_list" else sponsor
    client.force_login(viewer)
    url = reverse(url_name)
    CaseFactory(guide=guide, sponsor=sponsor, candidate=UserFactory(current_level=guide.from_level))
    client.get(url)  # readiness snapshots and sessions settle
    without_history = count_queries(client, url)
    for n in range(3):
        person = candidate_with_history(guide, name=f"Person {n}")
        CaseFactory(guide=guide, sponsor=sponsor, candidate=person)
    client.get(url)
    small = count_queries(client, url)
    for n in range(3, 9):
        person = candidate_with_history(guide, name=f"Person {n}")
        CaseFactory(guide=guide, sponsor=sponsor, candidate=person)
    client.get(url)
    large = count_queries(client, url)
    assert without_history == small == large


def test_the_json_packet_carries_the_history_outside_what_is_signed(client, guide):
    case = CaseFactory(guide=guide, candidate=candidate_with_history(guide))
    before = packet_sha256(build_packet(case))
    client.force_login(case.candidate)
    packet = json.loads(
        client.get(reverse("reviews:packet_download", args=[case.pk, "json"])).content
    )
    assert packet["level_history"] == [
        {"level": "M2", "since": "2020-01-06", "reason": "hr_edit", "note": "Hired"},
        {"level": "M3", "since": "2024-08-01", "reason": "decision", "note": "Up"},
    ]
    # A later change of level leaves what the sponsor signed unchanged.
    change_level(user=case.candidate, level=guide.to_level, since=d(DAY), reason="hr_edit")
    assert packet_sha256(build_packet(case)) == before
    assert len(build_packet(case)["level_history"]) == 3


def test_the_pdf_cover_shows_time_at_level_and_the_history(client, guide):
    case = CaseFactory(guide=guide, candidate=candidate_with_history(guide))
    client.force_login(case.sponsor)
    pdf = client.get(reverse("reviews:packet_download", args=[case.pk, "pdf"])).content
    text = " ".join(" ".join(pdf_pages(pdf)[:1]).split())
    assert "2 years 3 months at M3 · since 1 August 2024" in text
    assert (
        "M2 from 6 January 2020 (Changed by HR); M3 from 1 August 2024 (Promotion decision)" in text
    )
