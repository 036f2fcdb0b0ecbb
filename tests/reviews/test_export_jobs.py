"""A cycle export of more than a few cases is a job: HR starts it, the worker makes the ZIP and
counts its packets, HR's page shows how far it is and offers the file, which is kept a day."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse

from reviews.export_jobs import CycleExport
from reviews.models import Case
from reviews.packets.exports import cycle_zip
from reviews.packets.jobs import STREAM_AT_MOST, export_path, forget_old_exports
from tests.factories import CaseFactory, EvidenceFactory, HRFactory, published_guide
from tests.security.hostile import client_for
from tests.worker import run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]

MANY = STREAM_AT_MOST + 2


def make_cases(count: int) -> list[Case]:
    guide = published_guide()
    cases = [CaseFactory(guide=guide) for _ in range(count)]
    for case in cases:
        EvidenceFactory(case=case, title=f"Item of case {case.pk}")
    return cases


def start(client) -> CycleExport:
    response = client.post(reverse("reviews:export_create"))
    export = CycleExport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reviews:export_detail", args=[export.pk])
    return export


def test_a_few_cases_stream_at_once():
    make_cases(STREAM_AT_MOST)
    response = client_for(HRFactory()).get(reverse("reviews:cycle_export", args=["zip"]))
    assert response.streaming
    assert not CycleExport.objects.exists()


def test_more_cases_are_offered_as_a_job_and_asking_starts_nothing():
    make_cases(MANY)
    response = client_for(HRFactory()).get(
        reverse("reviews:cycle_export", args=["zip"]) + "?status=open"
    )
    assert response.status_code == 200
    assert f"Export {MANY} cases as a ZIP of packets" in response.content.decode()
    assert 'action="/cases/export/zip/start?status=open"' in response.content.decode()
    assert not CycleExport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_job_counts_its_packets_and_offers_the_zip(django_capture_on_commit_callbacks):
    cases = make_cases(MANY)
    hr = HRFactory()
    client = client_for(hr)
    export = start(client)
    assert export.case_ids == sorted(c.pk for c in cases) and export.total == MANY
    page = client.get(reverse("reviews:export_detail", args=[export.pk])).content.decode()
    assert f"0 of {MANY} packets" in page
    assert "data-refresh=" in page

    run_queued_tasks()

    export.refresh_from_db()
    assert (export.status, export.done) == (CycleExport.Status.DONE, MANY)
    page = client.get(reverse("reviews:export_detail", args=[export.pk])).content.decode()
    assert f"{MANY} of {MANY} packets" in page
    assert "data-refresh=" not in page
    response = client.get(reverse("reviews:export_download", args=[export.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    pdfs = [name for name in archive.namelist() if name.endswith("/packet.pdf")]
    assert len(pdfs) == MANY


def test_only_the_person_who_started_it_sees_the_job():
    make_cases(MANY)
    export = start(client_for(HRFactory()))
    other = client_for(HRFactory())
    assert other.get(reverse("reviews:export_detail", args=[export.pk])).status_code == 404
    assert other.get(reverse("reviews:export_download", args=[export.pk])).status_code == 404


def test_the_zip_cannot_be_downloaded_before_it_is_made():
    make_cases(MANY)
    client = client_for(HRFactory())
    export = start(client)
    assert client.get(reverse("reviews:export_download", args=[export.pk])).status_code == 404


def test_the_zip_reports_each_packet_as_it_is_made():
    cases = make_cases(3)
    told = []
    chunks = cycle_zip(
        Case.objects.filter(pk__in=[c.pk for c in cases]),
        on_packet=lambda done, total: told.append((done, total)),
    )
    for _ in chunks:
        pass
    assert told == [(1, 3), (2, 3), (3, 3)]


def test_an_export_is_kept_a_day_then_deleted_with_its_file():
    hr = HRFactory()
    with time_machine.travel(datetime.datetime(2026, 11, 16, 9, 0, tzinfo=datetime.UTC)):
        export = CycleExport.objects.create(
            requested_by=hr,
            case_ids=[],
            as_of=datetime.date(2026, 11, 16),
            total=0,
            status=CycleExport.Status.DONE,
            file="exports/kept-a-day.zip",
        )
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"zip")
    with time_machine.travel(datetime.datetime(2026, 11, 17, 8, 59, tzinfo=datetime.UTC)):
        assert forget_old_exports() == 0
    assert path.exists()
    with time_machine.travel(datetime.datetime(2026, 11, 17, 9, 1, tzinfo=datetime.UTC)):
        assert forget_old_exports() == 1
    assert not path.exists()
    assert not CycleExport.objects.exists()
