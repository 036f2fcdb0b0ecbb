"""Importing a case from packet JSON: the round trip, each refusal with its own message, fuzzing."""

import copy
import datetime
import html
import json
import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pghistory.models import MiddlewareEvents

from accounts.models import User
from guides.models import Indicator
from reviews import services
from reviews.models import Answer, Case, CheckIn, Decision, Evidence, Feedback, SignOff
from reviews.packets.build import build_packet, canonical_bytes
from reviews.packets.checking import validate_packet
from reviews.packets.importing import (
    MAX_PACKET_BYTES,
    PacketRefused,
    import_packet,
    import_packet_file,
    load_packet_file,
)
from reviews.packets.shapes import PacketProblem
from tests.factories import (
    CaseFactory,
    EvidenceFactory,
    HRFactory,
    LevelFactory,
    UserFactory,
    guide_with_parts,
    publish,
)
from tests.locks import at_once, wait_for_a_lock_wait

# Not about the calendar: the whole module runs on one day.
DAY = "2026-11-16"
pytestmark = [pytest.mark.django_db, pytest.mark.today(DAY)]

TODAY = datetime.date.fromisoformat(DAY)


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


@pytest.fixture
def guide():
    return packet_guide()


def packet_guide():
    """M3 → E1 with four capabilities; capability 1 has 3 indicators and capability 2 has 5."""
    guide = guide_with_parts(capabilities=4, indicators=3, questions=6)
    second = guide.capabilities.get(number=2)
    Indicator.objects.bulk_create(
        Indicator(capability=second, position=p, text=f"Indicator 2.{p}") for p in (4, 5)
    )
    return publish(guide)


def guide_name(guide) -> str:
    return f"M3 → E1 v{guide.version}"


def packet_for(guide) -> dict:
    """A valid packet naming two people this database does not know yet."""
    return {
        "format": "promotion-packet/1",
        "candidate": {"username": "ada", "name": "Ada Example", "email": "ada@example.org"},
        "sponsor": {"username": "sam", "name": "Sam Example", "email": "sam@example.org"},
        "guide": {"from": "M3", "to": "E1", "version": guide.version},
        "opened_on": days_ago(500).isoformat(),
        "status": "open",
        "narrative": "# Why now\n\nTwo years of **sustained** work.",
        "evidence": [
            {
                "capability": 1,
                "indicators": [1, 3],
                "title": "Ran the platform budget",
                "date": days_ago(300).isoformat(),
                "summary": "Owned the *budget*.",
                "outcome": "Spend down 12%.",
                "links": ["https://example.org/budget"],
            },
            {
                "capability": 2,
                "indicators": [5],
                "title": "Hired two managers",
                "date": days_ago(100).isoformat(),
                "summary": "Ran the loop.",
                "outcome": "",
                "links": [],
            },
        ],
        "check_ins": [
            {
                "date": days_ago(90).isoformat(),
                "answers": {str(n): "yes" if n < 5 else "partly" for n in range(1, 7)},
                "notes": {"5": "Not yet at board level."},
            }
        ],
        "feedback": [
            {
                "evidence": 0,
                "author": "sam",
                "kind": "question",
                "text": "Which decisions were yours?",
                "at": "2025-02-10T09:00:00Z",
            },
            {"evidence": 0, "author": "ada", "kind": "reply", "text": "The cuts to tooling."},
        ],
        "sign_offs": [],
        "decision": None,
        "readiness": {},
    }


@pytest.fixture
def packet(guide) -> dict:
    return packet_for(guide)


def row_counts() -> dict[str, int]:
    models = [User, Case, Evidence, Evidence.indicators.through, CheckIn, Answer, Feedback]
    return {model.__name__: model.objects.count() for model in models}


def refused(packet) -> list[PacketProblem]:
    """The problems import_packet gives, checking that it wrote nothing."""
    before = row_counts()
    with pytest.raises(PacketRefused) as raised:
        import_packet(packet=packet, by=None)
    assert row_counts() == before
    assert raised.value.problems == validate_packet(packet)
    return raised.value.problems


# Importing


