"""The packet PDF: what a committee reads, drawn from the JSON packet, fetching nothing."""

import datetime
import io
import os
import re
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from pypdf import PdfReader

from reviews import services
from reviews.models import Attachment, Case
from reviews.packets import typesetter
from reviews.packets.build import build_packet, packet_sha256
from reviews.packets.document import PDF_FULL_ITEMS, packet_context
from reviews.packets.pdf import render_packet_pdf
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    EvidenceFactory,
    FeedbackFactory,
    HRFactory,
    SignOffFactory,
    UserFactory,
)

# Not about the calendar: the whole module runs on one day.
pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]

SMALL, LARGE = 3, 60


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeezed(text: str) -> str:
    # Hashes and long URLs wrap across lines in the extracted text.
    return re.sub(r"\s+", "", text)


def with_people(case: Case) -> Case:
    """The case as the download view hands it over."""
    return Case.objects.with_people().get(pk=case.pk)


def attach(evidence, name: str) -> Attachment:
    """A file's row only: the packet names files and never opens them."""
    return Attachment.objects.create(
        evidence=evidence,
        file=f"evidence/{evidence.case_id}/{name}",
        original_name=f"{name}.pdf",
        content_type="application/pdf",
        size=1024,
    )


def build_case(items: int) -> Case:
    """`items` spread over every capability and two years, tagged, with files, links, feedback."""
    case = CaseFactory(candidate=UserFactory(name="Ada Lovelace"))
    capabilities = list(case.guide.capabilities.order_by("number").prefetch_related("indicators"))
    today = timezone.localdate()
    for n in range(items):
        capability = capabilities[n % len(capabilities)]
        indicators = sorted(capability.indicators.all(), key=lambda i: i.position)
        evidence = EvidenceFactory(
            case=case,
            capability=capability,
            title=f"Migrated service {n}",
            date=today - datetime.timedelta(days=12 * n),
            summary=f"Moved **service {n}** to the new platform.",
            links=[f"https://wiki.example.org/services/{n}"],
            indicators=indicators[n % 3 : n % 3 + 1 + n % 2],
        )
        for f in range(n % 3):
            attach(evidence, f"file-{n}-{f}")
        if n % 4 == 0:
            FeedbackFactory(evidence=evidence, text=f"Endorsed item {n}.")
    for n in range(4):
        CheckInFactory(case=case, date=today - datetime.timedelta(days=90 * n), answers={1: "no"})
    return with_people(case)


def sign(case: Case, decision: str = "ready", **kwargs):
    return services.sign_off(
        case=case,
        signer=case.sponsor,
        decision=decision,
        rationale=kwargs.pop("rationale", "Strong, sustained evidence."),
        expected_sign_offs=case.sign_offs.count(),
        **kwargs,
    )


def test_pdf_holds_the_candidate_every_capability_and_the_packet_hash():
    case = build_case(SMALL)
    pages = pdf_pages(render_packet_pdf(case))
    text = "\n".join(pages)
    assert "Ada Lovelace" in pages[0]
    assert "M3 Head of Engineering → E1 Director of Engineering, version" in pages[0]
    for title in case.guide.capabilities.values_list("title", flat=True):
        assert title in text
    assert packet_sha256(build_packet(case)) in squeezed(pages[0])


def test_pdf_shows_evidence_with_links_as_text_files_by_name_and_feedback():
    case = build_case(SMALL)
    text = "\n".join(pdf_pages(render_packet_pdf(case)))
    assert "Migrated service 2" in text
    assert "https://wiki.example.org/services/2" in squeezed(text)
    assert "file-2-1.pdf" in text
    assert "Endorsed item 0." in text
    assert "No decision recorded yet" in text


def test_ready_sign_off_hash_and_decision_are_in_the_pdf():
    case = build_case(SMALL)
    signed = sign(case, override_reason="Promoted on the strength of the board work.")
    services.record_decision(
        case=case,
        outcome="promoted",
        effective_date=datetime.date(2027, 1, 1),
        note="",
        decided_by=HRFactory(),
    )
    pages = pdf_pages(render_packet_pdf(with_people(case)))
    cover, text = squeezed(pages[0]), "\n".join(pages)
    assert cover.count(signed.packet_sha256) == 2  # the packet's own hash, and the signed one
    assert "Matches this packet" in pages[0]
    assert "Promoted on the strength of the board work." in text
    assert "Promoted, effective 1 January 2027" in pages[0]


def test_a_sign_off_of_different_content_is_shown_as_differing():
    case = build_case(SMALL)
    sign(case, decision="not_ready", rationale="Not yet.")
    EvidenceFactory(case=case, title="Added after the sign-off")
    text = "\n".join(pdf_pages(render_packet_pdf(with_people(case))))
    assert "Differs from this packet" in text


