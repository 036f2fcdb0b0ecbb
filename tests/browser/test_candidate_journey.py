import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD, DEMO_PEOPLE
from reviews.models import CheckIn, Evidence
from reviews.readiness.months import month_key, month_name
from tests.browser.conftest import log_in

# The demo on one day; tests/demo/test_cases.py checks it on every day CI tries.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-11-16"),
]

SHIPPED_GUIDE = settings.BASE_DIR / "guides" / "data" / "m3-to-e1.md"


@pytest.fixture
def demo():
    call_command("import_guide", str(SHIPPED_GUIDE))
    call_command("load_demo", force=True)


def month_cell(page, capability_title: str):
    label = f"{capability_title}, {month_name(month_key(timezone.localdate()))}:"
    return page.locator("svg.heat-strip title", has_text=label)


def test_candidate_logs_evidence_and_takes_a_check_in(page, demo):
    candidate = next(person for person in DEMO_PEOPLE if person.role == "candidate")
    log_in(page, candidate.username, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("My progress")

    evidence = Evidence.objects.filter(case__candidate__username=candidate.username)
    capability = evidence.first().case.guide.capabilities.get(number=2)
    this_month = evidence.filter(
        capability=capability,
        date__month=timezone.localdate().month,
        date__year=timezone.localdate().year,
    ).count()
    expect(month_cell(page, capability.title)).to_have_text(
        f"{capability.title}, {month_name(month_key(timezone.localdate()))}: "
        f"{this_month} item{'' if this_month == 1 else 's'}"
    )

    page.get_by_role("link", name="Log evidence").first.click()
    page.get_by_role("combobox", name="Capability").select_option(label=f"2. {capability.title}")
    first_indicator = capability.indicators.get(position=1)
    expect(page.get_by_label(first_indicator.text)).to_be_visible()
    # Only the chosen capability's indicators are offered once a capability is chosen.
    other = evidence.first().case.guide.capabilities.get(number=1).indicators.get(position=1)
    expect(page.get_by_label(other.text)).to_be_hidden()
    page.get_by_label(first_indicator.text).check()
    page.get_by_role("textbox", name="Title", exact=True).fill(
        "Led the pricing review with the finance team"
    )
    page.get_by_role("textbox", name="Date of the work").fill(timezone.localdate().isoformat())
    page.get_by_role("textbox", name="What was done").fill(
        "Chaired **four** sessions with finance and sales."
    )
    page.get_by_role("button", name="Preview").first.click()
    expect(page.locator(".markdown-preview strong").first).to_have_text("four")
    page.get_by_role("textbox", name="Business outcome (optional)").fill(
        "A pricing change the board approved."
    )
    page.get_by_role("textbox", name="Links (optional)").fill("https://example.org/pricing-review")
    page.get_by_role("button", name="Log evidence").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Led the pricing review with the finance team"
    )
    expect(page.get_by_role("link", name="https://example.org/pricing-review")).to_be_visible()

    page.get_by_role("link", name=candidate.name).first.click()
    expect(month_cell(page, capability.title)).to_have_text(
        f"{capability.title}, {month_name(month_key(timezone.localdate()))}: "
        f"{this_month + 1} item{'' if this_month + 1 == 1 else 's'}"
    )

    page.get_by_role("link", name="Check-ins").click()
    before = CheckIn.objects.filter(case__candidate__username=candidate.username).count()
    page.get_by_role("link", name="Take a check-in").click()
    page.get_by_role("textbox", name="Date", exact=True).fill(timezone.localdate().isoformat())
    for index, fieldset in enumerate(page.locator("fieldset.check-in-question").all()):
        fieldset.get_by_label("Yes" if index % 3 else "Partly", exact=True).check()
    page.get_by_role("button", name="Save check-in").click()

    expect(page.get_by_role("status")).to_contain_text("Check-in of")
    history = page.locator("table.check-in-history")
    expect(history.locator("thead th")).to_have_count(before + 2)
    expect(history).to_contain_text(timezone.localdate().strftime("%-d %b %Y"))
