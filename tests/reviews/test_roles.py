"""The roles in the top bar: kept in the session, and changed on the very next request after the
roles themselves change (reviews/roles.py)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reviews.roles import HR_PERMISSION, hr_group
from reviews.services import reassign_sponsor
from tests.factories import CaseFactory, HRFactory, UserFactory

pytestmark = pytest.mark.django_db

SPONSORED = reverse("reviews:dashboard")
CASES = reverse("reviews:case_list")


def top_bar(client) -> set[str]:
    """Which role links the about page's top bar shows."""
    response = client.get(reverse("about"))
    assert response.status_code == 200
    shown = {"sponsor": f'href="{SPONSORED}"', "hr": f'href="{CASES}"'}
    return {role for role, link in shown.items() if link in response.text}


def logged_in(client, user):
    client.force_login(user)
    return client


def test_someone_made_a_sponsor_sees_it_on_the_next_request(client):
    person = UserFactory()
    logged_in(client, person)
    assert top_bar(client) == set()

    case = CaseFactory()
    case.sponsor = person
    case.save()

    assert top_bar(client) == {"sponsor"}


def test_the_sponsor_replaced_loses_it_on_the_next_request(client):
    case = CaseFactory()
    logged_in(client, case.sponsor)
    assert top_bar(client) == {"sponsor"}

    reassign_sponsor(case=case, sponsor=UserFactory(current_level=case.guide.to_level))

    assert top_bar(client) == set()


def test_a_case_opened_or_deleted_shows_on_the_next_request(client):
    sponsor = UserFactory()
    logged_in(client, sponsor)
    assert top_bar(client) == set()

    case = CaseFactory(sponsor=sponsor)
    assert top_bar(client) == {"sponsor"}

    case.delete()
    assert top_bar(client) == set()


def test_added_to_hr_and_removed_shows_on_the_next_request(client):
    person = UserFactory()
    logged_in(client, person)
    assert top_bar(client) == set()

    person.groups.add(hr_group())
    assert top_bar(client) == {"hr"}

    person.groups.remove(hr_group())
    assert top_bar(client) == set()

    hr_group().user_set.add(person)
    assert top_bar(client) == {"hr"}

    hr_group().user_set.clear()
    assert top_bar(client) == set()


def test_the_hr_group_losing_its_permission_or_deleted_shows_on_the_next_request(client):
    person = HRFactory()
    logged_in(client, person)
    assert top_bar(client) == {"hr"}
    app_label, codename = HR_PERMISSION.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)

    hr_group().permissions.remove(permission)
    assert top_bar(client) == set()

    hr_group().permissions.add(permission)
    assert top_bar(client) == {"hr"}

    hr_group().delete()
    assert top_bar(client) == set()


def test_own_permission_and_superuser_show_on_the_next_request(client):
    person = UserFactory()
    logged_in(client, person)
    app_label, codename = HR_PERMISSION.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)

    person.user_permissions.add(permission)
    assert top_bar(client) == {"hr"}

    person.user_permissions.clear()
    assert top_bar(client) == set()

    person.is_superuser = True
    person.save(update_fields=["is_superuser"])
    assert top_bar(client) == {"hr"}


def test_someone_deactivated_is_logged_out_on_the_next_request(client):
    person = HRFactory()
    logged_in(client, person)
    assert top_bar(client) == {"hr"}

    person.is_active = False
    person.save(update_fields=["is_active"])

    response = client.get(reverse("about"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
