"""The dashboard's "last evidence", when it was logged and how many items the case has (what
"awaiting your feedback" counts from) are kept with the readiness snapshot, worked out when the
evidence changes: after each write that changes them, the kept values are the ones the evidence
itself gives."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from core import clock
from reviews import services
from reviews.models import Case, Evidence, ReadinessSnapshot
from reviews.readiness.rule import Readiness
from tests.factories import CaseFactory, EvidenceFactory

# Each write happens at a time of its own, so every item has its own logged-at time.
pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-01")]

DASHBOARD = reverse("reviews:dashboard")


def at(day: int):
    return time_machine.travel(datetime.datetime(2026, 6, day, 12, tzinfo=datetime.UTC))


def save(case, *, evidence=None, date, title="Led the review"):
    capability = case.guide.capabilities.get(number=1)
    return services.save_evidence(
        case=case,
        evidence=evidence,
        capability=capability,
        indicators=list(capability.indicators.all()[:1]),
        title=title,
        date=date,
        summary="What was done.",
        outcome="",
        links=[],
    )


def from_the_evidence(case) -> tuple[datetime.date | None, datetime.datetime | None, int]:
    """The latest item by the date of its work (the later logged of a tie), up to today, and
    how many items the case has."""
    items = Evidence.objects.filter(case=case)
    latest = items.filter(date__lte=clock.today()).order_by("-date", "-id").first()
    count = items.count()
    return (latest.date, latest.created_at, count) if latest else (None, None, count)


def kept(case) -> tuple[datetime.date | None, datetime.datetime | None, int]:
    snapshot = ReadinessSnapshot.objects.get(case=case)
    # The snapshot was brought up to date by the write itself.
    assert snapshot.data_version == Case.objects.get(pk=case.pk).data_version
    readiness = Readiness.from_snapshot(snapshot.report)
    return readiness.last_evidence, readiness.last_logged, readiness.item_count


def shown(client, case) -> tuple[datetime.date | None, datetime.datetime | None, int]:
    """As the sponsor's row shows it: no one has given feedback, so every item awaits it."""
    client.force_login(case.sponsor)
    (row,) = client.get(DASHBOARD).context["rows"]
    return row.last_evidence, row.last_logged, row.awaiting


def check(client, case, expected_date):
    expected = from_the_evidence(case)
    assert expected[0] == expected_date
    assert kept(case) == expected
    assert shown(client, case) == expected


def test_kept_last_evidence_follows_each_write(client):
    with at(1):
        case = CaseFactory(opened_on=datetime.date(2026, 1, 5))
    with at(2):
        first = save(case, date=datetime.date(2026, 3, 1))
        check(client, case, datetime.date(2026, 3, 1))
    with at(3):
        # An older piece of work logged later does not become the last item.
        older = save(case, date=datetime.date(2026, 2, 1))
        check(client, case, datetime.date(2026, 3, 1))
    with at(4):
        # The same day as the last: the one logged later is the last.
        save(case, date=datetime.date(2026, 3, 1), title="Ran the offsite")
        check(client, case, datetime.date(2026, 3, 1))
    with at(5):
        # Moving an item's date later makes it the last, still with its own logged-at time.
        save(case, evidence=older, date=datetime.date(2026, 5, 20))
        check(client, case, datetime.date(2026, 5, 20))
    with at(6):
        services.delete_evidence(evidence=Evidence.objects.get(pk=older.pk))
        check(client, case, datetime.date(2026, 3, 1))
    with at(7):
        for item in Evidence.objects.filter(case=case).exclude(pk=first.pk):
            services.delete_evidence(evidence=item)
        services.delete_evidence(evidence=Evidence.objects.get(pk=first.pk))
        assert from_the_evidence(case) == (None, None, 0)
        assert kept(case) == (None, None, 0)
        assert shown(client, case) == (None, None, 0)


def test_a_case_without_a_fresh_snapshot_shows_the_same(client):
    with at(1):
        case = CaseFactory(opened_on=datetime.date(2026, 1, 5))
    with at(2):
        save(case, date=datetime.date(2026, 3, 1))
        save(case, date=datetime.date(2026, 4, 1))
        expected = from_the_evidence(case)
        ReadinessSnapshot.objects.all().delete()
        assert shown(client, case) == expected


def test_the_kept_count_includes_items_dated_after_today(client):
    with at(1):
        case = CaseFactory(opened_on=datetime.date(2026, 1, 5))
        save(case, date=datetime.date(2026, 3, 1))
        # Only data written outside the services can be dated ahead; it still awaits feedback.
        EvidenceFactory(case=case, date=datetime.date(2026, 7, 1))
        services.refresh_snapshot(case)
        expected = from_the_evidence(case)
        assert expected[0] == datetime.date(2026, 3, 1) and expected[2] == 2
        assert kept(case) == expected
        assert shown(client, case) == expected