def test_a_valid_packet_becomes_an_open_case_with_everything_in_it(guide, packet):
    assert validate_packet(packet) == []
    case = import_packet(packet=packet, by=None)

    assert case.status == Case.Status.OPEN
    assert case.guide == guide
    assert case.opened_on == days_ago(500)
    assert case.narrative == packet["narrative"]
    items = list(case.evidence.order_by("date"))
    assert [i.title for i in items] == ["Ran the platform budget", "Hired two managers"]
    assert [i.position for i in items[0].indicators.order_by("position")] == [1, 3]
    assert [i.capability.number for i in items[1].indicators.all()] == [2]
    assert items[0].links == ["https://example.org/budget"]
    answers = Answer.objects.filter(check_in__case=case).order_by("question__position")
    assert [(a.value, a.note) for a in answers][4] == ("partly", "Not yet at board level.")
    assert answers.count() == 6
    question, reply = case.feedback.order_by("created_at")
    assert question.created_at == datetime.datetime(2025, 2, 10, 9, tzinfo=datetime.UTC)
    assert (question.author.username, question.kind) == ("sam", "question")
    # No time in the packet: the reply is dated at the import.
    assert timezone.now() - reply.created_at < datetime.timedelta(minutes=1)
    assert reply.evidence == items[0]


def test_new_people_are_created_without_a_usable_password_at_the_guide_levels(guide, packet):
    case = import_packet(packet=packet, by=None)
    candidate, sponsor = case.candidate, case.sponsor
    assert (candidate.name, candidate.email) == ("Ada Example", "ada@example.org")
    assert (sponsor.name, sponsor.email) == ("Sam Example", "sam@example.org")
    assert not candidate.has_usable_password()
    assert not sponsor.has_usable_password()
    assert candidate.current_level == guide.from_level
    assert sponsor.current_level == guide.to_level


def test_existing_people_are_matched_by_username_and_left_as_they_are(guide, packet):
    ada = UserFactory(username="ada", name="Ada Lovelace", email="ada@old.example.org")
    director = LevelFactory(code="E2", title="Senior Director", rank=70, track="executive")
    sam = UserFactory(username="sam", name="Samuel", current_level=director)
    case = import_packet(packet=packet, by=None, link_existing=True)
    ada.refresh_from_db()
    sam.refresh_from_db()
    assert (case.candidate, case.sponsor) == (ada, sam)
    assert (ada.name, ada.email) == ("Ada Lovelace", "ada@old.example.org")
    assert ada.has_usable_password()
    # A candidate with no level starts at the guide's; the sponsor keeps their higher level.
    assert ada.current_level == guide.from_level
    assert sam.current_level == director


def test_an_existing_sponsor_below_the_target_level_is_refused(guide, packet):
    UserFactory(username="sam", name="Sam Example", current_level=guide.from_level)
    assert refused(packet) == [
        PacketProblem(
            "$.sponsor",
            "Sam Example holds M3 Head of Engineering; a sponsor must be at or above "
            "E1 Director of Engineering, the level this guide leads to.",
        )
    ]


def test_a_candidate_with_an_open_case_on_the_guide_is_refused(guide, packet):
    CaseFactory(guide=guide, candidate=UserFactory(username="ada", name="Ada Example"))
    assert refused(packet) == [
        PacketProblem(
            "$.candidate", f"Ada Example (ada) already has an open case on {guide_name(guide)}"
        )
    ]


def test_sign_offs_and_decision_are_not_imported_and_the_case_opens_as_open(guide, packet):
    packet["status"] = "decided"
    packet["sign_offs"] = [
        {
            "signer": "sam",
            "decision": "ready",
            "rationale": "Ready.",
            "override": False,
            "packet_sha256": "0" * 64,
            "at": "2025-06-01T10:00:00Z",
        }
    ]
    packet["decision"] = {"outcome": "promoted", "effective_date": "2025-07-01"}
    case = import_packet(packet=packet, by=None)
    assert case.status == Case.Status.OPEN
    assert not SignOff.objects.exists()
    assert not Decision.objects.exists()


