import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Answer, Case, CheckIn
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    HRFactory,
    UserFactory,
    guide_with_parts,
    publish,
)
from tests.form_tokens import with_token

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def case():
    return CaseFactory(guide=publish(guide_with_parts(questions=6)))


@pytest.fixture
def questions(case):
    return list(case.guide.questions.order_by("position"))


@pytest.fixture
def candidate_client(client, case):
    client.force_login(case.candidate)
    return client


def check_in_form(questions, *, date=None, values=None):
    """Every question answered: `values` maps question position to an answer, "yes" otherwise."""
    values = values or {}
    data = {"date": (date or days_ago(0)).isoformat()}
    for question in questions:
        data[f"q{question.pk}"] = values.get(question.position, "yes")
        data[f"note{question.pk}"] = f"Note on {question.position}"
    return with_token(data)


def create_url(case):
    return reverse("reviews:check_in_create", args=[case.pk])


def list_url(case):
    return reverse("reviews:check_in_list", args=[case.pk])


def test_candidate_sees_every_question(candidate_client, case):
    response = candidate_client.get(create_url(case))
    assert response.status_code == 200
    for position in range(1, 7):
        assert f"{position}. Question {position}?" in response.text


def test_candidate_takes_a_check_in(candidate_client, case, questions):
    data = check_in_form(questions, date=days_ago(3), values={2: "partly", 5: "no"})

    response = candidate_client.post(create_url(case), data)

    assert response.status_code == 302
    assert response.url == list_url(case)
    check_in = CheckIn.objects.get()
    assert (check_in.case, check_in.date) == (case, days_ago(3))
    answers = {a.question.position: (a.value, a.note) for a in check_in.answers.all()}
    assert answers == {
        1: ("yes", "Note on 1"),
        2: ("partly", "Note on 2"),
        3: ("yes", "Note on 3"),
        4: ("yes", "Note on 4"),
        5: ("no", "Note on 5"),
        6: ("yes", "Note on 6"),
    }


def test_a_missing_answer_is_refused(candidate_client, case, questions):
    data = check_in_form(questions)
    del data[f"q{questions[3].pk}"]

    response = candidate_client.post(create_url(case), data)

    assert response.status_code == 200
    assert response.context["form"].errors[f"q{questions[3].pk}"] == [
        "Choose yes, partly or no for question 4."
    ]
    assert not CheckIn.objects.exists()
    assert not Answer.objects.exists()


def test_an_answer_outside_yes_partly_no_is_refused(candidate_client, case, questions):
    data = check_in_form(questions, values={1: "maybe"})
    response = candidate_client.post(create_url(case), data)
    assert f"q{questions[0].pk}" in response.context["form"].errors
    assert not CheckIn.objects.exists()


def test_a_future_date_is_refused(candidate_client, case, questions):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = candidate_client.post(create_url(case), check_in_form(questions, date=tomorrow))

    assert response.context["form"].errors["date"] == [
        "The date of the check-in cannot be in the future."
    ]
    assert not CheckIn.objects.exists()


def test_a_second_check_in_on_the_same_date_is_refused(candidate_client, case, questions):
    CheckInFactory(case=case, date=days_ago(10))

    response = candidate_client.post(
        create_url(case), check_in_form(questions, date=days_ago(10), values={1: "no"})
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["There is already a check-in on this date."]
    assert "There is already a check-in on this date." in response.text
    assert CheckIn.objects.count() == 1
    assert not Answer.objects.filter(value="no").exists()


def test_the_same_date_on_another_case_is_fine(candidate_client, case, questions):
    CheckInFactory(date=days_ago(10))
    response = candidate_client.post(create_url(case), check_in_form(questions, date=days_ago(10)))
    assert response.status_code == 302
    assert CheckIn.objects.filter(case=case).count() == 1


def test_check_ins_are_refused_once_the_case_is_signed_off(candidate_client, case, questions):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)

    response = candidate_client.post(create_url(case), check_in_form(questions), follow=True)

    assert response.redirect_chain[-1][0] == case.get_absolute_url()
    assert "Check-ins can only be taken while the case is open." in response.text
    assert not CheckIn.objects.exists()


