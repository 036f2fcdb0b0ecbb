"""Pages cost the same number of queries with 3 items as with 60."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import Attachment, Case
from reviews.readiness.snapshots import refresh_snapshots
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    EvidenceFactory,
    FeedbackFactory,
    HRFactory,
    SignOffFactory,
    published_guide,
)

# Not about the calendar: the whole module runs on one day.
pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]

SMALL, LARGE = 3, 60


def build_case(items: int, check_ins: int) -> Case:
    """`items` spread over every capability and two years, tagged, some with a file or two."""
    case = CaseFactory()
    capabilities = list(case.guide.capabilities.order_by("number").prefetch_related("indicators"))
    today = timezone.localdate()
    for n in range(items):
        capability = capabilities[n % len(capabilities)]
        indicators = list(capability.indicators.all())
        evidence = EvidenceFactory(
            case=case,
            capability=capability,
            title=f"Migrated service {n}",
            date=today - datetime.timedelta(days=12 * n),
            indicators=indicators[n % 3 : n % 3 + 1 + n % 2],
        )
        # Rows only: these pages list files but never open them.
        for f in range(n % 3):
            Attachment.objects.create(
                evidence=evidence,
                file=f"evidence/{case.pk}/file-{n}-{f}",
                original_name=f"file-{n}-{f}.pdf",
                content_type="application/pdf",
                size=1024,
            )
    for n in range(check_ins):
        CheckInFactory(case=case, date=today - datetime.timedelta(days=90 * n), answers={1: "no"})
    return case


@pytest.fixture
def small():
    return build_case(SMALL, check_ins=1)


@pytest.fixture
def large():
    return build_case(LARGE, check_ins=8)


def login(client, case: Case, persona: str):
    if persona == "hr":
        client.force_login(HRFactory())
    else:
        client.force_login(getattr(case, persona))
    return client


def get(client, case, url_name, params=None):
    response = client.get(reverse(f"reviews:{url_name}", args=[case.pk]), params or {})
    assert response.status_code == 200
    return response


# Readiness as of today comes from each case's snapshot. A case without a fresh one has it
# computed in memory (capabilities with indicator counts, question counts, evidence with
# indicator positions, check-in answers), four queries more, and nothing written: reads never
# write. The hourly task (`refresh_snapshots`) brings the snapshots up to date.
READINESS_COLD = 4


def refresh():
    """Today's snapshots of every case, as the hourly task writes them."""
    refresh_snapshots(Case.objects.all())


# session, user (the viewer's roles are kept in the session from login on),
# the case with candidate, sponsor, guide and levels, the guide's outline and the readiness
# snapshot; the latest five items with their indicators and counts of files, the count of all
# items and the indicators covered in the window; the latest feedback with authors and items;
# the latest sign-off with its signer
CASE_DETAIL_QUERIES = 6


@pytest.mark.parametrize("persona", ["candidate", "sponsor", "hr"])
def test_case_detail_queries_do_not_grow_with_evidence(
    client, django_assert_num_queries, small, large, persona
):
    small_client, large_client = login(client, small, persona), login(Client(), large, persona)
    with django_assert_num_queries(CASE_DETAIL_QUERIES + READINESS_COLD):
        small_page = get(small_client, small, "case_detail")
    with django_assert_num_queries(CASE_DETAIL_QUERIES + READINESS_COLD):
        large_page = get(large_client, large, "case_detail")
    # After the hourly refresh, from the snapshots, with the same readiness.
    refresh()
    with django_assert_num_queries(CASE_DETAIL_QUERIES):
        again = get(small_client, small, "case_detail")
    assert again.context["readiness"] == small_page.context["readiness"]
    with django_assert_num_queries(CASE_DETAIL_QUERIES):
        again = get(large_client, large, "case_detail")
    assert again.context["readiness"] == large_page.context["readiness"]

    assert "All evidence (3)" in small_page.text
    assert "All evidence (60)" in large_page.text


# session, user, the case with people, guide and the guide's outline (the filter
# choices); the page: count of matching items, one page of items with their indicators and
# counts of files
EVIDENCE_LIST_QUERIES = 5


