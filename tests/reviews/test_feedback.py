import pytest
from django.urls import reverse

from reviews.models import Case, Feedback
from tests.factories import CaseFactory, EvidenceFactory, FeedbackFactory, HRFactory, UserFactory
from tests.form_tokens import with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return EvidenceFactory(case=CaseFactory())


def post(client, item, **data):
    return client.post(
        reverse("reviews:feedback_create", args=[item.case_id, item.pk]),
        with_token(data),
        follow=True,
    )


@pytest.mark.parametrize("kind", ["endorse", "question", "needs_more"])
def test_sponsor_gives_a_verdict(client, item, kind):
    client.force_login(item.case.sponsor)
    post(client, item, kind=kind, text="Noted.")
    assert Feedback.objects.get().kind == kind


def test_candidate_replies_and_sees_feedback_on_their_case_page(client, item):
    Feedback.objects.create(
        case=item.case, evidence=item, author=item.case.sponsor, kind="endorse", text="Great call."
    )
    client.force_login(item.case.candidate)
    post(client, item, kind="reply", text="Thanks, the numbers are in the deck.")
    assert Feedback.objects.filter(kind="reply", author=item.case.candidate).exists()
    page = client.get(item.case.get_absolute_url())
    assert "Great call." in page.text
    assert "Endorse" in page.text


def test_candidate_cannot_endorse_their_own_evidence(client, item):
    client.force_login(item.case.candidate)
    post(client, item, kind="endorse", text="I agree with myself.")
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "other_sponsor"])
def test_outsiders_get_404(client, item, persona):
    person = UserFactory() if persona == "outsider" else CaseFactory(guide=item.case.guide).sponsor
    client.force_login(person)
    response = client.post(
        reverse("reviews:feedback_create", args=[item.case_id, item.pk]),
        {"kind": "endorse", "text": "x"},
    )
    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_hr_reads_but_does_not_join_the_thread(client, item):
    client.force_login(HRFactory())
    response = client.post(
        reverse("reviews:feedback_create", args=[item.case_id, item.pk]),
        {"kind": "reply", "text": "x"},
    )
    assert response.status_code == 403


def test_threads_close_once_the_case_is_signed_off(client, item):
    Case.objects.filter(pk=item.case_id).update(status=Case.Status.SIGNED_OFF)
    client.force_login(item.case.sponsor)
    response = post(client, item, kind="question", text="One more thing?")
    assert "feedback threads are closed" in response.text
    assert not Feedback.objects.exists()


def test_review_page_groups_evidence_by_indicator(client):
    case = CaseFactory()
    capability = case.guide.capabilities.get(number=2)
    first, second = capability.indicators.order_by("position")[:2]
    EvidenceFactory(case=case, capability=capability, title="Both", indicators=[first, second])
    EvidenceFactory(case=case, capability=capability, title="Untagged")
    client.force_login(case.sponsor)
    page = client.get(reverse("reviews:case_review", args=[case.pk])).text
    assert page.count(">Both</a>") == 2
    assert "Not tagged with an indicator" in page
    assert page.count('class="feedback-thread') == 2


def test_history_shows_who_changed_what(client, item):
    client.force_login(item.case.candidate)
    client.post(
        reverse("reviews:evidence_edit", args=[item.case_id, item.pk]),
        with_token(
            {
                "capability": item.capability_id,
                "title": "Renamed item",
                "date": item.date.isoformat(),
                "summary": "What was done.",
            }
        ),
    )
    client.force_login(item.case.sponsor)
    post(client, item, kind="question", text="Which quarter?")
    page = client.get(reverse("reviews:case_history", args=[item.case_id]))
    assert page.status_code == 200
    assert "Renamed item" in page.text
    assert item.case.candidate.display_name in page.text
    assert "Feedback created" in page.text


def test_history_is_for_sponsor_and_hr(client, item):
    url = reverse("reviews:case_history", args=[item.case_id])
    client.force_login(item.case.candidate)
    assert client.get(url).status_code == 403
    client.force_login(HRFactory())
    assert client.get(url).status_code == 200
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_the_service_refuses_feedback_on_a_case_signed_off_since_the_page_read_it():
    from django.core.exceptions import ValidationError

    from reviews.services import give_feedback

    evidence = EvidenceFactory()
    case = evidence.case
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
    with pytest.raises(ValidationError, match="feedback threads are closed"):
        give_feedback(evidence=evidence, author=case.sponsor, kind="endorse", text="Good.")
    assert not Feedback.objects.exists()


def test_the_review_page_offers_the_sponsor_a_reply_only_on_a_thread(client, item):
    quiet = EvidenceFactory(case=item.case)
    FeedbackFactory(evidence=item, author=item.case.sponsor, kind="question", text="When?")
    client.force_login(item.case.sponsor)
    page = client.get(reverse("reviews:case_review", args=[item.case_id])).text
    assert f'id="kind-{item.pk}-reply"' in page
    assert f'id="kind-{quiet.pk}-reply"' not in page
    assert f'id="kind-{quiet.pk}-endorse"' in page


def test_the_service_refuses_a_sponsors_reply_to_an_empty_thread(item):
    from django.core.exceptions import ValidationError

    from reviews.services import give_feedback

    with pytest.raises(ValidationError, match="nothing to reply to"):
        give_feedback(evidence=item, author=item.case.sponsor, kind="reply", text="Hi")
    assert not Feedback.objects.exists()
