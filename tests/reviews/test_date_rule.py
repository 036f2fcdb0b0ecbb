"""One rule for dates (core/dates.py) in every form, the services, the packet import and the
commands: 1 January 1900 up to five years ahead, and up to today for what has happened. What the
forms accept, a packet carries and the import accepts again."""

import copy
import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.dates import date_problem, latest
from reviews import services
from reviews.models import Case, CheckIn, Evidence
from reviews.packets.build import build_packet, canonical_bytes
from reviews.packets.importing import import_packet
from reviews.packets.shapes import PacketProblem
from reviews.views.filters import EvidenceFilterForm
from tests.factories import CaseFactory, HRFactory, UserFactory, published_guide
from tests.form_tokens import with_token
from tests.reviews.test_packet_import import refused
from tests.security.hostile import client_for

DAY = "2026-06-15"
pytestmark = [pytest.mark.django_db, pytest.mark.today(DAY)]

TODAY = datetime.date.fromisoformat(DAY)
FIVE_YEARS_AHEAD = datetime.date(2031, 6, 15)


def test_the_rule_accepts_1900_to_five_years_ahead_and_what_happened_up_to_today():
    assert latest(happened=False) == FIVE_YEARS_AHEAD
    assert latest(happened=True) == TODAY
    assert latest(happened=False, today=datetime.date(2028, 2, 29)) == datetime.date(2033, 2, 28)
    for happened in (False, True):
        assert date_problem(datetime.date(1900, 1, 1), happened=happened) is None
        assert date_problem(TODAY, happened=happened) is None
        assert date_problem(datetime.date(1899, 12, 31), happened=happened) == (
            "cannot be before 1 January 1900"
        )
        assert date_problem(datetime.date(1, 1, 1), happened=happened) == (
            "cannot be before 1 January 1900"
        )
    assert date_problem(FIVE_YEARS_AHEAD, happened=False) is None
    assert date_problem(FIVE_YEARS_AHEAD + datetime.timedelta(days=1), happened=False) == (
        "cannot be after 15 June 2031, 5 years from today"
    )
    assert date_problem(datetime.date(9999, 12, 31), happened=False) == (
        "cannot be after 15 June 2031, 5 years from today"
    )
    assert date_problem(TODAY + datetime.timedelta(days=1), happened=True) == (
        "cannot be in the future"
    )


# The forms


@pytest.fixture
def case():
    return CaseFactory(guide=published_guide(), opened_on=datetime.date(2025, 1, 6))


def form_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, "a refused form is shown again"
    form = next(
        form
        for key in ("form", "decision_form")
        if (form := response.context.get(key)) is not None and form.is_bound
    )
    return form.errors[field]


def evidence_post(client, case, date: str):
    capability = case.guide.capabilities.order_by("number").first()
    return client.post(
        reverse("reviews:evidence_create", args=[case.pk]),
        with_token(
            {
                "capability": capability.pk,
                "title": "Ran the budget",
                "date": date,
                "summary": "Did.",
            }
        ),
    )


def check_in_post(client, case, date: str):
    data = {"date": date}
    for question in case.guide.questions.all():
        data[f"q{question.pk}"] = "yes"
    return client.post(reverse("reviews:check_in_create", args=[case.pk]), with_token(data))


def case_post(client, guide, date: str):
    return client.post(
        reverse("reviews:case_create"),
        {
            "candidate": UserFactory().pk,
            "guide": guide.pk,
            "sponsor": UserFactory(current_level=guide.to_level).pk,
            "opened_on": date,
        },
    )


def test_the_evidence_form_refuses_the_year_one(case):
    response = evidence_post(client_for(case.candidate), case, "0001-01-01")

    assert form_errors(response, "date") == [
        "The date of the work cannot be before 1 January 1900."
    ]
    assert not Evidence.objects.exists()


def test_the_check_in_form_refuses_the_year_one(case):
    response = check_in_post(client_for(case.candidate), case, "0001-01-01")

    assert form_errors(response, "date") == [
        "The date of the check-in cannot be before 1 January 1900."
    ]
    assert not CheckIn.objects.exists()


def test_the_case_form_refuses_an_opening_in_the_year_9999(case):
    response = case_post(client_for(HRFactory()), case.guide, "9999-12-31")

    assert form_errors(response, "opened_on") == [
        "The opening date cannot be after 15 June 2031, 5 years from today."
    ]
    assert Case.objects.count() == 1


