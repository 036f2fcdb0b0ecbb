"""The committee brief: what a panellist reads in a minute, from the packet's own read, on
screen and as a PDF of at most two A4 pages, at a constant number of queries."""

import datetime
import io

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reviews import services
from reviews.models import Case
from reviews.packets.brief import (
    CONTINUES,
    NARRATIVE_CHARS,
    brief_context,
    cut_at_sentence,
    first_paragraph,
)
from reviews.packets.pdf import render_brief_pdf
from reviews.readiness.snapshots import refresh_snapshots
from reviews.stars import star_evidence
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    EvidenceFactory,
    FeedbackFactory,
    HRFactory,
    UserFactory,
)

# Not about the calendar: the whole module runs on one day.
pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]

SENTENCE = "The platform team moved the billing service to the new cluster without downtime. "
LONG_SUMMARY = (SENTENCE * 12 + "\n\n" + SENTENCE * 20 + "\n\n- a list item\n- another\n") * 2
LONG_TITLE = "Led the migration of the billing platform to the shared cluster " * 3


def with_people(case: Case) -> Case:
    """The case as the download views read it."""
    return Case.objects.with_people().with_level_history().get(pk=case.pk)


def build_case(items: int, *, long: bool = True) -> Case:
    """`items` over every capability and two years, with long titles and texts, a long
    narrative, endorsements on some items, check-ins and a not-ready sign-off."""
    case = CaseFactory(
        candidate=UserFactory(name="Ada Lovelace"),
        narrative=(SENTENCE * 30 + "\n\nA second paragraph.") if long else "Short narrative.",
    )
    capabilities = list(case.guide.capabilities.order_by("number").prefetch_related("indicators"))
    today = timezone.localdate()
    for n in range(items):
        capability = capabilities[n % len(capabilities)]
        evidence = EvidenceFactory(
            case=case,
            capability=capability,
            title=f"{n}: {LONG_TITLE[:190]}" if long else f"Item {n}",
            date=today - datetime.timedelta(days=5 * n),
            summary=LONG_SUMMARY if long else f"Did thing {n}.",
            outcome=LONG_SUMMARY if long else "",
            indicators=list(capability.indicators.all())[: 1 + n % 3],
        )
        for _ in range(n % 3):
            FeedbackFactory(evidence=evidence, text="Endorsed. " * (30 if long else 1))
    for n in range(8):
        CheckInFactory(case=case, date=today - datetime.timedelta(days=90 * n + 3))
    services.sign_off(
        case=case,
        signer=case.sponsor,
        decision="not_ready",
        rationale=(SENTENCE * 40) if long else "Not yet.",
        expected_sign_offs=0,
    )
    return with_people(case)


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeezed(text: str) -> str:
    return " ".join(text.split())


# --- Cutting texts ---------------------------------------------------------------------------


def test_a_short_text_is_kept_whole():
    assert cut_at_sentence("One sentence.  Two.", 100) == ("One sentence. Two.", False)


def test_a_long_text_is_cut_at_the_sentence_nearest_the_limit():
    text = "A" * 50 + ". " + "B" * 45 + ". " + "C" * 200 + "."
    cut, was_cut = cut_at_sentence(text, 100)
    assert was_cut
    assert cut == "A" * 50 + ". " + "B" * 45 + "."


def test_a_sentence_a_little_over_the_limit_is_kept_whole():
    text = "A" * 95 + ". " + "B" * 10 + ". " + "C" * 200
    assert cut_at_sentence(text, 100) == ("A" * 95 + ". " + "B" * 10 + ".", True)


def test_a_text_without_a_sentence_end_in_reach_is_cut_at_a_word():
    cut, was_cut = cut_at_sentence("word " * 100, 50)
    assert was_cut
    assert cut.endswith("word…")
    assert len(cut) <= 50


def test_the_first_paragraph_of_markdown_is_plain_text():
    text, more = first_paragraph("Led **the** [review](https://example.org) of `x`.\n\nMore.")
    assert (text, more) == ("Led the review of x.", True)
    assert first_paragraph("Only one.") == ("Only one.", False)
    assert first_paragraph("  ") == ("", False)


