"""What one case may hold (reviews/limits.py): refused in words by the forms, the services and
packet import, and every page listing a case's items shows them a page at a time."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reviews import services
from reviews.limits import (
    MAX_CHECK_INS_PER_CASE,
    MAX_EVIDENCE_PER_CASE,
    MAX_FEEDBACK_PER_CASE,
    MAX_MESSAGES_PER_THREAD,
)
from reviews.models import Answer, Case, CheckIn, Evidence, Feedback
from reviews.packets.build import build_packet
from reviews.packets.document import (
    PDF_CHECK_INS,
    PDF_FULL_ITEMS,
    PDF_ITEM_CHARS,
    PDF_MESSAGE_CHARS,
    PDF_MESSAGES,
    PDF_NOTE_CHARS,
    packet_context,
)
from reviews.packets.importing import PacketRefused, import_packet
from reviews.packets.pdf import render_packet_pdf
from tests.factories import CaseFactory, EvidenceFactory
from tests.form_tokens import with_token
from tests.security.hostile import client_for

# Not about the calendar: the whole module runs on one day.
DAY = "2026-11-16"
pytestmark = [pytest.mark.django_db, pytest.mark.today(DAY)]
TODAY = datetime.date.fromisoformat(DAY)


@pytest.fixture
def case():
    return CaseFactory()


def first_capability(case):
    return case.guide.capabilities.get(number=1)


def add_items(case, count: int, *, capability=None, summary="What was done.") -> list[Evidence]:
    """`count` items at once, the newest first by date; titled "Item 0" (newest) onwards."""
    capability = capability or first_capability(case)
    return Evidence.objects.bulk_create(
        Evidence(
            case=case,
            capability=capability,
            title=f"Item {n}",
            date=TODAY - datetime.timedelta(days=n),
            summary=summary.format(n=n),
        )
        for n in range(count)
    )


def add_check_ins(case, count: int) -> list[CheckIn]:
    """`count` check-ins, one a day back from today, every question answered yes."""
    check_ins = CheckIn.objects.bulk_create(
        CheckIn(case=case, date=TODAY - datetime.timedelta(days=n)) for n in range(count)
    )
    questions = list(case.guide.questions.all())
    Answer.objects.bulk_create(
        Answer(check_in=check_in, question=question, value=Answer.Value.YES)
        for check_in in check_ins
        for question in questions
    )
    return check_ins


def add_messages(case, items: list[Evidence], count: int) -> None:
    Feedback.objects.bulk_create(
        Feedback(
            case=case,
            evidence=items[n % len(items)],
            author=case.sponsor,
            kind=Feedback.Kind.ENDORSE,
            text=f"Message {n}.",
        )
        for n in range(count)
    )


def evidence_form(case) -> dict:
    return with_token(
        {
            "capability": first_capability(case).pk,
            "title": "One more",
            "date": TODAY.isoformat(),
            "summary": "Ran the review.",
        }
    )


def check_in_form(case) -> dict:
    form = {"date": TODAY.isoformat()}
    for question in case.guide.questions.all():
        form[f"q{question.pk}"] = "yes"
    return with_token(form)


# Caps on what a case holds


def test_a_case_holding_the_most_evidence_refuses_another_item(case):
    add_items(case, MAX_EVIDENCE_PER_CASE)

    response = client_for(case.candidate).post(
        reverse("reviews:evidence_create", args=[case.pk]), evidence_form(case)
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A case can hold at most 2,000 evidence items, and this one has 2,000."
    ]
    assert case.evidence.count() == MAX_EVIDENCE_PER_CASE


def test_an_item_of_a_full_case_can_still_be_edited(case):
    items = add_items(case, MAX_EVIDENCE_PER_CASE)

    response = client_for(case.candidate).post(
        reverse("reviews:evidence_edit", args=[case.pk, items[0].pk]), evidence_form(case)
    )

    assert response.status_code == 302
    items[0].refresh_from_db()
    assert items[0].title == "One more"


def test_a_case_holding_the_most_check_ins_refuses_another(case):
    add_check_ins(case, MAX_CHECK_INS_PER_CASE)
    form = check_in_form(case) | {"date": (TODAY - datetime.timedelta(days=600)).isoformat()}

    response = client_for(case.candidate).post(
        reverse("reviews:check_in_create", args=[case.pk]), form
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A case can hold at most 500 check-ins, and this one has 500."
    ]
    assert case.check_ins.count() == MAX_CHECK_INS_PER_CASE


def test_a_case_holding_the_most_feedback_refuses_another_message(case):
    items = add_items(case, MAX_FEEDBACK_PER_CASE // MAX_MESSAGES_PER_THREAD + 1)
    add_messages(case, items, MAX_FEEDBACK_PER_CASE)

    with pytest.raises(services.ValidationError) as refusal:
        services.give_feedback(evidence=items[-1], author=case.candidate, kind="reply", text="Hi")

    assert refusal.value.messages == [
        "A case can hold at most 10,000 feedback messages, and this one has 10,000."
    ]
    assert case.feedback.count() == MAX_FEEDBACK_PER_CASE


def test_a_full_thread_refuses_another_message_and_says_so_on_the_page(case):
    item = EvidenceFactory(case=case)
    add_messages(case, [item], MAX_MESSAGES_PER_THREAD)

    response = client_for(case.sponsor).post(
        reverse("reviews:feedback_create", args=[case.pk, item.pk]),
        with_token({"kind": "endorse", "text": "Once more."}),
        follow=True,
    )

    assert (
        "An evidence item&#x27;s thread can hold at most 100 messages, and this one has 100."
        in response.text
    )
    assert item.feedback.count() == MAX_MESSAGES_PER_THREAD


# Packet import


def packet_of(case, *, items: int = 0, check_ins: int = 0, messages: int = 0) -> dict:
    """The case's packet, for two people new to the database, with lists grown to these sizes."""
    packet = build_packet(Case.objects.with_people().get(pk=case.pk))
    packet["candidate"].update(username="newcomer", email="newcomer@example.org")
    packet["sponsor"].update(username="new-sponsor", email="new-sponsor@example.org")
    item = {"capability": 1, "indicators": [], "title": "Work", "date": "2026-01-05"}
    packet["evidence"] = [item] * items
    answers = {str(q.position): "yes" for q in case.guide.questions.all()}
    packet["check_ins"] = [
        {"date": (TODAY - datetime.timedelta(days=n)).isoformat(), "answers": answers}
        for n in range(check_ins)
    ]
    message = {"evidence": 0, "author": "new-sponsor", "kind": "endorse", "text": "Good."}
    packet["feedback"] = [message] * messages
    return packet


