"""Notification mails: each event mailed once, to the right person, with a link back to the app."""

import datetime
import threading
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connections
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reviews.models import Case, Decision, Evidence, Feedback, Notification, ReadinessSnapshot
from reviews.notifications import send_due_notifications
from reviews.tasks import NOTIFICATION_INTERVAL, send_notifications_task
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    EvidenceFactory,
    HRFactory,
    SignOffFactory,
    UserFactory,
    published_guide,
)
from tests.locks import wait_for_a_lock_wait
from tests.worker import run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

UTC = datetime.UTC
# A Wednesday in the second month of Q1 2027; the ISO week before it is 2027-W06, 8-14 February.
NOW = datetime.datetime(2027, 2, 17, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
LAST_WEEK = datetime.datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
SITE = "https://reviews.example.org"
NOTHING = {
    "feedback": 0,
    "sign_off": 0,
    "decision": 0,
    "digest": 0,
    "quiet": 0,
    "check_in_due": 0,
    "outcome": 0,
    "failed": 0,
}


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


class GatedBackend(EmailBackend):
    """Holds every message until `release` is set, as a slow mail server would."""

    entered = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        GatedBackend.entered.set()
        assert GatedBackend.release.wait(timeout=10)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE + "/"


@pytest.fixture
def guide():
    return published_guide()


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def logged_at(evidence: Evidence, at: datetime.datetime) -> Evidence:
    # created_at is set by the database clock; tests move it to where the story needs it.
    Evidence.objects.filter(pk=evidence.pk).update(created_at=at)
    evidence.refresh_from_db()
    return evidence


def settled_case(guide, *, now=NOW, **kwargs) -> Case:
    """An open case with nothing due as of `now`: work logged then, a check-in 10 days before."""
    today = timezone.localtime(now).date()
    case = CaseFactory(guide=guide, opened_on=today - datetime.timedelta(days=400), **kwargs)
    logged_at(EvidenceFactory(case=case, date=today), now)
    CheckInFactory(case=case, date=today - datetime.timedelta(days=10))
    return case


def feedback(
    evidence,
    *,
    author,
    kind=Feedback.Kind.ENDORSE,
    text="Clear outcome, well done.",
    at=NOW - datetime.timedelta(hours=2),
):
    item = Feedback.objects.create(
        case=evidence.case, evidence=evidence, author=author, kind=kind, text=text
    )
    Feedback.objects.filter(pk=item.pk).update(created_at=at)
    return item


def real_time_case_with_feedback(guide) -> Case:
    """For the command and the task, which run as of the real clock."""
    now = timezone.now()
    case = settled_case(guide, now=now)
    feedback(case.evidence.get(), author=case.sponsor, at=now - datetime.timedelta(minutes=5))
    return case


def test_tests_send_to_the_in_memory_outbox():
    assert settings.MAILERS["default"]["BACKEND"] == "django.core.mail.backends.locmem.EmailBackend"
    assert mail.outbox == []


def test_feedback_mails_the_candidate_once(guide, mailoutbox):
    case = settled_case(guide)
    evidence = EvidenceFactory(case=case, title="R&D <pilot> for billing", date=days_ago(3))
    logged_at(evidence, NOW - datetime.timedelta(days=1))
    given = feedback(evidence, author=case.sponsor, kind=Feedback.Kind.QUESTION, text="Who & why?")

    assert send_due_notifications(now=NOW) == NOTHING | {"feedback": 1}

    [message] = mailoutbox
    assert message.to == [case.candidate.email]
    assert message.subject == (
        f"{case.sponsor.display_name} asked a question about your evidence: R&D <pilot> for billing"
    )
    assert f"{SITE}/cases/{case.pk}/evidence/{evidence.pk}/#thread-{evidence.pk}" in message.body
    # Plain text: nothing is HTML-escaped.
    assert '"R&D <pilot> for billing"' in message.body
    assert "Who & why?" in message.body
    row = Notification.objects.get()
    assert (row.key, row.recipient, row.subject) == (
        f"feedback:{given.pk}",
        case.candidate,
        message.subject,
    )

    assert send_due_notifications(now=NOW) == NOTHING
    assert len(mailoutbox) == 1


def test_sponsors_reply_notifies_the_candidate_but_the_candidates_own_does_not(guide, mailoutbox):
    case = settled_case(guide)
    evidence = case.evidence.get()
    feedback(evidence, author=case.candidate, kind=Feedback.Kind.REPLY, text="Here is more.")
    assert send_due_notifications(now=NOW) == NOTHING
    assert mailoutbox == []

    feedback(evidence, author=case.sponsor, kind=Feedback.Kind.REPLY, text="Thanks, clear now.")
    assert send_due_notifications(now=NOW)["feedback"] == 1
    assert mailoutbox[0].subject.startswith(f"{case.sponsor.display_name} replied about")


def at(when, make):
    """A row made at `when`: sign-offs are append-only, so their time is set as they are made."""
    with time_machine.travel(when, tick=False):
        return make()


def test_a_sign_off_mails_the_candidate_the_verdict_and_the_reasons(guide, mailoutbox):
    case = settled_case(guide)
    at(
        NOW - datetime.timedelta(hours=1),
        lambda: SignOffFactory(
            case=case, decision="not_ready", rationale="More on hiring, please."
        ),
    )

    assert send_due_notifications(now=NOW) == NOTHING | {"sign_off": 1}
    [message] = mailoutbox
    assert message.to == [case.candidate.email]
    assert message.subject == (
        f"{case.sponsor.display_name} signed off your case for {guide.to_level.title} as not "
        "ready yet"
    )
    assert "More on hiring, please." in message.body
    assert f"{SITE}/cases/{case.pk}/" in message.body
    assert "not_ready" not in message.body
    assert send_due_notifications(now=NOW) == NOTHING


def test_a_decision_mails_the_candidate_and_the_sponsor(guide, mailoutbox):
    case = settled_case(guide)
    at(NOW - datetime.timedelta(days=30), lambda: SignOffFactory(case=case))
    at(
        NOW - datetime.timedelta(hours=1),
        lambda: Decision.objects.create(
            case=case,
            outcome=Decision.Outcome.NOT_YET,
            effective_date=TODAY,
            note="Next cycle.",
            decided_by=HRFactory(),
        ),
    )

    assert send_due_notifications(now=NOW) == NOTHING | {"decision": 2}
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {case.candidate.email, case.sponsor.email}
    assert by_recipient[case.candidate.email].subject == (
        f"HR recorded the decision “Not yet” on your case for {guide.to_level.title}"
    )
    assert by_recipient[case.sponsor.email].subject == (
        f"HR recorded the decision “Not yet” on the case of {case.candidate.display_name}"
    )
    assert "Next cycle." in by_recipient[case.candidate.email].body
    assert send_due_notifications(now=NOW) == NOTHING


def test_sign_offs_and_decisions_older_than_a_week_are_not_mailed(guide, mailoutbox):
    case = settled_case(guide)
    at(NOW - datetime.timedelta(days=8), lambda: SignOffFactory(case=case))
    assert send_due_notifications(now=NOW) == NOTHING
    assert mailoutbox == []


def test_feedback_older_than_a_week_is_not_mailed(guide, mailoutbox):
    case = settled_case(guide)
    given = feedback(case.evidence.get(), author=case.sponsor)
    Feedback.objects.filter(pk=given.pk).update(created_at=NOW - datetime.timedelta(days=8))

    assert send_due_notifications(now=NOW) == NOTHING


def test_candidate_without_an_address_gets_nothing(guide, mailoutbox):
    case = settled_case(guide, candidate=UserFactory(email=""))
    feedback(case.evidence.get(), author=case.sponsor)

    assert send_due_notifications(now=NOW) == NOTHING


def test_weekly_digest_lists_last_weeks_items_for_each_sponsor(guide, mailoutbox):
    sponsor = UserFactory(name="Sam Sponsor", current_level=guide.to_level)
    ada = settled_case(guide, sponsor=sponsor, candidate=UserFactory(name="Ada Example"))
    bob = settled_case(guide, sponsor=sponsor, candidate=UserFactory(name="Bob Example"))
    first = logged_at(EvidenceFactory(case=ada, title="Hired two leads"), LAST_WEEK)
    second = logged_at(
        EvidenceFactory(case=ada, title="Budget plan"),
        datetime.datetime(2027, 2, 8, 0, 1, tzinfo=UTC),
    )
    third = logged_at(
        EvidenceFactory(case=bob, title="Platform roadmap"),
        datetime.datetime(2027, 2, 14, 23, 59, tzinfo=UTC),
    )
    logged_at(
        EvidenceFactory(case=bob, title="Too early"),
        datetime.datetime(2027, 2, 7, 23, 59, tzinfo=UTC),
    )

    assert send_due_notifications(now=NOW) == NOTHING | {"digest": 1}

    [message] = mailoutbox
    assert message.to == [sponsor.email]
    assert message.subject == "Your candidates logged 3 new evidence items last week"
    body = message.body
    assert "8 February to 14 February 2027" in body
    assert body.index("Ada Example") < body.index("Hired two leads") < body.index("Bob Example")
    assert body.index("Bob Example") < body.index("Platform roadmap")
    for item in (first, second, third):
        assert f"{SITE}/cases/{item.case_id}/evidence/{item.pk}/" in body
    assert "Too early" not in body
    for this_week in Evidence.objects.filter(created_at=NOW):
        assert this_week.title not in body
    assert f"{SITE}/cases/" in body
    assert Notification.objects.get().key == f"digest:{sponsor.pk}:2027-W06"

    # Any later run that week, or a second worker, finds the digest sent.
    assert send_due_notifications(now=NOW + datetime.timedelta(days=3)) == NOTHING
    assert len(mailoutbox) == 1


def test_the_digest_links_everyone_you_sponsor_to_the_sponsors_dashboard(guide, mailoutbox, client):
    sponsor = UserFactory(current_level=guide.to_level)
    case = settled_case(guide, sponsor=sponsor)
    logged_at(EvidenceFactory(case=case), LAST_WEEK)
    send_due_notifications(now=NOW)

    [message] = mailoutbox
    [line] = [line for line in message.body.splitlines() if line.startswith("Everyone you sponsor")]
    link = line.split(": ", 1)[1]

    assert link == SITE + reverse("reviews:dashboard")
    client.force_login(sponsor)
    assert client.get(link.removeprefix(SITE)).status_code == 200


def test_digest_skips_sponsors_with_nothing_new_on_open_cases(guide, mailoutbox):
    settled_case(guide)
    closed = settled_case(guide)
    logged_at(EvidenceFactory(case=closed, title="Before withdrawing"), LAST_WEEK)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.WITHDRAWN)

    assert send_due_notifications(now=NOW) == NOTHING
    assert mailoutbox == []


