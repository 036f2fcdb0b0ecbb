import datetime

import pytest
from playwright.sync_api import expect

from accounts.models import Declaration
from tests.browser.conftest import log_in
from tests.factories import (
    PASSWORD,
    CaseFactory,
    HRFactory,
    NominationFactory,
    UserFactory,
    published_cycle,
    published_guide,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-06-15"),
]


@pytest.fixture
def organisation():
    guide = published_guide()
    cycle = published_cycle(guides=[guide], nominations_close=datetime.date(2026, 3, 1))
    sponsor = UserFactory(name="Sam Sponsor", current_level=guide.to_level)
    cases = [
        CaseFactory(guide=guide, sponsor=sponsor, opened_on=datetime.date(2025, 1, 6))
        for _ in range(6)
    ]
    NominationFactory(case=cases[0], cycle=cycle)
    return {"cycle": cycle, "candidate": cases[0].candidate, "hr": HRFactory()}


def test_hr_asks_a_question_a_candidate_answers_and_hr_reads_only_counts(page, organisation):
    hr, candidate = organisation["hr"], organisation["candidate"]
    log_in(page, hr.username, PASSWORD)
    page.get_by_role("link", name="Fairness").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fairness across cycles")
    page.get_by_role("link", name="Grouping fields").click()
    page.get_by_role("link", name="Add a grouping field").click()
    page.get_by_label("Name").fill("Site")
    page.get_by_label("Question").fill("Where do you mostly work?")
    page.get_by_label("Answers").fill("Harbour office\nHill office\nAt home")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("“Site” is saved")
    page.context.clear_cookies()

    log_in(page, candidate.username, PASSWORD)
    page.get_by_role("button", name=candidate.display_name).click()
    page.get_by_role("link", name="Your details").click()
    expect(page.get_by_text("only HR can see them")).to_be_visible()
    page.get_by_label("Hill office").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Your answers are saved")
    assert Declaration.objects.get(user=candidate).answer.label == "Hill office"
    page.context.clear_cookies()

    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, hr.username, PASSWORD)
    page.goto(f"/cycles/{organisation['cycle'].pk}/fairness/")
    site = page.locator("table", has_text="Hill office")
    expect(site.get_by_role("row", name="Hill office")).to_contain_text("fewer than 5")
    # Shown, the 5 not declared would leave the one who answered as the total less them.
    expect(site.get_by_role("row", name="Not declared")).to_contain_text("fewer than 5")
    expect(site.get_by_role("cell", name="fewer than 5")).to_have_count(5)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the fairness page is {width} px wide at 375 px"