@pytest.mark.parametrize("persona", ["candidate", "sponsor", "hr"])
def test_evidence_list_queries_do_not_grow_with_evidence(
    client, django_assert_num_queries, small, large, persona
):
    small_client, large_client = login(client, small, persona), login(Client(), large, persona)
    with django_assert_num_queries(EVIDENCE_LIST_QUERIES):
        small_page = get(small_client, small, "evidence_list")
    with django_assert_num_queries(EVIDENCE_LIST_QUERIES):
        large_page = get(large_client, large, "evidence_list")
    with django_assert_num_queries(EVIDENCE_LIST_QUERIES):
        get(small_client, small, "evidence_list")
    with django_assert_num_queries(EVIDENCE_LIST_QUERIES):
        get(large_client, large, "evidence_list")

    assert len(small_page.context["page"].object_list) == SMALL
    assert len(large_page.context["page"].object_list) == 25


def test_later_pages_of_the_evidence_list_cost_the_same(client, django_assert_num_queries, large):
    login(client, large, "candidate")
    with django_assert_num_queries(EVIDENCE_LIST_QUERIES):
        page = get(client, large, "evidence_list", {"page": 3})
    assert len(page.context["page"].object_list) == LARGE - 50


def test_filtered_evidence_list_queries_do_not_grow_with_evidence(
    client, django_assert_num_queries, small, large
):
    def filters(case):
        first = case.guide.capabilities.get(number=1)
        return {
            "q": "migrations",
            "capability": 1,
            "indicator": first.indicators.get(position=1).pk,
            "date_from": (timezone.localdate() - datetime.timedelta(days=730)).isoformat(),
            "date_to": timezone.localdate().isoformat(),
        }

    small_filters, large_filters = filters(small), filters(large)
    small_client = login(client, small, "candidate")
    large_client = login(Client(), large, "candidate")
    with django_assert_num_queries(EVIDENCE_LIST_QUERIES):
        small_page = get(small_client, small, "evidence_list", small_filters)
    with django_assert_num_queries(EVIDENCE_LIST_QUERIES):
        large_page = get(large_client, large, "evidence_list", large_filters)

    assert [e.title for e in small_page.context["page"].object_list] == ["Migrated service 0"]
    assert large_page.context["page"].paginator.count > 1
    for item in large_page.context["page"].object_list:
        assert item.capability.number == 1


# session, user, the case with people and guide; the guide's questions, the count of
# check-ins (for the pages), a page of check-ins with their yes counts, their answers
CHECK_IN_LIST_QUERIES = 7


def test_check_in_history_queries_do_not_grow_with_check_ins(
    client, django_assert_num_queries, small, large
):
    small_client = login(client, small, "candidate")
    large_client = login(Client(), large, "candidate")
    with django_assert_num_queries(CHECK_IN_LIST_QUERIES):
        get(small_client, small, "check_in_list")
    with django_assert_num_queries(CHECK_IN_LIST_QUERIES):
        large_page = get(large_client, large, "check_in_list")
    assert len(large_page.context["check_ins"]) == 8


# session, user, filter choices (guides, sponsors), count, one page of cases with
# people and their readiness snapshots, their guides with levels
CASE_LIST_QUERIES = 7


def test_case_list_queries_do_not_grow_with_cases(client, django_assert_num_queries):
    client.force_login(HRFactory())
    guide = published_guide()
    CaseFactory.create_batch(SMALL, guide=guide)
    with django_assert_num_queries(CASE_LIST_QUERIES + READINESS_COLD):
        small_page = client.get(reverse("reviews:case_list"))
    refresh()
    with django_assert_num_queries(CASE_LIST_QUERIES):
        client.get(reverse("reviews:case_list"))
    CaseFactory.create_batch(LARGE - SMALL, guide=guide)
    with django_assert_num_queries(CASE_LIST_QUERIES + READINESS_COLD):
        large_page = client.get(reverse("reviews:case_list"))
    refresh()
    with django_assert_num_queries(CASE_LIST_QUERIES):
        client.get(reverse("reviews:case_list"))

    assert len(small_page.context["page"].object_list) == SMALL
    assert len(large_page.context["page"].object_list) == 50


# session, user, the matching cases without a fresh snapshot (none), filter choices,
# count, one page of cases with people and their snapshot's status and flags, their guides
FILTERED_CASE_LIST_QUERIES = 8


