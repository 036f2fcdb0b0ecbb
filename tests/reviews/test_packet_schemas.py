"""The packet format's JSON Schemas: valid draft 2020-12, in step with the app (its limits, its
choices, what `build_packet` writes), served to anyone, and the shape the import checks against,
worded as the import words its problems."""

import copy
import datetime
import json
import re
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from accounts.levels import change_level
from accounts.models import LevelChange
from reviews import forms, limits, services
from reviews.models import MAX_LINKS, Answer, Case, Decision, Feedback, SignOff
from reviews.packets import formats, shapes
from reviews.packets.build import FORMAT, UNSIGNED_KEYS, build_packet
from reviews.packets.checking import validate_packet
from reviews.packets.importing import PacketRefused, import_packet
from reviews.packets.places import place
from reviews.packets.shapes import PacketProblem
from reviews.readiness.rule import Status
from tests.factories import (
    AttachmentFactory,
    EvidenceFactory,
    HRFactory,
    published_guide,
)

DAY = "2026-11-16"
TODAY = datetime.date.fromisoformat(DAY)
SHIPPED_GUIDES = ["guides/data/m2-to-m3.md", "guides/data/m3-to-e1.md"]


def every_schema():
    return [pytest.param(name, id=name) for name in formats.FORMATS]


def walk(schema):
    """Every schema object inside a schema, the schema itself first."""
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from walk(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from walk(value)


def shape_errors(packet: dict) -> list[str]:
    """Every error of the packet against its format's schema, as jsonschema says them."""
    validator = formats.validator(packet["format"])
    return [
        f"{error.json_path}: {error.message}"
        for error in sorted(validator.iter_errors(packet), key=lambda e: e.json_path)
    ]


# The schema files


@pytest.mark.parametrize("packet_format", every_schema())
def test_each_schema_is_valid_draft_2020_12_and_says_what_it_is(packet_format):
    schema = formats.schema(packet_format)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == formats.schema_path(packet_format)
    assert schema["properties"]["format"] == {
        **schema["properties"]["format"],
        "const": packet_format,
    }
    assert schema["title"] and len(schema["description"]) > 200
    # Every part of a packet is named for its readers.
    for name, part in schema["properties"].items():
        target = schema["$defs"][part["$ref"].rpartition("/")[2]] if "$ref" in part else {}
        assert "title" in part or "title" in target, name
    for name, part in schema["$defs"].items():
        assert "title" in part or "$ref" in part, name


def test_the_newest_format_is_the_one_packets_are_written_in():
    assert formats.NEWEST == FORMAT
    assert formats.format_of(1) == "promotion-packet/1"
    assert formats.format_of(99) is None


@pytest.mark.parametrize("packet_format", every_schema())
def test_every_pattern_of_every_schema_has_words_for_the_values_it_refuses(packet_format):
    patterns = {s["pattern"] for s in walk(formats.schema(packet_format)) if "pattern" in s}
    worded = {*shapes.LOOKS_LIKE, shapes.STORABLE, shapes.NOT_BLANK, shapes.WEB_ADDRESS}
    assert patterns <= worded, patterns - worded


def test_the_schema_keeps_the_limits_of_the_forms_and_the_case():
    schema = formats.schema(FORMAT)
    defs = schema["$defs"]
    item = defs["evidence_item"]["properties"]
    evidence_form = forms.EvidenceForm.base_fields
    assert item["title"]["maxLength"] == evidence_form["title"].max_length == 200
    assert item["summary"]["maxLength"] == evidence_form["summary"].max_length
    assert item["outcome"]["maxLength"] == evidence_form["outcome"].max_length
    assert item["links"]["maxItems"] == MAX_LINKS
    assert item["links"]["items"]["maxLength"] == 500
    narrative = schema["properties"]["narrative"]["maxLength"]
    assert narrative == forms.NarrativeForm.base_fields["narrative"].max_length
    assert defs["feedback_message"]["properties"]["text"]["maxLength"] == (
        forms.FeedbackForm.base_fields["text"].max_length
    )
    assert defs["check_in"]["properties"]["notes"]["additionalProperties"]["maxLength"] == 2000
    assert schema["properties"]["evidence"]["maxItems"] == limits.MAX_EVIDENCE_PER_CASE
    assert schema["properties"]["check_ins"]["maxItems"] == limits.MAX_CHECK_INS_PER_CASE
    assert schema["properties"]["feedback"]["maxItems"] == limits.MAX_FEEDBACK_PER_CASE


def test_the_schema_offers_the_choices_the_app_has():
    schema = formats.schema(FORMAT)
    defs = schema["$defs"]
    assert schema["properties"]["status"]["enum"] == Case.Status.values
    answers = defs["check_in"]["properties"]["answers"]["additionalProperties"]
    assert answers["enum"] == Answer.Value.values
    assert defs["feedback_message"]["properties"]["kind"]["enum"] == Feedback.Kind.values
    assert defs["sign_off"]["properties"]["decision"]["enum"] == SignOff.Decision.values
    outcome = schema["properties"]["decision"]["properties"]["outcome"]
    assert outcome["enum"] == Decision.Outcome.values
    assert defs["level_step"]["properties"]["reason"]["enum"] == LevelChange.Reason.values
    assert defs["readiness"]["properties"]["status"]["enum"] == [s.value for s in Status]


def test_what_an_import_leaves_behind_requires_nothing_of_a_file():
    schema = formats.schema(FORMAT)
    left_behind = set(UNSIGNED_KEYS) - {"status"}
    assert left_behind == {"readiness", "sign_offs", "decision", "level_history"}
    for part in walk([schema["properties"][key] for key in left_behind]):
        assert "required" not in part
    for name in ("readiness", "sign_off", "level_step"):
        assert not list(filter(lambda s: "required" in s, walk(schema["$defs"][name])))


# Every packet the app writes fits its schema


@pytest.mark.django_db
@pytest.mark.today(DAY)
def test_a_packet_with_every_kind_of_content_fits_the_schema():
    case = case_with_everything()
    packet = json.loads(json.dumps(build_packet(Case.objects.with_people().get(pk=case.pk))))
    # Each part is there to be checked, not left empty.
    assert packet["decision"] and packet["sign_offs"] and packet["level_history"]
    assert {m["kind"] for m in packet["feedback"]} == set(Feedback.Kind.values)
    assert any("imported" in m for m in packet["feedback"])
    assert packet["readiness"]["capabilities"] and packet["readiness"]["flags"] is not None
    assert shape_errors(packet) == []


@pytest.mark.django_db
@pytest.mark.dates
def test_the_packets_of_every_demo_case_fit_the_schema(settings):
    settings.DEBUG = True  # the demo refuses to load otherwise
    for path in SHIPPED_GUIDES:
        call_command("import_guide", str(settings.BASE_DIR / path), stdout=StringIO())
    call_command("load_demo", force=True, stdout=StringIO())
    cases = list(Case.objects.with_people().with_level_history())
    assert len(cases) >= 5
    assert {case.status for case in cases} >= {Case.Status.OPEN, Case.Status.DECIDED}
    for case in cases:
        packet = json.loads(json.dumps(build_packet(case)))
        assert shape_errors(packet) == [], case.candidate.username


def case_with_everything() -> Case:
    """A case with every part a packet can hold: tagged evidence with links and a file,
    check-ins with notes, feedback of every kind and some imported, a sign-off not ready and
    one ready against readiness, a decision, and a level history of more than one step."""
    guide = published_guide(capabilities=4, indicators=3, questions=4)
    hr = HRFactory()
    # The imported messages come from a case that came in by an import.
    imported = import_packet(packet=small_packet(guide), by=hr)
    case = Case.objects.get(pk=imported.pk)
    capability = guide.capabilities.get(number=2)
    item = EvidenceFactory(
        case=case,
        capability=capability,
        indicators=list(capability.indicators.all()[:2]),
        links=["https://example.org/plan", "http://wiki.example.org/page?id=7"],
        date=TODAY - datetime.timedelta(days=40),
    )
    AttachmentFactory(evidence=item)
    for days, value in ((200, "partly"), (20, "yes")):
        services.record_check_in(
            case=case,
            date=TODAY - datetime.timedelta(days=days),
            answers={
                q.pk: (value, "A note." if q.position % 2 else "") for q in guide.questions.all()
            },
        )
    for kind, author in (
        ("question", case.sponsor),
        ("reply", case.candidate),
        ("needs_more", case.sponsor),
        ("endorse", case.sponsor),
    ):
        services.give_feedback(evidence=item, author=author, kind=kind, text=f"A {kind}.")
    # Not ready, then ready although readiness is not: an override with its reason.
    signed = (("not_ready", "Not yet.", ""), ("ready", "Ready.", "The last block is nearly full."))
    for count, (decision, rationale, reason) in enumerate(signed):
        services.sign_off(
            case=case,
            signer=case.sponsor,
            decision=decision,
            rationale=rationale,
            override_reason=reason,
            expected_sign_offs=count,
        )
    services.record_decision(
        case=case,
        outcome="promoted",
        effective_date=TODAY,
        note="Well earned.",
        decided_by=hr,
    )
    change_level(user=case.candidate, level=None, since=TODAY, reason="hr_edit", note="Gap.")
    return case


def small_packet(guide) -> dict:
    return {
        "format": FORMAT,
        "candidate": {"username": "ada", "name": "Ada Example", "email": "ada@example.org"},
        "sponsor": {"username": "sam", "name": "Sam Example", "email": "sam@example.org"},
        "guide": {
            "from": guide.from_level.code,
            "to": guide.to_level.code,
            "version": guide.version,
        },
        "opened_on": (TODAY - datetime.timedelta(days=400)).isoformat(),
        "evidence": [
            {
                "capability": 1,
                "indicators": [1],
                "title": "Ran the budget",
                "date": (TODAY - datetime.timedelta(days=300)).isoformat(),
                "summary": "Owned it.",
            }
        ],
        "feedback": [
            {
                "evidence": 0,
                "author": "sam",
                "kind": "question",
                "text": "Which part?",
                "at": "2026-02-10T09:00:00Z",
            },
            {"evidence": 0, "author": "ada", "kind": "reply", "text": "All of it."},
        ],
    }


# The format's versions


@pytest.mark.django_db
@pytest.mark.today(DAY)
@pytest.mark.parametrize(
    ("value", "found"),
    [("promotion-packet/9", "'promotion-packet/9'"), (1, "1"), (None, "null"), ("", "''")],
)
def test_a_packet_of_a_format_there_is_no_schema_of_is_refused_in_words(value, found):
    guide = published_guide()
    packet = small_packet(guide)
    packet["format"] = value
    assert validate_packet(packet) == [
        PacketProblem(
            "$.format",
            f"expected format 'promotion-packet/1' or 'promotion-packet/2', found {found}",
        )
    ]


# The shape's problems, in words


@pytest.fixture
def packet(db):
    guide = published_guide(capabilities=4, indicators=3, questions=4)
    return small_packet(guide)


@pytest.mark.today(DAY)
@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda p: p.update(sign_offs=[{"decision": "maybe"}]),
            PacketProblem(
                "$.sign_offs[0].decision", "expected 'ready' or 'not_ready', found 'maybe'"
            ),
        ),
        (
            lambda p: p.update(sign_offs=[{"packet_sha256": "abc"}]),
            PacketProblem(
                "$.sign_offs[0].packet_sha256",
                "expected a SHA-256 as 64 hexadecimal digits, found 'abc'",
            ),
        ),
        (
            lambda p: p.update(readiness={"flags": ["thin"]}),
            PacketProblem(
                "$.readiness.flags[0]",
                "expected a flag: 'stale', 'lopsided', or 'thin:' and a number, found 'thin'",
            ),
        ),
        (
            lambda p: p.update(decision={"outcome": "promoted", "by": "hana"}),
            PacketProblem(
                "$.decision.by",
                "unknown key; expected only outcome, effective_date, note, decided_by, at",
            ),
        ),
        (
            lambda p: p.update(level_history="M3"),
            PacketProblem("$.level_history", "expected a list, found 'M3'"),
        ),
        (
            lambda p: p["evidence"][0].update(date=20260101),
            PacketProblem("$.evidence[0].date", "expected a date as YYYY-MM-DD, found 20260101"),
        ),
        (
            lambda p: p["evidence"][0].update(date="2026-01-01\n"),
            PacketProblem(
                "$.evidence[0].date", "expected a date as YYYY-MM-DD, found '2026-01-01\\n'"
            ),
        ),
        (
            lambda p: p["feedback"][0].update(at="2026-13-10T09:00:00Z"),
            PacketProblem(
                "$.feedback[0].at",
                "expected a date and time with its time zone, such as 2025-02-10T09:00:00Z, "
                "found '2026-13-10T09:00:00Z'",
            ),
        ),
        (
            lambda p: p["feedback"][0].update(at="2026-12-10T09:00:00Z"),
            PacketProblem(
                "$.feedback[0].at", "the time 2026-12-10T09:00:00Z cannot be in the future"
            ),
        ),
        (
            lambda p: p["feedback"][0].update(imported={"by": "hana"}),
            PacketProblem("$.feedback[0].imported.at", "the time of the import is required"),
        ),
        (
            lambda p: p["feedback"][0].pop("kind"),
            PacketProblem(
                "$.feedback[0].kind",
                "the kind is required: 'endorse', 'question', 'needs_more' or 'reply'",
            ),
        ),
        (
            lambda p: p["evidence"][0].update(summary="\ud800"),
            PacketProblem(
                "$.evidence[0].summary",
                "contains an unpaired surrogate, which is not valid Unicode",
            ),
        ),
        (
            lambda p: p["guide"].update(version=40_000),
            PacketProblem("$.guide.version", "expected a version from 1, found 40000"),
        ),
        (
            lambda p: p["evidence"][0].update(indicators=True),
            PacketProblem("$.evidence[0].indicators", "expected a list, found true"),
        ),
    ],
)
def test_each_shape_problem_has_its_own_words(packet, change, problem):
    change(packet)
    assert validate_packet(packet) == [problem]


