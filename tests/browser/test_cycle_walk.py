"""A promotion cycle walked from end to end through its pages: HR opens it, two sponsors
nominate from their case pages and HR a third case with a reason, HR appoints a panel of three,
the panel scores (one panellist, having submitted, looks for the others' scores everywhere and
finds none), the committee reads the agenda by disagreement, records the outcomes, one against
the panel's majority with a justification, HR publishes and the candidate reads the outcome."""

import pytest
from playwright.sync_api import expect

from reviews.models import Cycle
from tests.browser.conftest import log_in
from tests.factories import (
    PASSWORD,
    CaseFactory,
    HRFactory,
    UserFactory,
    published_guide,
    signed_case,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-06-15"),
]

CYCLE = "Autumn 2026"
WORDS = ("Not shown", "Emerging", "Demonstrated", "Strong")
# Each panellist's scores (a word per capability) and recommendation, per candidate. Bea's case
# is where the panel differs most; the panel would promote Ada.
SCORES = {
    "Ada Walker": [(2, 2, "Promote"), (2, 3, "Promote"), (3, 2, "Promote")],
    "Bea Walker": [(0, 1, "Promote"), (3, 3, "Promote"), (1, 2, "Not yet")],
    "Cal Walker": [(1, 1, "Not yet"), (1, 2, "Not yet"), (2, 1, "Not yet")],
}


@pytest.fixture
def world():
    guide = published_guide(capabilities=2)
    sponsors = [
        UserFactory(username=f"sponsor{n}", name=f"Sponsor {n}", current_level=guide.to_level)
        for n in (1, 2)
    ]
    cases = [
        signed_case(
            guide=guide,
            candidate=UserFactory(username="ada", name="Ada Walker"),
            sponsor=sponsors[0],
        ),
        signed_case(
            guide=guide,
            candidate=UserFactory(username="bea", name="Bea Walker"),
            sponsor=sponsors[1],
        ),
        CaseFactory(guide=guide, candidate=UserFactory(username="cal", name="Cal Walker")),
    ]
    panel = [UserFactory(username=f"panel{n}", name=f"Panellist {n}") for n in (1, 2, 3)]
    return {
        "guide": guide,
        "sponsors": sponsors,
        "cases": cases,
        "panel": panel,
        "hr": HRFactory(username="hana", name="Hana HR"),
    }


def as_person(page, user) -> None:
    page.context.clear_cookies()
    log_in(page, user.username, PASSWORD)


# Words each panellist's reasons carry, so that their scores are found without their names.
TAGS = {"panel1": "amber", "panel2": "birch", "panel3": "cedar"}


def reason(panellist, candidate: str, number: int) -> str:
    return f"Read capability {number} of {candidate} closely ({TAGS[panellist.username]})."


def recommendation_reason(panellist, candidate: str) -> str:
    return f"On {candidate} as a whole ({TAGS[panellist.username]})."


def move_to(page, cycle, label: str) -> None:
    page.goto(f"/cycles/{cycle.pk}/")
    page.get_by_role("link", name=f"Move to “{label}”…").click()
    page.get_by_role("button", name=f"Yes, move to “{label}”").click()
    expect(page.locator(".cycle-state")).to_have_text(label)


def score_every_case(page, world, seat: int) -> None:
    panellist = world["panel"][seat]
    as_person(page, panellist)
    page.goto("/panel/")
    for candidate, rows in SCORES.items():
        *values, recommendation = rows[seat]
        page.goto("/panel/")
        page.get_by_role("link", name=f"Your scores on {candidate}’s case").click()
        for capability, value in zip(
            world["guide"].capabilities.order_by("number"), values, strict=True
        ):
            group = page.locator("fieldset.score-capability").filter(has_text=capability.title)
            group.get_by_label(WORDS[value], exact=False).first.check()
            group.get_by_label(f"Reason for your score on {capability.number}").fill(
                reason(panellist, candidate, capability.number)
            )
        page.get_by_label(recommendation, exact=True).check()
        page.get_by_label("Why you recommend this").fill(
            recommendation_reason(panellist, candidate)
        )
        page.get_by_role("button", name="Submit my scores").click()
        expect(page.get_by_text("Your scores are saved.")).to_be_visible()


