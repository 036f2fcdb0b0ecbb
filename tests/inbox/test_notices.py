"""Notifications in the app: written by each event, counted in the top bar, read when opened."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from inbox.models import Notice
from inbox.services import mark_read, notify
from reviews import services
from reviews.models import Case, Decision
from reviews.notifications import send_due_notifications
from tests.factories import (
    CaseFactory,
    EvidenceFactory,
    HRFactory,
    UserFactory,
    published_guide,
)
from tests.form_tokens import with_token

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]


@pytest.fixture
def case():
    guide = published_guide()
    return CaseFactory(
        guide=guide,
        candidate=UserFactory(name="Carla Example"),
        sponsor=UserFactory(name="Simon Example", current_level=guide.to_level),
    )


@pytest.fixture
def item(case):
    return EvidenceFactory(case=case, title="Moved billing to the new platform")


def unread(user) -> int:
    return User.objects.get(pk=user.pk).unread_notices


def texts(user) -> list[str]:
    return [str(notice) for notice in Notice.objects.filter(recipient=user)]


def test_sponsors_feedback_notifies_the_candidate_with_a_link_to_the_thread(client, item):
    client.force_login(item.case.sponsor)
    client.post(
        reverse("reviews:feedback_create", args=[item.case_id, item.pk]),
        with_token({"kind": "question", "text": "Which teams took part?"}),
    )
    notice = Notice.objects.get()
    assert notice.recipient == item.case.candidate
    assert str(notice) == "Simon Example asked a question about Moved billing to the new platform"
    assert notice.link == f"{item.get_absolute_url()}#thread-{item.pk}"
    assert unread(item.case.candidate) == 1
    assert unread(item.case.sponsor) == 0


def test_candidates_reply_notifies_the_sponsor(item):
    services.give_feedback(
        evidence=item, author=item.case.candidate, kind="reply", text="Three teams."
    )
    assert texts(item.case.sponsor) == [
        "Carla Example replied about Moved billing to the new platform"
    ]
    assert texts(item.case.candidate) == []


def test_new_evidence_notifies_the_sponsor_and_an_edit_does_not(client, case):
    capability = case.guide.capabilities.order_by("number").first()
    fields = {
        "capability": capability.pk,
        "title": "Ran the hiring panel",
        "date": "2026-11-02",
        "summary": "Chaired it.",
        "outcome": "Two hires.",
        "links": "",
    }
    client.force_login(case.candidate)
    client.post(reverse("reviews:evidence_create", args=[case.pk]), with_token(fields))
    assert texts(case.sponsor) == ["Carla Example logged new evidence: Ran the hiring panel"]
    evidence = case.evidence.get()
    client.post(
        reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]),
        with_token({**fields, "title": "Ran two hiring panels"}),
    )
    assert case.evidence.get().title == "Ran two hiring panels"
    assert unread(case.sponsor) == 1


def test_a_notice_about_deleted_evidence_leads_to_its_case_and_says_so(client, item):
    other = EvidenceFactory(case=item.case, title="Kept item")
    services.give_feedback(evidence=item, author=item.case.sponsor, kind="endorse", text="")
    services.give_feedback(evidence=other, author=item.case.sponsor, kind="endorse", text="")
    services.delete_evidence(evidence=item)

    gone, kept = Notice.objects.filter(recipient=item.case.candidate).order_by("id")
    assert gone.link == item.case.get_absolute_url()
    assert str(gone) == (
        "Simon Example endorsed Moved billing to the new platform (this item has since been "
        "deleted)"
    )
    assert kept.link == f"{other.get_absolute_url()}#thread-{other.pk}"
    client.force_login(item.case.candidate)
    opened = client.post(reverse("inbox:notice_open", args=[gone.pk]), follow=True)
    assert opened.status_code == 200
    assert opened.request["PATH_INFO"] == item.case.get_absolute_url()


def test_sign_off_and_decision_notify_in_plain_words(case):
    EvidenceFactory(case=case)
    services.sign_off(
        case=case,
        signer=case.sponsor,
        decision="not_ready",
        rationale="More breadth first.",
        expected_sign_offs=0,
    )
    services.sign_off(
        case=case,
        signer=case.sponsor,
        decision="ready",
        rationale="Now it is there.",
        override_reason="The committee meets soon.",
        expected_sign_offs=1,
    )
    services.record_decision(
        case=Case.objects.get(pk=case.pk),
        outcome=Decision.Outcome.NOT_YET,
        effective_date=datetime.date(2026, 11, 16),
        note="",
        decided_by=HRFactory(),
    )
    role = case.guide.to_level.title
    assert texts(case.candidate) == [
        f"HR recorded the decision “Not yet” on your case for {role}",
        f"Simon Example signed off your case for {role} as ready: see the reasons",
        f"Simon Example signed off your case for {role} as not ready yet: see the reasons",
    ]
    assert texts(case.sponsor) == [
        "HR recorded the decision “Not yet” on the case of Carla Example"
    ]
    url = case.get_absolute_url()
    # The not-ready sign-off leads to its reasons, which stand in a box of their own.
    assert [n.link for n in Notice.objects.filter(recipient=case.candidate)] == [
        url,
        url,
        f"{url}#sign-off-reasons",
    ]
    assert [n.link for n in Notice.objects.filter(recipient=case.sponsor)] == [url]


def test_a_mailed_reminder_is_noted_in_the_app_with_the_mails_link(case, mailoutbox):
    Case.objects.filter(pk=case.pk).update(opened_on=datetime.date(2026, 1, 5))
    now = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)
    assert send_due_notifications(now=now)["check_in_due"] == 1
    [notice] = Notice.objects.filter(kind=Notice.Kind.REMINDER, about__contains="check-in")
    assert notice.recipient == case.candidate
    assert notice.about == mailoutbox[-1].subject
    assert notice.link == reverse("reviews:check_in_create", args=[case.pk])
    before = Notice.objects.count()
    send_due_notifications(now=now)
    assert Notice.objects.count() == before


def test_top_bar_counts_unread_and_opening_one_marks_it_read(client, item):
    candidate = item.case.candidate
    for text in ("first", "second"):
        notify(recipient_id=candidate.pk, kind="feedback", text=text, about="x", link="/about/")
    client.force_login(candidate)
    page = client.get(reverse("about"))
    assert 'Notifications <span class="badge' in page.text
    assert '>2<span class="visually-hidden"> unread</span>' in page.text
    notice = Notice.objects.filter(recipient=candidate).first()
    response = client.post(reverse("inbox:notice_open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/about/"
    assert unread(candidate) == 1
    client.post(reverse("inbox:notice_open", args=[notice.pk]))
    assert unread(candidate) == 1, "a notice read twice counts once"
    client.post(reverse("inbox:notice_read_all"))
    assert unread(candidate) == 0
    assert 'visually-hidden"> unread' not in client.get(reverse("about")).text


def test_someone_elses_notice_is_404_and_stays_unread(client, item):
    notice = notify(
        recipient_id=item.case.candidate_id, kind="feedback", text="t", about="a", link="/about/"
    )
    client.force_login(item.case.sponsor)
    assert client.post(reverse("inbox:notice_open", args=[notice.pk])).status_code == 404
    assert Notice.objects.get().read_at is None
    assert unread(item.case.candidate) == 1


def test_mark_read_of_nothing_changes_nothing(item):
    assert mark_read(user=item.case.candidate) == 0
    assert unread(item.case.candidate) == 0


def test_list_groups_by_day_newest_first(client, item, time_machine):
    candidate = item.case.candidate
    time_machine.move_to("2026-11-14 09:00")
    notify(recipient_id=candidate.pk, kind="feedback", text="Older", about="a", link="/about/")
    time_machine.move_to("2026-11-16 09:00")
    notify(recipient_id=candidate.pk, kind="feedback", text="Newer", about="b", link="/about/")
    client.force_login(candidate)
    page = client.get(reverse("inbox:notice_list")).text
    assert page.index("Monday 16 November 2026") < page.index("Newer") < page.index("Older")
    assert page.index("Saturday 14 November 2026") < page.index("Older")


def test_empty_list_says_what_will_appear(client, case):
    client.force_login(case.candidate)
    assert "Nothing has happened yet." in client.get(reverse("inbox:notice_list")).text


# session, user (with its unread count)
FLOOR_QUERIES = 2
# session, user, the page's count for the paginator, the page of notices
LIST_QUERIES = 4


@pytest.mark.parametrize("notices", [3, 60])
def test_queries_do_not_grow_with_notices(item, django_assert_num_queries, notices):
    candidate = item.case.candidate
    for n in range(notices):
        notify(recipient_id=candidate.pk, kind="feedback", text=f"n{n}", about="a", link="/x/")
    client = Client()
    client.force_login(candidate)
    client.get(reverse("about"))  # the roles go into the session on the first page
    with django_assert_num_queries(FLOOR_QUERIES):
        page = client.get(reverse("about"))
    assert f">{notices}<span" in page.text
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(reverse("inbox:notice_list"))
    assert page.text.count('class="btn btn-link notice-link') == min(notices, 50)


def test_mark_all_read_says_how_many_it_marked(client, item):
    candidate = item.case.candidate
    for text in ("first", "second", "third"):
        notify(recipient_id=candidate.pk, kind="feedback", text=text, about="x", link="/about/")
    client.force_login(candidate)
    page = client.post(reverse("inbox:notice_read_all"), follow=True)
    assert "Marked 3 notifications as read." in page.text
    page = client.post(reverse("inbox:notice_read_all"), follow=True)
    assert "Nothing was unread." in page.text


def test_mark_all_read_of_one_says_notification(client, item):
    candidate = item.case.candidate
    notify(recipient_id=candidate.pk, kind="feedback", text="only", about="x", link="/about/")
    client.force_login(candidate)
    page = client.post(reverse("inbox:notice_read_all"), follow=True)
    assert "Marked 1 notification as read." in page.text
