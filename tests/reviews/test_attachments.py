"""Evidence files: what is accepted, what is refused, where it is kept and who may download it.

Files land in the configured private storage root (`make test` points PRIVATE_STORAGE_ROOT at a
throwaway folder); each test removes whatever files it left there.
"""

import datetime
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews import services
from reviews.models import Attachment, Case, Evidence
from tests.factories import (
    AttachmentFactory,
    CaseFactory,
    EvidenceFactory,
    HRFactory,
    UserFactory,
)
from tests.form_tokens import with_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("files_on_disk")]

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = "Notes from the planning offsite — hiring, budget, roadmap.\n".encode()


def png_bytes() -> bytes:
    """A valid one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def docx_bytes() -> bytes:
    """The smallest Word document: its content types and a body part, zipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Plan</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return buffer.getvalue()


@pytest.fixture
def case():
    return CaseFactory()


@pytest.fixture
def capability(case):
    return case.guide.capabilities.get(number=1)


@pytest.fixture
def candidate_client(client, case):
    client.force_login(case.candidate)
    return client


def evidence_form(capability, files=(), **overrides):
    data = {
        "capability": capability.pk,
        "title": "Budget review",
        "date": "2025-10-29",
        "summary": "Ran the budget review.",
        "outcome": "",
        "links": "",
        "attachments": list(files),
    }
    data.update(overrides)
    return with_token(data)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def create_url(case):
    return reverse("reviews:evidence_create", args=[case.pk])


def test_private_storage_is_the_configured_root():
    location = Path(Attachment.file.field.storage.location).resolve()
    assert location == Path(settings.PRIVATE_STORAGE_ROOT).resolve()
    assert not location.is_relative_to(Path(settings.STATIC_ROOT).resolve())


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("plan.pdf", PDF, "application/pdf"),
        ("org-chart.png", png_bytes(), "image/png"),
        (
            "strategy.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("notes.txt", TEXT, "text/plain"),
        ("SCAN.PDF", PDF, "application/pdf"),
    ],
    ids=["pdf", "png", "docx", "text", "upper-case-extension"],
)
def test_allowed_files_are_stored_privately(
    candidate_client, case, capability, files_on_disk, name, data, content_type
):
    response = candidate_client.post(
        create_url(case), evidence_form(capability, [upload(name, data)])
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.evidence == Evidence.objects.get()
    assert attachment.original_name == name
    assert attachment.content_type == content_type
    assert attachment.size == len(data)
    path = Path(attachment.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_STORAGE_ROOT).resolve())
    assert files_on_disk() == {Path(attachment.file.path)}
    assert path.read_bytes() == data


def test_stored_name_never_comes_from_the_uploader(candidate_client, case, capability):
    candidate_client.post(
        create_url(case), evidence_form(capability, [upload("salary-review.pdf", PDF)])
    )
    stored = Attachment.objects.get().file.name
    assert "salary" not in stored
    assert not stored.endswith(".pdf")
    assert stored.startswith(f"evidence/{case.pk}/")


def test_several_files_at_once(candidate_client, case, capability, files_on_disk):
    files = [upload("a.pdf", PDF), upload("b.txt", TEXT), upload("c.png", png_bytes())]
    response = candidate_client.post(create_url(case), evidence_form(capability, files))
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == [
        "a.pdf",
        "b.txt",
        "c.png",
    ]
    assert len(files_on_disk()) == 3


def test_evidence_page_lists_files_with_download_links(candidate_client, case, capability):
    candidate_client.post(create_url(case), evidence_form(capability, [upload("plan.pdf", PDF)]))
    attachment = Attachment.objects.get()
    response = candidate_client.get(attachment.evidence.get_absolute_url())
    assert f'href="{attachment.get_absolute_url()}">plan.pdf</a>' in response.text


