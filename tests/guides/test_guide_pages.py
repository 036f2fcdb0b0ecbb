import pytest
from django.urls import reverse

from tests.factories import UserFactory, guide_with_parts, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client):
    client.force_login(UserFactory())
    return client


def test_guide_list_shows_only_published_guides(member_client):
    published = publish(guide_with_parts())
    draft = guide_with_parts()
    response = member_client.get(reverse("guides:guide_list"))
    assert published.get_absolute_url() in response.text
    assert draft.get_absolute_url() not in response.text


def test_empty_guide_list_says_what_to_do(member_client):
    response = member_client.get(reverse("guides:guide_list"))
    assert "No level guide is published yet" in response.text


def test_guide_page_shows_every_part(member_client):
    guide = publish(guide_with_parts())
    response = member_client.get(guide.get_absolute_url())
    assert response.status_code == 200
    for number in range(1, 5):
        assert f"Capability {number}" in response.text
        assert f"Indicator {number}.5" in response.text
        assert f"Practice {number}.2" in response.text
    assert "Question 6?" in response.text


def test_draft_guide_page_is_404(member_client):
    guide = guide_with_parts()
    assert member_client.get(guide.get_absolute_url()).status_code == 404


def test_guide_page_queries_do_not_grow_with_the_guide(member_client, django_assert_num_queries):
    small = publish(guide_with_parts(capabilities=2, indicators=2, questions=2))
    large = publish(guide_with_parts(capabilities=6, indicators=8, questions=10))
    # session, user (the menu's roles are kept in the session), guide with levels, then one
    # query each for shifts, capabilities, indicators, practices, pitfalls, track-record steps,
    # questions and timeline points
    with django_assert_num_queries(11):
        member_client.get(small.get_absolute_url())
    with django_assert_num_queries(11):
        member_client.get(large.get_absolute_url())
