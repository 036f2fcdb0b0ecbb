"""Each person's level over time: who changed it, when, and why."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.levels import change_level, current_since, history_column
from accounts.models import LevelChange, User
from reviews import services
from reviews.models import Case, Decision
from reviews.packets.importing import import_packet
from reviews.words import level_reason_label, time_at_level
from tests.factories import (
    CaseFactory,
    EvidenceFactory,
    HRFactory,
    LevelFactory,
    UserFactory,
    published_guide,
)
from tests.reviews.test_packet_import import packet_for

DAY = "2026-11-16"
TODAY = datetime.date.fromisoformat(DAY)
pytestmark = [pytest.mark.django_db, pytest.mark.today(DAY)]


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def steps(user: User) -> list[tuple]:
    return [
        (c.level.code if c.level else None, c.since, c.reason, c.recorded_by)
        for c in user.level_changes.select_related("level").order_by("since", "id")
    ]


def test_changing_a_level_sets_it_and_appends_to_the_history():
    m2, m3 = LevelFactory(code="M2", rank=40), LevelFactory(code="M3", rank=50)
    hr, person = HRFactory(), UserFactory()
    change_level(user=person, level=m2, since=d("2022-03-01"), reason="hr_edit", by=hr)
    change_level(user=person, level=m3, since=d("2025-06-30"), reason="decision", note="Why")
    person.refresh_from_db()
    assert person.current_level == m3
    assert steps(person) == [
        ("M2", d("2022-03-01"), "hr_edit", hr),
        ("M3", d("2025-06-30"), "decision", None),
    ]
    assert person.level_changes.last().recorded_at.date() == TODAY


def test_an_unknown_reason_is_refused():
    with pytest.raises(ValueError):
        change_level(user=UserFactory(), level=None, since=TODAY, reason="whim")


def test_time_at_level_counts_from_the_latest_step_to_the_current_level():
    m2, m3 = LevelFactory(code="M2", rank=40), LevelFactory(code="M3", rank=50)
    person = UserFactory()
    for level, since in ((m3, "2019-01-10"), (m2, "2020-02-01"), (m3, "2023-08-15")):
        change_level(user=person, level=level, since=d(since), reason="hr_edit")
    row = User.objects.annotate(levels=history_column()).filter(pk=person.pk).get()
    assert row.level_since == d("2023-08-15")
    assert current_since(row.levels, "M3") == d("2023-08-15")
    assert current_since(row.levels, "M2") == d("2020-02-01")
    assert current_since(row.levels, "E1") is None
    assert [step["level"] for step in row.levels] == ["M3", "M2", "M3"]


def test_the_persons_row_keeps_since_when_they_hold_their_level_through_every_change():
    m2, m3 = LevelFactory(code="M2", rank=40), LevelFactory(code="M3", rank=50)
    person = UserFactory()
    assert person.level_since is None
    change_level(user=person, level=m2, since=d("2020-02-01"), reason="hr_edit")
    assert User.objects.get(pk=person.pk).level_since == d("2020-02-01")
    change_level(user=person, level=m3, since=d("2023-08-15"), reason="decision")
    assert User.objects.get(pk=person.pk).level_since == d("2023-08-15")
    # A correction that dates an earlier step to the same level keeps the latest step.
    change_level(user=person, level=m3, since=d("2019-01-10"), reason="hr_edit")
    assert User.objects.get(pk=person.pk).level_since == d("2023-08-15")
    # Without a level there is no time at it.
    change_level(user=person, level=None, since=d("2026-01-01"), reason="hr_edit")
    assert User.objects.get(pk=person.pk).level_since is None


@pytest.mark.parametrize(
    ("since", "words"),
    [
        ("2024-08-16", "2 years 3 months at M3"),
        ("2024-08-17", "2 years 2 months at M3"),
        ("2025-11-16", "1 year at M3"),
        ("2026-10-16", "1 month at M3"),
        ("2026-11-01", "less than a month at M3"),
        ("2026-11-16", "less than a month at M3"),
        ("2027-03-01", "at M3 from 1 March 2027"),
    ],
)
def test_time_at_level_in_words(since, words):
    assert time_at_level("M3", d(since), TODAY) == words


def test_time_at_level_is_silent_without_a_level_or_a_date():
    assert time_at_level(None, TODAY, TODAY) == ""
    assert time_at_level("M3", None, TODAY) == ""


def test_reasons_are_worded():
    assert level_reason_label("decision") == "Promotion decision"
    assert level_reason_label("hr_edit") == "Changed by HR"
    assert level_reason_label("import") == "Imported with a case packet"


def signed_off_case() -> Case:
    guide = published_guide()
    case = CaseFactory(guide=guide, candidate=UserFactory(current_level=guide.from_level))
    EvidenceFactory(case=case)
    services.sign_off(
        case=case,
        signer=case.sponsor,
        decision="ready",
        rationale="Ready.",
        override_reason="The panel meets soon.",
        expected_sign_offs=0,
    )
    return Case.objects.get(pk=case.pk)


def test_a_promotion_decision_appends_the_new_level_from_its_effective_date():
    case = signed_off_case()
    hr = HRFactory()
    services.record_decision(
        case=case,
        outcome=Decision.Outcome.PROMOTED,
        effective_date=d("2026-12-01"),
        note="",
        decided_by=hr,
    )
    candidate = User.objects.get(pk=case.candidate_id)
    assert candidate.current_level == case.guide.to_level
    (change,) = candidate.level_changes.all()
    assert (change.level, change.since, change.reason, change.recorded_by) == (
        case.guide.to_level,
        d("2026-12-01"),
        "decision",
        hr,
    )
    assert change.note == f"Promoted on {case.guide}"


def test_a_not_yet_decision_leaves_the_history_alone():
    case = signed_off_case()
    services.record_decision(
        case=case,
        outcome=Decision.Outcome.NOT_YET,
        effective_date=d("2026-12-01"),
        note="",
        decided_by=HRFactory(),
    )
    assert not LevelChange.objects.filter(user=case.candidate).exists()


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.admin = admin
    return client


def admin_form(person: User, **changes) -> dict:
    data = {
        "username": person.username,
        "name": person.name,
        "email": person.email,
        "job_title": person.job_title,
        "current_level": person.current_level_id or "",
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        # The read-only history inline's management form: no rows yet.
        "level_changes-TOTAL_FORMS": "0",
        "level_changes-INITIAL_FORMS": "0",
    }
    return data | changes


def test_hr_changing_a_level_in_the_admin_is_recorded(admin_client):
    m2, m3 = LevelFactory(code="M2", rank=40), LevelFactory(code="M3", rank=50)
    person = UserFactory(current_level=m2)
    url = reverse("admin:accounts_user_change", args=[person.pk])
    response = admin_client.post(url, admin_form(person, current_level=m3.pk))
    assert response.status_code == 302, response.text
    person.refresh_from_db()
    assert person.current_level == m3
    assert steps(person) == [("M3", TODAY, "hr_edit", admin_client.admin)]


def test_other_edits_in_the_admin_leave_the_history_alone(admin_client):
    person = UserFactory(current_level=LevelFactory(code="M2", rank=40))
    url = reverse("admin:accounts_user_change", args=[person.pk])
    response = admin_client.post(url, admin_form(person, job_title="Engineering Manager"))
    assert response.status_code == 302, response.text
    assert steps(person) == []


def test_people_a_packet_import_creates_start_their_history_at_the_case_opening():
    guide = published_guide()
    packet = packet_for(guide)
    hr = HRFactory()
    case = import_packet(packet=packet, by=hr)
    opened = d(packet["opened_on"])
    assert steps(case.candidate) == [(guide.from_level.code, opened, "import", hr)]
    assert steps(case.sponsor) == [(guide.to_level.code, opened, "import", hr)]


def test_an_existing_candidate_without_a_level_gets_one_from_the_import():
    guide = published_guide()
    ada = UserFactory(username="ada", current_level=None)
    sam = UserFactory(username="sam", current_level=guide.to_level)
    case = import_packet(packet=packet_for(guide), by=None, link_existing=True)
    assert case.candidate == ada
    assert steps(ada) == [(guide.from_level.code, case.opened_on, "import", None)]
    assert steps(sam) == []


def test_load_demo_gives_each_demo_person_a_dated_history(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    ada = User.objects.get(username="ada")
    assert steps(ada) == [
        ("M2", d("2018-11-01"), "hr_edit", None),
        ("M3", d("2022-07-01"), "hr_edit", None),
    ]
    assert ada.current_level.code == "M3"
    assert steps(User.objects.get(username="hana")) == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_starts_each_levelled_person_history_on_the_day_they_joined():
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0005_level_change")])
    old = executor.loader.project_state([("accounts", "0005_level_change")]).apps
    OldUser, OldLevel = old.get_model("accounts", "User"), old.get_model("guides", "Level")
    m3 = OldLevel.objects.create(code="M3", title="Head", track="management", rank=50)
    joined = datetime.datetime(2021, 4, 6, 9, tzinfo=datetime.UTC)
    OldUser.objects.create(username="lev", current_level=m3, date_joined=joined)
    OldUser.objects.create(username="nolev", date_joined=joined)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert steps(User.objects.get(username="lev")) == [("M3", d("2021-04-06"), "start", None)]
    assert steps(User.objects.get(username="nolev")) == []


def test_the_admin_shows_the_history_read_only(admin_client):
    person = UserFactory()
    change_level(
        user=person,
        level=LevelFactory(code="M2", rank=40),
        since=d("2023-02-01"),
        reason="hr_edit",
        note="Entered by the people team",
    )
    page = admin_client.get(reverse("admin:accounts_user_change", args=[person.pk])).text
    assert "Entered by the people team" in page
    assert "Changed by HR" in page
    assert 'name="level_changes-0-since"' not in page


def test_hr_changes_the_level_of_someone_with_a_history(admin_client):
    m2, m3 = LevelFactory(code="M2", rank=40), LevelFactory(code="M3", rank=50)
    person = UserFactory()
    first = change_level(user=person, level=m2, since=d("2023-02-01"), reason="hr_edit")
    url = reverse("admin:accounts_user_change", args=[person.pk])
    data = admin_form(person, current_level=m3.pk) | {
        "level_changes-TOTAL_FORMS": "1",
        "level_changes-INITIAL_FORMS": "1",
        "level_changes-0-id": str(first.pk),
        "level_changes-0-user": str(person.pk),
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.text
    assert steps(person) == [
        ("M2", d("2023-02-01"), "hr_edit", None),
        ("M3", TODAY, "hr_edit", admin_client.admin),
    ]
