"""The history page says what happened in words: names, titles and labels, never ids or codes."""

import datetime

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import Case, Decision
from tests.factories import CaseFactory, EvidenceFactory, HRFactory, UserFactory, published_guide

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]


@pytest.fixture
def case():
    guide = published_guide()
    return CaseFactory(
        guide=guide,
        candidate=UserFactory(name="Carla Example"),
        sponsor=UserFactory(name="Simon Example", current_level=guide.to_level),
    )


def history(client, case) -> str:
    client.force_login(HRFactory())
    return client.get(reverse("reviews:case_history", args=[case.pk])).text


def test_feedback_names_the_item_it_was_on(client, case):
    item = EvidenceFactory(case=case, title="Moved billing to the new platform")
    services.give_feedback(evidence=item, author=case.sponsor, kind="needs_more", text="Numbers?")
    page = history(client, case)
    assert "Feedback created: Needs more on “Moved billing to the new platform”" in page
    assert "needs_more" not in page


def test_sign_offs_and_the_decision_are_in_the_history(client, case):
    EvidenceFactory(case=case)
    for decision, count in (("not_ready", 0), ("ready", 1)):
        services.sign_off(
            case=case,
            signer=case.sponsor,
            decision=decision,
            rationale=f"Reasons for {count}.",
            override_reason="The panel meets soon.",
            expected_sign_offs=count,
        )
    services.record_decision(
        case=Case.objects.get(pk=case.pk),
        outcome=Decision.Outcome.NOT_YET,
        effective_date=datetime.date(2026, 11, 16),
        note="",
        decided_by=HRFactory(name="Hanna Example"),
    )
    page = history(client, case)
    assert "Sign-off recorded: Not ready: Reasons for 0." in page
    assert "Sign-off recorded: Ready: Reasons for 1." in page
    assert "The panel meets soon." in page
    assert "Decision recorded: Not yet, effective 16 Nov 2026" in page
    assert "Hanna Example" in page
    assert "signed_off" not in page and "not_ready" not in page and "not_yet" not in page
    assert "status</span>: Open → Signed off" in page


def test_a_new_sponsor_is_named_not_numbered(client, case):
    new_sponsor = UserFactory(name="Olga Example", current_level=case.guide.to_level)
    services.reassign_sponsor(case=case, sponsor=new_sponsor)
    page = history(client, case)
    assert "sponsor</span>: Simon Example → Olga Example" in page