def test_filtered_case_list_queries_do_not_grow_with_cases(client, django_assert_num_queries):
    client.force_login(HRFactory())
    guide = published_guide()
    url = reverse("reviews:case_list") + "?status=open&readiness=not_started&flag=thin"
    CaseFactory.create_batch(SMALL, guide=guide)
    # New cases have no snapshot: their readiness is computed while filtering (four queries)
    # and shown on the page from there.
    with django_assert_num_queries(FILTERED_CASE_LIST_QUERIES + READINESS_COLD):
        cold = client.get(url)
    refresh()
    with django_assert_num_queries(FILTERED_CASE_LIST_QUERIES):
        small_page = client.get(url)
    assert [row.name for row in cold.context["rows"]] == [
        row.name for row in small_page.context["rows"]
    ]
    CaseFactory.create_batch(LARGE - SMALL, guide=guide)
    with django_assert_num_queries(FILTERED_CASE_LIST_QUERIES + READINESS_COLD):
        client.get(url)
    refresh()
    with django_assert_num_queries(FILTERED_CASE_LIST_QUERIES):
        large_page = client.get(url)
    assert len(small_page.context["rows"]) == SMALL
    assert len(large_page.context["rows"]) == 50
    assert {row.readiness_label for row in large_page.context["rows"]} == {"Not started"}
    assert all([flag.label for flag in row.flags] == ["Thin"] for row in large_page.context["rows"])


# session, user (the roles for the navigation are kept in the session from login on)
FLOOR_QUERIES = 2


def test_floor_page_queries_do_not_grow_with_evidence(
    client, django_assert_num_queries, small, large
):
    small_client = login(client, small, "candidate")
    large_client = login(Client(), large, "candidate")
    with django_assert_num_queries(FLOOR_QUERIES):
        small_page = small_client.get(reverse("about"))
    with django_assert_num_queries(FLOOR_QUERIES):
        large_page = large_client.get(reverse("about"))
    assert small_page.status_code == large_page.status_code == 200
    assert "<h1" in large_page.text


# session, user, the guide with its levels; its shifts, capabilities, their indicators,
# their practices, pitfalls, track-record steps, questions, timeline points
GUIDE_QUERIES = 11


def test_guide_page_queries_do_not_grow_with_its_parts(client, django_assert_num_queries):
    small_guide = published_guide(capabilities=2, indicators=2, questions=2)
    large_guide = published_guide(capabilities=8, indicators=9, questions=12)
    client.force_login(HRFactory())
    with django_assert_num_queries(GUIDE_QUERIES):
        small_page = client.get(small_guide.get_absolute_url())
    with django_assert_num_queries(GUIDE_QUERIES):
        large_page = client.get(large_guide.get_absolute_url())
    assert small_page.status_code == large_page.status_code == 200
    assert len(large_page.context["guide"].capabilities.all()) == 8


# session, user, the case with people and guide; evidence with capabilities, their
# indicators, check-in answers with questions, check-ins, feedback with authors, sign-offs with
# signers, the decision, readiness (snapshot), the nominations with their cycles (the cycle record)
PACKET_JSON_QUERIES = 12
# the JSON packet's (its evidence with attachment names, its sign-offs with their notes), then
# for the pages: signers' names, the guide's capabilities, their indicators, its questions
PACKET_PDF_QUERIES = 15


def add_thread_and_sign_off(case: Case) -> None:
    for item in case.evidence.all()[:3]:
        FeedbackFactory(evidence=item)
        FeedbackFactory(evidence=item, author=case.candidate, kind="reply", text="Added.")
    SignOffFactory(case=case, decision="not_ready", readiness_status="building")


@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_packet_queries_do_not_grow_with_evidence(
    client, django_assert_num_queries, small, large, fmt
):
    add_thread_and_sign_off(small)
    add_thread_and_sign_off(large)
    small_client = login(client, small, "candidate")
    large_client = login(Client(), large, "candidate")
    queries = PACKET_JSON_QUERIES if fmt == "json" else PACKET_PDF_QUERIES
    small_url = reverse("reviews:packet_download", args=[small.pk, fmt])
    large_url = reverse("reviews:packet_download", args=[large.pk, fmt])
    with django_assert_num_queries(queries + READINESS_COLD):
        small_client.get(small_url)
    with django_assert_num_queries(queries + READINESS_COLD):
        large_client.get(large_url)
    refresh()
    with django_assert_num_queries(queries):
        small_packet = small_client.get(small_url)
    with django_assert_num_queries(queries):
        large_packet = large_client.get(large_url)

    assert small_packet.status_code == large_packet.status_code == 200
    if fmt == "json":
        assert len(json.loads(small_packet.content)["evidence"]) == SMALL
        assert len(json.loads(large_packet.content)["evidence"]) == LARGE
        assert len(json.loads(large_packet.content)["feedback"]) == 6
    else:
        assert large_packet.content.startswith(b"%PDF")