# --- What the brief says ----------------------------------------------------------------------


def test_starred_items_are_shown_for_their_capability():
    case = CaseFactory(candidate=UserFactory(name="Ada Lovelace"))
    first = case.guide.capabilities.get(number=1)
    older = EvidenceFactory(
        case=case, capability=first, title="Older", date=datetime.date(2026, 1, 5)
    )
    FeedbackFactory(
        evidence=EvidenceFactory(case=case, capability=first, title="Endorsed but not starred")
    )
    star_evidence(evidence=older, by=case.candidate, starred=True)

    rows = brief_context(with_people(case))["capabilities"]
    assert rows[0]["best"]["lead"] == "Chosen by Ada Lovelace as a best item"
    assert [item["title"] for item in rows[0]["best"]["items"]] == ["Older"]
    assert rows[0]["best"]["items"][0]["endorsements"] == "Not endorsed yet"


def test_without_stars_the_most_endorsed_then_the_most_recent_are_shown():
    case = CaseFactory()
    first = case.guide.capabilities.get(number=1)
    day = datetime.date(2026, 6, 1)
    once = EvidenceFactory(case=case, capability=first, title="Once", date=day)
    twice = EvidenceFactory(case=case, capability=first, title="Twice", date=day)
    EvidenceFactory(case=case, capability=first, title="Newest, not endorsed")
    EvidenceFactory(case=case, capability=first, title="Old, not endorsed", date=day)
    FeedbackFactory(evidence=once)
    FeedbackFactory(evidence=twice)
    FeedbackFactory(evidence=twice)
    FeedbackFactory(evidence=once, kind="question", text="Why?")

    best = brief_context(with_people(case))["capabilities"][0]["best"]
    assert best["lead"].startswith("None starred by the candidate")
    assert [(i["title"], i["endorsements"]) for i in best["items"]] == [
        ("Twice", "2 endorsements"),
        ("Once", "1 endorsement"),
    ]

    lone = CaseFactory()
    EvidenceFactory(case=lone, title="Newer", date=datetime.date(2026, 9, 1))
    EvidenceFactory(case=lone, title="Older", date=datetime.date(2026, 3, 1))
    EvidenceFactory(case=lone, title="Oldest", date=datetime.date(2026, 1, 1))
    best = brief_context(with_people(lone))["capabilities"][0]["best"]
    assert [i["title"] for i in best["items"]] == ["Newer", "Older"]


def test_readiness_narrative_and_sign_off_are_in_words():
    case = build_case(12)
    brief = brief_context(case)
    assert brief["candidate"] == "Ada Lovelace"
    # Twelve items five days apart: capability 1's three are all in the last block.
    row = brief["capabilities"][0]
    assert row["state"] == "Not yet sustained"
    assert row["blocks"] == "1 of 4 blocks"
    assert row["missing"] == "none in Dec 2025–Feb 2026, Mar–May 2026, Jun–Aug 2026"
    assert row["items_in_window"] == "3 items"
    assert brief["narrative"]["continues"]
    assert len(brief["narrative"]["text"]) <= NARRATIVE_CHARS * 1.2
    assert brief["narrative"]["text"].endswith(".")
    assert brief["sign_off"]["said"].startswith("Signed off as not ready yet by")
    assert brief["sign_off"]["rationale"]["continues"]
    assert brief["panel_scores"] == []


def test_a_capability_without_evidence_says_so():
    case = CaseFactory()
    EvidenceFactory(case=case)
    rows = brief_context(with_people(case))["capabilities"]
    assert rows[1]["state"] == "No evidence yet"
    assert rows[1]["blocks"] == "0 of 4 blocks"
    assert rows[1]["missing"].startswith("none in ")
    assert rows[1]["best"]["items"] == []


