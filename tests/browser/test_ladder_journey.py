import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD
from tests.browser.conftest import log_in

# The demo is dated back from today.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.dates]

DATA = settings.BASE_DIR / "guides" / "data"


@pytest.fixture
def demo():
    for name in ("m2-to-m3.md", "m3-to-e1.md"):
        call_command("import_guide", str(DATA / name))
    call_command("load_demo", force=True)


def test_a_manager_climbs_the_ladder_to_their_next_guide(page, demo):
    log_in(page, "fay", DEMO_PASSWORD)
    page.get_by_role("link", name="Guides").click()
    ladder = page.get_by_role("region", name="Management")
    expect(ladder.locator(".ladder-level")).to_have_text(
        ["M2 Engineering Manager", "M3 Head of Engineering", "E1 Director of Engineering"]
    )
    ladder.get_by_role("link", name="M2 Engineering Manager → M3 Head of Engineering").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "M2 Engineering Manager → M3 Head of Engineering"
    )
    expect(page.locator("#capability-1").get_by_role("heading", level=3)).to_have_text(
        "1. Leading Through Managers"
    )


def test_the_sponsor_sees_time_at_level_and_the_history_on_the_case(page, demo):
    log_in(page, "tess", DEMO_PASSWORD)
    page.get_by_role("link", name="Fay Example").click()
    expect(page.locator(".time-at-level")).to_have_text("2 years 9 months at M2")
    history = page.get_by_role("region", name="Fay Example’s level history")
    expect(history.get_by_role("row")).to_have_count(2)
    expect(history).to_contain_text("Changed by HR")