def test_quiet_case_gets_one_reminder_until_new_activity_goes_quiet_again(guide, mailoutbox):
    case = CaseFactory(guide=guide, opened_on=days_ago(400))
    CheckInFactory(case=case, date=days_ago(10))
    logged_at(EvidenceFactory(case=case, date=days_ago(50)), NOW - datetime.timedelta(days=45))

    assert send_due_notifications(now=NOW) == NOTHING | {"quiet": 1}
    [message] = mailoutbox
    assert message.to == [case.candidate.email]
    assert message.subject == "A reminder to log your recent work"
    assert "It has been 45 days since you last logged evidence" in message.body
    assert f"{SITE}/cases/{case.pk}/evidence/new/" in message.body
    anchor = days_ago(45).isoformat()
    assert Notification.objects.get().key == f"quiet:{case.pk}:{anchor}"

    later = NOW + datetime.timedelta(days=40)
    assert send_due_notifications(now=later)["quiet"] == 0

    logged_at(EvidenceFactory(case=case, date=days_ago(5)), NOW - datetime.timedelta(days=5))
    assert send_due_notifications(now=NOW + datetime.timedelta(days=20))["quiet"] == 0
    assert send_due_notifications(now=later)["quiet"] == 1
    assert mailoutbox[-1].to == [case.candidate.email]


