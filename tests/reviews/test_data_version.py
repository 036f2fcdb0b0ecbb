"""A case's data_version: every insert, update and delete of what its readiness is computed from
bumps it, by database triggers (reviews/triggers.py), and only for that case."""

import pytest
from django.db import connection

from reviews.models import Answer, Case, CheckIn, Evidence
from tests.factories import CaseFactory, CheckInFactory, EvidenceFactory

pytestmark = pytest.mark.django_db

Tagging = Evidence.indicators.through


def version(case: Case) -> int:
    return Case.objects.values_list("data_version", flat=True).get(pk=case.pk)


@pytest.fixture
def cases():
    """A case with a tagged item and a check-in that left its last question unanswered, and
    another just like it."""
    made = []
    for _ in range(2):
        case = CaseFactory()
        capability = case.guide.capabilities.order_by("number").first()
        EvidenceFactory(
            case=case, capability=capability, indicators=[capability.indicators.first()]
        )
        CheckInFactory(case=case).answers.order_by("question__position").last().delete()
        made.append(case)
    return made


def insert_evidence(case):
    Evidence.objects.create(
        case=case,
        capability=case.guide.capabilities.first(),
        title="New",
        date=case.opened_on,
        summary="Done.",
    )


def insert_tag(case):
    item = case.evidence.get()
    Tagging.objects.create(evidence=item, indicator=item.capability.indicators.last())


def update_tag(case):
    item = case.evidence.get()
    Tagging.objects.filter(evidence=item).update(indicator=item.capability.indicators.last())


def insert_check_in(case):
    CheckIn.objects.create(case=case, date=case.opened_on)


def insert_answer(case):
    check_in = case.check_ins.get()
    answered = check_in.answers.values("question")
    question = case.guide.questions.exclude(pk__in=answered).first()
    Answer.objects.create(check_in=check_in, question=question, value="yes")


CHANGES = {
    "evidence": (
        insert_evidence,
        lambda case: Evidence.objects.filter(case=case).update(title="Renamed"),
        lambda case: Evidence.objects.filter(case=case).delete(),
    ),
    "evidence_indicators": (
        insert_tag,
        update_tag,
        lambda case: Tagging.objects.filter(evidence__case=case).delete(),
    ),
    "checkin": (
        insert_check_in,
        lambda case: CheckIn.objects.filter(case=case).update(date=case.opened_on),
        lambda case: CheckIn.objects.filter(case=case).delete(),
    ),
    "answer": (
        insert_answer,
        lambda case: Answer.objects.filter(check_in__case=case).update(value="no"),
        lambda case: Answer.objects.filter(check_in__case=case).delete(),
    ),
}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(change, id=f"{table}-{operation}")
        for table, changes in CHANGES.items()
        for operation, change in zip(("insert", "update", "delete"), changes, strict=True)
    ],
)
def test_a_change_bumps_its_case_and_no_other(cases, change):
    case, other = cases
    before, other_before = version(case), version(other)
    change(case)
    # A delete also deletes what hangs off the row, each table bumping the case once more.
    assert version(case) > before
    assert version(other) == other_before


def test_a_bulk_insert_bumps_once_per_statement(cases):
    case, _ = cases
    before = version(case)
    capability = case.guide.capabilities.first()
    Evidence.objects.bulk_create(
        Evidence(case=case, capability=capability, title=f"{n}", date=case.opened_on, summary=".")
        for n in range(20)
    )
    assert version(case) == before + 1


def test_moving_a_row_to_another_case_bumps_both(cases):
    case, other = cases
    before, other_before = version(case), version(other)
    Evidence.objects.filter(case=case).update(case=other)
    assert (version(case), version(other)) == (before + 1, other_before + 1)


def test_raw_sql_bumps_as_the_orm_does(cases):
    case, _ = cases
    before = version(case)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM reviews_answer WHERE check_in_id = ANY(%s)",
            [list(case.check_ins.values_list("pk", flat=True))],
        )
    assert version(case) == before + 1
