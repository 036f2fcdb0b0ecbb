import pytest
from django.conf import settings
from django.core.management import call_command

from demo.people import DEMO_PASSWORD
from reviews.models import Case
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("import_guide", str(settings.BASE_DIR / "guides" / "data" / "m3-to-e1.md"))
    call_command("load_demo", force=True)


def test_nothing_overflows_a_phone_wide_page(page, demo):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, "ada", DEMO_PASSWORD)
    case = Case.objects.get(candidate__username="ada")
    paths = [
        case.get_absolute_url(),
        f"/cases/{case.pk}/evidence/",
        f"/cases/{case.pk}/evidence/new/",
        f"/cases/{case.pk}/check-ins/",
        f"/cases/{case.pk}/check-ins/new/",
        case.guide.get_absolute_url(),
    ]
    for path in paths:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide at 375 px"


def test_dashboard_cards_wrap_their_lines_at_phone_width(page, demo):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, "sam", DEMO_PASSWORD)
    page.goto("/cases/sponsored/")
    cells = page.locator(".dashboard-table td")
    assert cells.count() > 0
    overflowing = cells.evaluate_all(
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1"
        " || c.getBoundingClientRect().right > 375).map(c => c.textContent.trim())"
    )
    assert overflowing == []


def test_heat_strip_row_labels_stay_in_view_when_it_scrolls(page, demo):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, "ada", DEMO_PASSWORD)
    page.goto(Case.objects.get(candidate__username="ada").get_absolute_url())
    box = page.locator(".heat-strip-scroll").first
    labels = box.locator(".heat-strip-row text")

    def hidden_labels() -> int:
        return box.evaluate(
            "box => { const b = box.getBoundingClientRect();"
            " return [...box.querySelectorAll('.heat-strip-row text')].filter(t => {"
            " const r = t.getBoundingClientRect();"
            " return r.left < b.left - 1 || r.right > b.right + 1;"
            " }).length; }"
        )

    assert labels.count() > 0
    # The strip opens on its latest months, scrolled away from the labels' column.
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")
    assert hidden_labels() == 0
    box.evaluate("box => { box.scrollLeft = -box.scrollWidth; }")
    page.wait_for_timeout(100)
    assert hidden_labels() == 0
    box.evaluate("box => { box.scrollLeft = 0; }")
    page.wait_for_timeout(100)
    assert hidden_labels() == 0
