"""No page, export or mail shows a person an internal code.

Every page of the access matrix (tests/security/test_access_matrix.py), as every persona who may
read it, every export and every mail is read for the codes the database keeps: a status, kind or
decision with an underscore (`signed_off`, `needs_more`, `not_yet`), a flag with its capability
(`thin:3`), or any other snake_case word in what a person reads. The world holds each code:
an open case signed off as not ready with thin evidence, feedback asking for more and a check-in
answered "partly"; the candidate's earlier case decided "not yet"; a case signed off ready; a case
not started; a cycle open for nominations, with two of the cases and a panel. The packet's JSON
is the one place codes belong (its format is the contract), so it is left out.
"""

import datetime
import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.declarations import PREFER_NOT, declare, save_grouping_field
from inbox.services import notify
from reviews import cycles, scoring, services
from reviews.models import (
    Case,
    Cycle,
    CycleExport,
    Decision,
    EvidenceDraft,
    Feedback,
    Recommendation,
    SignOff,
)
from reviews.notifications import send_due_notifications
from tests.factories import (
    AttachmentFactory,
    CaseFactory,
    CheckInFactory,
    CycleFactory,
    EvidenceFactory,
    FeedbackFactory,
    HRFactory,
    NominationFactory,
    PanellistFactory,
    ScoreSheetFactory,
    SignOffFactory,
    UserFactory,
    published_guide,
)
from tests.reviews.test_export_words import FLAG_CODE
from tests.security.test_access_matrix import EXPECTED, PERSONAS, checked_patterns, urls_of

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]

TODAY = datetime.date(2026, 11, 16)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
# Addresses and links may hold underscores; they are what a person copies, not a code.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/\S*")
READ_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder"}


class VisibleText(HTMLParser):
    """The text of a page as a person reads or hears it: text outside scripts and styles, and the
    attributes a screen reader or a tooltip says."""

    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        self.parts += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def codes_in(text: str) -> list[str]:
    words = NOT_WORDS.sub(" ", text)
    return sorted(set(SNAKE.findall(words)) | set(FLAG_CODE.findall(words)))


def readable_text(name: str, content_type: str, body: bytes) -> str:
    """What a person reads in a response or a ZIP member; empty for the packet's JSON."""
    if name.endswith(".json") or content_type.startswith("application/json"):
        return ""
    if name.endswith(".pdf") or content_type == "application/pdf":
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if name.endswith(".xlsx") or "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(value)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if name.endswith(".zip") or content_type == "application/zip":
        archive = zipfile.ZipFile(io.BytesIO(body))
        return " ".join(
            readable_text(member, "", archive.read(member)) for member in archive.namelist()
        )
    text = body.decode("utf-8-sig", errors="replace")
    return visible_text(text) if content_type.startswith("text/html") else text


