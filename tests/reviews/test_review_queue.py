import re

import pytest
from django.urls import reverse

from reviews.models import Case, Feedback
from tests.factories import CaseFactory, EvidenceFactory, FeedbackFactory, UserFactory
from tests.form_tokens import with_token

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]

QUEUE = reverse("reviews:review_queue")


@pytest.fixture
def case():
    return CaseFactory()


def items_of(case, n):
    return [EvidenceFactory(case=case, title=f"Item {i}") for i in range(n)]


def answer(client, item, *, case=None, kind="endorse", text=""):
    data = {"kind": kind, "text": text}
    if case is not None:
        data["case"] = case.pk
    return client.post(
        reverse("reviews:queue_answer", args=[item.pk]), with_token(data), follow=True
    )


def test_queue_shows_the_first_unanswered_item_whole(client, case):
    first, _ = items_of(case, 2)
    FeedbackFactory(evidence=_)
    client.force_login(case.sponsor)
    page = client.get(QUEUE)
    assert page.context["item"] == first
    assert page.context["left"] == 1
    assert "What was done." in page.text and "What changed." in page.text
    assert case.candidate.display_name in page.text


def test_endorsing_without_a_message_lands_on_the_next_item(client, case):
    first, second, third = items_of(case, 3)
    client.force_login(case.sponsor)
    page = answer(client, first)
    assert Feedback.objects.get(evidence=first).kind == "endorse"
    assert page.context["item"] == second
    assert page.context["left"] == 2
    page = answer(client, second, kind="question", text="Who else was involved?")
    assert page.context["item"] == third
    assert Feedback.objects.get(evidence=second).text == "Who else was involved?"


def test_a_question_needs_a_message_and_shows_the_item_again(client, case):
    first, _ = items_of(case, 2)
    client.force_login(case.sponsor)
    page = answer(client, first, kind="question", text="  ")
    assert not Feedback.objects.exists()
    assert page.context["item"] == first
    assert "Write a message" in page.text


def test_skipping_goes_to_the_next_and_comes_round_again(client, case):
    first, second = items_of(case, 2)
    client.force_login(case.sponsor)
    page = client.get(QUEUE, {"after": first.pk})
    assert page.context["item"] == second
    page = answer(client, second)
    assert page.context["item"] == first


def test_a_reply_from_the_candidate_puts_the_item_back_in_the_queue(client, case):
    (item,) = items_of(case, 1)
    FeedbackFactory(evidence=item, kind="question", text="Which team?")
    client.force_login(case.sponsor)
    assert client.get(QUEUE).context["item"] is None
    FeedbackFactory(evidence=item, author=case.candidate, kind="reply", text="Platform.")
    page = client.get(QUEUE)
    assert page.context["item"] == item
    assert "The candidate replied" in page.text


def test_queue_for_one_candidate_and_across_candidates(client, case):
    (mine,) = items_of(case, 1)
    other = CaseFactory(guide=case.guide, sponsor=case.sponsor)
    (theirs,) = items_of(other, 1)
    client.force_login(case.sponsor)
    assert client.get(QUEUE).context["left"] == 2
    page = client.get(QUEUE, {"case": other.pk})
    assert page.context["item"] == theirs and page.context["left"] == 1
    page = answer(client, theirs, case=other)
    assert page.context["item"] is None
    assert "Nothing waits for your answer" in page.text
    assert mine.feedback.count() == 0


def test_closed_cases_stay_out_of_the_queue(client, case):
    items_of(case, 1)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
    client.force_login(case.sponsor)
    assert client.get(QUEUE).context["left"] == 0


