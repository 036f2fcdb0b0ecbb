"""The candidate stars their best items, the sponsor reads them as the candidate's choice and
opens the committee brief from the case page, which reads on a phone and passes axe."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import (
    PASSWORD,
    CaseFactory,
    EvidenceFactory,
    FeedbackFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-11-16"),
]
PHONE = {"width": 375, "height": 800}


def test_stars_and_the_brief(page):
    case = CaseFactory(
        candidate=UserFactory(username="ada", name="Ada Example"),
        narrative="I led the platform move. " * 40,
    )
    first = case.guide.capabilities.get(number=1)
    for n in range(3):
        EvidenceFactory(
            case=case,
            capability=first,
            title=f"Platform move {n}",
            date=datetime.date(2026, 10, 1 + n),
            summary=f"Moved part {n} of the platform.",
        )
    FeedbackFactory(evidence=case.evidence.get(title="Platform move 0"))

    log_in(page, "ada", PASSWORD)
    page.goto(f"/cases/{case.pk}/evidence/")
    stars = page.get_by_role("button", name="Star as one of your best items")
    expect(stars).to_have_count(3)
    stars.first.click()
    expect(page.get_by_text("as one of your best items.")).to_be_visible()
    page.get_by_role("button", name="Star as one of your best items").first.click()
    expect(page.get_by_role("button", name="Remove star")).to_have_count(2)
    page.get_by_role("button", name="Star as one of your best items").click()
    expect(
        page.get_by_text("You have starred 2 items for Capability 1 already: unstar one first.")
    ).to_be_visible()
    page.context.clear_cookies()

    log_in(page, case.sponsor.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/evidence/")
    expect(page.get_by_text("Chosen by Ada Example as a best item")).to_have_count(2)
    expect(page.get_by_role("button", name="Star as one of your best items")).to_have_count(0)
    page.goto(case.get_absolute_url())
    page.get_by_role("link", name="read it").click()
    expect(page.get_by_role("heading", name="Committee brief: Ada Example")).to_be_visible()
    best = page.locator(".brief-capability").first
    expect(best.get_by_text("Chosen by Ada Example as best items")).to_be_visible()
    expect(best.locator(".brief-item")).to_have_count(2)
    expect(page.get_by_text("(continues in the packet)").first).to_be_visible()

    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    results = Axe().run(page)
    violations = results.response["violations"]
    assert [v["id"] for v in violations if v["impact"] in {"serious", "critical"}] == []
