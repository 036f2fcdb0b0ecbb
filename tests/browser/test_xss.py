"""The XSS corpus in real Chromium: the pages holding every vector open no dialog and run no
injected script. Each vector calls alert() and sets window.__xss; a dialog or the flag would show
that one ran. The page fixture also fails the test on any console error or CSP violation."""

import pytest
from django.urls import reverse

from guides.services import import_guide
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, CaseFactory, HRFactory, published_guide
from tests.security.hostile import (
    fill_case_with_vectors,
    hostile_guide_markdown,
    import_hostile_packet,
    review_pages,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hostile(seed_guide_text):
    case = CaseFactory(guide=published_guide())
    fill_case_with_vectors(case)
    hr = HRFactory()
    imported = import_hostile_packet(case, imported_by=hr)
    guide = import_guide(source=hostile_guide_markdown(seed_guide_text).encode()).guide
    return {"case": case, "hr": hr, "imported": imported, "guide": guide}


def watch_dialogs(page) -> list[str]:
    dialogs: list[str] = []

    def record(dialog):
        dialogs.append(f"{page.url}: {dialog.type} {dialog.message}")
        dialog.dismiss()

    page.on("dialog", record)
    return dialogs


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    # Give timers, autofocus and media error handlers a moment to fire if anything got through.
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None, url
    assert page.locator("main").count() == 1, url


def test_no_vector_runs_in_the_browser(page, hostile):
    dialogs = watch_dialogs(page)
    case, imported = hostile["case"], hostile["imported"]

    log_in(page, case.sponsor.username, PASSWORD)
    for name in ("case_detail", "check_in_list", "sign_off_create"):
        visit(page, reverse(f"reviews:{name}", args=[case.pk]))
    for url in review_pages(case):
        visit(page, url)
    visit(page, reverse("reviews:evidence_list", args=[case.pk]))
    visit(page, reverse("guides:guide_detail", args=[hostile["guide"].slug]))

    page.context.clear_cookies()
    log_in(page, hostile["hr"].username, PASSWORD)
    for name in ("case_detail", "check_in_list"):
        visit(page, reverse(f"reviews:{name}", args=[imported.pk]))
    for url in review_pages(imported):
        visit(page, url)
    visit(page, reverse("reviews:case_list"))

    assert dialogs == []
    # The listener works: a script that does run is seen.
    page.evaluate("alert('control')")
    assert dialogs == [f"{page.url}: alert control"]
