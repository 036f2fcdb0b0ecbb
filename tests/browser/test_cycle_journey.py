"""A promotion cycle up to scoring, at a phone's width: HR creates it and appoints the panel, the
sponsor nominates a case signed off as ready, the candidate reads where it stands, the panellist
finds it on their panel and reads its packet, and HR moves the cycle to scoring."""

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from demo.cycles import delete_current_cycle
from demo.people import DEMO_PASSWORD
from reviews.models import Case, Cycle
from reviews.services import sign_off
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}


@pytest.fixture
def ready_case():
    call_command("import_guide", str(settings.BASE_DIR / "guides" / "data" / "m3-to-e1.md"))
    call_command("load_demo", force=True)
    # Ada's case is in the demo's own cycle; this journey makes its cycle from the start.
    delete_current_cycle()
    case = Case.objects.active().select_related("sponsor").get(candidate__username="ada")
    sign_off(
        case=case,
        signer=case.sponsor,
        decision="ready",
        rationale="Sustained across every capability.",
        override_reason="Judged ready on the whole.",
        expected_sign_offs=case.sign_offs.count(),
    )
    return case


def fits_a_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def as_person(page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username, DEMO_PASSWORD)


def test_a_cycle_from_its_creation_to_scoring(page, ready_case):
    page.set_viewport_size(PHONE)
    panellist = "tess" if ready_case.sponsor.username != "tess" else "sam"

    as_person(page, "hana")
    page.goto("/cycles/")
    fits_a_phone(page)
    page.get_by_role("link", name="New cycle").click()
    page.get_by_role("textbox", name="Name").fill("Spring 2027")
    page.get_by_label(ready_case.guide.label, exact=False).first.check()
    page.get_by_label("Nominations close").fill("2027-03-01")
    page.get_by_label("Scores due").fill("2027-03-15")
    page.get_by_label("Committee meets").fill("2027-03-10")
    page.get_by_label("Outcomes published").fill("2027-03-31")
    page.get_by_role("button", name="Create the cycle").click()
    expect(page.locator(".error-summary")).to_contain_text("The dates must follow one another")
    fits_a_phone(page)
    page.get_by_label("Committee meets").fill("2027-03-22")
    page.get_by_role("button", name="Create the cycle").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Spring 2027")
    expect(page.locator(".cycle-moves")).to_contain_text("Opened for nominations by Hana")
    fits_a_phone(page)

    page.get_by_role("link", name="Appoint or remove panellists").click()
    page.get_by_label("Person").select_option(label=option_for(page, panellist))
    page.get_by_role("button", name="Appoint").click()
    expect(page.locator(".panel-list")).to_have_count(1)
    fits_a_phone(page)

    as_person(page, ready_case.sponsor.username)
    page.goto(ready_case.get_absolute_url())
    page.get_by_role("link", name="Nominate to Spring 2027").click()
    page.get_by_role("button", name="Yes, nominate to Spring 2027").click()
    expect(page.locator(".where-it-stands")).to_contain_text("Nominated to Spring 2027 on")
    fits_a_phone(page)

    as_person(page, "ada")
    page.goto(ready_case.get_absolute_url())
    expect(page.locator(".where-it-stands")).to_contain_text("Nominated to Spring 2027 on")
    expect(page.get_by_role("link", name="Nominate to Spring 2027")).to_have_count(0)

    as_person(page, panellist)
    page.goto("/")
    page.get_by_role("button", name="Show navigation").click()
    page.get_by_role("link", name="Panel", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cycles")
    fits_a_phone(page)
    page.locator(".scorable-cases").get_by_role("link", name="Ada Example", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ada Example")

    as_person(page, "hana")
    cycle = Cycle.objects.get(name="Spring 2027")
    page.goto(f"/cycles/{cycle.pk}/")
    page.get_by_role("link", name="Move to “Scoring”…").click()
    fits_a_phone(page)
    page.get_by_role("button", name="Yes, move to “Scoring”").click()
    expect(page.locator(".cycle-state")).to_have_text("Scoring")
    expect(page.locator(".cycle-moves")).to_contain_text("Moved to scoring by Hana")


def option_for(page, username: str) -> str:
    """The panel form's option for this demo person: their name and level."""
    options = page.get_by_label("Person").locator("option").all_inner_texts()
    name = {"tess": "Tess Example", "sam": "Sam Example"}[username]
    return next(option for option in options if option.startswith(name))
