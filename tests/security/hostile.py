"""A case filled with XSS vectors through the app's own forms, and a check that a page holds none
of them in a form that can run."""

import json
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse

from reviews.models import Case, Evidence
from reviews.packets.build import build_packet
from reviews.packets.importing import import_packet_file
from tests.form_tokens import with_token
from tests.security.xss_vectors import ALL_VECTORS, VECTORS

# Fields each vector went through, by name, for the report of what was tried.
FIELDS = [
    "evidence title",
    "evidence summary (Markdown)",
    "evidence outcome (Markdown)",
    "narrative (Markdown)",
    "feedback message",
    "check-in note",
    "sign-off rationale",
    "sign-off override reason",
]
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster"}
ACTIVE_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "math"}


def browser_url(value: str) -> str:
    """An address as a browser reads it: the URL standard trims C0 controls and spaces at both
    ends and drops every tab and newline inside, so "java\tscript:" is a script address while
    "java script:" is a harmless relative one."""
    trimmed = value.strip("".join(chr(c) for c in range(0x21)))
    return "".join(ch for ch in trimmed if ch not in "\t\n\r")


class _Runnable(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.found.append(f"<script {attrs}>")
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.found.append(f"<meta {attrs}>")
        for name, value in attrs:
            value = value or ""
            squashed = browser_url(value).lower()
            script_url = name in URL_ATTRIBUTES and squashed.startswith(SCRIPT_SCHEMES)
            if name.startswith("on") or script_url:
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name == "style" and ("expression(" in squashed or "javascript:" in squashed):
                self.found.append(f"<{tag} style={value!r}>")

    handle_startendtag = handle_starttag


def runnable_markup(html: str) -> list[str]:
    """Every tag or attribute in the page that could run script, other than our static files."""
    parser = _Runnable()
    parser.feed(html)
    parser.close()
    return parser.found


def hrefs(html: str) -> set[str]:
    """Every link address in the page, as the browser decodes it."""
    found = set()

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.update(value for name, value in attrs if name == "href" and value)

    Links(convert_charrefs=True).feed(html)
    return found


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fill_case_with_vectors(case: Case) -> None:
    """Every vector through every form the candidate and the sponsor write in; each must save."""
    candidate, sponsor = client_for(case.candidate), client_for(case.sponsor)
    capability = case.guide.capabilities.order_by("number").first()
    when = "2025-10-13"
    for vector in VECTORS:
        response = candidate.post(
            reverse("reviews:evidence_create", args=[case.pk]),
            with_token(
                {
                    "capability": capability.pk,
                    "title": vector[:200],
                    "date": when,
                    "summary": vector,
                    "outcome": vector,
                    "links": "https://example.org/evidence",
                }
            ),
        )
        assert response.status_code == 302, response.context["form"].errors
    response = candidate.post(
        reverse("reviews:narrative_edit", args=[case.pk]), {"narrative": ALL_VECTORS}
    )
    assert response.status_code == 302
    first = Evidence.objects.filter(case=case).order_by("pk").first()
    for vector in VECTORS:
        response = sponsor.post(
            reverse("reviews:feedback_create", args=[case.pk, first.pk]),
            with_token({"kind": "question", "text": vector}),
        )
        assert response.status_code == 302
    assert first.feedback.count() == len(VECTORS)
    questions = list(case.guide.questions.order_by("position"))
    half = len(VECTORS) // 2
    notes = ["\n".join(VECTORS[:half]), "\n".join(VECTORS[half:])]
    form = {"date": when}
    for index, question in enumerate(questions):
        form[f"q{question.pk}"] = "partly"
        form[f"note{question.pk}"] = notes[index % 2]
    response = candidate.post(reverse("reviews:check_in_create", args=[case.pk]), with_token(form))
    assert response.status_code == 302, response.context["form"].errors
    response = sponsor.post(
        reverse("reviews:sign_off_create", args=[case.pk]),
        {
            "decision": "not_ready",
            "rationale": ALL_VECTORS,
            "override_reason": ALL_VECTORS,
            "expected_sign_offs": 0,
            "confirm": "yes",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert case.sign_offs.count() == 1


def review_pages(case: Case) -> list[str]:
    """Every page of the case's review, 25 items a page: a filled case has an item per vector."""
    review = reverse("reviews:case_review", args=[case.pk])
    return [f"{review}?page={n}" for n in range(1, len(VECTORS) // 25 + 2)]


def import_hostile_packet(case: Case, *, imported_by) -> Case:
    """The case's packet, vectors and all, imported again for two people new to the database,
    whose names are vectors too."""
    packet = build_packet(Case.objects.with_people().get(pk=case.pk))
    renamed = {case.candidate.username: "imported-ada", case.sponsor.username: "imported-sam"}
    for person in ("candidate", "sponsor"):
        username = renamed[packet[person]["username"]]
        packet[person].update(username=username, email=f"{username}@example.org", name=VECTORS[0])
    for message in packet["feedback"]:
        message["author"] = renamed[message["author"]]
    return import_packet_file(raw=json.dumps(packet).encode(), by=imported_by)


def hostile_guide_markdown(seed_text: str) -> str:
    """The seed guide with every vector in its overview, on one line so the format still holds."""
    one_line = " ".join(v.replace("\n", " ") for v in VECTORS)
    marker = "## Overview\n\n"
    assert marker in seed_text
    return seed_text.replace(marker, f"{marker}{one_line}\n\n", 1)
