"""Hypothesis drives the evidence, check-in and sign-off forms and both importers over HTTP or
their service: whatever arrives, the answer is a saved object or a clear refusal, never a 500.

The parsers themselves are fuzzed in tests/guides/test_guidemd.py and
tests/reviews/test_packet_import.py; here the same junk goes the whole way, through the upload,
the decoding, the database and the page that shows the result.
"""

import datetime
import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from guides.guidemd import GuideFormatError
from guides.services import import_guide
from reviews.models import Case, CheckIn, Evidence, SignOff
from reviews.packets.build import build_packet
from tests.factories import CaseFactory, EvidenceFactory, HRFactory
from tests.form_tokens import with_token
from tests.security.hostile import client_for
from tests.security.xss_vectors import VECTORS

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=50,
    deadline=None,
    # The fixtures are only read; every example rolls back what it wrote.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What a browser can send: any text except lone surrogates, which no encoder lets through.
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
JUNK = TEXT | st.sampled_from(VECTORS) | st.sampled_from(["", " ", "\x00", "0", "-1", "9" * 30])
RECENT = st.integers(0, 700).map(
    lambda days: (datetime.date(2025, 11, 3) - datetime.timedelta(days=days)).isoformat()
)
WORDS = st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=80)


def mostly(valid, junk=JUNK):
    """Valid four times in five, so whole forms often pass and the write path is reached too."""
    return st.integers(0, 4).flatmap(lambda n: valid if n else junk)


DATES = (
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(
        datetime.date.isoformat
    )
    | JUNK
)


# Browsers always send the CSRF field, so a form post is never empty even when a file is dropped.
BROWSER_FIELDS = {"csrfmiddlewaretoken": "sent-by-every-browser"}
# File names the test client can send: Django's own file class refuses to build one with no name.
FILE_NAMES = st.sampled_from(
    ["a.pdf", "a.png", "../../etc/passwd.pdf", "/abs/a.txt", "a.exe", "a.pdf\x00.exe"]
) | TEXT.filter(lambda name: os.path.basename(name) not in {"", ".", ".."})


@pytest.fixture
def case():
    case = CaseFactory()
    EvidenceFactory(case=case)
    return case


@pytest.fixture
def candidate(case):
    return client_for(case.candidate)


@pytest.fixture
def sponsor(case):
    return client_for(case.sponsor)


@pytest.fixture
def hr():
    return client_for(HRFactory())


def ids(valid: list[int]):
    return st.sampled_from(valid) | st.integers(min_value=-(2**63), max_value=2**63) | JUNK


def files():
    return st.builds(
        lambda name, content: SimpleUploadedFile(name, content),
        FILE_NAMES,
        st.binary(max_size=2000),
    )


def settle(response, form_name="form") -> str:
    """A redirect after a save, or the form again with its errors: nothing else is acceptable."""
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        form = response.context[form_name]
        assert form.errors, "the form came back without saying what was wrong"
        return "refused"
    return "saved"


@FUZZ
@given(data=st.data())
def test_evidence_form(case, candidate, data):
    capabilities = list(case.guide.capabilities.values_list("pk", flat=True))
    indicators = list(case.guide.capabilities.values_list("indicators__pk", flat=True))
    form = {
        **with_token(BROWSER_FIELDS),
        "capability": data.draw(mostly(st.just(capabilities[0]), ids(capabilities)), label="cap"),
        "indicators": data.draw(
            mostly(st.just([]), st.lists(ids(indicators), max_size=4)), label="indicators"
        ),
        "title": data.draw(mostly(WORDS), label="title"),
        "date": data.draw(mostly(RECENT, DATES), label="date"),
        "summary": data.draw(mostly(WORDS), label="summary"),
        "outcome": data.draw(mostly(WORDS), label="outcome"),
        "links": data.draw(mostly(st.just("https://example.org/a")), label="links"),
    }
    if data.draw(st.integers(0, 4), label="with a file") == 0:
        form["attachments"] = data.draw(files(), label="file")
    evidence = case.evidence.get()
    editing = data.draw(st.booleans(), label="edit")
    if editing:
        url = reverse("reviews:evidence_edit", args=[case.pk, evidence.pk])
    else:
        url = reverse("reviews:evidence_create", args=[case.pk])
    with transaction.atomic():
        before = Evidence.objects.count()
        outcome = settle(candidate.post(url, form))
        event(outcome)
        if outcome == "refused":
            assert Evidence.objects.count() == before
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_check_in_form(case, candidate, data):
    questions = list(case.guide.questions.values_list("pk", flat=True))
    form = {**with_token(BROWSER_FIELDS), "date": data.draw(mostly(RECENT, DATES), label="date")}
    for pk in questions:
        if data.draw(st.integers(0, 29), label="skip") > 0:
            form[f"q{pk}"] = data.draw(
                mostly(st.sampled_from(["yes", "no", "partly"])), label="answer"
            )
        form[f"note{pk}"] = data.draw(mostly(WORDS | st.just("")), label="note")
    form[data.draw(TEXT, label="extra field")] = data.draw(JUNK, label="extra value")
    with transaction.atomic():
        outcome = settle(candidate.post(reverse("reviews:check_in_create", args=[case.pk]), form))
        event(outcome)
        assert CheckIn.objects.count() == (1 if outcome == "saved" else 0)
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_sign_off_form(case, sponsor, data):
    form = {
        **BROWSER_FIELDS,
        "decision": data.draw(mostly(st.sampled_from(["ready", "not_ready"])), label="decision"),
        "rationale": data.draw(mostly(WORDS), label="rationale"),
        "override_reason": data.draw(mostly(WORDS | st.just("")), label="override"),
        "expected_sign_offs": data.draw(mostly(st.just("0")), label="expected"),
        "confirm": data.draw(mostly(st.just("yes")), label="confirm"),
    }
    with transaction.atomic():
        response = sponsor.post(reverse("reviews:sign_off_create", args=[case.pk]), form)
        assert response.status_code in (200, 302)
        signed = SignOff.objects.filter(case=case).count()
        if response.status_code == 302:
            # Saved, or a refusal shown as a message on the page it sends back to.
            event("saved" if signed else "refused by the service")
            assert signed in (0, 1)
        else:
            form_shown = response.context["form"]
            confirming = response.context["confirming"]
            event("asked to confirm" if confirming else "refused")
            assert confirming or form_shown.errors
            assert signed == 0
        transaction.set_rollback(True)