def test_the_importer_is_recorded_in_the_case_history(guide, packet):
    hr = HRFactory()
    case = import_packet(packet=packet, by=hr)
    events = MiddlewareEvents.objects.references(case).filter(pgh_model="reviews.CaseEvent")
    assert {event.user for event in events} == {hr}


# The round trip: export → import → export


def _case_worth_exporting(guide) -> Case:
    """A case with every part of a packet: narrative, tagged evidence with links, check-ins with
    notes, and a feedback thread, written through the same services the pages use."""
    case = CaseFactory(
        guide=guide,
        candidate=UserFactory(username="ada", name="Ada Example"),
        sponsor=UserFactory(username="sam", name="Sam Example", current_level=guide.to_level),
        opened_on=days_ago(700),
        narrative="# Statement\n\nÜnïcode — and *Markdown*.",
    )
    capability_1, capability_2 = guide.capabilities.order_by("number")[:2]
    budget = EvidenceFactory(
        case=case,
        capability=capability_2,
        indicators=list(capability_2.indicators.filter(position__in=[2, 5])),
        date=days_ago(400),
        title="Budget for the platform group",
        links=["https://example.org/a", "http://wiki.example.org/b?x=1"],
    )
    EvidenceFactory(case=case, capability=capability_1, date=days_ago(200), outcome="")
    questions = list(guide.questions.all())
    for days, value in ((300, "partly"), (30, "yes")):
        services.record_check_in(
            case=case,
            date=days_ago(days),
            answers={
                q.pk: (value, f"Note on {q.position}." if q.position % 2 else "") for q in questions
            },
        )
    services.give_feedback(evidence=budget, author=case.sponsor, kind="question", text="Whose?")
    services.give_feedback(evidence=budget, author=case.candidate, kind="reply", text="Mine.")
    services.give_feedback(evidence=budget, author=case.sponsor, kind="endorse", text="Good.")
    return Case.objects.with_people().get(pk=case.pk)


def _exported(case) -> dict:
    """A packet as it leaves the product: through JSON text, as in a file."""
    return json.loads(json.dumps(build_packet(case)))


def _without_import_marks(packet: dict) -> dict:
    """The packet of an imported case as its file was: every message marked as imported, and
    the marks taken off."""
    packet = copy.deepcopy(packet)
    assert packet["feedback"]
    for message in packet["feedback"]:
        assert set(message.pop("imported")) == {"by", "at"}
    return packet


def test_export_import_export_in_the_same_organisation_gives_the_same_packet(guide):
    original = _case_worth_exporting(guide)
    packet = _exported(original)
    # One active case per candidate and guide: the original must be closed before the same
    # people can have the imported one. The status is not part of the canonical form.
    original.status = Case.Status.WITHDRAWN
    original.save(update_fields=["status"])
    people = User.objects.count()

    imported = import_packet(packet=packet, by=None, link_existing=True)

    assert imported.pk != original.pk
    assert User.objects.count() == people
    assert canonical_bytes(_without_import_marks(_exported(imported))) == canonical_bytes(packet)


def test_export_import_export_into_another_organisation_gives_the_same_packet(guide):
    """Here the people are new: the usernames are changed on the way in, so the import creates
    them from the packet's names and emails, and changed back before comparing."""
    packet = _exported(_case_worth_exporting(guide))
    renamed = {"ada": "ada.elsewhere", "sam": "sam.elsewhere"}

    def rename(packet: dict, names: dict) -> dict:
        packet = copy.deepcopy(packet)
        packet["candidate"]["username"] = names[packet["candidate"]["username"]]
        packet["sponsor"]["username"] = names[packet["sponsor"]["username"]]
        for message in packet["feedback"]:
            message["author"] = names[message["author"]]
        return packet

    imported = import_packet(packet=rename(packet, renamed), by=None)

    assert not imported.candidate.has_usable_password()
    back = {new: old for old, new in renamed.items()}
    again = _without_import_marks(rename(_exported(imported), back))
    assert canonical_bytes(again) == canonical_bytes(packet)


# Refusals: each its own message, nothing written


