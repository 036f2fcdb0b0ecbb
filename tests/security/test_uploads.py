"""Upload cases tests/reviews/test_attachments.py leaves out: names with NUL bytes and absolute
paths sent by hand (the test client cleans names itself), executables and HTML under a PDF name,
and a PNG header in front of a script. Refused files leave no row and no file behind."""

import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reviews.models import Attachment, Evidence
from tests.factories import CaseFactory
from tests.form_tokens import with_token
from tests.security.hostile import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("files_on_disk")]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SCRIPT = b"<script>alert(window.__xss=1)</script>"
BOUNDARY = "----security-boundary"


def png_then(tail: bytes) -> bytes:
    """A one-pixel PNG with a script after its end."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
        + tail
    )


@pytest.fixture
def case():
    return CaseFactory()


def post_raw(case, filename: bytes, content: bytes):
    """The evidence form with one file, its name sent byte for byte as a browser could."""
    fields = with_token(
        {
            "capability": case.guide.capabilities.get(number=1).pk,
            "title": "Budget review",
            "date": "2025-10-29",
            "summary": "Ran the budget review.",
        }
    )
    body = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    )
    body += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return client_for(case.candidate).generic(
        "POST",
        reverse("reviews:evidence_create", args=[case.pk]),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def refused(response) -> list[str]:
    assert response.status_code == 200
    return response.context["form"].errors["attachments"]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (b"setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "named as a PDF"),
        (b"page.pdf", b"<!doctype html><html>" + SCRIPT + b"</html>", "named as a PDF"),
        (b"picture.html", png_then(SCRIPT), "only PDF, PNG, JPEG"),
        (b"picture.svg", png_then(SCRIPT), "only PDF, PNG, JPEG"),
        (b"report.pdf\x00.exe", PDF, "only PDF, PNG, JPEG"),
        (b"/etc/passwd.pdf", b"", "empty"),
    ],
    ids=["exe-as-pdf", "html-as-pdf", "png-as-html", "png-as-svg", "nul-byte", "empty-absolute"],
)
def test_disguised_files_are_refused_and_nothing_is_stored(
    case, files_on_disk, filename, content, message
):
    response = post_raw(case, filename, content)

    assert any(message in error for error in refused(response)), refused(response)
    assert not Evidence.objects.exists()
    assert not Attachment.objects.exists()
    assert files_on_disk() == set()


@pytest.mark.parametrize(
    ("filename", "shown"),
    [(b"/etc/passwd.pdf", "passwd.pdf"), (b"C:\\Windows\\win.pdf", "win.pdf")],
)
def test_an_absolute_path_keeps_only_its_last_part_inside_private_storage(
    case, files_on_disk, filename, shown
):
    response = post_raw(case, filename, PDF)

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == shown
    [path] = files_on_disk()
    assert path.resolve().is_relative_to(Path(settings.PRIVATE_STORAGE_ROOT).resolve())


def test_a_png_with_a_script_after_it_is_served_as_an_inert_download(case, files_on_disk):
    """Its bytes begin as a PNG, so it is kept as one; the download can never run as a page."""
    response = post_raw(case, b"chart.png", png_then(SCRIPT))
    assert response.status_code == 302
    attachment = Attachment.objects.get()

    download = client_for(case.sponsor).get(
        reverse(
            "reviews:attachment_download",
            args=[case.pk, attachment.evidence_id, attachment.pk],
        )
    )

    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
