"""Markdown people write is shown as HTML that can run no script, on every page that renders it."""

import re

import pytest
from django.urls import reverse

from reviews.markdown import MAX_MARKS
from tests.factories import CaseFactory, EvidenceFactory, HRFactory, UserFactory
from tests.form_tokens import with_token

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "quoted img onerror": '<img src="x" onerror="alert(1)">',
    "markdown link": "[x](javascript:alert(1))",
    "markdown link mixed case": "[x](JaVaScRiPt:alert(1))",
    "markdown image": "![x](javascript:alert(1))",
    "anchor": '<a href="javascript:alert(1)">click</a>',
    "svg onload": "<svg onload=alert(1)>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "body onload": '<body onload="alert(1)">',
    "style": "<style>body { display: none }</style>",
    "reference link": "[x][evil]\n\n[evil]: javascript:alert(1)",
}
ALL_PAYLOADS = "\n\n".join(PAYLOADS.values())
SAFE = "A **bold** claim with [a source](https://example.org/source)."
FORBIDDEN = ["<script", "onerror", "onload", "javascript:", "<iframe"]

# The page's own script tags, which come from our static files, not from anyone's Markdown.
OWN_SCRIPTS = re.compile(r'<script src="/static/[^"]+"( defer)?></script>')
# What Markdown renders to; nh3 allows no <div>, so the first </div> closes it.
RENDERED_MARKDOWN = re.compile(r'<div class="markdown">(.*?)</div>', re.DOTALL)
ACTIVE_TAG = re.compile(r"<(script|iframe|svg|img|style|object|embed|form|body)\b", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"<[^>]*javascript:", re.IGNORECASE)


def rendered_markdown(html: str) -> list[str]:
    """The Markdown regions of a page, or the whole response of the preview endpoint."""
    if "<html" not in html:
        return [html]
    return RENDERED_MARKDOWN.findall(html)


def assert_harmless(html: str) -> None:
    """Not a trace of the payload: no script tag, event handler or javascript: address at all."""
    body = OWN_SCRIPTS.sub("", html).lower()
    for needle in FORBIDDEN:
        assert needle not in body, f"{needle!r} in {body[max(0, body.find(needle) - 200) :][:400]}"
    assert_inert(html)


def assert_inert(html: str) -> None:
    """No markup that can run: payloads may survive only as text, as when one swallows the next."""
    body = OWN_SCRIPTS.sub("", html)
    for pattern in (EVENT_ATTRIBUTE, SCRIPT_URL):
        assert not pattern.search(body), pattern.search(body).group(0)
    for region in rendered_markdown(html):
        assert not ACTIVE_TAG.search(region), ACTIVE_TAG.search(region).group(0)


def assert_markdown_still_renders(html: str) -> None:
    assert rendered_markdown(html), "the page shows no rendered Markdown"
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org/source" rel="noopener noreferrer nofollow">' in html


@pytest.fixture
def case():
    return CaseFactory()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_each_payload_is_defused_on_the_evidence_page(client, case, payload):
    evidence = EvidenceFactory(case=case, summary=f"{SAFE}\n\n{payload}", outcome=payload)
    client.force_login(case.candidate)

    response = client.get(evidence.get_absolute_url())

    assert response.status_code == 200
    assert_harmless(response.text)
    assert_markdown_still_renders(response.text)


@pytest.mark.parametrize("persona", ["candidate", "sponsor", "hr"])
def test_evidence_page_is_harmless_for_everyone_who_reads_it(client, case, persona):
    evidence = EvidenceFactory(case=case, summary=f"{SAFE}\n\n{ALL_PAYLOADS}", outcome=ALL_PAYLOADS)
    people = {"candidate": case.candidate, "sponsor": case.sponsor, "hr": HRFactory()}
    client.force_login(people[persona])

    response = client.get(evidence.get_absolute_url())

    assert response.status_code == 200
    assert_inert(response.text)
    assert_markdown_still_renders(response.text)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_each_payload_is_defused_in_the_narrative(client, case, payload):
    case.narrative = f"{SAFE}\n\n{payload}"
    case.save(update_fields=["narrative"])
    client.force_login(case.sponsor)

    response = client.get(case.get_absolute_url())

    assert response.status_code == 200
    assert_harmless(response.text)
    assert_markdown_still_renders(response.text)