@pytest.mark.today(DAY)
def test_problems_of_shape_and_of_content_are_listed_in_the_packets_order(packet):
    packet["comments"] = "a key of no version"
    packet["evidence"][0]["capability"] = 9  # content: the guide has 4
    packet["evidence"][0]["title"] = ""  # shape
    packet["feedback"][1]["author"] = "bob"  # content
    packet["feedback"][0]["kind"] = "praise"  # shape
    packet["opened_on"] = "soon"  # shape
    packet["sign_offs"] = [{"override": "no"}]  # shape, of a part left behind
    assert [problem.path for problem in validate_packet(packet)] == [
        "$.opened_on",
        "$.evidence[0].capability",
        "$.evidence[0].title",
        "$.feedback[0].kind",
        "$.feedback[1].author",
        "$.sign_offs[0].override",
        "$.comments",
    ]


@pytest.mark.today(DAY)
def test_a_key_of_digits_from_another_script_is_a_problem_in_its_place(packet):
    packet["check_ins"] = [{"date": "2026-11-01", "answers": {"²": "yes", "1": "yes"}}]
    assert validate_packet(packet) == [
        PacketProblem(
            "$.check_ins[0].answers", "questions 2, 3, 4 are not answered; answer every question"
        ),
        PacketProblem(
            '$.check_ins[0].answers["\\u00b2"]',
            "expected a question number such as \"1\", found '²'",
        ),
    ]