def test_no_reminder_while_work_is_dated_or_logged_recently(guide, mailoutbox):
    dated = CaseFactory(guide=guide, opened_on=days_ago(400))
    logged_at(EvidenceFactory(case=dated, date=days_ago(29)), NOW - datetime.timedelta(days=60))
    backdated = CaseFactory(guide=guide, opened_on=days_ago(400))
    logged_at(EvidenceFactory(case=backdated, date=days_ago(90)), NOW - datetime.timedelta(days=2))
    CaseFactory(guide=guide, opened_on=days_ago(29))
    for case in Case.objects.all():
        CheckInFactory(case=case, date=TODAY)

    assert send_due_notifications(now=NOW) == NOTHING


def test_case_without_evidence_is_reminded_from_its_opening(guide, mailoutbox):
    case = CaseFactory(guide=guide, opened_on=days_ago(31))
    CheckInFactory(case=case, date=TODAY)

    assert send_due_notifications(now=NOW)["quiet"] == 1
    assert "towards Director of Engineering opened 31 days ago and has no evidence yet." in (
        mailoutbox[0].body
    )
    assert Notification.objects.get().key == f"quiet:{case.pk}:{days_ago(31).isoformat()}"


def test_check_in_reminder_once_the_quarters_first_month_is_over(guide, mailoutbox):
    case = CaseFactory(guide=guide, opened_on=days_ago(400))
    logged_at(EvidenceFactory(case=case, date=days_ago(1)), NOW - datetime.timedelta(days=1))
    CheckInFactory(case=case, date=datetime.date(2026, 12, 31))

    january = datetime.datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    assert send_due_notifications(now=january, dry_run=True)["check_in_due"] == 0

    assert send_due_notifications(now=NOW) == NOTHING | {"check_in_due": 1}
    [message] = mailoutbox
    assert message.to == [case.candidate.email]
    assert message.subject == "Your check-in for Q1 2027 is due"
    assert "The quarter ends on 31 March 2027." in message.body
    assert f"{SITE}/cases/{case.pk}/check-ins/new/" in message.body
    assert Notification.objects.get().key == f"check_in_due:{case.pk}:2027Q1"

    march = datetime.datetime(2027, 3, 30, 10, 0, tzinfo=UTC)
    assert send_due_notifications(now=march, dry_run=True)["check_in_due"] == 0