def problems(packet) -> list[str]:
    with pytest.raises(PacketRefused) as refusal:
        import_packet(packet=packet, by=None)
    return [f"{p.path}: {p.message}" for p in refusal.value.problems]


def test_a_packet_of_more_items_than_a_case_holds_is_refused_whole(case):
    packet = packet_of(case, items=MAX_EVIDENCE_PER_CASE + 1)

    assert problems(packet) == [
        "$.evidence: a case can hold at most 2,000 evidence items, and this packet has 2,001"
    ]
    assert Case.objects.count() == 1


def test_a_packet_of_more_check_ins_or_messages_than_a_case_holds_is_refused_whole(case):
    packet = packet_of(
        case,
        items=1,
        check_ins=MAX_CHECK_INS_PER_CASE + 1,
        messages=MAX_FEEDBACK_PER_CASE + 1,
    )

    assert problems(packet) == [
        "$.check_ins: a case can hold at most 500 check-ins, and this packet has 501",
        "$.feedback: a case can hold at most 10,000 feedback messages, and this packet has 10,001",
    ]
    assert Case.objects.count() == 1


def test_a_packet_with_a_thread_longer_than_a_thread_holds_is_refused(case):
    packet = packet_of(case, items=1, messages=MAX_MESSAGES_PER_THREAD + 1)

    assert problems(packet) == [
        "$.feedback: $.evidence[0] has 101 messages; an evidence item's thread can hold at most 100"
    ]


def test_a_packet_at_every_limit_imports(case):
    packet = packet_of(
        case,
        items=MAX_EVIDENCE_PER_CASE,
        check_ins=MAX_CHECK_INS_PER_CASE,
        messages=MAX_MESSAGES_PER_THREAD,
    )

    imported = import_packet(packet=packet, by=None)

    assert imported.evidence.count() == MAX_EVIDENCE_PER_CASE
    assert imported.check_ins.count() == MAX_CHECK_INS_PER_CASE
    assert imported.feedback.count() == MAX_MESSAGES_PER_THREAD


# Pages


