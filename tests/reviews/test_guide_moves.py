"""Moving an open case to a newer version of its guide (reviews/guide_moves.py): only when HR
asks, every part of the case follows, nothing is half-written, and the move is recorded."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guides import versions
from guides.models import Guide
from guides.services import import_guide
from inbox.models import Notice
from reviews.case_writes import CaseNotOpen
from reviews.guide_moves import move_case, plan_move
from reviews.models import Answer, Case, CheckIn, ReadinessSnapshot
from reviews.workflow_models import EvidenceDraft
from tests.factories import CaseFactory, EvidenceFactory, HRFactory, SignOffFactory, UserFactory
from tests.guides.guide_texts import first_version, markdown, second_version

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]

DAY = datetime.date(2026, 10, 1)


def imported(doc) -> Guide:
    return import_guide(source=markdown(doc).encode()).guide


def indicators(guide, number):
    return list(guide.capabilities.get(number=number).indicators.order_by("position"))


@pytest.fixture
def world():
    first = imported(first_version())
    case = CaseFactory(
        guide=first,
        candidate=UserFactory(name="Nadia Example"),
        sponsor=UserFactory(current_level=first.to_level),
    )
    roadmap = first.capabilities.get(number=1)
    planned = EvidenceFactory(
        case=case,
        capability=roadmap,
        title="Wrote the group's yearly plan",
        date=DAY,
        indicators=indicators(first, 1),
    )
    coached = EvidenceFactory(
        case=case,
        capability=first.capabilities.get(number=2),
        title="Named a successor for the platform team",
        date=DAY,
        indicators=indicators(first, 2)[:1],
    )
    check_in = CheckIn.objects.create(case=case, date=DAY)
    Answer.objects.bulk_create(
        Answer(check_in=check_in, question=q, value="yes") for q in first.questions.all()
    )
    draft = EvidenceDraft.objects.create(
        case=case,
        capability=roadmap,
        indicator_ids=[i.pk for i in indicators(first, 1)],
        title="Half-written",
    )
    second = imported(second_version())
    return {
        "first": first,
        "second": second,
        "case": case,
        "planned": planned,
        "coached": coached,
        "draft": draft,
        "hr": HRFactory(name="Hanna Example"),
    }


def test_the_plan_says_what_happens_to_each_tag(world):
    plan = plan_move(world["case"], world["second"])
    planned, coached = plan.items
    assert [(t.kind.value, t.old, t.new) for t in planned.tags] == [
        (
            "reworded",
            "Sets a yearly plan that other teams build on",
            "Sets a yearly plan that other groups build on",
        ),
        ("removed", "Cuts work that no longer pays off", None),
        (
            "moved",
            "Explains trade-offs to finance in their terms",
            "Explains trade-offs to finance in their terms",
        ),
    ]
    assert [t.kind.value for t in coached.tags] == ["same"]
    assert [item.title for item in plan.to_retag] == ["Wrote the group's yearly plan"]
    assert plan.possible
    # Nothing moves until HR confirms.
    assert Case.objects.get(pk=world["case"].pk).guide == world["first"]


def test_moving_takes_every_part_of_the_case_to_the_new_version(world):
    case, second = world["case"], world["second"]
    move_case(case=case, target=second, by=world["hr"])
    case.refresh_from_db()
    assert case.guide == second
    planned, coached = world["planned"], world["coached"]
    planned.refresh_from_db()
    coached.refresh_from_db()
    assert planned.capability == second.capabilities.get(number=1)
    assert list(planned.indicators.order_by("position")) == indicators(second, 1)
    assert list(coached.indicators.all()) == indicators(second, 2)[:1]
    assert set(
        Answer.objects.filter(check_in__case=case).values_list("question__guide", flat=True)
    ) == {second.pk}
    draft = EvidenceDraft.objects.get(pk=world["draft"].pk)
    assert draft.capability == second.capabilities.get(number=1)
    assert draft.indicator_ids == [i.pk for i in indicators(second, 1)]


def test_readiness_is_computed_on_the_new_version(world):
    move_case(case=world["case"], target=world["second"], by=world["hr"])
    snapshot = ReadinessSnapshot.objects.get(case=world["case"])
    assert snapshot.data_version == Case.objects.get(pk=world["case"].pk).data_version
    totals = [c["indicators_total"] for c in snapshot.report["capabilities"]]
    assert totals == [2, 3]


def test_a_case_without_evidence_gets_readiness_of_the_new_version(world):
    first, second = world["first"], world["second"]
    empty = CaseFactory(guide=first, sponsor=UserFactory(current_level=first.to_level))
    move_case(case=empty, target=second, by=world["hr"])
    report = ReadinessSnapshot.objects.get(case=empty).report
    assert [c["indicators_total"] for c in report["capabilities"]] == [2, 3]


def test_the_move_is_in_the_history_and_the_candidate_is_told(client, world):
    case = world["case"]
    move_case(case=case, target=world["second"], by=world["hr"])
    client.force_login(world["hr"])
    page = client.get(reverse("reviews:case_history", args=[case.pk])).text
    assert "M2 → M3 v1" in page and "M2 → M3 v2" in page
    notice = Notice.objects.get(recipient=case.candidate, kind=Notice.Kind.REMINDER)
    assert "moved your case to M2 → M3 v2" in notice.text
    assert "1 evidence item" in notice.text


def test_a_capability_without_counterpart_refuses_the_move_whole(world):
    first = first_version()
    only_one = dataclasses.replace(first, capabilities=first.capabilities[:1])
    third = imported(only_one)
    case = world["case"]
    assert [item.title for item in plan_move(case, third).unplaced] == [
        "Named a successor for the platform team"
    ]
    with pytest.raises(ValidationError, match="no counterpart"):
        move_case(case=case, target=third, by=world["hr"])
    case.refresh_from_db()
    assert case.guide == world["first"]
    assert world["planned"].indicators.count() == 3


def test_only_a_newer_published_version(world):
    case = world["case"]
    for target in (
        world["first"],
        versions.import_draft(
            source=markdown(dataclasses.replace(second_version(), overview="Later.")).encode()
        ).guide,
    ):
        with pytest.raises(ValidationError, match="newer published version"):
            move_case(case=case, target=target, by=world["hr"])


def test_a_signed_off_case_stays_on_its_version(world):
    case = world["case"]
    SignOffFactory(case=case)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.SIGNED_OFF)
    with pytest.raises(CaseNotOpen):
        move_case(case=case, target=world["second"], by=world["hr"])


def test_hr_sees_the_plan_and_must_confirm(client, world):
    case = world["case"]
    client.force_login(world["hr"])
    url = reverse("reviews:case_move", args=[case.pk])
    page = client.get(url).text
    assert "For the candidate to re-tag" in page
    assert "Lost, to re-tag:</strong> <q>Cuts work that no longer pays off</q>" in page
    assert "Reworded:</strong> <q>Do my teams know the plan for the year?</q>" in page
    refused = client.post(url, {"guide": world["second"].slug})
    assert "Tick the box to confirm the move." in refused.text
    assert Case.objects.get(pk=case.pk).guide == world["first"]
    moved = client.post(url, {"guide": world["second"].slug, "confirm": "on"})
    assert moved["Location"] == case.get_absolute_url()
    assert Case.objects.get(pk=case.pk).guide == world["second"]
    again = client.get(url).text
    assert "No newer version of M2 → M3 is published" in again


def test_move_page_queries_do_not_grow_with_the_evidence(client, world, django_assert_num_queries):
    case = world["case"]
    client.force_login(world["hr"])
    url = reverse("reviews:case_move", args=[case.pk])
    # session, user, the case with its people and guide, the newer versions; the plan: the
    # capabilities of both versions with their indicators (4), the evidence with its
    # indicators (2), the answers, the questions of both versions (2), the drafts
    with django_assert_num_queries(14):
        client.get(url)
    for _ in range(4):
        EvidenceFactory(
            case=case,
            capability=world["first"].capabilities.get(number=2),
            date=DAY,
            indicators=indicators(world["first"], 2),
        )
    with django_assert_num_queries(14):
        client.get(url)


def test_a_candidate_with_an_open_case_on_the_new_version_keeps_both_apart(world):
    case, second = world["case"], world["second"]
    CaseFactory(guide=second, candidate=case.candidate, sponsor=case.sponsor)
    with pytest.raises(ValidationError, match="already has an open case on M2 → M3 v2"):
        move_case(case=case, target=second, by=world["hr"])
    case.refresh_from_db()
    assert case.guide == world["first"]
