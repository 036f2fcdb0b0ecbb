"""Every download names its file in a way any browser reads, whatever script the name is in:
RFC 6266's `filename*` in UTF-8, after a plain ASCII `filename` for clients that lack it; a
name that is plain ASCII already is given as `filename` alone."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.urls import reverse

from tests.factories import AttachmentFactory, CaseFactory, EvidenceFactory, HRFactory, UserFactory

pytestmark = pytest.mark.django_db


FALLBACK = re.compile(r'; filename="((?:[^"\\]|\\.)*)"')
EXTENDED = re.compile(r"; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]+)(?:;|$)")


def named(response) -> tuple[str, str]:
    """The ASCII fallback name, and the name a browser that reads `filename*` saves under."""
    header = response["Content-Disposition"]
    assert header.isascii(), header
    assert header.startswith("attachment;"), header
    fallback, extended = FALLBACK.search(header), EXTENDED.search(header)
    assert fallback, header
    if extended is None:
        assert header == f'attachment; filename="{fallback.group(1)}"', header
        return fallback.group(1), fallback.group(1)
    return fallback.group(1), unquote(extended.group(1), errors="strict")


@pytest.mark.parametrize(
    ("username", "fallback"),
    [
        ("zoë.ünal", "zoe.unal"),
        ("зоя.иванова", "___._______"),
        ("sam", "sam"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_packet_download_names_the_candidate_in_any_script(client, username, fallback, fmt):
    case = CaseFactory(candidate=UserFactory(username=username))
    client.force_login(case.candidate)

    response = client.get(reverse("reviews:packet_download", args=[case.pk, fmt]))

    assert response.status_code == 200
    assert named(response) == (
        f"packet-{fallback}-{case.pk}.{fmt}",
        f"packet-{username}-{case.pk}.{fmt}",
    )


@pytest.mark.parametrize(
    ("original", "fallback"),
    [
        ("Отчёт за квартал.txt", "_____ __ _______.txt"),
        ("Zoë Ünal notes.txt", "Zoe Unal notes.txt"),
    ],
)
def test_attachment_download_keeps_its_name_in_any_script(client, original, fallback):
    attachment = AttachmentFactory(original_name=original)
    case = attachment.evidence.case
    client.force_login(case.candidate)

    try:
        response = client.get(
            reverse(
                "reviews:attachment_download", args=[case.pk, attachment.evidence.pk, attachment.pk]
            )
        )
        assert response.status_code == 200
        assert named(response) == (fallback, original)
        response.close()
    finally:
        Path(attachment.file.path).unlink()


@pytest.mark.parametrize("kind", ["zip", "cases-csv", "evidence-csv", "xlsx"])
@pytest.mark.today("2026-12-02")
def test_cycle_exports_are_named_the_same_way(client, kind):
    EvidenceFactory(case=CaseFactory(candidate=UserFactory(username="zoë.ünal")))
    client.force_login(HRFactory())

    response = client.get(reverse("reviews:cycle_export", args=[kind]))

    assert response.status_code == 200
    name = {
        "zip": "promotion-packets-2026-12-02.zip",
        "cases-csv": "promotion-cases-2026-12-02.csv",
        "evidence-csv": "promotion-evidence-2026-12-02.csv",
        "xlsx": "promotion-cases-2026-12-02.xlsx",
    }[kind]
    assert named(response) == (name, name)
