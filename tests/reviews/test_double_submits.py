"""One form sent twice, or three times at once, saves once (reviews/once.py): evidence,
check-ins, feedback (endorsements and replies) and decisions.

Each form is drawn once, so every send carries the same one-time token, as a double click or a
resent page does. The first send saves; the others are taken to what it saved, with a message.
"""

import datetime
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.urls import reverse

from reviews.models import Case, CheckIn, Decision, Feedback, FormSubmission
from reviews.once import OUT_OF_DATE, SENT_TWICE, TOKEN_FIELD
from reviews.tasks import send_notifications_task
from tests.factories import CaseFactory, EvidenceFactory, HRFactory, published_guide, signed_case
from tests.form_tokens import with_token

DAY = datetime.date(2026, 6, 15)
pytestmark = pytest.mark.today(DAY.isoformat())
KINDS = ["evidence", "check-in", "endorsement", "reply", "decision"]


@dataclass(frozen=True)
class Submit:
    """One drawn form: who sends it, where, its fields with their token, and how many of what it
    saves there are."""

    user: object
    url: str
    data: dict
    saved: Callable[[], int]


def _submit(kind: str) -> Submit:
    guide = published_guide(capabilities=1, indicators=1, questions=2)
    case = CaseFactory(guide=guide)
    item = EvidenceFactory(case=case)
    thread = reverse("reviews:feedback_create", args=[case.pk, item.pk])
    if kind == "evidence":
        fields = {
            "capability": item.capability_id,
            "title": "Sent twice",
            "date": DAY.isoformat(),
            "summary": "Done.",
        }
        url = reverse("reviews:evidence_create", args=[case.pk])
        return Submit(case.candidate, url, fields, case.evidence.filter(title="Sent twice").count)
    if kind == "check-in":
        fields = {"date": DAY.isoformat()}
        for question in guide.questions.all():
            fields[f"q{question.pk}"] = "yes"
        url = reverse("reviews:check_in_create", args=[case.pk])
        return Submit(case.candidate, url, fields, CheckIn.objects.filter(case=case).count)
    if kind in ("endorsement", "reply"):
        verdict = kind == "endorsement"
        fields = {"kind": "endorse" if verdict else "reply", "text": "Sent twice."}
        author = case.sponsor if verdict else case.candidate
        return Submit(author, thread, fields, Feedback.objects.filter(evidence=item).count)
    signed = signed_case(guide=guide)
    fields = {
        "action": "decision",
        "outcome": "promoted",
        "effective_date": DAY.isoformat(),
        "confirm_promotion": "on",
    }
    url = reverse("reviews:case_manage", args=[signed.pk])
    return Submit(HRFactory(), url, fields, Decision.objects.filter(case=signed).count)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_a_form_sent_twice_saves_once_and_the_second_send_shows_the_first(kind):
    submit = _submit(kind)
    client = _client(submit.user)
    data = with_token(submit.data)

    first = client.post(submit.url, data)
    again = client.post(submit.url, data)

    assert submit.saved() == 1
    assert (first.status_code, again.status_code) == (302, 302)
    assert again.url == first.url
    assert SENT_TWICE in client.get(again.url).text


def _senders(submit: Submit, answers: list, times: int = 3) -> list[threading.Thread]:
    """Threads that send one drawn form at the same moment, each with its own client and
    connection, and leave each answer (status, where it leads) in `answers`."""
    data, barrier = with_token(submit.data), threading.Barrier(times)

    def send(client: Client) -> None:
        try:
            barrier.wait(timeout=20)
            response = client.post(submit.url, data)
            answers.append((response.status_code, response.get("Location")))
        finally:
            connections.close_all()

    return [threading.Thread(target=send, args=[_client(submit.user)]) for _ in range(times)]


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_three_times_at_once_saves_once():
    """Every kind at the same moment, three sends of each."""
    submits = {kind: _submit(kind) for kind in KINDS}
    sends = {kind: [] for kind in KINDS}
    threads = [t for kind, submit in submits.items() for t in _senders(submit, sends[kind])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    found = [
        f"{kind}: {submit.saved()} saved, answers {sends[kind]}"
        for kind, submit in submits.items()
        # Three sends, all taken to the one thing saved.
        if submit.saved() != 1
        or len(sends[kind]) != 3
        or len({*sends[kind]}) != 1
        or sends[kind][0][0] != 302
    ]
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_a_refused_send_leaves_the_token_for_the_corrected_form():
    submit = _submit("check-in")
    client = _client(submit.user)
    data = with_token(submit.data)
    CheckIn.objects.create(case=Case.objects.get(candidate=submit.user), date=DAY)

    taken = client.post(submit.url, data)
    corrected = client.post(submit.url, {**data, "date": (DAY - datetime.timedelta(1)).isoformat()})

    assert "There is already a check-in on this date." in taken.text
    assert corrected.status_code == 302
    assert submit.saved() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "made-up", "abc:def:ghi"])