@pytest.mark.parametrize("persona", ["outsider", "candidate"])
def test_others_get_404_for_a_case_they_do_not_sponsor(client, case, persona):
    (item,) = items_of(case, 1)
    client.force_login(UserFactory() if persona == "outsider" else case.candidate)
    assert client.get(QUEUE, {"case": case.pk}).status_code == 404
    assert client.get(QUEUE).context["item"] is None
    response = client.post(
        reverse("reviews:queue_answer", args=[item.pk]), with_token({"kind": "endorse"})
    )
    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_bulk_endorse_after_one_confirmation(client, case):
    first, second, third = items_of(case, 3)
    FeedbackFactory(evidence=third, kind="question", text="More?")
    client.force_login(case.sponsor)
    url = reverse("reviews:queue_endorse_all")
    page = client.get(url, {"case": case.pk})
    assert list(page.context["items"]) == [first, second]
    assert not Feedback.objects.filter(kind="endorse").exists()
    page = client.post(
        url, with_token({"case": case.pk, "item": [first.pk, second.pk]}), follow=True
    )
    assert "Endorsed 2 items." in page.text
    assert set(Feedback.objects.filter(kind="endorse").values_list("evidence", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_bulk_endorse_leaves_one_notice_per_case_and_says_what_it_leaves_out(client, case):
    from inbox.models import Notice

    items = items_of(case, 3)
    replied = items_of(case, 1)[0]
    FeedbackFactory(evidence=replied, kind="question", text="Which team?")
    FeedbackFactory(evidence=replied, author=case.candidate, kind="reply", text="Platform.")
    other = CaseFactory(sponsor=case.sponsor)
    (lone,) = items_of(other, 1)
    client.force_login(case.sponsor)
    url = reverse("reviews:queue_endorse_all")
    page = client.get(url)
    assert "1 item the candidates have replied on is not listed" in page.text
    client.post(url, with_token({"item": [i.pk for i in items] + [lone.pk]}))

    notice = Notice.objects.get(recipient=case.candidate, kind="feedback")
    name = case.sponsor.display_name
    assert str(notice) == f"{name} endorsed 3 items on your case for {case.guide.to_level.title}"
    assert notice.link == reverse("reviews:evidence_list", args=[case.pk])
    lone_notice = Notice.objects.get(recipient=other.candidate)
    assert str(lone_notice) == f"{name} endorsed {lone.title}"


def test_queue_runs_a_fixed_number_of_queries(client, case, django_assert_num_queries):
    for other in [case, CaseFactory(guide=case.guide, sponsor=case.sponsor)]:
        for item in items_of(other, 3):
            FeedbackFactory(evidence=item, author=other.candidate, kind="reply", text="Note.")
    client.force_login(case.sponsor)
    client.get(QUEUE)
    # session, user, the queue's order, the item with its case, capability and people, its
    # indicators, attachments, thread, and the capability's indicators.
    with django_assert_num_queries(8):
        client.get(QUEUE)


def test_an_item_without_a_thread_offers_no_reply(client, case):
    (item,) = items_of(case, 1)
    client.force_login(case.sponsor)
    page = client.get(QUEUE)
    assert page.context["item"] == item
    assert 'value="reply"' not in page.text
    assert 'value="endorse"' in page.text


def test_an_item_with_a_thread_offers_a_reply(client, case):
    (item,) = items_of(case, 1)
    FeedbackFactory(evidence=item, author=case.sponsor, kind="question", text="Which team?")
    FeedbackFactory(evidence=item, author=case.candidate, kind="reply", text="Platform.")
    client.force_login(case.sponsor)
    page = client.get(QUEUE)
    assert page.context["item"] == item
    assert 'value="reply"' in page.text


def test_a_sponsor_cannot_reply_where_nobody_has_written(client, case):
    first, second = items_of(case, 2)
    client.force_login(case.sponsor)
    page = answer(client, first, kind="reply", text="Hello?")
    assert not Feedback.objects.exists()
    assert page.context["item"] == first
    assert "nothing to reply to" in page.text


def test_a_refused_answer_keeps_the_choice_and_says_why_beside_the_field(client, case):
    first, _ = items_of(case, 2)
    client.force_login(case.sponsor)
    page = client.post(
        reverse("reviews:queue_answer", args=[first.pk]),
        with_token({"kind": "question", "text": "  "}),
    )
    assert page.status_code == 200
    assert page.context["item"] == first
    html = page.text
    assert re.search(r'value="question" id="queue-kind-question" required checked', html)
    assert not re.search(r'value="endorse" id="queue-kind-endorse" required checked', html)
    assert 'class="alert alert-danger error-summary mt-3"' in html
    assert '<a href="#queue-text">' in html
    assert 'aria-describedby="queue-text-error"' in html
    assert 'id="queue-text-error"' in html
    assert not Feedback.objects.exists()


def test_an_answer_the_service_refuses_keeps_what_was_written(client, case):
    (first,) = items_of(case, 1)
    client.force_login(case.sponsor)
    # Nobody has written on the item yet, so there is nothing to reply to.
    page = client.post(
        reverse("reviews:queue_answer", args=[first.pk]),
        with_token({"kind": "reply", "text": "Say more about the budget."}),
    )
    assert page.status_code == 200
    assert page.context["item"] == first
    assert "nothing to reply to" in page.text
    assert ">Say more about the budget.</textarea>" in page.text
    assert not Feedback.objects.exists()
