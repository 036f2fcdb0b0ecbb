"""Grouping fields and declarations: HR defines the questions, each person answers for
themselves or withdraws, and nobody else ever reads one person's answer."""

import io
import re
import zipfile

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.declarations import PREFER_NOT, declare, save_grouping_field
from accounts.models import Declaration, GroupingAnswer, GroupingField
from tests.factories import CaseFactory, HRFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-15")]

SECRET = "Quokkaland"


@pytest.fixture
def field():
    return save_grouping_field(
        name="Home region",
        question="Where did you grow up?",
        answers=[SECRET, "Elsewhere"],
        active=True,
    )


def answer(field, label):
    return field.answers.get(label=label)


def details(client, **data):
    return client.post(reverse("accounts:details"), data)


def test_a_person_declares_changes_and_withdraws_their_answer(client, field):
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("accounts:details"))
    assert "only HR can see them" in page.content.decode()
    assert "groups of 5 people or more" in page.content.decode()

    response = details(client, **{f"field_{field.pk}": answer(field, SECRET).pk})
    assert response.status_code == 302
    assert Declaration.objects.get(user=person).answer.label == SECRET

    details(client, **{f"field_{field.pk}": PREFER_NOT})
    declaration = Declaration.objects.get(user=person)
    assert declaration.prefer_not_to_say and declaration.answer is None

    details(client, **{f"field_{field.pk}": ""})
    assert not Declaration.objects.filter(user=person).exists()


def test_remove_all_deletes_even_answers_to_fields_no_longer_asked(client, field):
    person = UserFactory()
    declare(user=person, choices={field.pk: str(answer(field, SECRET).pk)})
    field.active = False
    field.save()
    client.force_login(person)
    assert "no longer asked" in client.get(reverse("accounts:details")).content.decode()
    details(client, withdraw_all="1")
    assert not Declaration.objects.filter(user=person).exists()


def test_an_answer_of_another_field_is_refused_and_nothing_written(client, field):
    other = save_grouping_field(
        name="Shift", question="Which shift?", answers=["Early", "Late"], active=True
    )
    person = UserFactory()
    client.force_login(person)
    response = details(client, **{f"field_{field.pk}": answer(other, "Early").pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Declaration.objects.exists()


def test_nobody_answers_for_someone_else(client, field):
    """The page writes the answers of the person logged in, whatever the form sends."""
    person, other = UserFactory(), UserFactory()
    client.force_login(person)
    details(client, user=other.pk, **{f"field_{field.pk}": answer(field, SECRET).pk})
    assert list(Declaration.objects.values_list("user", flat=True)) == [person.pk]


def test_another_persons_page_does_not_show_my_answer(client, field):
    person, other = UserFactory(), UserFactory()
    declare(user=person, choices={field.pk: str(answer(field, SECRET).pk)})
    client.force_login(other)
    theirs = client.get(reverse("accounts:details")).content.decode()
    client.force_login(person)
    mine = client.get(reverse("accounts:details")).content.decode()
    assert _checked_value(mine) == str(answer(field, SECRET).pk)
    # Their own "No answer" choice, not mine.
    assert _checked_value(theirs) == ""


def _checked_value(content: str) -> str:
    found = re.findall(r'<input[^>]*value="([^"]*)"[^>]*checked', content)
    assert len(found) == 1, found
    return found[0]


def test_declarations_stay_out_of_cases_packets_and_exports(client, field):
    """Sponsors, panels and HR's case exports never see a declaration: only the fairness
    counts do."""
    case = CaseFactory()
    declare(user=case.candidate, choices={field.pk: str(answer(field, SECRET).pk)})
    client.force_login(case.sponsor)
    for url in (
        reverse("reviews:case_detail", args=[case.pk]),
        reverse("reviews:case_review", args=[case.pk]),
        reverse("reviews:packet_download", args=[case.pk, "json"]),
        reverse("reviews:dashboard"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET.encode() not in _body(response), url
    client.force_login(HRFactory())
    for kind in ("cases-csv", "evidence-csv", "xlsx", "zip"):
        response = client.get(reverse("reviews:cycle_export", args=[kind]))
        assert response.status_code == 200
        assert SECRET.encode() not in _unzipped(_body(response)), kind
    for name in ("reviews:case_detail", "reviews:case_manage"):
        assert SECRET.encode() not in _body(client.get(reverse(name, args=[case.pk])))


def test_declarations_are_not_in_the_admin():
    assert not admin.site.is_registered(Declaration)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _unzipped(content: bytes) -> bytes:
    """The archive's members (XLSX and ZIP are both), or the content itself."""
    if not content.startswith(b"PK"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


# --- HR's grouping fields -----------------------------------------------------------------


def test_hr_defines_a_field(client):
    client.force_login(HRFactory())
    response = client.post(
        reverse("accounts:grouping_field_create"),
        {
            "name": "Working pattern",
            "question": "How do you work?",
            "answers": "Full time\n\n Part time \n",
            "active": "on",
        },
    )
    assert response.status_code == 302
    field = GroupingField.objects.get()
    assert [a.label for a in field.answers.all()] == ["Full time", "Part time"]
    listed = client.get(reverse("accounts:grouping_field_list")).content.decode()
    assert "Working pattern" in listed and "Part time" in listed


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ("Yes\nYes", "listed twice"),
        ("Yes\nPrefer not to say", "added to every field already"),
        ("Only one", "between 2 and 30"),
    ],
)
def test_bad_answers_are_refused_and_nothing_written(client, answers, problem):
    client.force_login(HRFactory())
    response = client.post(
        reverse("accounts:grouping_field_create"),
        {"name": "Pattern", "question": "How?", "answers": answers, "active": "on"},
    )
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not GroupingField.objects.exists()


def test_editing_keeps_the_answers_kept_and_drops_those_removed(client, field):
    stays, goes = UserFactory(), UserFactory()
    declare(user=stays, choices={field.pk: str(answer(field, "Elsewhere").pk)})
    declare(user=goes, choices={field.pk: str(answer(field, SECRET).pk)})
    client.force_login(HRFactory())
    response = client.post(
        reverse("accounts:grouping_field_edit", args=[field.pk]),
        {"name": field.name, "question": field.question, "answers": "Elsewhere\nNearby"},
    )
    assert response.status_code == 302
    field.refresh_from_db()
    assert not field.active
    assert [a.label for a in field.answers.all()] == ["Elsewhere", "Nearby"]
    assert list(Declaration.objects.values_list("user", flat=True)) == [stays.pk]
    assert not GroupingAnswer.objects.filter(label=SECRET).exists()


def test_hr_field_pages_are_not_found_by_anyone_else(client, field):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:grouping_field_list")).status_code == 404
    for url in (
        reverse("accounts:grouping_field_create"),
        reverse("accounts:grouping_field_edit", args=[field.pk]),
    ):
        assert client.get(url).status_code == 404
        data = {"name": "X", "question": "Y", "answers": "a\nb", "active": "on"}
        assert client.post(url, data).status_code == 404
    assert list(GroupingField.objects.values_list("name", flat=True)) == [field.name]


def test_the_account_menu_links_to_your_details(client):
    client.force_login(UserFactory())
    content = client.get(reverse("about")).content.decode()
    assert f'href="{reverse("accounts:details")}">Your details' in content