def test_a_wrong_format_tag_is_refused(packet):
    packet["format"] = "promotion-packet/3"
    assert refused(packet) == [
        PacketProblem(
            "$.format",
            "expected format 'promotion-packet/1' or 'promotion-packet/2', "
            "found 'promotion-packet/3'",
        )
    ]


def test_a_missing_format_tag_is_refused(packet):
    del packet["format"]
    assert refused(packet) == [
        PacketProblem(
            "$.format", "expected format 'promotion-packet/1' or 'promotion-packet/2', found none"
        )
    ]


def test_an_unknown_capability_number_is_refused(guide, packet):
    packet["evidence"][1]["capability"] = 9
    packet["evidence"][1]["indicators"] = []
    assert refused(packet) == [
        PacketProblem(
            "$.evidence[1].capability",
            f"capability 9 does not exist in {guide_name(guide)} (it has 1–4)",
        )
    ]


def test_an_indicator_of_another_capability_is_refused(packet):
    # Capability 2 has an indicator 5; capability 1 has only 3.
    packet["evidence"][0]["indicators"] = [1, 5]
    assert refused(packet) == [
        PacketProblem(
            "$.evidence[0].indicators[1]",
            "indicator 5 is not one of capability 1's indicators (1–3)",
        )
    ]


def test_an_evidence_date_in_the_future_is_refused(packet):
    future = (TODAY + datetime.timedelta(days=1)).isoformat()
    packet["evidence"][1]["date"] = future
    assert refused(packet) == [
        PacketProblem("$.evidence[1].date", f"evidence date {future} cannot be in the future")
    ]


def test_a_missing_candidate_is_refused(packet):
    del packet["candidate"]
    assert refused(packet) == [PacketProblem("$.candidate", "a candidate is required")]


def test_a_guide_that_is_not_published_here_is_refused_saying_what_is(guide, packet):
    packet["guide"]["version"] = guide.version + 1
    assert refused(packet) == [
        PacketProblem(
            "$.guide",
            f"there is no guide M3 → E1 v{guide.version + 1} here "
            f"(published versions of M3 → E1: v{guide.version})",
        )
    ]


def test_a_list_instead_of_an_object_is_refused(packet):
    assert refused([packet]) == [
        PacketProblem("$", "expected a packet: a JSON object, found a list")
    ]