def test_narrative_saved_through_its_form_renders_harmlessly(client, case):
    client.force_login(case.candidate)

    saved = client.post(
        reverse("reviews:narrative_edit", args=[case.pk]),
        {"narrative": f"{SAFE}\n\n{ALL_PAYLOADS}"},
    )
    response = client.get(case.get_absolute_url())

    assert saved.status_code == 302
    assert_inert(response.text)
    assert_markdown_still_renders(response.text)


def test_evidence_logged_through_its_form_renders_harmlessly(client, case):
    client.force_login(case.candidate)

    saved = client.post(
        reverse("reviews:evidence_create", args=[case.pk]),
        with_token(
            {
                "capability": case.guide.capabilities.get(number=1).pk,
                "title": "Hardening",
                "date": case.opened_on.isoformat(),
                "summary": f"{SAFE}\n\n{ALL_PAYLOADS}",
                "outcome": ALL_PAYLOADS,
                "links": "",
            }
        ),
    )
    response = client.get(saved.url)

    assert saved.status_code == 302
    assert_inert(response.text)
    assert_markdown_still_renders(response.text)


@pytest.mark.parametrize("page", ["evidence_detail", "evidence_list", "case_detail"])
def test_hostile_titles_are_shown_as_text(client, case, page):
    evidence = EvidenceFactory(case=case, title='<script>alert(1)</script><img src=x onerror="x">')
    client.force_login(case.candidate)
    args = [case.pk, evidence.pk] if page == "evidence_detail" else [case.pk]

    response = client.get(reverse(f"reviews:{page}", args=args))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;x&quot;&gt;" in (
        response.text
    )
    assert_inert(response.text)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_preview_defuses_each_payload(client, payload):
    client.force_login(UserFactory())

    response = client.post(reverse("reviews:markdown_preview"), {"text": f"{SAFE}\n\n{payload}"})

    assert response.status_code == 200
    assert_harmless(response.text)
    assert_markdown_still_renders(response.text)


def test_preview_needs_a_login(client):
    response = client.post(reverse("reviews:markdown_preview"), {"text": SAFE})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_preview_is_post_only(client):
    client.force_login(UserFactory())
    response = client.get(reverse("reviews:markdown_preview"), {"text": SAFE})
    assert response.status_code == 405


def test_narrative_with_more_marks_than_render_quickly_is_refused(client, case):
    client.force_login(case.candidate)

    response = client.post(
        reverse("reviews:narrative_edit", args=[case.pk]),
        {"narrative": "[" * (MAX_MARKS + 1)},
    )

    assert response.status_code == 200
    assert f"Use at most {MAX_MARKS:,} formatting marks" in response.text
    assert f"this one has {MAX_MARKS + 1:,}." in response.text
    case.refresh_from_db()
    assert case.narrative == ""


@pytest.mark.parametrize("field", ["summary", "outcome"])
def test_evidence_with_more_marks_than_render_quickly_is_refused(client, case, field):
    client.force_login(case.candidate)
    data = {
        "capability": case.guide.capabilities.get(number=1).pk,
        "title": "Hardening",
        "date": case.opened_on.isoformat(),
        "summary": SAFE,
        "outcome": "",
        "links": "",
    }
    data[field] = "*a" * (MAX_MARKS + 1)

    response = client.post(reverse("reviews:evidence_create", args=[case.pk]), data)

    assert response.status_code == 200
    assert f"Use at most {MAX_MARKS:,} formatting marks" in response.text
    assert not case.evidence.exists()
