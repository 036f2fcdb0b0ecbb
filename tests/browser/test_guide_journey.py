import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD, DEMO_PEOPLE
from guides.models import Guide
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHIPPED_GUIDE = settings.BASE_DIR / "guides" / "data" / "m3-to-e1.md"


@pytest.fixture
def demo():
    call_command("import_guide", str(SHIPPED_GUIDE))
    call_command("load_demo", force=True)


def test_candidate_reads_capability_one_of_the_guide(page, demo):
    candidate = next(person for person in DEMO_PEOPLE if person.role == "candidate")
    log_in(page, candidate.username, DEMO_PASSWORD)
    page.get_by_role("link", name="Guides").click()
    page.get_by_role("link", name="M3 Head of Engineering → E1 Director of Engineering").click()

    guide = Guide.objects.get()
    capability = guide.capabilities.get(number=1)
    section = page.locator("#capability-1")
    expect(section.get_by_role("heading", level=3)).to_have_text(f"1. {capability.title}")
    indicators = section.locator("ol.indicators > li")
    expect(indicators).to_have_text([i.text for i in capability.indicators.all()])
