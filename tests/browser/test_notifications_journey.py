"""A sponsor's question reaches the candidate as a notification, which clears once opened; the
candidate's reply reaches the sponsor the same way."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, CaseFactory, EvidenceFactory, UserFactory, published_guide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bell(page):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications")


def test_notifications_appear_and_clear(page, browser):
    guide = published_guide()
    case = CaseFactory(
        guide=guide,
        candidate=UserFactory(username="cleo", name="Cleo Example"),
        sponsor=UserFactory(username="sid", name="Sid Example", current_level=guide.to_level),
    )
    item = EvidenceFactory(case=case, title="Opened the Lisbon office")

    log_in(page, "sid", PASSWORD)
    page.goto(item.get_absolute_url())
    thread = page.locator(f"#thread-{item.pk}")
    thread.get_by_label("Question").check()
    thread.get_by_role("textbox").fill("Who else was in the room?")
    thread.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Your message is in the thread")

    candidate_context = browser.new_context(base_url=page.url.split("/cases")[0])
    candidate = candidate_context.new_page()
    log_in(candidate, "cleo", PASSWORD)
    expect(bell(candidate)).to_have_text("Notifications 1 unread")
    bell(candidate).click()
    expect(candidate.get_by_role("heading", level=1)).to_have_text("Notifications")
    line = candidate.locator(".notices li").first
    expect(line).to_contain_text("Sid Example asked a question about Opened the Lisbon office")
    line.get_by_role("button", name="Opened the Lisbon office").click()
    expect(candidate).to_have_url(
        f"{page.url.split('/cases')[0]}{item.get_absolute_url()}#thread-{item.pk}"
    )
    expect(bell(candidate)).to_have_text("Notifications")
    reply = candidate.locator(f"#thread-{item.pk}")
    reply.get_by_role("textbox").fill("The regional leads.")
    reply.get_by_role("button", name="Send").click()
    expect(candidate.get_by_role("status")).to_contain_text("Your message is in the thread")
    candidate.goto("/notifications/")
    expect(candidate.locator(".notices li .badge")).to_have_count(0)
    candidate_context.close()

    page.reload()
    expect(bell(page)).to_have_text("Notifications 1 unread")
    bell(page).click()
    expect(page.locator(".notice-unread")).to_contain_text(
        "Cleo Example replied about Opened the Lisbon office"
    )
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".notice-unread")).to_have_count(0)
    expect(bell(page)).to_have_text("Notifications")