def test_a_form_without_a_token_it_was_drawn_with_is_refused_in_plain_words(token):
    submit = _submit("evidence")
    response = _client(submit.user).post(submit.url, {**submit.data, TOKEN_FIELD: token})

    assert response.status_code == 200
    assert OUT_OF_DATE in response.text
    assert "more than 7 days ago" in response.text
    assert submit.saved() == 0
    assert not FormSubmission.objects.exists()


@pytest.mark.django_db
def test_a_form_drawn_more_than_seven_days_ago_is_refused_and_drawn_again():
    submit = _submit("evidence")
    client = _client(submit.user)
    data = with_token(submit.data)

    with time_machine.travel(datetime.datetime(2026, 6, 23, 12, tzinfo=datetime.UTC)):
        response = client.post(submit.url, data)
        assert response.status_code == 200
        assert OUT_OF_DATE in response.text
        fresh = response.context["form"].data
        resent = client.post(submit.url, {**data, TOKEN_FIELD: _drawn_token(response.text)})

    assert fresh["title"] == "Sent twice", "what was entered is kept"
    assert resent.status_code == 302
    assert submit.saved() == 1


def _drawn_token(page: str) -> str:
    return re.search(f'name="{TOKEN_FIELD}" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_every_form_that_saves_once_is_drawn_with_its_own_token():
    guide = published_guide(capabilities=1, indicators=1, questions=2)
    case = CaseFactory(guide=guide)
    first, second = EvidenceFactory(case=case), EvidenceFactory(case=case)
    candidate = _client(case.candidate)
    signed = signed_case(guide=guide)
    pages = [
        candidate.get(reverse("reviews:evidence_create", args=[case.pk])).text,
        candidate.get(reverse("reviews:evidence_edit", args=[case.pk, first.pk])).text,
        candidate.get(reverse("reviews:check_in_create", args=[case.pk])).text,
        _client(case.sponsor).get(reverse("reviews:case_review", args=[case.pk])).text,
        candidate.get(second.get_absolute_url()).text,
        _client(HRFactory()).get(reverse("reviews:case_manage", args=[signed.pk])).text,
    ]
    drawn = [re.findall(f'name="{TOKEN_FIELD}" value="([^"]+)"', page) for page in pages]
    # The review draws one thread form per item, each with a token of its own.
    assert [len(tokens) for tokens in drawn] == [1, 1, 1, 2, 1, 1]
    assert len({token for tokens in drawn for token in tokens}) == 7


@pytest.mark.django_db
def test_tokens_are_forgotten_once_their_forms_can_no_longer_be_sent():
    submit = _submit("reply")
    client = _client(submit.user)
    client.post(submit.url, with_token(submit.data))
    with time_machine.travel(datetime.datetime(2026, 6, 21, 12, tzinfo=datetime.UTC)):
        client.post(submit.url, with_token({**submit.data, "text": "A week later."}))

    with time_machine.travel(datetime.datetime(2026, 6, 23, 13, tzinfo=datetime.UTC)):
        # The hourly run forgets the first: a form drawn before it was sent is now too old.
        assert send_notifications_task.call()["form_tokens_forgotten"] == 1
    assert list(FormSubmission.objects.values_list("created_at__date", flat=True)) == [
        datetime.date(2026, 6, 21)
    ]
