"""The case page once a case is signed off or decided: what it says to each person."""

import datetime

import pytest
from django.urls import reverse

from inbox.models import Notice
from reviews import services
from reviews.models import Case, Decision
from tests.factories import CaseFactory, EvidenceFactory, HRFactory, SignOffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]


@pytest.fixture
def case():
    case = CaseFactory()
    EvidenceFactory(case=case)
    return case


def progress(client, case, user) -> str:
    client.force_login(user)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return response.text


def decide(case, outcome=Decision.Outcome.PROMOTED, note="Welcome to the new role."):
    SignOffFactory(case=case)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
    case.refresh_from_db()
    return services.record_decision(
        case=case,
        outcome=outcome,
        effective_date=datetime.date(2026, 7, 1),
        note=note,
        decided_by=HRFactory(),
    )


def sign_not_ready(case):
    return services.sign_off(
        case=case,
        signer=case.sponsor,
        decision="not_ready",
        rationale="Hiring needs more evidence.",
        expected_sign_offs=0,
    )


def test_the_candidate_reads_the_decision_on_their_progress_page(client, case):
    decide(case)
    page = progress(client, case, case.candidate)
    assert "HR’s decision: Promoted, effective 1 Jul 2026" in page
    assert "Welcome to the new role." in page


def test_a_closed_case_shows_no_gaps_or_work_to_do(client, case):
    open_page = progress(client, case, case.candidate)
    assert "Work on next" in open_page and "Not yet sustained — needs evidence" in open_page
    decide(case, outcome=Decision.Outcome.NOT_YET)
    page = progress(client, case, case.candidate)
    assert "Work on next" not in page
    assert "Not yet sustained — needs evidence" not in page
    assert "HR’s decision: Not yet" in page


def test_the_sign_off_tab_is_the_sponsors_alone(client, case):
    tab = f'href="{reverse("reviews:sign_off_create", args=[case.pk])}"'
    assert tab in progress(client, case, case.sponsor)
    assert tab not in progress(client, case, HRFactory())
    assert tab not in progress(client, case, case.candidate)


def test_the_signer_is_spoken_to_about_their_own_sign_off(client, case):
    sign_not_ready(case)
    page = progress(client, case, case.sponsor)
    assert "Why you signed off as not ready yet" in page
    assert f"Read {case.sponsor.display_name}’s reasons" not in page
    candidate_page = progress(client, case, case.candidate)
    assert f"Why {case.sponsor.display_name} signed off as not ready yet" in candidate_page


def test_the_sign_off_notice_leads_to_the_reasons(case):
    sign_not_ready(case)
    notice = Notice.objects.get(recipient=case.candidate, kind=Notice.Kind.SIGN_OFF)
    assert notice.link == f"{case.get_absolute_url()}#sign-off-reasons"
