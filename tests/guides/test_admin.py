import pytest
from django.urls import reverse

from guides.models import Guide
from tests.factories import UserFactory, guide_with_parts, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_guides_and_levels(admin_client):
    publish(guide_with_parts())
    assert admin_client.get(reverse("admin:guides_guide_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:guides_level_changelist")).status_code == 200


def test_published_guide_is_read_only_in_the_admin(admin_client):
    guide = publish(guide_with_parts())
    url = reverse("admin:guides_guide_change", args=[guide.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="overview"' not in page.text
    assert admin_client.post(url, {"overview": "Moved goalposts."}).status_code == 403
    guide.refresh_from_db()
    assert guide.overview != "Moved goalposts."


def test_draft_guide_is_editable_in_the_admin(admin_client):
    guide = guide_with_parts()
    page = admin_client.get(reverse("admin:guides_guide_change", args=[guide.pk]))
    assert 'name="overview"' in page.text


def test_retire_action_retires_published_guides(admin_client):
    guide = publish(guide_with_parts())
    admin_client.post(
        reverse("admin:guides_guide_changelist"),
        {"action": "retire", "_selected_action": [guide.pk]},
    )
    guide.refresh_from_db()
    assert guide.status == Guide.Status.RETIRED
