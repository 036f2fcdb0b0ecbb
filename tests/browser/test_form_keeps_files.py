import pytest
from playwright.sync_api import expect

from reviews.models import Attachment
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, CaseFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-06-15"),
]


def test_a_form_error_keeps_the_files(page, tmp_path):
    case = CaseFactory()
    capability = case.guide.capabilities.get(number=1)
    minutes = tmp_path / "offsite-minutes.txt"
    minutes.write_text("What we agreed at the offsite.\n")
    log_in(page, case.candidate.username, PASSWORD)
    page.goto(case.get_absolute_url())
    page.get_by_role("link", name="Log evidence").first.click()

    page.get_by_role("combobox", name="Capability").select_option(
        label=f"{capability.number}. {capability.title}"
    )
    page.get_by_label("Date of the work").fill("2026-06-01")
    page.get_by_label("What was done").fill("Ran the offsite and wrote up the decisions.")
    page.get_by_label("Attachments (optional)").set_input_files(minutes)
    page.get_by_role("button", name="Log evidence").click()

    expect(page.locator(".error-summary")).to_contain_text("Title")
    expect(page.get_by_role("status")).to_contain_text("Your files are kept (offsite-minutes.txt)")
    expect(page.locator(".kept-files")).to_contain_text("offsite-minutes.txt")
    # What was typed is still there.
    expect(page.get_by_label("What was done")).to_have_value(
        "Ran the offsite and wrote up the decisions."
    )
    page.get_by_label("Title").fill("Offsite decisions")
    page.get_by_role("button", name="Log evidence").click()

    expect(page.get_by_role("status")).to_contain_text("Logged “Offsite decisions”.")
    expect(page.get_by_role("link", name="offsite-minutes.txt")).to_be_visible()
    assert Attachment.objects.get().evidence.title == "Offsite decisions"


def test_evidence_waits_as_a_draft_until_it_is_finished(page):
    case = CaseFactory()
    log_in(page, case.candidate.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/evidence/new/")
    page.get_by_label("Title").fill("Board paper, half written")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("status")).to_contain_text("It is not evidence yet")
    page.locator(".evidence-drafts").get_by_role("link", name="Board paper, half written").click()
    expect(page.get_by_label("Title")).to_have_value("Board paper, half written")
