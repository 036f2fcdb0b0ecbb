"""HR's journey through guide versions in Chromium: paste a new version, see what changed,
publish it, and move a case onto it."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guides.models import Guide
from guides.services import import_guide
from reviews.models import Case
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, CaseFactory, EvidenceFactory, HRFactory, UserFactory
from tests.guides.guide_texts import first_version, markdown, second_version

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-11-16"),
]


@pytest.fixture
def case():
    first = import_guide(source=markdown(first_version()).encode()).guide
    case = CaseFactory(
        guide=first,
        candidate=UserFactory(name="Nadia Example"),
        sponsor=UserFactory(current_level=first.to_level),
    )
    EvidenceFactory(
        case=case,
        capability=first.capabilities.get(number=1),
        title="Wrote the group's yearly plan",
        date=datetime.date(2026, 10, 1),
        indicators=list(first.capabilities.get(number=1).indicators.all()),
    )
    HRFactory(username="hetty", name="Hetty Example")
    return case


def test_hr_pastes_a_new_version_sees_the_diff_publishes_and_moves_a_case(page, case):
    log_in(page, "hetty", PASSWORD)
    page.get_by_role("link", name="Guides").first.click()
    page.get_by_role("link", name="Import a guide").click()
    page.get_by_label("Or paste the Markdown").fill(markdown(second_version()))
    page.get_by_role("button", name="Import as a draft").click()

    changes = page.locator("#changes")
    expect(changes.get_by_role("heading", level=2)).to_have_text("What changed against version 1")
    expect(changes.locator("ins", has_text="other groups build on")).to_be_visible()
    expect(changes.locator("del", has_text="Cuts work that no longer pays off")).to_be_visible()
    expect(page.locator(".guide-source-text")).to_contain_text("## Key Capabilities to Develop")

    page.get_by_role("button", name="Publish as version 2").click()
    expect(page.get_by_text("Published M2 → M3 v2")).to_be_visible()
    assert Guide.objects.get(version=2).status == Guide.Status.PUBLISHED

    page.goto(reverse("reviews:case_manage", args=[case.pk]))
    page.get_by_role("link", name="Move to a newer version…").click()
    retag = page.locator(".move-retag")
    expect(retag).to_contain_text("Cuts work that no longer pays off")
    page.get_by_label("I have read what happens to each evidence item").check()
    page.get_by_role("button", name="Move the case to M2 → M3 v2").click()
    expect(page.get_by_text("Moved the case to M2 → M3 v2")).to_be_visible()
    assert Case.objects.get(pk=case.pk).guide.version == 2
