"""The sign-off form: the answer kept when changed, the override labelled as required when it
is, the shortfall in sentences and a warning about items never reviewed."""

import pytest
from django.urls import reverse

from reviews.models import SignOff
from tests.factories import CaseFactory, EvidenceFactory, FeedbackFactory

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]


@pytest.fixture
def case():
    return CaseFactory()


def url(case):
    return reverse("reviews:sign_off_create", args=[case.pk])


ANSWER = {
    "decision": "ready",
    "rationale": "Board-level work all year.",
    "override_reason": "The hiring gap is a reorganisation, not a lack of skill.",
    "expected_sign_offs": 0,
}


def test_change_my_answer_keeps_the_rationale_and_the_override(client, case):
    client.force_login(case.sponsor)
    confirming = client.post(url(case), ANSWER)
    assert "Confirm your sign-off" in confirming.text
    changed = client.post(url(case), ANSWER | {"confirm": "yes", "change": "yes"})
    assert not SignOff.objects.exists()
    assert "Confirm your sign-off" not in changed.text
    form = changed.context["form"]
    assert form["rationale"].value() == ANSWER["rationale"]
    assert form["override_reason"].value() == ANSWER["override_reason"]
    assert not form.errors


def test_the_override_reason_is_labelled_required_while_readiness_is_not_ready(client, case):
    client.force_login(case.sponsor)
    page = client.get(url(case))
    assert "Reason for overriding readiness (required to sign ready)" in page.text
    assert "Readiness is “Not started”, not “Ready”" in page.text


def test_the_shortfall_is_said_in_sentences(client, case):
    EvidenceFactory(case=case, capability=case.guide.capabilities.get(number=1))
    client.force_login(case.sponsor)
    page = client.get(url(case))
    assert "What readiness still lacks" in page.text
    assert "Not yet sustained — needs evidence:" in page.text
    assert "at least 4" in page.text


def test_items_never_reviewed_are_warned_about(client, case):
    first, second, _ = (EvidenceFactory(case=case) for _ in range(3))
    FeedbackFactory(evidence=first)
    FeedbackFactory(evidence=second, author=case.candidate, kind="reply", text="More here.")
    client.force_login(case.sponsor)
    page = client.get(url(case))
    assert "2 of the 3 evidence items have never had your feedback." in page.text
    for item in (second, _):
        FeedbackFactory(evidence=item)
    assert "never had your feedback" not in client.get(url(case)).text