@pytest.fixture
def world(settings):
    settings.SITE_URL = "https://reviews.example.org"
    guide = published_guide()
    candidate = UserFactory(username="carla", name="Carla Example")
    sponsor = UserFactory(username="simon", name="Simon Example", current_level=guide.to_level)
    hr = HRFactory(username="hanna", name="Hanna Example")
    earlier = CaseFactory(
        guide=guide, candidate=candidate, sponsor=sponsor, opened_on=TODAY.replace(year=2024)
    )
    SignOffFactory(case=earlier, decision=SignOff.Decision.READY)
    Decision.objects.create(
        case=earlier, outcome=Decision.Outcome.NOT_YET, effective_date=TODAY, decided_by=hr
    )
    Case.objects.filter(pk=earlier.pk).update(status=Case.Status.DECIDED)
    case = CaseFactory(
        guide=guide, candidate=candidate, sponsor=sponsor, opened_on=TODAY.replace(year=2025)
    )
    evidence = EvidenceFactory(case=case, title="Moved billing", date=TODAY.replace(month=9))
    attachment = AttachmentFactory(evidence=evidence)
    services.give_feedback(evidence=evidence, author=sponsor, kind="needs_more", text="Numbers?")
    services.give_feedback(evidence=evidence, author=candidate, kind="reply", text="Attached.")
    CheckInFactory(case=case, date=TODAY.replace(month=10), answers="partly")
    services.sign_off(
        case=case, signer=sponsor, decision="not_ready", rationale="More.", expected_sign_offs=0
    )
    ready = CaseFactory(guide=guide, sponsor=sponsor)
    FeedbackFactory(evidence=EvidenceFactory(case=ready), kind=Feedback.Kind.QUESTION)
    SignOffFactory(case=ready, decision=SignOff.Decision.READY, readiness_status="building")
    Case.objects.filter(pk=ready.pk).update(status=Case.Status.SIGNED_OFF)
    CaseFactory(guide=guide, sponsor=sponsor)
    # The ready case went to a cycle, was scored "not yet" and its outcome published: its
    # outcome page holds the scale's words, the recommendation and the result.
    scorer = UserFactory(username="pavel", name="Pavel Example")
    published = CycleFactory(created_by=hr, guides=[guide], state=Cycle.State.SCORING)
    nomination = NominationFactory(cycle=published, case=ready, by=sponsor)
    PanellistFactory(cycle=published, user=scorer)
    scoring.submit_scores(
        nomination=nomination,
        panellist=scorer,
        scores={c.pk: (0, "Not shown yet.") for c in guide.capabilities.all()},
        recommendation="not_yet",
        reason="Too early.",
    )
    Cycle.objects.filter(pk=published.pk).update(state=Cycle.State.COMMITTEE)
    scoring.record_outcome(
        nomination=nomination, result="not_yet", rationale="Later.", justification="", by=hr
    )
    scoring.publish_cycle(cycle=Cycle.objects.get(pk=published.pk), by=hr)
    scoring.appeal(nomination=nomination, by=ready.candidate, reason="Please look again.")
    notice = notify(recipient_id=candidate.pk, kind="feedback", text="t", about="a", link="/")
    draft = EvidenceDraft.objects.create(case=case, title="Half-written draft")
    export = CycleExport.objects.create(
        requested_by=hr,
        case_ids=[case.pk],
        as_of=TODAY,
        total=1,
        done=1,
        status=CycleExport.Status.DONE,
    )
    # An open cycle: a case its sponsor nominated after a ready sign-off, and one HR nominated.
    cycle = CycleFactory(guides=[guide], created_by=hr)
    nominee = CaseFactory(guide=guide, sponsor=sponsor)
    SignOffFactory(case=nominee, decision=SignOff.Decision.READY, readiness_status="ready")
    Case.objects.filter(pk=nominee.pk).update(status=Case.Status.SIGNED_OFF)
    cycles.nominate(case=nominee, cycle=cycle, by=sponsor)
    cycles.nominate(case=case, cycle=cycle, by=hr, reason="Acting director.")
    panellist = PanellistFactory(cycle=cycle, user=UserFactory(name="Paula Example")).user
    PanellistFactory(cycle=cycle, user=sponsor)
    # A cycle in committee whose panel recommends "not yet" and scores "not shown".
    in_committee = CycleFactory(guides=[guide], created_by=hr, state=Cycle.State.COMMITTEE)
    for nominated in [CaseFactory(guide=guide, sponsor=sponsor) for _ in range(2)]:
        nomination = NominationFactory(cycle=in_committee, case=nominated)
        for value in (0, 3):
            ScoreSheetFactory(
                nomination=nomination,
                panellist=PanellistFactory(cycle=in_committee).user,
                values={1: value},
                recommendation=Recommendation.NOT_YET,
            )
    grouping_field = save_grouping_field(
        name="Region", question="Where are you based?", answers=["North", "South"], active=True
    )
    declare(user=candidate, choices={grouping_field.pk: PREFER_NOT})
    users = {
        "candidate": candidate,
        "other_candidate": UserFactory(),
        "sponsor": sponsor,
        "other_sponsor": UserFactory(current_level=guide.to_level),
        "hr": hr,
        "panellist": panellist,
    }
    yield {
        "arguments": {
            "slug": [guide.slug],
            "case_id": [case.pk, earlier.pk, ready.pk],
            "nomination_id": [nomination.pk],
            "evidence_id": [evidence.pk],
            "attachment_id": [attachment.pk],
            "kind": ["zip", "cases-csv", "evidence-csv", "xlsx"],
            "fmt": ["json", "pdf"],
            "version": [1],
            "uidb64": ["MQ"],
            "token": ["not-a-token"],
            "notice_id": [notice.pk],
            "draft_id": [draft.pk],
            "export_id": [export.pk],
            "pk": [cycle.pk, published.pk, in_committee.pk],
            "cycle_id": [cycle.pk, published.pk, in_committee.pk],
            "user_id": [panellist.pk],
            "field_id": [grouping_field.pk],
            "spreadsheet": ["csv", "xlsx"],
        },
        "users": users,
    }
    attachment.file.delete(save=False)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.slow
def test_no_page_or_export_shows_a_code(world):
    patterns = checked_patterns()
    found, read = {}, 0
    clients = {}
    for persona in PERSONAS:
        clients[persona] = Client()
        if persona != "anonymous":
            clients[persona].force_login(world["users"][persona])
    for name in sorted(patterns):
        readers = [p for p in PERSONAS if EXPECTED[name]["GET"][p] == 200]
        for url in urls_of(name, patterns[name], world["arguments"]):
            for persona in readers:
                response = clients[persona].get(url)
                if response.status_code != 200:
                    continue
                text = readable_text(url, response.get("Content-Type", ""), body_of(response))
                read += 1
                if codes := codes_in(text):
                    found[f"{url} as {persona}"] = codes
    assert read > 60, "the scan read too few pages to mean anything"
    assert found == {}


def test_no_mail_shows_a_code(world, mailoutbox):
    now = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)
    send_due_notifications(now=now)
    send_due_notifications(now=now + datetime.timedelta(days=7))
    kinds = {message.subject.split()[0] for message in mail.outbox}
    assert len(mail.outbox) >= 3, kinds
    found = {
        message.subject: codes
        for message in mail.outbox
        if (codes := codes_in(f"{message.subject}\n{message.body}"))
    }
    assert found == {}


def test_the_scan_sees_codes(world):
    assert codes_in("Status: signed_off, flags: lopsided thin:3") == ["signed_off", "thin:3"]
    assert codes_in(visible_text('<p title="not_yet">Fine</p><script>a_b()</script>')) == [
        "not_yet"
    ]
    assert codes_in("mail ada_lovelace@example.org or see https://x.org/a_b") == []
