import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD
from reviews.models import Case
from reviews.services import sign_off
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_case():
    call_command("import_guide", str(settings.BASE_DIR / "guides" / "data" / "m3-to-e1.md"))
    call_command("load_demo", force=True)
    case = (
        Case.objects.active().select_related("candidate", "sponsor").get(candidate__username="ada")
    )
    sign_off(
        case=case,
        signer=case.sponsor,
        decision="ready",
        rationale="Sustained across every capability.",
        expected_sign_offs=0,
    )
    return case


def test_hr_filters_downloads_a_packet_and_records_a_decision(page, signed_case):
    log_in(page, "hana", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    page.get_by_label("Status").select_option(label="Signed off")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.case-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(signed_case.candidate.display_name)

    with page.expect_download() as download_info:
        rows.first.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    rows.first.get_by_role("link", name="Manage").click()
    page.get_by_label("Promoted").check()
    page.get_by_role("textbox", name="Effective date").fill("2027-01-01")
    page.get_by_role("button", name="Record the decision").click()
    # "Promoted" changes a level, so it waits for the box that says so.
    expect(page.locator(".error-summary")).to_contain_text("Tick the box to confirm the promotion")
    assert Case.objects.get(pk=signed_case.pk).status == Case.Status.SIGNED_OFF
    page.get_by_label("Yes, move").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded: Promoted.")
    signed_case.refresh_from_db()
    signed_case.candidate.refresh_from_db()
    assert signed_case.status == Case.Status.DECIDED
    assert signed_case.candidate.current_level == signed_case.guide.to_level