def test_a_string_instead_of_a_list_is_refused(packet):
    packet["evidence"] = "see the wiki"
    packet["feedback"] = []
    assert refused(packet) == [PacketProblem("$.evidence", "expected a list, found 'see the wiki'")]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda p: p["candidate"].update(username="ada lovelace"),
            PacketProblem(
                "$.candidate.username",
                "a username may hold only letters, digits and @ . + - _, found 'ada lovelace'",
            ),
        ),
        (
            lambda p: p["sponsor"].update(email="sam at example"),
            PacketProblem("$.sponsor.email", "'sam at example' is not an email address"),
        ),
        (
            lambda p: p["sponsor"].update(username="ada"),
            PacketProblem("$.sponsor", "the sponsor cannot be the candidate (both are ada)"),
        ),
        (
            lambda p: p.update(opened_on="2025-02-30"),
            PacketProblem("$.opened_on", "opening date 2025-02-30 is not a real date"),
        ),
        (
            lambda p: p.update(status="archived"),
            PacketProblem(
                "$.status",
                "expected 'open', 'signed_off', 'decided' or 'withdrawn', found 'archived'",
            ),
        ),
        (
            lambda p: p.update(comments=[]),
            PacketProblem(
                "$.comments",
                "unknown key; expected only format, candidate, sponsor, guide, opened_on, "
                "status, narrative, evidence, check_ins, feedback, sign_offs, decision, readiness, "
                "level_history",
            ),
        ),
        (
            lambda p: p["evidence"][0].update(title="   "),
            PacketProblem("$.evidence[0].title", "the title is empty"),
        ),
        (
            lambda p: p["evidence"][0].update(title="x" * 201),
            PacketProblem("$.evidence[0].title", "is 201 characters long; the limit is 200"),
        ),
        (
            lambda p: p["evidence"][0].update(indicators=[1, "3"]),
            PacketProblem("$.evidence[0].indicators[1]", "expected a whole number, found '3'"),
        ),
        (
            lambda p: p["evidence"][0].update(indicators=[3, 3]),
            PacketProblem("$.evidence[0].indicators[1]", "indicator 3 is listed twice"),
        ),
        (
            lambda p: p["evidence"][0]["links"].append("javascript:alert(1)"),
            PacketProblem(
                "$.evidence[0].links[1]",
                "'javascript:alert(1)' is not a web address starting with http:// or https://",
            ),
        ),
        (
            lambda p: p["evidence"][0].update(
                links=[f"https://example.org/{n}" for n in range(11)]
            ),
            PacketProblem("$.evidence[0].links", "at most 10 links (11 given)"),
        ),
        (
            lambda p: p["evidence"][0].update(summary="nul \x00 byte"),
            PacketProblem(
                "$.evidence[0].summary", "contains a NUL character, which cannot be stored"
            ),
        ),
        (
            lambda p: p["check_ins"][0]["answers"].update({"2": "maybe"}),
            PacketProblem(
                '$.check_ins[0].answers["2"]', "expected 'yes', 'partly' or 'no', found 'maybe'"
            ),
        ),
        (
            lambda p: p["check_ins"][0]["answers"].pop("6"),
            PacketProblem(
                "$.check_ins[0].answers", "question 6 is not answered; answer every question"
            ),
        ),
        (
            lambda p: p["check_ins"][0]["answers"].update({"7": "yes"}),
            PacketProblem(
                '$.check_ins[0].answers["7"]',
                "question 7 does not exist in M3 → E1 v{v} (it has 1–6)",
            ),
        ),
        (
            lambda p: p["check_ins"].append(copy.deepcopy(p["check_ins"][0])),
            PacketProblem(
                "$.check_ins[1].date",
                f"$.check_ins[0] is on {days_ago(90)} too; there is one check-in a day",
            ),
        ),
        (
            lambda p: p["feedback"][0].update(evidence=2),
            PacketProblem(
                "$.feedback[0].evidence",
                "there is no evidence item 2 (the packet has 2, counted from 0)",
            ),
        ),
        (
            lambda p: p["feedback"][0].update(author="bob"),
            PacketProblem(
                "$.feedback[0].author",
                "the author must be the candidate (ada) or the sponsor (sam), found 'bob'",
            ),
        ),
        (
            lambda p: p["feedback"][1].update(kind="endorse"),
            PacketProblem(
                "$.feedback[1].kind",
                "only the sponsor can endorse, question or ask for more; ada can only reply",
            ),
        ),
        (
            lambda p: p["feedback"][0].update(at="2025-02-10 09:00"),
            PacketProblem(
                "$.feedback[0].at",
                "expected a date and time with its time zone, such as 2025-02-10T09:00:00Z, "
                "found '2025-02-10 09:00'",
            ),
        ),
    ],
)
def test_each_kind_of_bad_content_has_its_own_message(guide, packet, change, problem):
    change(packet)
    expected = problem._replace(message=problem.message.replace("{v}", str(guide.version)))
    assert refused(packet) == [expected]


def test_several_problems_are_all_reported_at_once(guide, packet):
    future = (TODAY + datetime.timedelta(days=30)).isoformat()
    packet["format"] = "brag-doc"
    del packet["sponsor"]
    packet["evidence"][0]["capability"] = 9
    packet["evidence"][1]["date"] = future
    packet["evidence"][1]["indicators"] = [1, 7]
    packet["check_ins"] = {}
    problems = refused(packet)
    assert problems == [
        PacketProblem(
            "$.format",
            "expected format 'promotion-packet/1' or 'promotion-packet/2', found 'brag-doc'",
        ),
        PacketProblem("$.sponsor", "a sponsor is required"),
        PacketProblem(
            "$.evidence[0].capability",
            f"capability 9 does not exist in {guide_name(guide)} (it has 1–4)",
        ),
        PacketProblem(
            "$.evidence[1].indicators[1]",
            "indicator 7 is not one of capability 2's indicators (1–5)",
        ),
        PacketProblem("$.evidence[1].date", f"evidence date {future} cannot be in the future"),
        PacketProblem("$.check_ins", "expected a list, found an object"),
    ]
    assert str(PacketRefused(problems)).splitlines()[:2] == [
        "$.format: expected format 'promotion-packet/1' or 'promotion-packet/2', found 'brag-doc'",
        "$.sponsor: a sponsor is required",
    ]


