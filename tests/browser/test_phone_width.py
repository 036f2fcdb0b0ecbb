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