@pytest.mark.today(DAY)
def test_a_list_over_its_limit_is_one_problem_and_its_entries_none(packet):
    packet["evidence"][0]["links"] = ["not a link"] * 11
    assert validate_packet(packet) == [
        PacketProblem("$.evidence[0].links", "at most 10 links (11 given)")
    ]


@pytest.mark.today(DAY)
def test_a_file_of_very_many_wrong_values_is_told_of_the_first_thousand_at_once(packet):
    # Values of two types, which jsonschema's own uniqueItems compares two by two.
    packet["evidence"][0]["indicators"] = [str(n) if n % 2 else n for n in range(200_000)]
    # This process's CPU time: other work on the machine does not count.
    started = time.process_time()
    problems = validate_packet(packet)
    assert time.process_time() - started < 30
    # Only problems of shape: the rest of the file was not checked for its shape.
    assert problems[:2] == [
        PacketProblem("$", shapes.TOO_MANY_ERRORS),
        PacketProblem("$.evidence[0].indicators[1]", "expected a whole number, found '1'"),
    ]
    assert len(problems) == 1 + shapes.MAX_ERRORS


@pytest.mark.today(DAY)
def test_indicators_listed_twice_are_each_named_whatever_else_the_list_holds(packet):
    # 1.0 is JSON's 1, as JSON Schema says.
    packet["evidence"][0]["indicators"] = [1, True, 1, "x", 1.0]
    assert validate_packet(packet) == [
        PacketProblem("$.evidence[0].indicators[1]", "expected a whole number, found true"),
        PacketProblem("$.evidence[0].indicators[2]", "indicator 1 is listed twice"),
        PacketProblem("$.evidence[0].indicators[3]", "expected a whole number, found 'x'"),
        PacketProblem("$.evidence[0].indicators[4]", "indicator 1.0 is listed twice"),
    ]


