"""The panellist's role (reviews/roles.py): a seat on a cycle that is not closed, kept in the
session like the other roles and changed on the very next request after the seat or the cycle
changes."""

import pytest
from django.urls import reverse

from accounts.models import User
from reviews import cycles
from reviews.models import Cycle
from reviews.roles import SESSION_KEY, roles_for
from tests.factories import CycleFactory, HRFactory, PanellistFactory, UserFactory, signed_case

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]

PANEL = f'href="{reverse("cycles:panel_home")}"'
CYCLES = f'href="{reverse("cycles:cycle_list")}"'


def shows_panel(client) -> bool:
    response = client.get(reverse("about"))
    assert response.status_code == 200
    return PANEL in response.text


def test_appointed_then_removed_shows_on_the_next_request(client):
    hr = HRFactory()
    cycle = CycleFactory(created_by=hr)
    person = UserFactory()
    client.force_login(person)
    assert not shows_panel(client)

    cycles.appoint(cycle=cycle, user=person, by=hr)
    assert shows_panel(client)

    cycles.remove_from_panel(cycle=cycle, user=person, by=hr)
    assert not shows_panel(client)


def test_a_cycle_that_closes_takes_the_role_from_its_panel(client):
    hr = HRFactory()
    case = signed_case()
    cycle = CycleFactory(created_by=hr, guides=[case.guide])
    cycles.nominate(case=case, cycle=cycle, by=case.sponsor)
    person = PanellistFactory(cycle=cycle).user
    client.force_login(person)
    assert shows_panel(client)

    cycle.state = Cycle.State.PUBLISHED
    cycle.save(update_fields=["state"])
    assert shows_panel(client)
    cycles.move_cycle(cycle=cycle, to_state="closed", by=hr)
    assert not shows_panel(client)


def test_a_seat_on_a_closed_cycle_is_no_role():
    person = UserFactory()
    PanellistFactory(user=person, cycle=CycleFactory(state=Cycle.State.CLOSED))
    assert not roles_for(person).panellist
    PanellistFactory(user=person)
    assert roles_for(User.objects.get(pk=person.pk)).panellist


def test_the_role_is_kept_in_the_session(client):
    person = PanellistFactory().user
    client.force_login(person)
    assert shows_panel(client)
    assert client.session[SESSION_KEY][1] == [False, False, False, True]


def test_roles_kept_before_the_panel_are_derived_again(client):
    """A session from before the fourth role keeps three: it is read as stale, not as no seat."""
    person = PanellistFactory().user
    client.force_login(person)
    session = client.session
    session[SESSION_KEY] = [[person.roles_version, False, True], [False, False, False]]
    session.save()
    assert shows_panel(client)


def test_hr_sees_cycles_and_others_do_not(client):
    client.force_login(HRFactory())
    assert CYCLES in client.get(reverse("about")).text
    client.force_login(PanellistFactory().user)
    assert CYCLES not in client.get(reverse("about")).text