def test_no_check_in_reminder_after_a_check_in_or_for_a_case_opened_late(guide, mailoutbox):
    settled_case(guide)
    late = CaseFactory(guide=guide, opened_on=datetime.date(2027, 2, 1))
    logged_at(EvidenceFactory(case=late, date=days_ago(1)), NOW - datetime.timedelta(days=1))

    assert send_due_notifications(now=NOW) == NOTHING


def test_failed_send_records_nothing_and_the_next_run_retries(guide, mailoutbox, caplog):
    case = settled_case(guide)
    given = feedback(case.evidence.get(), author=case.sponsor)
    failing = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}

    with override_settings(MAILERS=failing):
        assert send_due_notifications(now=NOW) == NOTHING | {"failed": 1}
    assert not Notification.objects.exists()
    assert f"Could not send feedback:{given.pk}" in caplog.text
    assert mailoutbox == []

    assert send_due_notifications(now=NOW) == NOTHING | {"feedback": 1}
    assert Notification.objects.get().key == f"feedback:{given.pk}"
    assert len(mailoutbox) == 1


def test_dry_run_sends_and_records_nothing(guide, mailoutbox):
    case = settled_case(guide)
    feedback(case.evidence.get(), author=case.sponsor)

    assert send_due_notifications(now=NOW, dry_run=True) == NOTHING | {"feedback": 1}
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_finding_what_is_due_costs_the_same_queries_for_any_number_of_people(
    guide, django_assert_num_queries
):
    for _ in range(3):
        case = CaseFactory(guide=guide, opened_on=days_ago(400))
        evidence = logged_at(EvidenceFactory(case=case, date=days_ago(60)), LAST_WEEK)
        feedback(evidence, author=case.sponsor)
        CaseFactory(guide=guide, opened_on=days_ago(400))

    # 1 feedback with candidates and authors, 2 sign-offs, 3 decisions, 4 published outcomes,
    # 5 last week's evidence with sponsors and candidates, 6 quiet cases, 7 the quiet reminders
    # already sent, 8 cases due a check-in.
    with django_assert_num_queries(8):
        counts = send_due_notifications(now=NOW, dry_run=True)
    assert counts == NOTHING | {"feedback": 3, "digest": 3, "quiet": 3, "check_in_due": 6}


