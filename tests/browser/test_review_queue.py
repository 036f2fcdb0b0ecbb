import pytest
from playwright.sync_api import expect

from reviews.models import Feedback
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, CaseFactory, EvidenceFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-06-15"),
]


def test_sponsor_works_through_a_queue_of_20_in_21_page_loads(page):
    first = CaseFactory(candidate=UserFactory(name="Ana Able"))
    second = CaseFactory(
        guide=first.guide, sponsor=first.sponsor, candidate=UserFactory(name="Ben Brook")
    )
    items = [EvidenceFactory(case=first, title=f"Able item {n}") for n in range(12)]
    items += [EvidenceFactory(case=second, title=f"Brook item {n}") for n in range(8)]
    log_in(page, first.sponsor.username, PASSWORD)
    page.goto("/cases/sponsored/")

    loads = []
    page.on("load", lambda _: loads.append(page.url))
    page.get_by_role("link", name="Open your review queue").click()
    expect(page.locator(".queue-left")).to_contain_text("20 items wait for your answer")
    for n in range(20):
        title = page.locator("#queue-item-title")
        expect(title).to_be_visible()
        answering = title.inner_text()
        # The whole item is there: its content, capability and indicators, and its thread.
        expect(page.locator(".queue-item")).to_contain_text("What was done.")
        expect(page.locator(".queue-indicators li").first).to_be_visible()
        if n % 5 == 4:
            page.get_by_label("Question").check()
            page.get_by_label("Message (optional when you endorse)").fill("Who else took part?")
        page.get_by_role("button", name="Send and show the next item").click()
        # Titles are unique, so this holds only once the next page has come.
        expect(page.get_by_role("status")).to_contain_text(f"“{answering}” is in its thread")
    expect(page.locator(".queue-empty")).to_contain_text("Nothing waits for your answer")
    # The last page's content shows before its load event fires; count that load too.
    page.wait_for_load_state("load")
    # One load for the queue, then one for each answer (its post lands on the next item).
    assert 20 <= len(loads) <= 21, loads
    answered = Feedback.objects.filter(author=first.sponsor)
    assert answered.count() == 20
    assert set(answered.values_list("evidence", flat=True)) == {item.pk for item in items}
    assert answered.filter(kind="question").count() == 4


def test_sponsor_endorses_a_candidates_items_at_once(page):
    case = CaseFactory(candidate=UserFactory(name="Cy Cole"))
    for n in range(3):
        EvidenceFactory(case=case, title=f"Cole item {n}")
    log_in(page, case.sponsor.username, PASSWORD)
    page.goto("/cases/sponsored/")
    page.get_by_role("row", name="Cy Cole").get_by_role(
        "link", name="3 awaiting your feedback: open the review queue"
    ).click()
    page.get_by_role("link", name="Endorse several at once").click()
    page.get_by_label("Cy Cole: Cole item 1").uncheck()
    page.get_by_role("button", name="Endorse the ticked items").click()
    expect(page.get_by_role("status")).to_contain_text("Endorsed 2 items.")
    expect(page.locator("#queue-item-title")).to_have_text("Cole item 1")
    assert Feedback.objects.filter(kind="endorse").count() == 2
