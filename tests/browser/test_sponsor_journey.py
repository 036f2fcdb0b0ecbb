import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD
from reviews.models import Case, SignOff
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("import_guide", str(settings.BASE_DIR / "guides" / "data" / "m3-to-e1.md"))
    call_command("load_demo", force=True)


def test_sponsor_endorses_and_signs_off_then_the_candidate_sees_it(page, browser, demo):
    case = Case.objects.select_related("candidate", "sponsor").get(candidate__username="ada")
    log_in(page, case.sponsor.username, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sponsored candidates")
    page.get_by_role("link", name=case.candidate.display_name).click()

    page.get_by_role("link", name="By indicator").click()
    item = case.evidence.filter(feedback__isnull=True).order_by("-date").first()
    thread = page.locator(f"#thread-{item.pk}")
    thread.get_by_label("Endorse").check()
    thread.get_by_role("textbox").fill("Clear ownership and a measurable result.")
    thread.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Your message is in the thread")
    expect(page.locator(f"#thread-{item.pk}")).to_contain_text(
        "Clear ownership and a measurable result."
    )

    page.get_by_role("link", name="Sign-off").click()
    page.get_by_label("Ready", exact=True).check()
    page.get_by_role("textbox", name="Rationale").fill("Sustained across all four capabilities.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Confirm your sign-off")).to_be_visible()
    page.get_by_role("button", name="Confirm sign-off").click()
    expect(page.get_by_role("status")).to_contain_text("The case is now locked")
    signed = SignOff.objects.get(case=case)
    assert len(signed.packet_sha256) == 64

    candidate_context = browser.new_context(base_url=page.url.split("/cases")[0])
    candidate = candidate_context.new_page()
    log_in(candidate, case.candidate.username, DEMO_PASSWORD)
    expect(candidate.locator(".sign-off-summary")).to_contain_text(
        "This case is signed off, so its evidence can no longer change."
    )
    expect(candidate.get_by_role("link", name="Log evidence")).to_have_count(0)
    expect(candidate.locator("#feedback-title + ul")).to_contain_text(
        "Clear ownership and a measurable result."
    )
    candidate.goto(f"/cases/{case.pk}/evidence/{item.pk}/edit/")
    expect(candidate.get_by_role("status")).to_contain_text(
        "This case is signed off, so its evidence can no longer change."
    )
    candidate_context.close()