def refused_upload(response):
    assert response.status_code == 200, "a refused form is shown again"
    return " ".join(response.context["form"].errors["attachments"])


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "report.pdf",
            b"<html><script>alert(1)</script></html>",
            "report.pdf is named as a PDF but its content is a plain text.",
        ),
        ("report.pdf", b"\x00\x01\x02binary", "report.pdf is named as a PDF but its content is"),
        ("notes.txt", PDF, "notes.txt is named as a plain text but its content is a PDF."),
        ("picture.png", PDF, "picture.png is named as a PNG image but its content is a PDF."),
        ("strategy.docx", b"PK\x03\x04 not really a zip", "strategy.docx is named as a Word"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe: only PDF, PNG, JPEG"),
        ("page.html", b"<html><body>Hi</body></html>", "page.html: only PDF, PNG, JPEG"),
        ("page.svg", b"<svg onload=alert(1)></svg>", "page.svg: only PDF, PNG, JPEG"),
        ("no-extension", TEXT, "no-extension: only PDF, PNG, JPEG"),
    ],
    ids=[
        "html-as-pdf",
        "binary-as-pdf",
        "pdf-as-text",
        "pdf-as-png",
        "not-a-docx",
        "exe",
        "html",
        "svg",
        "no-extension",
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(
    candidate_client, case, capability, files_on_disk, name, data, message
):
    response = candidate_client.post(
        create_url(case), evidence_form(capability, [upload(name, data)])
    )

    assert message in refused_upload(response)
    assert not Evidence.objects.exists()
    assert not Attachment.objects.exists()
    assert files_on_disk() == set()


def test_an_empty_file_is_refused(candidate_client, case, capability, files_on_disk):
    response = candidate_client.post(
        create_url(case), evidence_form(capability, [upload("empty.txt", b"")])
    )
    assert "empty" in refused_upload(response)
    assert not Attachment.objects.exists()
    assert files_on_disk() == set()


def test_a_file_of_exactly_ten_megabytes_is_accepted(candidate_client, case, capability):
    data = PDF + b"0" * (10 * MB - len(PDF))
    response = candidate_client.post(
        create_url(case), evidence_form(capability, [upload("big.pdf", data)])
    )
    assert response.status_code == 302
    assert Attachment.objects.get().size == 10 * MB


def test_a_file_over_ten_megabytes_is_refused(candidate_client, case, capability, files_on_disk):
    data = PDF + b"0" * (10 * MB + 1 - len(PDF))

    response = candidate_client.post(
        create_url(case), evidence_form(capability, [upload("huge.pdf", data)])
    )

    assert "huge.pdf is 10.0 MB; files can be at most 10 MB." in refused_upload(response)
    assert not Evidence.objects.exists()
    assert not Attachment.objects.exists()
    assert files_on_disk() == set()


def test_one_bad_file_refuses_the_whole_upload(candidate_client, case, capability, files_on_disk):
    files = [upload("good.pdf", PDF), upload("bad.pdf", b"plain words")]

    response = candidate_client.post(create_url(case), evidence_form(capability, files))

    assert "bad.pdf is named as a PDF" in refused_upload(response)
    assert not Evidence.objects.exists()
    assert not Attachment.objects.exists()
    assert files_on_disk() == set()


def test_six_files_at_once_are_refused(candidate_client, case, capability, files_on_disk):
    files = [upload(f"file{n}.txt", TEXT) for n in range(6)]

    response = candidate_client.post(create_url(case), evidence_form(capability, files))

    assert "at most 5 attachments" in refused_upload(response)
    assert not Evidence.objects.exists()
    assert not Attachment.objects.exists()
    assert files_on_disk() == set()


def test_a_sixth_attachment_is_refused(candidate_client, case, capability, files_on_disk):
    evidence = EvidenceFactory(case=case, capability=capability, title="Budget review")
    AttachmentFactory.create_batch(5, evidence=evidence)
    before = files_on_disk()

    response = candidate_client.post(
        reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]),
        evidence_form(capability, [upload("sixth.txt", TEXT)], title="Changed"),
    )

    assert "at most 5 attachments" in refused_upload(response)
    assert evidence.attachments.count() == 5
    assert files_on_disk() == before
    evidence.refresh_from_db()
    assert evidence.title == "Budget review", "the refused edit changed nothing"


def test_removing_one_makes_room_for_another(
    candidate_client, case, capability, django_capture_on_commit_callbacks
):
    evidence = EvidenceFactory(case=case, capability=capability)
    attachments = AttachmentFactory.create_batch(5, evidence=evidence)
    removed_path = Path(attachments[0].file.path)

    with django_capture_on_commit_callbacks(execute=True):
        response = candidate_client.post(
            reverse("reviews:evidence_edit", args=[case.pk, evidence.pk]),
            evidence_form(
                capability,
                [upload("replacement.pdf", PDF)],
                remove_attachments=[attachments[0].pk],
            ),
        )

    assert response.status_code == 302
    assert evidence.attachments.count() == 5
    assert "replacement.pdf" in evidence.attachments.values_list("original_name", flat=True)
    assert not Attachment.objects.filter(pk=attachments[0].pk).exists()
    assert not removed_path.exists()