def others_unseen(page, world, cycle) -> None:
    """Every page that could show a case's scores, asked for by the first panellist once they
    have submitted theirs, with the cycle still scoring: none holds another panellist's."""
    nominations = {n.case_id: n.pk for n in cycle.nominations.all()}
    urls = [
        "/panel/",
        f"/cycles/{cycle.pk}/",
        f"/cycles/{cycle.pk}/calibration/",
        f"/cycles/{cycle.pk}/publish/",
    ]
    for case in world["cases"]:
        urls += [
            f"/panel/nominations/{nominations[case.pk]}/score/",
            f"/cycles/{cycle.pk}/outcomes/{nominations[case.pk]}/",
            f"/cases/{case.pk}/",
            f"/cases/{case.pk}/brief/",
            f"/cases/{case.pk}/outcome/",
            f"/cases/{case.pk}/packet.json",
        ]
    others = world["panel"][1:]
    own = page.request.get(urls[4]).text()
    assert reason(world["panel"][0], "Ada Walker", 1) in own, "the pages show reasons as typed"
    for url in urls:
        html = page.request.get(url).text()
        for other in others:
            for candidate in SCORES:
                assert reason(other, candidate, 1) not in html, url
                assert recommendation_reason(other, candidate) not in html, url
    page.goto(f"/panel/nominations/{nominations[world['cases'][0].pk]}/score/")
    expect(page.locator(".scores-hidden")).to_be_visible()
    page.goto(f"/cycles/{cycle.pk}/calibration/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(CYCLE)


def record(page, candidate: str, result: str, rationale: str) -> None:
    page.get_by_role("link", name=f"record it for {candidate}").click()
    page.get_by_label(result, exact=True).check()
    page.get_by_label("Rationale, as the candidate will read it").fill(rationale)
    page.get_by_role("button", name="Record the outcome").click()


def test_a_cycle_walked_from_opening_to_the_candidate_reading_the_outcome(page, world):
    ada, bea, cal = world["cases"]
    hr = world["hr"]

    # HR opens the cycle.
    as_person(page, hr)
    page.goto("/cycles/")
    page.get_by_role("link", name="New cycle").click()
    page.get_by_role("textbox", name="Name").fill(CYCLE)
    page.get_by_label(world["guide"].label, exact=False).first.check()
    page.get_by_label("Nominations close").fill("2026-07-01")
    page.get_by_label("Scores due").fill("2026-07-15")
    page.get_by_label("Committee meets").fill("2026-07-22")
    page.get_by_label("Outcomes published").fill("2026-07-29")
    page.get_by_role("button", name="Create the cycle").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CYCLE)
    cycle = Cycle.objects.get(name=CYCLE)

    # Two sponsors nominate their signed-off cases from the case page.
    for case in (ada, bea):
        as_person(page, case.sponsor)
        page.goto(case.get_absolute_url())
        page.get_by_role("link", name=f"Nominate to {CYCLE}").click()
        page.get_by_role("button", name=f"Yes, nominate to {CYCLE}").click()
        expect(page.locator(".where-it-stands")).to_contain_text(f"Nominated to {CYCLE} on")

    # HR nominates the third, with a reason, and appoints the panel.
    as_person(page, hr)
    page.goto(f"/cycles/{cycle.pk}/")
    page.get_by_role("combobox", name="Case").select_option(
        label=f"Cal Walker, sponsored by {cal.sponsor.name} (open)"
    )
    page.get_by_role("textbox", name="Reason").fill(
        "Two teams asked the people team to look at Cal's case."
    )
    page.get_by_role("button", name="Nominate").click()
    expect(page.locator(".nomination-table tbody tr")).to_have_count(3)
    expect(page.locator(".nomination-reason")).to_contain_text("Two teams asked")
    page.get_by_role("link", name="Appoint or remove panellists").click()
    for panellist in world["panel"]:
        page.get_by_label("Person").select_option(label=panellist.name)
        page.get_by_role("button", name="Appoint").click()
        expect(page.get_by_role("status")).to_contain_text(f"{panellist.name} is on the panel")
    page.goto(f"/cycles/{cycle.pk}/")
    expect(page.locator(".panel-names li")).to_have_count(3)
    move_to(page, cycle, "Scoring")

    # The panel scores every capability; the first, once submitted, finds no one else's.
    score_every_case(page, world, 1)
    score_every_case(page, world, 2)
    score_every_case(page, world, 0)
    others_unseen(page, world, cycle)

    # In committee the agenda puts the largest disagreement first.
    as_person(page, hr)
    move_to(page, cycle, "In committee")
    page.get_by_role("link", name="Calibration").click()
    expect(page.locator(".calibration-row .calibration-name").first).to_have_text("Bea Walker")
    expect(page.locator(".calibration-row")).to_have_count(3)

    # Outcomes: one against the panel's majority, refused until it is justified.
    page.goto(f"/cycles/{cycle.pk}/")
    page.get_by_role("link", name="Outcomes and publication").click()
    record(page, "Ada Walker", "Not yet", "One more year leading the whole function.")
    expect(page.locator(".error-summary")).to_be_visible()
    page.get_by_label("Why the committee decided against the panel's majority").fill(
        "The evidence covers one team of the three she would lead."
    )
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Outcome “Not yet” recorded")).to_be_visible()
    page.get_by_role("link", name="publication").click()
    record(page, "Bea Walker", "Promoted", "Strong where it matters most.")
    expect(page.get_by_text("Outcome “Promoted” recorded")).to_be_visible()
    page.get_by_role("link", name="publication").click()
    record(page, "Cal Walker", "Not yet", "Broaden the scope first.")
    expect(page.get_by_text("Outcome “Not yet” recorded")).to_be_visible()
    page.get_by_role("link", name="publication").click()
    expect(page.locator(".publish-list")).to_contain_text("against the panel's majority, justified")
    page.get_by_role("button", name="Publish these outcomes").click()
    expect(page.get_by_text("The outcomes are published")).to_be_visible()

    # The candidate reads the outcome, its rationale and the panel's scores, without names.
    as_person(page, ada.candidate)
    page.goto("/notifications/")
    page.locator(".notices li").first.get_by_role("button").click()
    expect(page.get_by_role("heading", name="Not yet")).to_be_visible()
    expect(page.get_by_text("One more year leading the whole function.")).to_be_visible()
    expect(page.get_by_text("The evidence covers one team")).to_be_visible()
    scores = page.locator(".panel-scores")
    for panellist in world["panel"]:
        for number in (1, 2):
            expect(scores).to_contain_text(reason(panellist, "Ada Walker", number))
    assert "Panellist" not in scores.inner_text()