@pytest.fixture
def packet(case):
    """The case's packet for two people this database does not know, so it can import."""
    packet = build_packet(Case.objects.with_people().get(pk=case.pk))
    renamed = {case.candidate.username: "fuzz-ada", case.sponsor.username: "fuzz-sam"}
    for person in ("candidate", "sponsor"):
        username = renamed[packet[person]["username"]]
        packet[person].update(username=username, email=f"{username}@example.org")
    for message in packet["feedback"]:
        message["author"] = renamed[message["author"]]
    return packet


def _guide_bytes(data, seed: bytes) -> bytes:
    kind = data.draw(st.sampled_from(["bytes", "spliced", "truncated"]), label="kind")
    if kind == "bytes":
        return data.draw(st.binary(max_size=2000), label="bytes")
    at = data.draw(st.integers(0, len(seed)), label="at")
    if kind == "truncated":
        return seed[:at]
    junk = data.draw(st.binary(max_size=50) | JUNK.map(str.encode), label="junk")
    return seed[:at] + junk + seed[at:]


@FUZZ
@given(data=st.data())
def test_guide_import_saves_a_page_or_refuses_with_a_line(seed_guide_text, hr, data):
    source = _guide_bytes(data, seed_guide_text.encode())
    with transaction.atomic():
        try:
            result = import_guide(source=source)
        except GuideFormatError as error:
            event("refused")
            assert error.line >= 1
            assert str(error)
        else:
            event("imported")
            page = hr.get(reverse("guides:guide_detail", args=[result.guide.slug]))
            assert page.status_code == 200
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_packet_upload_imports_or_lists_its_problems(packet, hr, data):
    kind = data.draw(st.sampled_from(["bytes", "spliced", "json", "edited"]), label="kind")
    if kind == "edited":
        edited = json.loads(json.dumps(packet))
        edited["narrative"] = data.draw(JUNK, label="narrative")
        edited["evidence"][0]["title"] = data.draw(mostly(WORDS), label="title")
        raw = json.dumps(edited).encode()
    elif kind == "bytes":
        raw = data.draw(st.binary(max_size=2000), label="bytes")
    elif kind == "json":
        value = data.draw(
            st.recursive(
                st.none() | st.booleans() | st.integers() | JUNK,
                lambda inner: (
                    st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4)
                ),
                max_leaves=12,
            ),
            label="json",
        )
        raw = json.dumps(value).encode()
    else:
        whole = json.dumps(packet).encode()
        at = data.draw(st.integers(0, len(whole)), label="at")
        raw = whole[:at] + data.draw(JUNK, label="junk").encode() + whole[at:]
    name = data.draw(st.sampled_from(["packet.json", "p.pdf"]) | FILE_NAMES, label="name")
    with transaction.atomic():
        before = Case.objects.count()
        response = hr.post(
            reverse("reviews:case_import"),
            {**BROWSER_FIELDS, "packet": SimpleUploadedFile(name, raw)},
        )
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            event("refused")
            assert response.context["problems"] or response.context["form"].errors
            assert Case.objects.count() == before
        else:
            event("imported")
            assert Case.objects.count() == before + 1
        transaction.set_rollback(True)