def test_deleting_evidence_deletes_its_files(
    candidate_client, case, capability, django_capture_on_commit_callbacks
):
    candidate_client.post(create_url(case), evidence_form(capability, [upload("plan.pdf", PDF)]))
    attachment = Attachment.objects.get()
    path = Path(attachment.file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        candidate_client.post(
            reverse("reviews:evidence_delete", args=[case.pk, attachment.evidence_id])
        )

    assert not Attachment.objects.exists()
    assert not path.exists()


def test_a_path_in_the_uploaded_name_is_dropped_on_the_way_in(
    candidate_client, case, capability, files_on_disk
):
    """A hand-made request, because Django's test client strips paths from names itself."""
    boundary = "----evidence-boundary"
    fields = evidence_form(capability)
    del fields["attachments"]
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        for key, value in fields.items()
    ]
    body = (
        (
            "".join(parts) + f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="../../etc/passwd.txt"\r\nContent-Type: text/plain\r\n\r\n'
        ).encode()
        + b"root:x:0:0:root:/root:/bin/sh\n"
        + f"\r\n--{boundary}--\r\n".encode()
    )

    response = candidate_client.generic(
        "POST", create_url(case), body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.txt"
    assert "passwd" not in attachment.file.name
    assert (
        Path(attachment.file.path)
        .resolve()
        .is_relative_to(Path(settings.PRIVATE_STORAGE_ROOT).resolve())
    )
    assert len(files_on_disk()) == 1


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("/absolute/path/notes.txt", "notes.txt"),
        ('we<ird>:"na|me?*.txt', "weirdname.txt"),
    ],
)
def test_the_service_keeps_only_a_safe_name(case, capability, files_on_disk, name, shown):
    evidence = services.save_evidence(
        case=case,
        evidence=None,
        capability=capability,
        indicators=[],
        title="Notes",
        date=datetime.date(2025, 10, 29),
        summary="Notes.",
        outcome="",
        links=[],
        new_files=[services.Upload(name, TEXT)],
    )

    attachment = evidence.attachments.get()
    assert attachment.original_name == shown
    assert shown.split(".")[0] not in attachment.file.name
    [path] = files_on_disk()
    assert path.resolve().is_relative_to(Path(settings.PRIVATE_STORAGE_ROOT).resolve())


@pytest.fixture
def attachment(case, capability, candidate_client):
    candidate_client.post(create_url(case), evidence_form(capability, [upload("Q3 plan.pdf", PDF)]))
    candidate_client.logout()
    return Attachment.objects.get()


def download(client, attachment):
    response = client.get(attachment.get_absolute_url())
    if response.status_code != 200:
        return response, None
    body = b"".join(response.streaming_content)
    response.close()
    return response, body


@pytest.mark.parametrize("persona", ["candidate", "sponsor", "hr"])
def test_people_on_the_case_download_the_file_as_an_attachment(client, case, attachment, persona):
    people = {"candidate": case.candidate, "sponsor": case.sponsor, "hr": HRFactory()}
    client.force_login(people[persona])

    response, body = download(client, attachment)

    assert response.status_code == 200
    assert body == PDF
    assert response["Content-Disposition"] == 'attachment; filename="Q3 plan.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_file_whose_bytes_are_gone_is_404(client, case, attachment):
    Path(attachment.file.path).unlink()
    client.force_login(case.candidate)
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_attachment_under_the_wrong_evidence_is_404(client, case, attachment):
    other = EvidenceFactory(case=case)
    client.force_login(case.candidate)
    url = reverse("reviews:attachment_download", args=[case.pk, other.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_attachment_under_another_case_is_404(client, case, attachment):
    own = CaseFactory(candidate=case.candidate)
    client.force_login(case.candidate)
    url = reverse(
        "reviews:attachment_download", args=[own.pk, attachment.evidence_id, attachment.pk]
    )
    assert client.get(url).status_code == 404


def case_urls(case: Case, evidence: Evidence, attachment: Attachment) -> list[tuple[str, str]]:
    """Every page of one case, with the method each is reached by."""
    on_case = [
        "case_detail",
        "narrative_edit",
        "evidence_list",
        "evidence_create",
        "check_in_list",
        "check_in_create",
    ]
    on_evidence = ["evidence_detail", "evidence_edit", "evidence_delete"]
    urls = [reverse(f"reviews:{name}", args=[case.pk]) for name in on_case]
    urls += [reverse(f"reviews:{name}", args=[case.pk, evidence.pk]) for name in on_evidence]
    urls.append(attachment.get_absolute_url())
    writable = {
        "narrative_edit",
        "evidence_create",
        "check_in_create",
        "evidence_edit",
        "evidence_delete",
    }
    names = on_case + on_evidence + ["attachment_download"]
    return [("get", url) for url in urls] + [
        ("post", url) for url, name in zip(urls, names, strict=True) if name in writable
    ]


@pytest.mark.parametrize("persona", ["other candidate", "other sponsor", "outsider"])
def test_outsiders_get_404_on_every_page_of_the_case(client, case, attachment, persona):
    other_case = CaseFactory()
    people = {
        "other candidate": other_case.candidate,
        "other sponsor": other_case.sponsor,
        "outsider": UserFactory(),
    }
    client.force_login(people[persona])

    for method, url in case_urls(case, attachment.evidence, attachment):
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url}"
    assert Evidence.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_anonymous_is_sent_to_login_from_every_page_of_the_case(client, case, attachment):
    login = reverse("accounts:login")
    for method, url in case_urls(case, attachment.evidence, attachment):
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response.url.startswith(f"{login}?next="), f"{method.upper()} {url}"
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize("persona", ["sponsor", "hr"])
def test_sponsor_and_hr_read_every_page_of_the_case(client, case, attachment, persona):
    client.force_login(case.sponsor if persona == "sponsor" else HRFactory())
    evidence = attachment.evidence
    for url in [
        reverse("reviews:case_detail", args=[case.pk]),
        reverse("reviews:evidence_list", args=[case.pk]),
        reverse("reviews:check_in_list", args=[case.pk]),
        evidence.get_absolute_url(),
    ]:
        assert client.get(url).status_code == 200, url
