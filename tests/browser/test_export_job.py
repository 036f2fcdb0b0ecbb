"""HR exports a large cycle: the job's page shows its packets advancing, then offers the ZIP."""

import zipfile

import pytest
from playwright.sync_api import expect

from reviews.packets.jobs import STREAM_AT_MOST
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, CaseFactory, EvidenceFactory, HRFactory, published_guide
from tests.worker import run_queued_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASES = STREAM_AT_MOST + 2


def test_hr_starts_a_cycle_export_and_downloads_it_when_done(page):
    guide = published_guide()
    for n in range(CASES):
        EvidenceFactory(case=CaseFactory(guide=guide), title=f"Evidence of case {n}")
    HRFactory(username="hana")

    log_in(page, "hana", PASSWORD)
    page.get_by_role("link", name="ZIP of packets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Export {CASES} cases as a ZIP of packets"
    )
    page.get_by_role("button", name="Start the export").click()
    progress = page.get_by_role("status")
    expect(progress).to_have_text(f"0 of {CASES} packets · waiting to start")

    # The worker runs the job; the page, refreshing itself, follows it to the end.
    run_queued_tasks()
    expect(progress).to_have_text(f"{CASES} of {CASES} packets", timeout=15_000)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the ZIP").click()
    download = download_info.value
    assert download.suggested_filename.startswith("promotion-packets-")
    with zipfile.ZipFile(download.path()) as archive:
        assert sum(name.endswith("/packet.pdf") for name in archive.namelist()) == CASES