def test_the_panel_s_scores_are_a_section_only_when_there_are_some(rf):
    case = build_case(3, long=False)
    brief = brief_context(case)
    context = {"case": case, "brief": brief, "readiness": brief["readiness"], "heat_strip": ""}
    request = rf.get("/")
    request.user = case.candidate
    assert "The panel’s scores" not in render_to_string("reviews/brief.html", context, request)
    brief["panel_scores"] = [{"capability": "1. Capability 1", "scores": "strong · strong"}]
    page = render_to_string("reviews/brief.html", context, request)
    assert "The panel’s scores" in page
    assert "strong · strong" in page


# --- The page and the PDF -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["candidate", "sponsor", "hr"])
def test_the_brief_page_for_the_people_who_may_download_the_packet(client, persona):
    case = build_case(6)
    client.force_login(HRFactory() if persona == "hr" else getattr(case, persona))
    page = client.get(reverse("reviews:case_brief", args=[case.pk]))
    assert page.status_code == 200
    text = squeezed(page.text)
    for heading in (
        "Committee brief: Ada Lovelace",
        "Readiness by capability",
        "The candidate’s narrative",
        "The sponsor’s sign-off",
        "Best items by capability",
    ):
        assert heading in text
    assert f"({CONTINUES})" in text
    assert "<svg" in page.text
    assert reverse("reviews:case_brief_pdf", args=[case.pk]) in page.text


def test_an_outsider_gets_404(client):
    case = build_case(2, long=False)
    client.force_login(UserFactory())
    assert client.get(reverse("reviews:case_brief", args=[case.pk])).status_code == 404
    assert client.get(reverse("reviews:case_brief_pdf", args=[case.pk])).status_code == 404


def test_the_case_page_links_to_the_brief_beside_the_packet(client):
    case = build_case(2, long=False)
    client.force_login(case.sponsor)
    page = client.get(case.get_absolute_url())
    downloads = page.text.split('class="mb-0 small packet-downloads"', 1)[1].split("</p>", 1)[0]
    assert reverse("reviews:case_brief", args=[case.pk]) in downloads
    assert reverse("reviews:case_brief_pdf", args=[case.pk]) in downloads
    assert reverse("reviews:packet_download", args=[case.pk, "pdf"]) in downloads


def test_the_brief_pdf_is_a_download(client):
    case = build_case(4, long=False)
    client.force_login(case.candidate)
    response = client.get(reverse("reviews:case_brief_pdf", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"brief-{case.candidate.username}-{case.pk}.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


@pytest.mark.slow
def test_a_150_item_case_with_long_texts_fits_on_two_a4_pages():
    case = build_case(150)
    star_evidence(evidence=case.evidence.order_by("-date").first(), by=case.candidate, starred=True)
    pdf = render_brief_pdf(case)
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = squeezed(" ".join(pdf_pages(pdf)))
    assert "Committee brief" in text
    assert "Ada Lovelace" in text
    assert "Chosen by Ada Lovelace as a best item" in text
    assert CONTINUES in text
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text


# --- Queries --------------------------------------------------------------------------------------


# The packet PDF's own reads, no more: session, user, the case with people, guide and levels;
# evidence with capabilities, their indicators, check-in answers with questions, check-ins,
# feedback with authors, sign-offs with signers, the decision, readiness (the snapshot); then
# the guide's capabilities, their indicators and its questions (the signer's name is the
# sponsor's, read with the case); and the case's nominations with their cycles, for the packet's
# cycle record, from which the panel's scores are read.
BRIEF_QUERIES = 15


@pytest.mark.slow
@pytest.mark.parametrize("url_name", ["reviews:case_brief", "reviews:case_brief_pdf"])
def test_brief_queries_do_not_grow_with_evidence(django_assert_num_queries, url_name):
    small, large = build_case(10, long=False), build_case(150, long=False)
    refresh_snapshots(Case.objects.all())
    for case in (small, large):
        client = Client()
        client.force_login(case.sponsor)
        with django_assert_num_queries(BRIEF_QUERIES):
            response = client.get(reverse(url_name, args=[case.pk]))
        assert response.status_code == 200
