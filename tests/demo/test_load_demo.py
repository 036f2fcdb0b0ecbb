from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from demo.people import CANDIDATE, DEMO_PASSWORD, DEMO_PEOPLE, HR, PANELLIST, SPONSOR
from guides.models import Level
from reviews.roles import HR_GROUP, HR_PERMISSION
from tests.factories import LevelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):
    # pytest-django runs with DEBUG off, where the command refuses to run.
    settings.DEBUG = True


def load_demo(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def log_in(username: str, password: str) -> bool:
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def test_creates_the_demo_organisation_at_the_right_levels(debug):
    load_demo()
    users = {user.username: user for user in User.objects.select_related("current_level")}
    assert set(users) == {person.username for person in DEMO_PEOPLE}
    roles = [person.role for person in DEMO_PEOPLE]
    assert (roles.count(HR), roles.count(SPONSOR), roles.count(CANDIDATE)) == (1, 2, 5)
    assert roles.count(PANELLIST) == 3
    for person in DEMO_PEOPLE:
        user = users[person.username]
        assert user.name == person.name
        assert user.email.endswith("@example.org")
        expected = {HR: None, SPONSOR: "E1", CANDIDATE: "M3", PANELLIST: "E1"}[person.role]
        title = {
            HR: user.job_title,
            SPONSOR: "Director of Engineering",
            CANDIDATE: "Head of Engineering",
            PANELLIST: user.job_title,
        }[person.role]
        # The one candidate on the ladder's lower step, M2 → M3.
        if person.username == "fay":
            expected, title = "M2", "Engineering Manager"
        assert (user.current_level.code if user.current_level else None) == expected
        assert user.job_title == title


def test_missing_levels_get_the_importer_defaults(debug):
    load_demo()
    assert list(Level.objects.values_list("code", "title", "track", "rank")) == [
        ("M2", "Engineering Manager", "management", 40),
        ("M3", "Head of Engineering", "management", 50),
        ("E1", "Director of Engineering", "executive", 60),
    ]


def test_existing_levels_are_reused(debug):
    m3 = LevelFactory(code="M3", title="Head of Engineering", rank=50)
    load_demo()
    assert Level.objects.filter(code="M3").count() == 1
    assert User.objects.get(username="ada").current_level == m3


def test_hr_person_can_manage_cases_and_use_the_admin(debug):
    load_demo()
    (hr,) = [person for person in DEMO_PEOPLE if person.role == HR]
    user = User.objects.get(username=hr.username)
    assert user.groups.filter(name=HR_GROUP).exists()
    assert user.has_perm(HR_PERMISSION)
    assert user.is_staff
    assert not user.is_superuser
    others = User.objects.exclude(username=hr.username)
    assert not any(other.has_perm(HR_PERMISSION) or other.is_staff for other in others)


def test_every_printed_login_works(debug):
    output = load_demo()
    assert DEMO_PASSWORD in output
    for person in DEMO_PEOPLE:
        assert log_in(person.username, DEMO_PASSWORD), person.username
    assert not log_in(DEMO_PEOPLE[0].username, "wrong-password")


def test_demo_password_passes_the_password_validators(debug):
    load_demo()
    for user in User.objects.all():
        validate_password(DEMO_PASSWORD, user=user)


def test_output_lists_every_demo_login(debug):
    output = load_demo()
    lines = output.splitlines()
    for person in DEMO_PEOPLE:
        assert any(line.split()[:2] == [person.username, DEMO_PASSWORD] for line in lines), (
            person.username
        )


def test_running_twice_creates_no_duplicates(debug):
    load_demo()
    load_demo()
    assert User.objects.count() == len(DEMO_PEOPLE)
    assert Level.objects.count() == 3
    hr = User.objects.get(username="hana")
    assert hr.groups.count() == 1


def test_rerun_restores_a_changed_password(debug):
    load_demo()
    user = User.objects.get(username="ada")
    user.set_password("changed-while-trying")
    user.save()
    assert not log_in("ada", DEMO_PASSWORD)
    load_demo()
    assert log_in("ada", DEMO_PASSWORD)


def test_rerun_clears_a_lockout(debug):
    load_demo()
    AccessAttempt.objects.create(
        username="ada", ip_address="127.0.0.1", user_agent="", failures_since_start=99
    )
    assert not log_in("ada", DEMO_PASSWORD)
    load_demo()
    assert log_in("ada", DEMO_PASSWORD)


def test_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        load_demo()
    assert not User.objects.exists()


def test_force_runs_without_debug(settings):
    settings.DEBUG = False
    load_demo(force=True)
    assert User.objects.count() == len(DEMO_PEOPLE)