def test_markdown_payloads_are_not_active_content():
    case = CaseFactory(
        narrative="Hello <script>alert('narrative')</script> [me](javascript:alert(1))"
    )
    EvidenceFactory(
        case=case,
        summary=(
            "<script>alert('x')</script> [click](javascript:alert(2)) "
            '<img src="http://example.org/track.png" onerror="alert(3)"> '
            '<a href="JaVaScRiPt:alert(4)">hidden</a>'
        ),
        outcome='<iframe src="file:///etc/passwd"></iframe> Saved [money](https://example.org/ok).',
    )
    pdf = render_packet_pdf(with_people(case))
    text = "\n".join(pdf_pages(pdf)).lower()
    assert "javascript:" not in text
    assert "alert(" not in text
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf
    uris = [
        annotation.get_object()["/A"].get("/URI")
        for page in PdfReader(io.BytesIO(pdf)).pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert all(uri is None or uri.startswith(("http://", "https://")) for uri in uris)
    assert "https://example.org/ok" in uris


def test_pdf_has_pages_with_a_running_header_and_page_x_of_y_footer():
    case = build_case(SMALL)
    pages = pdf_pages(render_packet_pdf(case))
    assert len(pages) > 3
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Ada Lovelace" in pages[1]  # the running header
    assert "Page 1 of" not in pages[0]  # the cover stands alone


def test_contents_give_each_chapter_its_page_number():
    case = build_case(SMALL)
    pdf = render_packet_pdf(case)
    pages = pdf_pages(pdf)
    contents = PdfReader(io.BytesIO(pdf)).pages[1].extract_text(extraction_mode="layout")
    entries = re.findall(r"^\s*(\S.*?)\s+[. ]*\.\s+(\d+)\s*$", contents, re.MULTILINE)
    titles = [title for title, _ in entries]
    assert titles[:5] == [
        "Summary",
        "The candidate’s narrative",
        "The guide in brief",
        "Readiness",
        "Evidence",
    ]
    assert "4. Capability 4" in titles and titles[-1] == "Sign-offs and decision"
    for title, page in entries:
        assert title in pages[int(page) - 1], f"{title!r} is not on page {page}"


def test_an_empty_case_still_renders_with_its_empty_states():
    case = with_people(CaseFactory())
    text = "\n".join(pdf_pages(render_packet_pdf(case)))
    assert "Not started" in text
    assert "has not written a narrative" in text
    assert "No evidence for this indicator." in text
    assert "No check-ins yet." in text
    assert "No feedback on any item." in text
    assert "Not signed off yet." in text
    assert "No decision recorded yet." in text


def test_an_item_with_several_indicators_is_shown_once_and_referred_to_from_the_others():
    case = CaseFactory()
    capability = case.guide.capabilities.get(number=1)
    second, third = capability.indicators.filter(position__in=[2, 3]).order_by("position")
    EvidenceFactory(case=case, capability=capability, indicators=[third, second])
    group = packet_context(with_people(case))["evidence_groups"][0]
    assert [len(group.indicators[p].items) for p in (1, 2, 3)] == [0, 1, 0]
    assert group.indicators[3].see_also == group.indicators[2].items


def test_the_other_indicators_link_to_the_item_and_name_where_it_is_shown():
    case = CaseFactory()
    capability = case.guide.capabilities.get(number=1)
    second, third = capability.indicators.filter(position__in=[2, 3]).order_by("position")
    EvidenceFactory(
        case=case,
        capability=capability,
        indicators=[third, second],
        title="Shared roadmap",
        date=datetime.date(2026, 3, 2),
    )
    pdf = render_packet_pdf(with_people(case))
    text = " ".join(" ".join(pdf_pages(pdf)).split())
    assert "For this indicator: Shared roadmap (2 Mar 2026), under 1.2." in text
    links = [
        annotation.get_object().get("/Dest")
        for page in PdfReader(io.BytesIO(pdf)).pages
        for annotation in page.get("/Annots", [])
    ]
    assert any(link is not None for link in links)  # the title is an internal link


def test_every_item_and_every_feedback_thread_is_in_a_large_packet():
    case = build_case(LARGE)
    text = " ".join(" ".join(pdf_pages(render_packet_pdf(case))).split())
    for n in range(LARGE):
        assert f"Migrated service {n}" in text
        assert f"wiki.example.org/services/{n}" in text
    for n in range(0, LARGE, 4):
        assert f"Endorsed item {n}." in text
    assert text.count("1 feedback message in the Feedback chapter") == LARGE // 4
    assert text.count("the item, page") == LARGE // 4


@pytest.mark.slow
def test_the_pdf_holds_every_evidence_title_of_a_case_past_the_items_given_in_full():
    case = build_case(PDF_FULL_ITEMS + 12)
    text = " ".join(" ".join(pdf_pages(render_packet_pdf(case))).split())
    titles = list(case.evidence.values_list("title", flat=True))
    assert len(titles) == PDF_FULL_ITEMS + 12
    assert [title for title in titles if title not in text] == []
    assert "lists the other 12 by title" in text


def commit_elsewhere(case: Case, n: int) -> None:
    """Another session commits a new item with a file and a feedback thread, and a sign-off."""

    def write():
        try:
            item = EvidenceFactory(case=case, title=f"Written meanwhile {n}")
            attach(item, f"meanwhile-{n}")
            FeedbackFactory(evidence=item, text=f"Meanwhile {n}.")
            SignOffFactory(
                case=case, decision="not_ready", readiness_status="ready", override_reason="x"
            )
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_the_packet_and_what_its_pdf_shows_come_from_one_snapshot():
    case = build_case(SMALL)
    expected = {
        f"Migrated service {n}": [f"file-{n}-{f}.pdf" for f in range(n % 3)] for n in range(3)
    }
    reads, commits = [], []

    def commit_before_each_later_read(execute, sql, params, many, context):
        # Between every two of the packet's reads, another session commits more of the case.
        if reads:
            commit_elsewhere(case, len(commits))
            commits.append(sql)
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("SELECT"):
            reads.append(sql)
        return result

    case = with_people(case)
    with connection.execute_wrapper(commit_before_each_later_read):
        context = packet_context(case)

    assert case.evidence.count() == SMALL + len(commits) > SMALL + 10
    items = [item for group in context["evidence_groups"] for item in group.items]
    assert {item.title: item.attachments for item in items} == expected
    assert context["evidence_count"] == SMALL
    assert [m["text"] for item in items for m in item.feedback] == ["Endorsed item 0."]
    assert context["sign_offs"] == []
    assert context["packet"]["readiness"]["capabilities"][0]["items"] == 1


def test_each_layout_runs_in_a_process_of_its_own():
    first, second = build_case(SMALL), with_people(CaseFactory())
    pages = pdf_pages(render_packet_pdf(first)) + pdf_pages(render_packet_pdf(second))
    # Both documents carry the template's running header and page footer.
    assert sum("Page 2 of" in page for page in pages) == 2
    pids = {typesetter._layout_pool().submit(os.getpid).result() for _ in range(3)}
    assert len(pids) == 3 and os.getpid() not in pids


def test_flags_are_plain_sentences_and_uncovered_indicators_are_named():
    case = CaseFactory()
    capability = case.guide.capabilities.get(number=1)
    EvidenceFactory(
        case=case, capability=capability, indicators=[capability.indicators.get(position=1)]
    )
    text = "\n".join(pdf_pages(render_packet_pdf(with_people(case))))
    assert "Thin evidence for “Capability 1”" in text
    assert "1. capability 1: not shown in the window" in text.lower()  # an upper-case label
    assert "Indicator 1.2" in text and "Indicator 1.5" in text


def test_self_assessment_table_counts_yes_answers():
    case = CaseFactory()
    CheckInFactory(case=case, answers={1: "no", 2: "partly", 3: "no"})
    text = "\n".join(pdf_pages(render_packet_pdf(with_people(case))))
    assert "3 of 6" in text
    assert "Partly" in text


# Whatever the number of items, rendering reads:
#  1 evidence with attachment names, 2 their indicators, 3 answers, 4 check-ins, 5 feedback,
#  6 sign-offs with their notes, 7 decision, 8 today's readiness snapshot, and without a fresh
#  one 9–12 readiness computed (capabilities, question count, evidence, answers), not kept,
#  13 the nominations with their cycles (the cycle record)           — read_packet
#  14 capabilities, 15 their indicators, 16 questions                 — the guide's texts
# Outside a transaction (not in a test), one more sets REPEATABLE READ for the snapshot.
PACKET_PDF_QUERIES = 16


@pytest.mark.parametrize("items", [SMALL, LARGE])
def test_query_count_does_not_grow_with_items(items, django_assert_num_queries):
    # Read as the packet's callers read it: with the candidate's level history.
    case = Case.objects.with_people().with_level_history().get(pk=build_case(items).pk)
    with django_assert_num_queries(PACKET_PDF_QUERIES):
        render_packet_pdf(case)


def test_a_packet_is_laid_out_once_and_again_when_it_changes(monkeypatch, settings, tmp_path):
    # A folder of its own: tests running at once in other processes empty theirs.
    packets = {**settings.CACHES["packets"], "LOCATION": tmp_path / "packet-pdfs"}
    settings.CACHES = {**settings.CACHES, "packets": packets}
    layouts = []
    submit = typesetter.submit

    def counted(data_json, font_dirs):
        layouts.append(data_json)
        return submit(data_json, font_dirs)

    monkeypatch.setattr(typesetter, "submit", counted)
    case = CaseFactory()
    first = render_packet_pdf(with_people(case))
    assert render_packet_pdf(with_people(case)) == first
    assert len(layouts) == 1
    EvidenceFactory(case=case, title="Ran the quarterly planning")
    changed = render_packet_pdf(with_people(case))
    assert len(layouts) == 2
    assert "Ran the quarterly planning" in "\n".join(pdf_pages(changed))
    assert "Ran the quarterly planning" not in "\n".join(pdf_pages(first))
