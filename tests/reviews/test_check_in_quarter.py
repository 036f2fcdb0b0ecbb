"""A second check-in in a quarter asks whether it replaces the first; errors name the question."""

import datetime

import pytest
from django.urls import reverse

from reviews.models import CheckIn
from tests.factories import CaseFactory, CheckInFactory, guide_with_parts, publish
from tests.form_tokens import with_token

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-05-20")]


@pytest.fixture
def case():
    return CaseFactory(guide=publish(guide_with_parts(questions=6)))


def form(case, day, value="yes", **extra):
    data = {"date": day.isoformat(), **extra}
    for question in case.guide.questions.all():
        data[f"q{question.pk}"] = value
        data[f"note{question.pk}"] = ""
    return with_token(data)


def post(client, case, data):
    client.force_login(case.candidate)
    return client.post(reverse("reviews:check_in_create", args=[case.pk]), data, follow=True)


def test_the_form_asks_whether_it_replaces_a_check_in_of_this_quarter(client, case):
    CheckInFactory(case=case, date=datetime.date(2026, 4, 2))
    client.force_login(case.candidate)
    page = client.get(reverse("reviews:check_in_create", args=[case.pk]))
    assert "You took a check-in on 2 April 2026, in this quarter already" in page.text
    assert 'value="keep" id="same-quarter-keep" checked' in page.text


def test_the_question_follows_the_date_of_a_refused_form(client, case):
    CheckInFactory(case=case, date=datetime.date(2026, 2, 2))
    data = form(case, datetime.date(2026, 3, 18), same_quarter="replace")
    del data[f"q{case.guide.questions.first().pk}"]
    page = post(client, case, data)
    assert "You took a check-in on 2 February 2026" in page.text
    assert 'value="replace" id="same-quarter-replace" checked' in page.text
    assert CheckIn.objects.count() == 1


def test_replacing_on_the_same_day_is_allowed(client, case):
    CheckInFactory(case=case, date=datetime.date(2026, 5, 18))
    refused = post(client, case, form(case, datetime.date(2026, 5, 18)))
    assert "There is already a check-in on this date." in refused.text
    assert "Does this one replace it?" in refused.text
    post(client, case, form(case, datetime.date(2026, 5, 18), "no", same_quarter="replace"))
    assert set(CheckIn.objects.get().answers.values_list("value", flat=True)) == {"no"}


def test_replacing_deletes_the_first(client, case):
    first = CheckInFactory(case=case, date=datetime.date(2026, 4, 2))
    page = post(client, case, form(case, datetime.date(2026, 5, 18), same_quarter="replace"))
    assert "Check-in of 18 May 2026 saved; it replaces your check-in of 2 Apr 2026." in page.text
    assert list(CheckIn.objects.values_list("date", flat=True)) == [datetime.date(2026, 5, 18)]
    assert not CheckIn.objects.filter(pk=first.pk).exists()


def test_keeping_both_keeps_both(client, case):
    CheckInFactory(case=case, date=datetime.date(2026, 4, 2))
    post(client, case, form(case, datetime.date(2026, 5, 18), same_quarter="keep"))
    assert CheckIn.objects.count() == 2


def test_another_quarter_does_not_ask(client, case):
    CheckInFactory(case=case, date=datetime.date(2026, 3, 30))
    client.force_login(case.candidate)
    page = client.get(reverse("reviews:check_in_create", args=[case.pk]))
    assert "Does this one replace it?" not in page.text
    post(client, case, form(case, datetime.date(2026, 4, 1), same_quarter="replace"))
    assert CheckIn.objects.count() == 2


def test_a_missing_answer_names_its_question(client, case):
    data = form(case, datetime.date(2026, 5, 18))
    third = case.guide.questions.get(position=3)
    del data[f"q{third.pk}"]
    page = post(client, case, data)
    assert "Choose yes, partly or no for question 3." in page.text
    assert not CheckIn.objects.exists()


def test_on_the_date_of_a_check_in_the_form_offers_replacing_first(client, case):
    CheckInFactory(case=case, date=datetime.date(2026, 5, 20))
    client.force_login(case.candidate)
    page = client.get(reverse("reviews:check_in_create", args=[case.pk]))
    assert 'value="replace" id="same-quarter-replace" checked' in page.text
    assert 'id="same-quarter-keep" checked' not in page.text
    assert "Two check-ins cannot share a date: to keep both, choose another date." in page.text


def test_keeping_both_on_the_same_date_says_what_to_do(client, case):
    CheckInFactory(case=case, date=datetime.date(2026, 5, 18))
    page = post(client, case, form(case, datetime.date(2026, 5, 18), same_quarter="keep"))
    assert "There is already a check-in on this date." in page.text
    assert (
        "To save this one, choose to replace the check-in of 18 May 2026, or change the date."
        in page.text
    )
    assert 'value="replace" id="same-quarter-replace" checked' in page.text
    assert CheckIn.objects.count() == 1
