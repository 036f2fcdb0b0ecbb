import datetime

import pytest
from playwright.sync_api import expect

from reviews.models import SignOff
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, CaseFactory, EvidenceFactory, SignOffFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-06-15"),
]


def test_candidate_sees_the_not_ready_reasons_and_the_blocks_to_fill(page):
    case = CaseFactory()
    hiring = case.guide.capabilities.get(number=2)
    for number in (1, 2, 3, 4):
        EvidenceFactory(
            case=case,
            capability=case.guide.capabilities.get(number=number),
            date=datetime.date(2026, 5, 4),
        )
    SignOffFactory(
        case=case,
        decision=SignOff.Decision.NOT_READY,
        rationale="Two more quarters of hiring evidence, please.",
        readiness_status="building",
    )
    log_in(page, case.candidate.username, PASSWORD)
    page.goto(case.get_absolute_url())

    expect(page.locator(".sign-off-summary")).to_contain_text("Signed off as not ready yet")
    page.get_by_role("link", name=f"Read {case.sponsor.display_name}’s reasons").click()
    expect(page.locator("#sign-off-reasons")).to_contain_text(
        "Two more quarters of hiring evidence, please."
    )
    expect(page.locator(".flags")).to_contain_text("needs evidence")
    card = page.locator(".capability-card").nth(1)
    expect(card).to_contain_text("Needs evidence in Jul–Sep 2025, Oct–Dec 2025 and Jan–Mar 2026.")
    card.get_by_role("link", name=f"Log evidence for {hiring.title}").click()
    expect(page.get_by_role("combobox", name="Capability")).to_have_value(str(hiring.pk))

    page.goto(case.get_absolute_url())
    page.locator(".capability-card").nth(1).get_by_role("link", name=f"2. {hiring.title}").click()
    expect(page.get_by_role("combobox", name="Capability")).to_have_value("2")
