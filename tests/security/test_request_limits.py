"""What one request may send is checked before what it sent is read.

The bodies are generated as they are read (tests/bodies.py), so the memory traced is the server's
own: what it kept while it read the request and answered it.
"""

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews import limits, services
from reviews.models import Attachment, Evidence
from tests.bodies import StreamedFile, post_streamed
from tests.factories import AttachmentFactory, CaseFactory, EvidenceFactory
from tests.form_tokens import with_token
from tests.security.hostile import client_for

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def case():
    return CaseFactory()


def fields(case) -> dict[str, str]:
    return with_token(
        {
            "capability": str(case.guide.capabilities.get(number=1).pk),
            "title": "Planning offsite",
            "date": "2025-10-29",
            "summary": "Ran the planning offsite.",
        }
    )


def traced_peak(send) -> tuple[object, int]:
    """What `send()` returns, and the most memory Python held at once while it ran."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = send()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_forty_files_of_ten_megabytes_are_refused_before_any_is_read(case):
    files = [StreamedFile("attachments", f"notes-{n}.txt", 10 * MB) for n in range(40)]
    url = reverse("reviews:evidence_create", args=[case.pk])
    client = client_for(case.candidate)

    response, peak = traced_peak(lambda: post_streamed(client, url, fields(case), files))

    assert peak < 20 * MB, f"{peak / MB:.0f} MB held while refusing 400 MB"
    assert response.body_read < MB, "the body was read before it was refused"
    assert response.status_code == 413
    assert "one form can send at most 52.5 MB: up to 5 files of at most 10 MB each" in (
        response.text
    )
    assert not Evidence.objects.exists()


def test_more_files_than_a_request_may_carry_get_a_page_saying_the_limit(case):
    files = [StreamedFile("attachments", f"notes-{n}.txt", 100) for n in range(11)]

    response = post_streamed(
        client_for(case.candidate),
        reverse("reviews:evidence_create", args=[case.pk]),
        fields(case),
        files,
    )

    assert response.status_code == 400
    assert "One form can send at most 10 files at once" in response.text
    assert "an evidence item holds up to 5 attachments of at most 10 MB each" in response.text
    assert not Evidence.objects.exists()


def test_more_text_than_a_form_sends_gets_a_page_saying_the_limit(case):
    response = client_for(case.candidate).post(
        reverse("reviews:evidence_create", args=[case.pk]),
        {**fields(case), "summary": "x" * (3 * MB)},
    )

    assert response.status_code == 400
    assert "One form can send at most 2.5 MB of text." in response.text
    assert not Evidence.objects.exists()


def test_files_beyond_the_items_room_are_refused_before_any_is_read(case):
    evidence = EvidenceFactory(case=case, capability=case.guide.capabilities.get(number=1))
    AttachmentFactory.create_batch(3, evidence=evidence)
    files = [StreamedFile("attachments", f"notes-{n}.txt", 8 * MB) for n in range(3)]
    client = client_for(case.candidate)
    url = reverse("reviews:evidence_edit", args=[case.pk, evidence.pk])

    response, peak = traced_peak(lambda: post_streamed(client, url, fields(case), files))

    assert response.status_code == 200
    assert response.context["form"].errors["attachments"] == [
        "An evidence item can have at most 5 attachments (3 kept and 3 added)."
    ]
    assert peak < 8 * MB, f"{peak / MB:.0f} MB held: the files were read"
    assert evidence.attachments.count() == 3
    for attachment in evidence.attachments.all():
        attachment.file.delete(save=False)


def fill_storage(case, *, leave: int) -> None:
    """Rows saying the case's files take all but `leave` bytes of its storage (the files on
    disk are tiny: only the recorded sizes count)."""
    evidence = EvidenceFactory(case=case, capability=case.guide.capabilities.get(number=1))
    for _ in range(5):
        AttachmentFactory(evidence=evidence, size=(limits.MAX_CASE_ATTACHMENT_BYTES - leave) // 5)


@pytest.fixture
def stored_rows():
    yield
    for attachment in Attachment.objects.all():
        attachment.file.delete(save=False)


def test_a_case_whose_files_reach_a_gigabyte_refuses_more(case, stored_rows):
    fill_storage(case, leave=5 * MB)
    pdf = PDF + b"0" * (6 * MB - len(PDF))

    response = client_for(case.candidate).post(
        reverse("reviews:evidence_create", args=[case.pk]),
        {**fields(case), "attachments": [SimpleUploadedFile("plan.pdf", pdf)]},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["attachments"] == [
        "A case can hold at most 1 GB of attachments; this one holds 1,019 MB, and these files "
        "(6 MB) would go over it. Remove files the case no longer needs first."
    ]
    assert Evidence.objects.count() == 1
    assert Attachment.objects.count() == 5


def test_the_service_refuses_files_over_the_cases_storage_too(case, stored_rows):
    fill_storage(case, leave=5 * MB)

    with pytest.raises(services.ValidationError) as refusal:
        services.save_evidence(
            case=case,
            evidence=None,
            capability=case.guide.capabilities.get(number=1),
            indicators=[],
            title="Plan",
            date=case.opened_on,
            summary="A plan.",
            outcome="",
            links=[],
            new_files=[services.Upload("plan.pdf", PDF + b"0" * (6 * MB))],
        )

    assert "A case can hold at most 1 GB of attachments" in str(refusal.value)
    assert Attachment.objects.count() == 5


def test_files_that_fit_in_the_cases_storage_are_kept(case, stored_rows):
    fill_storage(case, leave=5 * MB)

    response = client_for(case.candidate).post(
        reverse("reviews:evidence_create", args=[case.pk]),
        {**fields(case), "attachments": [SimpleUploadedFile("plan.pdf", PDF)]},
    )

    assert response.status_code == 302
    assert Attachment.objects.count() == 6