class TestHistory:
    @pytest.fixture
    def check_ins(self, case):
        return [
            CheckInFactory(case=case, date=days_ago(200), answers="no"),
            CheckInFactory(case=case, date=days_ago(110), answers={1: "partly", 2: "no"}),
            CheckInFactory(case=case, date=days_ago(20), answers={3: "partly"}),
        ]

    def test_a_column_per_check_in_oldest_first(self, candidate_client, case, check_ins):
        response = candidate_client.get(list_url(case))

        assert response.status_code == 200
        headings = [f'<th scope="col">{c.date:%-d %b %Y}</th>' for c in check_ins]
        positions = [response.text.index(heading) for heading in headings]
        assert positions == sorted(positions)

    def test_columns_follow_the_dates_not_the_order_the_check_ins_were_made(
        self, candidate_client, case
    ):
        made = [CheckInFactory(case=case, date=days_ago(days)) for days in (20, 300, 110, 200)]

        response = candidate_client.get(list_url(case))

        assert [c.date for c in response.context["check_ins"]] == sorted(c.date for c in made)

    def test_each_answer_sits_in_its_question_row(self, candidate_client, case, check_ins):
        response = candidate_client.get(list_url(case))
        rows = dict(response.context["rows"])
        by_position = {q.position: [a.value for a in cells] for q, cells in rows.items()}
        assert by_position[1] == ["no", "partly", "yes"]
        assert by_position[2] == ["no", "no", "yes"]
        assert by_position[3] == ["no", "yes", "partly"]

    def test_the_trend_counts_yes_answers(self, candidate_client, case, check_ins):
        response = candidate_client.get(list_url(case))

        assert response.context["trend"] == [
            (days_ago(200), 0, 6),
            (days_ago(110), 4, 6),
            (days_ago(20), 5, 6),
        ]
        assert "0 of 6 yes" in response.text
        assert "4 of 6 yes" in response.text
        assert "5 of 6 yes" in response.text

    def test_sponsor_sees_the_history_but_may_not_take_a_check_in(
        self, client, case, questions, check_ins
    ):
        client.force_login(case.sponsor)

        history = client.get(list_url(case))
        form = client.get(create_url(case))
        post = client.post(create_url(case), check_in_form(questions))

        assert history.status_code == 200
        assert "5 of 6 yes" in history.text
        assert create_url(case) not in history.text
        assert (form.status_code, post.status_code) == (403, 403)
        assert CheckIn.objects.count() == 3

    def test_hr_sees_the_history_but_may_not_take_a_check_in(
        self, client, case, questions, check_ins
    ):
        client.force_login(HRFactory())
        assert client.get(list_url(case)).status_code == 200
        assert client.post(create_url(case), check_in_form(questions)).status_code == 403
        assert CheckIn.objects.count() == 3

    def test_outsider_gets_404(self, client, case, questions, check_ins):
        client.force_login(UserFactory())
        assert client.get(list_url(case)).status_code == 404
        assert client.get(create_url(case)).status_code == 404
        assert client.post(create_url(case), check_in_form(questions)).status_code == 404
        assert CheckIn.objects.count() == 3


def test_empty_history_invites_the_candidate(candidate_client, case):
    response = candidate_client.get(list_url(case))
    assert "No check-ins yet. Take one each quarter: the guide's 6 questions" in response.text
    assert create_url(case) in response.text


def test_the_service_refuses_a_case_signed_off_since_the_page_read_it(case, questions):
    from django.core.exceptions import ValidationError

    from reviews.services import record_check_in

    Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
    with pytest.raises(ValidationError, match="only be taken while the case is open"):
        record_check_in(case=case, date=days_ago(1), answers={q.pk: ("yes", "") for q in questions})
    assert not CheckIn.objects.exists()
