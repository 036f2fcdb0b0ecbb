"""The about page: the base template and one paragraph, for people who are logged in."""

import pytest
from django.urls import reverse

from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_outsider_is_sent_to_log_in(client):
    response = client.get(reverse("about"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_logged_in_person_sees_the_page_with_navigation(client):
    client.force_login(UserFactory())
    response = client.get(reverse("about"))
    assert response.status_code == 200
    assert "<h1" in response.text
    assert reverse("guides:guide_list") in response.text


def test_logged_in_page_costs_the_session_and_the_person(client, django_assert_num_queries):
    case = CaseFactory()
    client.force_login(case.candidate)
    client.get(reverse("about"))

    # 1. the session, 2. the person; the roles for the top bar are kept in the session.
    with django_assert_num_queries(2):
        response = client.get(reverse("about"))
    assert response.status_code == 200
    assert "My progress" in response.text