@pytest.mark.django_db
@pytest.mark.today(DAY)
def test_whole_numbers_written_with_a_point_are_the_numbers_they_are(packet):
    packet["guide"]["version"] = float(packet["guide"]["version"])
    packet["evidence"][0].update(capability=1.0, indicators=[1.0])
    packet["feedback"][0]["evidence"] = 0.0
    case = import_packet(packet=packet, by=None)
    item = case.evidence.get()
    assert (item.capability.number, [i.position for i in item.indicators.all()]) == (1, [1])
    assert case.feedback.filter(evidence=item).count() == 2


# Property: any change to a valid packet is refused in words or imported


NASTY = st.sampled_from(
    ["", " ", "\x00", "\ud800", "sam", "ada", "yes", "reply", "ready", "thin:2", "2026-02-30",
     "2026-02-10T09:00:00Z", "9999-12-31", "https://example.org", "x" * 250, 0, 1, 2, -1,
     2**40, 1.5, True, None]
)  # fmt: skip
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | NASTY,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8) | NASTY.filter(lambda v: isinstance(v, str)), children,
                      max_size=3),
    max_leaves=6,
)  # fmt: skip
# Words of jsonschema's own, which a problem must never show a person.
SCHEMA_WORDS = re.compile(
    r"is not valid under|does not match|is a required property|Additional properties|"
    r"is not of type '|is not one of \[|non-unique|\$defs|\$ref"
)