# The file


def test_a_file_that_is_not_json_is_refused_with_line_and_column():
    with pytest.raises(PacketRefused) as raised:
        load_packet_file(b'{\n  "format": "promotion-packet/1",\n  "candidate": \n}')
    assert raised.value.problems == [
        PacketProblem("$", "not valid JSON: Expecting value at line 4, column 1")
    ]


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(PacketRefused) as raised:
        load_packet_file('{"narrative": "café"}'.encode("latin-1"))
    assert raised.value.problems == [
        PacketProblem("$", "the file is not UTF-8 text (byte 0xe9 at offset 18)")
    ]


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(PacketRefused) as raised:
        load_packet_file(b" " * (MAX_PACKET_BYTES + 1))
    assert raised.value.problems == [
        PacketProblem("$", "the file is larger than the limit of 20 MB")
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[]", "expected a packet: a JSON object, found a list"),
        (b'"packet"', "expected a packet: a JSON object, found 'packet'"),
        (b'{"n": NaN}', "not valid JSON: NaN is not a JSON number"),
        (b"[" * 100_000, "not valid JSON: nested too deeply"),
    ],
)
def test_files_that_are_not_packet_objects_are_refused(raw, message):
    with pytest.raises(PacketRefused) as raised:
        load_packet_file(raw)
    assert raised.value.problems == [PacketProblem("$", message)]


def test_a_utf8_file_with_a_byte_order_mark_imports(packet):
    raw = b"\xef\xbb\xbf" + json.dumps(packet, ensure_ascii=False).encode("utf-8")
    case = import_packet_file(raw=raw, by=None)
    assert case.narrative == packet["narrative"]


# The command


def test_import_case_command_reports_what_it_imported(packet, tmp_path, capsys):
    packet["status"] = "signed_off"
    packet["sign_offs"] = [{"signer": "sam", "decision": "ready", "packet_sha256": "0" * 64}]
    path = tmp_path / "packet.json"
    path.write_text(json.dumps(packet), encoding="utf-8")
    call_command("import_case", str(path))
    case = Case.objects.get()
    out = capsys.readouterr().out
    assert f"Imported case {case.pk} for Ada Example (ada) on {case.guide}: " in out
    assert "2 evidence items, 1 check-in, 2 feedback messages." in out
    assert "Not imported: sign-offs; they are for this organisation to make." in out
    assert "The packet's status was signed_off; the case is open here." in out


def test_import_case_command_lists_every_problem(packet, tmp_path):
    packet["format"] = "v2"
    del packet["candidate"]
    path = tmp_path / "packet.json"
    path.write_text(json.dumps(packet), encoding="utf-8")
    before = row_counts()
    with pytest.raises(CommandError) as raised:
        call_command("import_case", str(path))
    assert str(raised.value).splitlines() == [
        f"{path} was refused; nothing was imported.",
        "$.format: expected format 'promotion-packet/1' or 'promotion-packet/2', found 'v2'",
        "$.candidate: a candidate is required",
    ]
    assert row_counts() == before


# The upload page


def upload(client, raw: bytes):
    file = SimpleUploadedFile("packet.json", raw, content_type="application/json")
    return client.post(reverse("reviews:case_import"), {"packet": file})


def test_hr_uploads_a_packet_and_lands_on_the_new_case(client, packet):
    client.force_login(HRFactory())
    response = upload(client, json.dumps(packet).encode())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    assert case.candidate.username == "ada"
    assert case.evidence.count() == len(packet["evidence"])


