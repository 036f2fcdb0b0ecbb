"""The panel scores, the committee decides against the majority with a justification, HR
publishes, and the candidate reads the outcome and the scores on a phone."""

import pytest

from reviews.models import Cycle, Decision
from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.reviews.scoring_world import make_world, move

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2027-05-07"),
]


def log_out(page) -> None:
    page.context.clear_cookies()


def score(page, world, panellist, *, word: str, recommendation: str) -> None:
    log_in(page, panellist.username, PASSWORD)
    page.goto(f"/panel/nominations/{world.nomination.pk}/score/")
    for capability in world.capabilities:
        group = page.locator("fieldset.score-capability").filter(has_text=capability.title)
        group.get_by_label(word, exact=False).first.check()
        group.get_by_label(f"Reason for your score on {capability.number}").fill(
            f"{word} on capability {capability.number}, from its items."
        )
    page.get_by_label(recommendation, exact=True).check()
    page.get_by_label("Why you recommend this").fill("Read the whole packet.")
    page.get_by_role("button", name="Submit my scores").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your scores are saved.").is_visible()
    log_out(page)


def test_the_panel_scores_the_committee_decides_and_the_candidate_reads_it(page):
    world = make_world(capabilities=2)
    score(page, world, world.panel[0], word="Demonstrated", recommendation="Promote")
    # Before committee the first panellist sees nobody else's scores, even after submitting.
    score(page, world, world.panel[1], word="Strong", recommendation="Promote")
    log_in(page, world.panel[0].username, PASSWORD)
    page.goto(f"/panel/nominations/{world.nomination.pk}/score/")
    assert page.get_by_text("Strong on capability 1").count() == 0
    assert page.locator(".scores-hidden").is_visible()
    log_out(page)

    move(world, Cycle.State.COMMITTEE)
    log_in(page, world.hr.username, PASSWORD)
    page.goto(f"/cycles/{world.cycle.pk}/outcomes/{world.nomination.pk}/")
    assert page.get_by_text("Strong on capability 1, from its items.").is_visible()
    assert page.locator(".panel-scores").get_by_text("Panellist Ben").count() == 2
    page.get_by_label("Not yet", exact=True).check()
    page.get_by_label("Rationale, as the candidate will read it").fill("Scope still narrow.")
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    page.get_by_label("Why the committee decided against the panel's majority").fill(
        "The scope shown covers one team."
    )
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_load_state()
    assert page.get_by_text("Outcome “Not yet” recorded").is_visible()

    page.goto(f"/cycles/{world.cycle.pk}/publish/")
    page.get_by_role("button", name="Publish these outcomes").click()
    page.wait_for_load_state()
    assert page.get_by_text("The outcomes are published").is_visible()
    assert Decision.objects.get(case=world.case).outcome == "not_yet"
    log_out(page)

    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, world.case.candidate.username, PASSWORD)
    page.goto(f"/cases/{world.case.pk}/outcome/")
    assert page.get_by_role("heading", name="Not yet").is_visible()
    assert page.get_by_text("The scope shown covers one team.").is_visible()
    assert page.get_by_text("Strong on capability 2, from its items.").is_visible()
    assert "Panellist" not in page.locator(".panel-scores").inner_text()
    assert page.get_by_text("You may appeal until 21 May 2027").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label("Why you appeal the outcome").fill("Three teams, not one.")
    page.get_by_role("button", name="Send my appeal").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your appeal is sent.").is_visible()
