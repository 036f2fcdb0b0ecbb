"""What changed since the sponsor last looked: marked on the dashboard and in the queue."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reviews.models import CaseLook
from tests.factories import CaseFactory, EvidenceFactory, FeedbackFactory

# Each test moves the clock itself, from day to day of June 2026.
pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-01")]

DASHBOARD = reverse("reviews:dashboard")
QUEUE = reverse("reviews:review_queue")


def at(day: int, hour: int = 12):
    return time_machine.travel(datetime.datetime(2026, 6, day, hour, tzinfo=datetime.UTC))


def row_of(client):
    (row,) = client.get(DASHBOARD).context["rows"]
    return row


def test_new_items_and_replies_are_counted_until_the_sponsor_looks(client):
    with at(1):
        case = CaseFactory()
        old = EvidenceFactory(case=case, date=datetime.date(2026, 5, 2))
        FeedbackFactory(evidence=old, kind="question", text="Which budget?")
        client.force_login(case.sponsor)
        client.get(reverse("reviews:case_review", args=[case.pk]))
    with at(3):
        EvidenceFactory(case=case, date=datetime.date(2026, 5, 20))
        FeedbackFactory(evidence=old, author=case.candidate, kind="reply", text="The hiring one.")
    with at(4):
        client.force_login(case.sponsor)
        row = row_of(client)
        assert (row.new_items, row.new_replies) == (1, 1)
        page = client.get(DASHBOARD).text
        assert "1 new item</span>" in page and "1 new reply</span>" in page
        # The item's work was done on 20 May and logged on 3 June: the row says both.
        assert "20 May 2026</time>" in page and "logged <time" in page
        assert ">3 Jun 2026</time>" in page

        queue = client.get(QUEUE, {"case": case.pk})
        assert queue.context["item"] == old and not queue.context["is_new"]
        assert "The candidate replied" in queue.text
        queue = client.get(QUEUE, {"case": case.pk, "after": old.pk})
        assert queue.context["is_new"] and "New since you last looked" in queue.text

        client.get(reverse("reviews:case_review", args=[case.pk]))
        row = row_of(client)
        assert (row.new_items, row.new_replies) == (0, 0)


def test_a_case_never_looked_at_counts_everything_as_new_and_others_do_not_record(client):
    with at(1):
        case = CaseFactory()
        EvidenceFactory(case=case)
        EvidenceFactory(case=case)
        client.force_login(case.candidate)
        client.get(reverse("reviews:case_review", args=[case.pk]))
        client.force_login(case.sponsor)
        assert row_of(client).new_items == 2


def test_going_through_a_candidates_whole_queue_counts_as_looking(client):
    with at(1):
        case = CaseFactory()
        FeedbackFactory(evidence=EvidenceFactory(case=case))
        client.force_login(case.sponsor)
        assert not CaseLook.objects.exists()
        assert client.get(QUEUE, {"case": case.pk}).context["item"] is None
        assert CaseLook.objects.get(case=case, user=case.sponsor)


def test_the_sponsors_last_answer_counts_as_a_look(client):
    with at(1):
        case = CaseFactory()
        answered = EvidenceFactory(case=case)
        FeedbackFactory(evidence=answered)
    with at(2):
        EvidenceFactory(case=case)
        client.force_login(case.sponsor)
        assert row_of(client).new_items == 1