def test_a_refused_upload_lists_each_problem_with_its_path_and_writes_nothing(client, packet):
    client.force_login(HRFactory())
    packet["format"] = "v2"
    packet["evidence"][0]["date"] = (TODAY + datetime.timedelta(days=3)).isoformat()
    before = row_counts()
    response = upload(client, json.dumps(packet).encode())
    assert response.status_code == 200
    assert row_counts() == before
    problems = _problem_items(response)
    assert problems == [
        f"{p.place[0].upper()}{p.place[1:]}: {p.message} (at {p.path} in the file)"
        for p in validate_packet(packet)
    ]
    assert len(problems) == 2
    assert problems[1].startswith("Evidence item 1, date: ")
    assert "Nothing was saved. Fix 2 problems" in response.text


def test_an_upload_with_very_many_problems_shows_the_first_fifty_and_counts_the_rest(
    client, packet
):
    client.force_login(HRFactory())
    bad = dict(packet["evidence"][0], capability=99)
    packet["evidence"] = [bad] * 80
    response = upload(client, json.dumps(packet).encode())
    count = len(validate_packet(packet))
    assert count == 80
    assert len(_problem_items(response)) == 50
    assert f"({count} in all, the first 50 shown)" in response.text
    assert f"and {count - 50} more." in response.text
    assert not Case.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_read(client, settings):
    client.force_login(HRFactory())
    raw = b" " * (MAX_PACKET_BYTES + 1)
    response = upload(client, raw)
    assert response.status_code == 200
    assert "packets of at most 20 MB can be imported" in response.text
    assert not Case.objects.exists()


def test_an_upload_without_a_file_is_told_the_file_is_missing(client):
    client.force_login(HRFactory())
    response = client.post(reverse("reviews:case_import"), {})
    assert response.status_code == 200
    assert response.context["form"].errors == {"packet": ["This field is required."]}
    assert "This field is required." in response.text
    assert not Case.objects.exists()


def _problem_items(response) -> list[str]:
    """The text of each listed problem on the upload page."""
    listing = re.search(r'<ul class="[^"]*packet-problems">(.*?)</ul>', response.text, re.S)
    if listing is None:
        return []
    items = re.findall(r"<li>(.*?)</li>", listing.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


# Two imports at once


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_imports_of_one_packet_make_one_case():
    guide = publish(guide_with_parts())
    packet = packet_for(guide)

    def attempt():
        import_packet(packet=packet, by=None)
        return "imported"

    outcomes = at_once(attempt, refused=PacketRefused)
    assert Case.objects.count() == 1
    assert User.objects.filter(username__in=["ada", "sam"]).count() == 2
    assert sorted(outcomes)[0].startswith("$.candidate: Ada Example")
    assert "already has an open case" in sorted(outcomes)[0]
    assert sorted(outcomes)[1] == "imported"


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_a_change_to_its_candidate_and_keeps_it():
    guide = publish(guide_with_parts())
    packet = packet_for(guide)
    candidate = UserFactory(username=packet["candidate"]["username"], current_level=None)
    elsewhere = LevelFactory(code="X9")
    holding = threading.Event()

    def change_the_candidate_while_the_import_runs():
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=candidate.pk)
                holding.set()
                wait_for_a_lock_wait("the import")
                User.objects.filter(pk=candidate.pk).update(current_level=elsewhere)
        finally:
            connections.close_all()

    thread = threading.Thread(target=change_the_candidate_while_the_import_runs)
    thread.start()
    holding.wait(timeout=30)
    case = import_packet(packet=packet, by=None, link_existing=True)
    thread.join(timeout=30)

    assert case.candidate == candidate
    # Read after the other change was committed: the candidate's level is not overwritten.
    assert User.objects.get(pk=candidate.pk).current_level == elsewhere


# Fuzzing


NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "\ud800",
    "ada",
    "sam",
    "M3",
    "E1",
    "yes",
    "reply",
    "endorse",
    "promotion-packet/1",
    "https://example.org/x",
    "javascript:alert(1)",
    "1899-12-31",
    "2025-02-30",
    "9999-12-31",
    (TODAY + datetime.timedelta(days=1)).isoformat(),
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59Z",
    "x" * 300,
]
NASTY = st.sampled_from([*NASTY_TEXT, 10**30, 2**63, -1, 0, 1, 2, 5, 6, 7, 1.5, float("nan")])
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | NASTY,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(NASTY_TEXT), children, max_size=3)
    ),
    max_leaves=6,
)


