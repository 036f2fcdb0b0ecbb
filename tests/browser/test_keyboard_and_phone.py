"""Keyboard and phone: focus rings that can be seen, focus on the errors after a failed submit,
and at 375 px the month grids open on the latest months, dashboard rows are cards and filters
fold away."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import (
    PASSWORD,
    CaseFactory,
    CheckInFactory,
    EvidenceFactory,
    HRFactory,
    UserFactory,
    published_guide,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-11-16"),
]
TODAY = datetime.date(2026, 11, 16)

PHONE = {"width": 375, "height": 800}
TABS = 30

# The focused element's ring, and the first opaque background behind it (the ring is drawn
# outside the element, so its parent's background is what it must stand out from).
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let node = el.parentElement, background = "rgb(255, 255, 255)";
  while (node) {
    const colour = getComputedStyle(node).backgroundColor;
    const clear = !colour || colour === "transparent" || colour.endsWith(", 0)");
    if (!clear) { background = colour; break; }
    node = node.parentElement;
  }
  return {
    what: el.outerHTML.slice(0, 80),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    colour: style.outlineColor,
    background: background,
  };
}"""


def luminance(colour: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3])

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def world():
    guide = published_guide()
    case = CaseFactory(
        guide=guide,
        candidate=UserFactory(username="cleo"),
        sponsor=UserFactory(username="sid", current_level=guide.to_level),
        opened_on=TODAY - datetime.timedelta(days=700),
    )
    today = TODAY
    for months in range(0, 24, 2):
        EvidenceFactory(case=case, date=today - datetime.timedelta(days=30 * months))
    for quarter in range(8):
        CheckInFactory(case=case, date=today - datetime.timedelta(days=91 * quarter + 1))
    for _ in range(3):
        CaseFactory(guide=guide, sponsor=case.sponsor)
    HRFactory(username="hedda")
    return case


def test_every_focus_ring_stands_out_three_to_one(page, world):
    weak = []
    for username, path in [
        ("cleo", world.get_absolute_url()),
        ("sid", "/cases/sponsored/"),
        ("hedda", "/cases/"),
    ]:
        page.context.clear_cookies()
        log_in(page, username, PASSWORD)
        page.goto(path)
        for _ in range(TABS):
            page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            if ring is None:
                continue
            ratio = contrast(ring["colour"], ring["background"])
            if ring["style"] == "none" or ring["width"] < 2 or ratio < 3:
                weak.append(f"{path}: {ring['what']} {ring['colour']} on {ring['background']}")
    assert weak == []


def test_focus_moves_to_the_error_summary_after_a_failed_submit(page, world):
    log_in(page, "cleo", PASSWORD)
    page.goto(f"/cases/{world.pk}/evidence/new/")
    page.locator("form.evidence-form").get_by_role("button", name="Log evidence").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()


def test_at_phone_width_grids_open_on_the_latest_months(page, world):
    page.set_viewport_size(PHONE)
    log_in(page, "cleo", PASSWORD)
    for path, box in [
        (world.get_absolute_url(), ".heat-strip-scroll"),
        (f"/cases/{world.pk}/check-ins/", ".table-responsive:has(> .check-in-history)"),
    ]:
        page.goto(path)
        scroll = page.locator(box).first
        sizes = scroll.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert sizes[0] > sizes[1], f"{path}: nothing to scroll at 375 px"
        # The latest month (or check-in) is in view: the box's right end is showing.
        latest = scroll.evaluate(
            "el => { const a = el.getBoundingClientRect(); const c = el.firstElementChild"
            ".getBoundingClientRect(); return Math.round(c.right - a.right); }"
        )
        assert latest <= 1, f"{path}: the latest months are {latest} px out of view"


def test_at_phone_width_dashboard_rows_are_cards_and_filters_fold(page, world):
    page.set_viewport_size(PHONE)
    log_in(page, "sid", PASSWORD)
    page.goto("/cases/sponsored/")
    filters = page.locator("details.filters-fold")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.get_by_label("Readiness")).to_be_hidden()
    page.get_by_text("Filters", exact=True).click()
    expect(page.get_by_label("Readiness")).to_be_visible()
    rows = page.locator(".dashboard-table tbody tr")
    expect(rows).to_have_count(4)
    assert rows.first.evaluate("el => getComputedStyle(el).display") == "block"
    cell = rows.first.locator("td").nth(1)
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") == '"Guide"'
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]

    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(page.locator("details.filters-fold")).to_have_attribute("open", "")
    assert rows.first.evaluate("el => getComputedStyle(el).display") == "table-row"
