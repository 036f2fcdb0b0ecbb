"""What reaches the candidate on their progress page: the sponsor's reasons and their asks."""

import pytest
from django.urls import reverse

from reviews.models import SignOff
from tests.factories import CaseFactory, EvidenceFactory, FeedbackFactory, SignOffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]


@pytest.fixture
def case():
    return CaseFactory()


def progress(client, case, person=None):
    client.force_login(person or case.candidate)
    return client.get(reverse("reviews:case_detail", args=[case.pk]))


def test_a_not_ready_sign_off_shows_its_reasons_until_the_next_one(client, case):
    SignOffFactory(
        case=case,
        decision=SignOff.Decision.NOT_READY,
        rationale="Hiring needs two more quarters of evidence.",
    )
    page = progress(client, case)
    assert 'id="sign-off-reasons"' in page.text
    assert "Hiring needs two more quarters of evidence." in page.text
    assert "This stays here until the next sign-off" in page.text

    SignOffFactory(case=case, decision=SignOff.Decision.READY, rationale="Now sustained.")
    page = progress(client, case)
    assert "Hiring needs two more quarters of evidence." not in page.text
    assert 'id="sign-off-reasons"' not in page.text
    assert "Now sustained." in page.text


def test_questions_and_asks_for_more_wait_for_the_candidates_reply(client, case):
    asked, answered, endorsed = (
        EvidenceFactory(case=case, title=title) for title in ("Asked", "Answered", "Endorsed")
    )
    for item, kind in ((asked, "needs_more"), (answered, "question"), (endorsed, "question")):
        FeedbackFactory(evidence=item, kind=kind, text=f"About {item.title}?")
    FeedbackFactory(evidence=answered, author=case.candidate, kind="reply", text="Here it is.")
    FeedbackFactory(evidence=endorsed, kind="endorse", text="")
    page = progress(client, case)
    waiting = page.context["waiting_for_reply"]
    assert [message.evidence.title for message in waiting] == ["Asked"]
    assert "Waiting for your reply" in page.text
    assert "asked for more on" in page.text
    # The sponsor sees the case page without this list, which is the candidate's to act on.
    assert "Waiting for your reply" not in progress(client, case, case.sponsor).text


def test_cards_name_the_empty_blocks_and_link_to_evidence_and_the_form(client, case):
    import datetime

    capability = case.guide.capabilities.get(number=2)
    EvidenceFactory(case=case, capability=capability, date=datetime.date(2026, 5, 4))
    page = progress(client, case)
    evidence = reverse("reviews:evidence_list", args=[case.pk])
    create = reverse("reviews:evidence_create", args=[case.pk])
    assert f'href="{evidence}?capability=2"' in page.text
    assert "Needs evidence in Jul–Sep 2025, Oct–Dec 2025 and Jan–Mar 2026." in page.text
    assert f'href="{create}?capability=2"' in page.text

    form = client.get(create, {"capability": 2}).context["form"]
    assert form["capability"].value() == capability.pk
    assert client.get(create).context["form"]["capability"].value() is None


def test_check_in_pages_say_what_counts_as_mostly_yes(client, case):
    from tests.factories import CheckInFactory

    CheckInFactory(case=case, answers={1: "no", 2: "no", 3: "partly"})
    client.force_login(case.candidate)
    threshold = "more than half of the 6 questions are answered yes: at least 4."
    listing = client.get(reverse("reviews:check_in_list", args=[case.pk])).text
    assert threshold in listing and "3 of 6 yes · not mostly yes" in listing
    assert threshold in client.get(reverse("reviews:check_in_create", args=[case.pk])).text