def _like(value):
    """A value of the same type as `value`, so that some mutated packets still import."""
    if isinstance(value, str):
        return st.text(max_size=30) | st.sampled_from(NASTY_TEXT)
    if isinstance(value, int) and not isinstance(value, bool):
        return st.integers(min_value=-1, max_value=8)
    return JUNK


def _places(value, path=()):
    """Every (container, key) in a packet, to mutate what is there."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield value, key
            yield from _places(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield value, index
            yield from _places(child, (*path, index))


@settings(
    max_examples=100,
    deadline=None,
    # The guide fixture is only read; each example rolls back whatever it wrote.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutated_packets_import_whole_or_are_refused_whole(guide, data):
    packet = packet_for(guide)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        places = list(_places(packet))
        container, key = data.draw(st.sampled_from(places), label="where")
        action = data.draw(st.sampled_from(["delete", "replace", "alike", "add"]), label="action")
        if action == "delete":
            del container[key]
        elif action == "replace":
            container[key] = data.draw(JUNK, label="value")
        elif action == "alike":
            container[key] = data.draw(_like(container[key]), label="value")
        elif isinstance(container, dict):
            container[data.draw(st.text(max_size=10), label="key")] = data.draw(JUNK, label="value")
        else:
            container.append(data.draw(JUNK, label="value"))

    with transaction.atomic():
        before = row_counts()
        try:
            case = import_packet(packet=packet, by=None)
        except PacketRefused as error:
            event("refused")
            assert error.problems
            assert all(problem.path.startswith("$") for problem in error.problems)
            assert row_counts() == before
        else:
            event("imported")
            assert case.status == Case.Status.OPEN
            # What was imported can be exported again.
            assert build_packet(Case.objects.with_people().get(pk=case.pk))["format"]
        transaction.set_rollback(True)


TEXT = st.text(max_size=40) | st.sampled_from(NASTY_TEXT)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_text_in_the_free_text_fields_is_kept_exactly_or_refused(guide, data):
    """Mutations rarely leave a packet valid; here only the free text changes, so the write
    path sees NUL characters, surrogates, blank and over-long text too."""
    packet = packet_for(guide)
    places = [
        (packet, "narrative"),
        (packet["candidate"], "name"),
        (packet["evidence"][0], "title"),
        (packet["evidence"][0], "summary"),
        (packet["evidence"][1], "outcome"),
        (packet["check_ins"][0]["notes"], "5"),
        (packet["feedback"][1], "text"),
    ]
    for container, key in places:
        container[key] = data.draw(TEXT, label=key)

    with transaction.atomic():
        before = row_counts()
        try:
            case = import_packet(packet=packet, by=None)
        except PacketRefused:
            event("refused")
            assert row_counts() == before
        else:
            event("imported")
            exported = build_packet(Case.objects.with_people().get(pk=case.pk))
            assert exported["narrative"] == packet["narrative"]
            # The packet shows a person's display name, which is the username when no name is set.
            assert exported["candidate"]["name"] == (packet["candidate"]["name"] or "ada")
            assert exported["evidence"][0]["title"] == packet["evidence"][0]["title"]
            assert exported["evidence"][0]["summary"] == packet["evidence"][0]["summary"]
            assert exported["evidence"][1]["outcome"] == packet["evidence"][1]["outcome"]
            assert exported["feedback"][1]["text"] == packet["feedback"][1]["text"]
        transaction.set_rollback(True)


def test_an_endorsement_without_a_message_imports_but_a_question_needs_one(guide, packet):
    packet["feedback"].append({"evidence": 1, "author": "sam", "kind": "endorse", "text": ""})
    assert validate_packet(packet) == []
    packet["feedback"][-1]["kind"] = "question"
    assert [p.path for p in validate_packet(packet)] == ["$.feedback[2].text"]