def test_the_review_shows_a_page_of_items_in_capability_order_with_links_to_the_rest(case):
    second = case.guide.capabilities.get(number=2)
    add_items(case, 20)
    add_items(case, 10, capability=second)
    client = client_for(case.sponsor)
    url = reverse("reviews:case_review", args=[case.pk])

    first_page = client.get(url)
    second_page = client.get(url, {"page": 2})

    assert len(first_page.context["page"].object_list) == 25
    assert [item.title for item in second_page.context["page"].object_list] == [
        f"Item {n}" for n in range(5, 10)
    ]
    assert '<nav aria-label="Pages">' in first_page.text
    assert 'href="?page=2">Next</a>' in first_page.text
    assert "Page 1 of 2" in first_page.text
    outline = first_page.context["outline"]
    assert [(c.number, c.items, c.page) for c in outline[:3]] == [
        (1, 20, 1),
        (2, 10, 1),
        (3, 0, None),
    ]
    assert 'href="?page=1#group-2"' in first_page.text
    assert "no evidence yet" in first_page.text
    # A capability is shown on the pages holding its items.
    assert [g.capability.number for g in second_page.context["groups"]] == [2]


def test_a_message_written_on_a_later_page_of_the_review_returns_to_it(case):
    items = add_items(case, 30)
    review = reverse("reviews:case_review", args=[case.pk])

    response = client_for(case.sponsor).post(
        reverse("reviews:feedback_create", args=[case.pk, items[-1].pk]),
        with_token({"kind": "endorse", "text": "Good.", "next": f"{review}?page=2"}),
    )

    assert response.url == f"{review}?page=2#thread-{items[-1].pk}"


def test_the_check_in_history_shows_the_latest_twelve_then_older_pages(case):
    made = add_check_ins(case, 14)
    client = client_for(case.candidate)
    url = reverse("reviews:check_in_list", args=[case.pk])

    latest = client.get(url)
    older = client.get(url, {"page": 2})

    dates = sorted(c.date for c in made)
    assert [c.date for c in latest.context["check_ins"]] == dates[2:]
    assert [c.date for c in older.context["check_ins"]] == dates[:2]
    assert "14 check-ins, 12 a page, the latest first" in latest.text
    assert 'href="?page=2">Next</a>' in latest.text


# The packet PDF of a large case


@pytest.mark.slow
def test_the_pdf_gives_the_latest_items_messages_and_check_ins_in_full_and_says_so(case):
    items = add_items(case, PDF_FULL_ITEMS + 5, summary="Full text of item {n}.")
    add_messages(case, items[:5], PDF_MESSAGES + 5)
    add_check_ins(case, PDF_CHECK_INS + 5)

    pdf = render_packet_pdf(Case.objects.with_people().get(pk=case.pk))

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"\s+", " ", text)
    for n in range(PDF_FULL_ITEMS + 5):
        assert f"Item {n} " in text, "every item is listed"
    assert f"Full text of item {PDF_FULL_ITEMS - 1}." in text, "the latest in full"
    assert f"Full text of item {PDF_FULL_ITEMS}." not in text, "older ones by title only"
    assert (
        f"This case has {PDF_FULL_ITEMS + 5} items, more than this PDF gives in full: it shows "
        f"the latest {PDF_FULL_ITEMS} in full and lists the other 5 by title (up to 80 characters) "
        "and date only, under their capability. The JSON packet of the case holds every item in "
        "full."
    ) in text
    assert (
        f"This PDF shows the latest {PDF_MESSAGES} of the {PDF_MESSAGES + 5} messages, on the "
        "items it gives in full"
    ) in text
    assert (
        f"This PDF shows the latest {PDF_CHECK_INS} of the {PDF_CHECK_INS + 5} check-ins, "
        "with their notes"
    ) in text


def test_the_pdf_gives_in_full_only_as_much_text_as_its_bounds_allow(case):
    items = add_items(case, 20, summary="{n} " + "w" * 18_995)
    Feedback.objects.bulk_create(
        Feedback(case=case, evidence=items[0], author=case.sponsor, kind="endorse", text="m" * 5000)
        for _ in range(20)
    )
    check_ins = add_check_ins(case, 6)
    Answer.objects.filter(check_in__in=check_ins).update(note="n" * 2000)

    context = packet_context(Case.objects.with_people().get(pk=case.pk))

    # About 19,000 characters an item: 15 fit in the 300,000, a 16th would not.
    assert (PDF_ITEM_CHARS, context["full_items"], context["brief_items"]) == (300_000, 15, 5)
    assert (PDF_MESSAGE_CHARS, context["shown_messages"]) == (50_000, 10)
    # Six notes of 2,000 characters a check-in: four make 48,000 of the 50,000.
    assert (PDF_NOTE_CHARS, context["shown_check_ins"]) == (50_000, 4)