def test_command_prints_what_it_sent(guide, mailoutbox):
    real_time_case_with_feedback(guide)
    out = StringIO()

    call_command("send_notifications", "--dry-run", stdout=out)
    assert "Would send:\n  feedback: 1\n  digest: " in out.getvalue()
    assert mailoutbox == []

    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert "Sent:\n  feedback: 1\n" in out.getvalue()
    assert len(mailoutbox) == 1


def test_command_fails_loudly_when_mail_cannot_be_sent(guide, mailoutbox):
    real_time_case_with_feedback(guide)
    out = StringIO()

    with (
        override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.FailingBackend"}}),
        pytest.raises(CommandError, match="1 mail"),
    ):
        call_command("send_notifications", stdout=out)
    assert "feedback: 0" in out.getvalue()


def waiting() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path="reviews.tasks.send_notifications_task", status=TaskResultStatus.READY
        )
    )


def test_task_sends_and_queues_its_next_run_an_interval_later(guide, mailoutbox):
    real_time_case_with_feedback(guide)
    before = timezone.now()

    counts = send_notifications_task.call()

    assert counts["feedback"] == 1
    assert len(mailoutbox) == 1
    # It also keeps today's readiness of every active case ready for HR's filters.
    assert counts["readiness_refreshed"] == Case.objects.active().count() > 0
    assert ReadinessSnapshot.objects.count() == Case.objects.active().count()
    [next_run] = waiting()
    assert before + NOTIFICATION_INTERVAL <= next_run.run_after
    assert next_run.run_after <= timezone.now() + NOTIFICATION_INTERVAL

    assert send_notifications_task.call()["readiness_refreshed"] == 0
    assert [run.pk for run in waiting()] == [next_run.pk]


def test_schedule_queues_one_run_however_often_it_is_called():
    out = StringIO()
    call_command("send_notifications", "--schedule", stdout=out)
    call_command("send_notifications", "--schedule", stdout=out)

    assert len(waiting()) == 1
    assert out.getvalue().splitlines() == [
        "Queued a notifications run; `manage.py db_worker` will run it.",
        "A notifications run is already queued; it runs as soon as a worker is free.",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_scheduled_task_and_it_queues_the_next(guide, mailoutbox):
    real_time_case_with_feedback(guide)
    call_command("send_notifications", "--schedule", stdout=StringIO())

    run_queued_tasks()

    assert (
        DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL).return_value["feedback"] == 1
    )
    assert len(mailoutbox) == 1
    [next_run] = waiting()
    assert next_run.run_after > timezone.now() + NOTIFICATION_INTERVAL - datetime.timedelta(
        minutes=1
    )


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_mail(guide):
    case = settled_case(guide)
    feedback(case.evidence.get(), author=case.sponsor)
    GatedBackend.entered.clear()
    GatedBackend.release.clear()
    results = {}

    def run(name):
        try:
            results[name] = send_due_notifications(now=NOW)
        finally:
            connections.close_all()

    with override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.GatedBackend"}}):
        first = threading.Thread(target=run, args=["first"])
        second = threading.Thread(target=run, args=["second"])
        first.start()
        try:
            assert GatedBackend.entered.wait(timeout=10)
            # The first run holds its uncommitted log row while the mail server is slow.
            second.start()
            # Until it blocks on the log's unique key.
            wait_for_a_lock_wait("the second run")
        finally:
            GatedBackend.release.set()
            first.join(timeout=10)
            if second.ident is not None:
                second.join(timeout=10)

    # The second run waited for the first one's log row, then found the event sent.
    assert results == {"first": NOTHING | {"feedback": 1}, "second": NOTHING}
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_task_keeps_the_readiness_of_decided_and_withdrawn_cases_too(guide):
    # HR's list and the dashboard show closed cases with their readiness as well: kept by the
    # hourly run, they are read like the others rather than computed on every page.
    closed = [
        CaseFactory(guide=guide, status=Case.Status.DECIDED),
        CaseFactory(guide=guide, status=Case.Status.WITHDRAWN),
    ]

    assert send_notifications_task.call()["readiness_refreshed"] == 2
    assert sorted(ReadinessSnapshot.objects.values_list("case_id", flat=True)) == sorted(
        case.pk for case in closed
    )
