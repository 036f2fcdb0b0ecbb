"""Readiness snapshots: today's readiness kept per case, never outliving the data it came from,
written by the writes that change a case and by the hourly task, never by a read."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from pghistory.models import Events

from core import clock
from reviews.models import Answer, Case, Evidence, ReadinessSnapshot
from reviews.readiness.rule import Readiness
from reviews.readiness.snapshots import (
    compute_readiness_for_cases,
    readiness_for_cases,
    refresh_snapshots,
)
from tests.factories import CaseFactory, CheckInFactory, EvidenceFactory, HRFactory

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def days_ago(days: int) -> datetime.date:
    return clock.today() - datetime.timedelta(days=days)


@pytest.fixture
def case():
    """Evidence on every capability in every block of the window, and quarterly check-ins."""
    case = CaseFactory()
    capabilities = list(case.guide.capabilities.order_by("number"))
    for block in range(4):
        for capability in capabilities:
            first = capability.indicators.order_by("position").first()
            EvidenceFactory(
                case=case,
                capability=capability,
                date=days_ago(20 + 90 * block),
                indicators=[first],
            )
        CheckInFactory(case=case, date=days_ago(10 + 90 * block))
    return fresh(case)


def fresh(case: Case) -> Case:
    return Case.objects.select_related("guide").get(pk=case.pk)


def readiness(case: Case) -> Readiness:
    return readiness_for_cases([fresh(case)])[case.pk]


def computed(case: Case) -> Readiness:
    return compute_readiness_for_cases([fresh(case)])[case.pk]


def refresh(case: Case) -> int:
    return refresh_snapshots(Case.objects.filter(pk=case.pk))


def test_a_snapshot_gives_back_exactly_the_report_it_keeps(case):
    report = computed(case)
    assert Readiness.from_snapshot(report.to_snapshot()) == report
    assert refresh(case) == 1
    assert readiness(case) == report
    snapshot = ReadinessSnapshot.objects.get(case=case)
    assert snapshot.as_of == clock.today()
    assert snapshot.status == report.status
    assert Readiness.from_snapshot(snapshot.report) == report


def test_the_snapshot_is_used_while_the_data_is_unchanged(case, django_assert_num_queries):
    refresh(case)
    case, expected = fresh(case), computed(case)
    with django_assert_num_queries(1):
        assert readiness_for_cases([case])[case.pk] == expected


def change_answer(case: Case) -> None:
    Answer.objects.filter(check_in__case=case).update(value="no")


def add_indicator_in_raw_sql(case: Case) -> None:
    evidence = case.evidence.order_by("id").first()
    extra = evidence.capability.indicators.order_by("position").last()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reviews_evidence_indicators (evidence_id, indicator_id) VALUES (%s, %s)",
            [evidence.pk, extra.pk],
        )


def drop_indicators(case: Case) -> None:
    Evidence.indicators.through.objects.filter(evidence__case=case).delete()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda case: EvidenceFactory(case=case, date=days_ago(1)), id="new evidence"),
        pytest.param(
            lambda case: case.evidence.filter(date__gte=days_ago(100)).update(date=days_ago(400)),
            id="evidence re-dated",
        ),
        pytest.param(lambda case: case.evidence.filter(date__gte=days_ago(100)).delete(), id="del"),
        pytest.param(add_indicator_in_raw_sql, id="indicator added in raw SQL"),
        pytest.param(drop_indicators, id="indicators removed"),
        pytest.param(lambda case: CheckInFactory(case=case, date=days_ago(2)), id="check-in"),
        pytest.param(change_answer, id="answers changed"),
        pytest.param(lambda case: case.check_ins.all().delete(), id="check-ins deleted"),
    ],
)
def test_any_change_to_the_data_makes_the_snapshot_stale(case, change):
    refresh(case)
    before = readiness(case)
    version = fresh(case).data_version
    change(case)
    assert fresh(case).data_version > version
    after = readiness(case)
    assert after == computed(case)
    assert after != before


def test_a_snapshot_of_yesterday_is_not_used_today(case):
    refresh(case)
    ReadinessSnapshot.objects.filter(case=case).update(as_of=days_ago(1), status="stale-marker")
    assert readiness(case) == computed(case)
    # Reading left it as it was; the hourly refresh brings it up to date.
    assert ReadinessSnapshot.objects.get(case=case).as_of == days_ago(1)
    assert refresh(case) == 1
    assert ReadinessSnapshot.objects.get(case=case).as_of == clock.today()


def test_reading_readiness_never_writes_a_snapshot(client, case):
    assert readiness(case) == computed(case)
    hr = HRFactory()
    for person, url in (
        (case.candidate, reverse("reviews:case_detail", args=[case.pk])),
        (hr, reverse("reviews:case_list")),
        (hr, reverse("reviews:case_list") + "?readiness=ready&flag=stale"),
        (hr, reverse("reviews:cycle_export", args=["cases-csv"]) + "?readiness=ready"),
        (case.sponsor, reverse("reviews:dashboard")),
        (case.sponsor, reverse("reviews:sign_off_create", args=[case.pk])),
        (case.sponsor, reverse("reviews:packet_download", args=[case.pk, "json"])),
    ):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    assert not ReadinessSnapshot.objects.exists()


def test_a_write_through_the_services_brings_the_snapshot_up_to_date(case):
    from reviews import services

    refresh(case)
    capability = case.guide.capabilities.get(number=1)
    services.save_evidence(
        case=case,
        evidence=None,
        capability=capability,
        indicators=list(capability.indicators.all()),
        title="Led the review",
        date=clock.today(),
        summary="What was done.",
        outcome="",
        links=[],
    )
    snapshot = ReadinessSnapshot.objects.get(case=case)
    assert snapshot.data_version == fresh(case).data_version
    assert Readiness.from_snapshot(snapshot.report) == computed(case)
    # Nothing left to do for the hourly task.
    assert refresh(case) == 0


def test_another_day_is_computed_and_not_kept(case):
    earlier = readiness_for_cases([fresh(case)], as_of=days_ago(200))[case.pk]
    assert earlier.as_of == days_ago(200)
    assert not ReadinessSnapshot.objects.exists()


def test_bumping_the_data_version_leaves_no_trace_in_the_case_history(case):
    def case_events() -> list[str]:
        return list(
            Events.objects.references(case)
            .filter(pgh_model="reviews.CaseEvent")
            .values_list("pgh_label", flat=True)
        )

    assert case_events() == ["insert"]
    version = fresh(case).data_version
    EvidenceFactory(case=case)
    assert fresh(case).data_version > version
    assert case_events() == ["insert"]


def test_refresh_computes_only_the_stale_snapshots(case):
    others = [CaseFactory(guide=case.guide) for _ in range(3)]
    cases = Case.objects.filter(pk__in=[case.pk] + [o.pk for o in others])
    assert refresh_snapshots(cases) == 4
    assert refresh_snapshots(cases) == 0
    EvidenceFactory(case=others[0])
    assert refresh_snapshots(cases) == 1
    assert ReadinessSnapshot.objects.get(case=others[0]).report == (
        computed(others[0]).to_snapshot()
    )


def test_hr_filters_by_readiness_on_stale_snapshots_correctly(client, case):
    quiet = CaseFactory(guide=case.guide)
    client.force_login(HRFactory())
    url = reverse("reviews:case_list")

    def names(**params) -> set[str]:
        response = client.get(url, params)
        return {row.name for row in response.context["rows"]}

    assert computed(case).status == "ready"
    assert names(readiness="ready") == {case.candidate.display_name}
    assert names(readiness="not_started") == {quiet.candidate.display_name}
    # Snapshots taken, as the hourly task takes them, then made stale by the changes below.
    refresh_snapshots(Case.objects.all())
    assert names(readiness="ready") == {case.candidate.display_name}
    # The ready case loses its latest block of evidence: the filter sees it at once.
    case.evidence.filter(date__gte=days_ago(100)).delete()
    assert names(readiness="ready") == set()
    assert names(readiness="building") == {case.candidate.display_name}
    # One indicator of five per capability: thin, like the case without evidence.
    assert names(flag="thin") == {case.candidate.display_name, quiet.candidate.display_name}
    assert names(flag="stale") == {case.candidate.display_name}