def places(value):
    """Every (container, key) of a packet, to change what is there."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield value, key
            yield from places(child)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield value, index
            yield from places(child)


@pytest.fixture
def full_packet(db):
    """The packet of a case with every kind of content, as a file carries it, for new people."""
    case = case_with_everything()
    packet = json.loads(json.dumps(build_packet(Case.objects.with_people().get(pk=case.pk))))
    for role in ("candidate", "sponsor"):
        old = packet[role]["username"]
        packet[role]["username"] = f"new-{old}"
        for message in packet["feedback"]:
            if message["author"] == old:
                message["author"] = f"new-{old}"
    return packet


@pytest.mark.today(DAY)
@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_changed_packet_is_refused_with_a_path_and_words_for_each_problem_or_imports(
    full_packet, data
):
    packet = copy.deepcopy(full_packet)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="changes")):
        container, key = data.draw(st.sampled_from(list(places(packet))), label="where")
        action = data.draw(st.sampled_from(["delete", "replace", "add"]), label="action")
        if action == "delete":
            del container[key]
        elif action == "replace":
            container[key] = data.draw(JUNK, label="value")
        elif isinstance(container, dict):
            container[data.draw(st.text(max_size=8), label="key")] = data.draw(JUNK, label="value")
        else:
            container.append(data.draw(JUNK, label="value"))

    problems = validate_packet(packet)
    for problem in problems:
        assert problem.path.startswith("$")
        assert problem.message and not SCHEMA_WORDS.search(problem.message), problem
        assert place(problem.path)
    if problems:
        event("refused")
        return
    event("imported")
    with transaction.atomic():
        try:
            case = import_packet(packet=packet, by=None, link_existing=True)
        except PacketRefused as error:
            # Found only as the case is written: what this database says of the people.
            event("refused as written")
            assert all(p.path.startswith("$") and p.message for p in error.problems)
        else:
            assert case.status == Case.Status.OPEN
        transaction.set_rollback(True)


# Served at the URL its `$id` names


@pytest.mark.django_db
@pytest.mark.parametrize("packet_format", every_schema())
def test_anyone_reads_a_schema_at_its_stable_url(client, packet_format, settings):
    settings.SITE_URL = "https://reviews.example.org"
    url = formats.schema_path(packet_format)
    assert url == reverse("packet_schema", kwargs={"version": formats.version_of(packet_format)})

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    served = json.loads(response.content)
    assert served["$id"] == f"https://reviews.example.org{url}"
    assert {**served, "$id": url} == formats.schema(packet_format)
    Draft202012Validator.check_schema(served)


@pytest.mark.django_db
def test_a_version_there_is_none_of_is_not_found(client):
    assert client.get("/schemas/promotion-packet/99.json").status_code == 404
    assert client.get("/schemas/promotion-packet/0.json").status_code == 404


@pytest.mark.django_db
def test_the_import_page_links_to_the_schema_of_the_format(client):
    client.force_login(HRFactory())
    response = client.get(reverse("reviews:case_import"))
    assert f'href="{formats.schema_path(FORMAT)}"' in response.text