def test_the_decision_form_refuses_an_effective_date_in_the_year_one(case):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
    response = client_for(HRFactory()).post(
        reverse("reviews:case_manage", args=[case.pk]),
        with_token(
            {
                "action": "decision",
                "outcome": "promoted",
                "effective_date": "0001-01-01",
                "confirm_promotion": "on",
            }
        ),
    )

    assert form_errors(response, "effective_date") == [
        "The effective date cannot be before 1 January 1900."
    ]
    case.refresh_from_db()
    assert case.status == Case.Status.SIGNED_OFF


def test_the_evidence_filter_refuses_dates_out_of_range():
    form = EvidenceFilterForm({"date_from": "0001-01-01", "date_to": "9999-12-31"}, capabilities=[])

    assert form.errors == {
        "date_from": ["The date cannot be before 1 January 1900."],
        "date_to": ["The date cannot be after 15 June 2031, 5 years from today."],
    }


# The services, for callers other than the forms


def test_the_services_refuse_dates_out_of_range(case):
    capability = case.guide.capabilities.order_by("number").first()
    with pytest.raises(ValidationError, match="cannot be before 1 January 1900"):
        services.save_evidence(
            case=case,
            evidence=None,
            capability=capability,
            indicators=[],
            title="Ran the budget",
            date=datetime.date(1, 1, 1),
            summary="Did.",
            outcome="",
            links=[],
        )
    with pytest.raises(ValidationError, match="cannot be before 1 January 1900"):
        services.record_check_in(case=case, date=datetime.date(1, 1, 1), answers={})
    with pytest.raises(ValidationError, match="cannot be after 15 June 2031"):
        services.open_case(
            candidate=UserFactory(),
            sponsor=case.sponsor,
            guide=case.guide,
            opened_on=datetime.date(9999, 12, 31),
        )
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
    with pytest.raises(ValidationError, match="cannot be before 1 January 1900"):
        services.record_decision(
            case=case,
            outcome="promoted",
            effective_date=datetime.date(1, 1, 1),
            note="",
            decided_by=HRFactory(),
        )


# The import, and the forms' dates through it


def test_the_import_refuses_what_the_forms_refuse_in_the_same_words(case):
    packet = json.loads(json.dumps(build_packet(Case.objects.with_people().get(pk=case.pk))))
    packet["candidate"]["username"] = "someone.new"
    packet["opened_on"] = "9999-12-31"
    packet["evidence"] = [
        {"capability": 1, "title": "Old", "date": "0001-01-01", "summary": "Did."},
        {"capability": 1, "title": "Ahead", "date": "2026-06-16", "summary": "Did."},
    ]

    assert refused(packet) == [
        PacketProblem(
            "$.opened_on",
            "opening date 9999-12-31 cannot be after 15 June 2031, 5 years from today",
        ),
        PacketProblem(
            "$.evidence[0].date", "evidence date 0001-01-01 cannot be before 1 January 1900"
        ),
        PacketProblem("$.evidence[1].date", "evidence date 2026-06-16 cannot be in the future"),
    ]


@pytest.mark.parametrize("opened_on", ["1900-01-01", "2031-06-15"])
def test_a_packet_of_dates_at_the_edges_of_what_the_forms_accept_imports_again(opened_on):
    """A case opened through HR's form, evidence and check-ins through the candidate's, each on
    the first and the last day they accept; its packet imports for other people and exports the
    same."""
    guide = published_guide()
    assert case_post(client_for(HRFactory()), guide, opened_on).status_code == 302
    case = Case.objects.with_people().get()
    candidate = client_for(case.candidate)
    for date in ("1900-01-01", DAY):
        assert evidence_post(candidate, case, date).status_code == 302
        assert check_in_post(candidate, case, date).status_code == 302
    packet = json.loads(json.dumps(build_packet(case)))

    moved = copy.deepcopy(packet)
    for person in ("candidate", "sponsor"):
        moved[person]["username"] += ".elsewhere"
    imported = import_packet(packet=moved, by=None)

    again = build_packet(Case.objects.with_people().get(pk=imported.pk))
    for person in ("candidate", "sponsor"):
        again[person]["username"] = again[person]["username"].removesuffix(".elsewhere")
    assert canonical_bytes(again) == canonical_bytes(packet)
    assert imported.opened_on.isoformat() == opened_on


# The commands


def test_commands_refuse_dates_out_of_range_in_the_same_words(case):
    with pytest.raises(CommandError, match="cannot be before 1 January 1900"):
        call_command("readiness", case.pk, "--as-of", "0001-01-01")
    with pytest.raises(CommandError, match="cannot be after 15 June 2031, 5 years from today"):
        call_command("seed_demo", "--as-of", "9999-12-31")
    with pytest.raises(CommandError, match="expected a date as YYYY-MM-DD"):
        call_command("readiness", case.pk, "--as-of", "15/06/2026")
