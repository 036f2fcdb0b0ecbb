"""Version 2 of the packet: the case's cycle and published outcome beside version 1's content,
outside what a sponsor signs; the import of both versions; and the committee brief's panel
scores as the reader may see them."""

import copy
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews import scoring
from reviews.models import Case, Cycle, Outcome
from reviews.packets import formats
from reviews.packets.brief import brief_context
from reviews.packets.build import FORMAT, build_packet, canonical_bytes, packet_sha256
from reviews.packets.checking import validate_packet
from reviews.packets.importing import import_packet, load_packet_file
from reviews.packets.shapes import PacketProblem
from reviews.packets.verify import verify_packet
from tests.factories import HRFactory, signed_case
from tests.reviews.scoring_world import in_committee, make_world, move, submit

pytestmark = [pytest.mark.django_db, pytest.mark.today("2027-05-07")]


def shape_errors(packet: dict) -> list[str]:
    validator = formats.validator(packet["format"])
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(packet)]


def fresh(case: Case) -> Case:
    return Case.objects.with_people().with_level_history().get(pk=case.pk)


def packet_of(case: Case) -> dict:
    return json.loads(json.dumps(build_packet(fresh(case))))


@pytest.fixture
def committee():
    return in_committee()


@pytest.fixture
def published(committee):
    scoring.record_outcome(
        nomination=committee.nomination,
        result="not_yet",
        rationale="One team's scope only, so far.",
        justification="The work is recent; the next cycle will show whether it holds.",
        by=committee.hr,
    )
    scoring.publish_cycle(cycle=committee.cycle, by=committee.hr)
    committee.cycle.refresh_from_db()
    committee.nomination.refresh_from_db()
    return committee


def as_new_people(packet: dict) -> dict:
    """The packet with its candidate and sponsor renamed, so that it imports here as new people."""
    packet = copy.deepcopy(packet)
    names = {}
    for role in ("candidate", "sponsor"):
        old = packet[role]["username"]
        names[old] = f"moved-{role}"
        packet[role] = {**packet[role], "username": names[old], "email": f"{role}@moved.example"}
    for message in packet["feedback"]:
        message["author"] = names.get(message["author"], message["author"])
    return packet


# Building


def test_packets_are_written_in_version_2_and_a_case_never_nominated_has_no_cycle():
    case = signed_case()
    packet = packet_of(case)
    assert FORMAT == formats.NEWEST == "promotion-packet/2"
    assert packet["format"] == "promotion-packet/2"
    assert packet["cycle"] is None
    assert "outcome" not in packet
    assert shape_errors(packet) == []


def test_in_committee_the_packet_has_the_cycle_and_no_outcome(committee):
    packet = packet_of(committee.case)
    cycle = committee.cycle
    assert packet["cycle"] == {
        "name": cycle.name,
        "nominations_close": cycle.nominations_close.isoformat(),
        "scores_due": cycle.scores_due.isoformat(),
        "committee_meets": cycle.committee_meets.isoformat(),
        "outcomes_due": cycle.outcomes_due.isoformat(),
        "state": "committee",
    }
    assert "outcome" not in packet
    assert shape_errors(packet) == []


def test_once_published_the_packet_holds_the_outcome_record(published):
    packet = packet_of(published.case)
    outcome = packet["outcome"]
    assert packet["cycle"]["state"] == "published"
    assert outcome["cycle"] == published.cycle.name
    assert [o["result"] for o in outcome["outcomes"]] == ["not_yet"]
    assert [row["capability"] for row in outcome["scores"]] == [1, 2, 3]
    assert all("panellist" not in s for row in outcome["scores"] for s in row["scores"])
    assert shape_errors(packet) == []


def test_a_later_outcome_is_added_and_the_earlier_one_kept(published):
    first = packet_of(published.case)["outcome"]["outcomes"]
    current = Outcome.objects.current().get(nomination=published.nomination)
    Outcome.objects.create(
        nomination=published.nomination,
        result="promoted",
        rationale="Reconsidered after the appeal.",
        recorded_by=published.hr,
        supersedes=current,
    )
    again = packet_of(published.case)["outcome"]["outcomes"]
    assert again[: len(first)] == first
    assert [o["result"] for o in again] == ["not_yet", "promoted"]


def test_the_cycle_record_leaves_what_the_sponsor_signed_unchanged(published):
    packet = packet_of(published.case)
    signed = published.case.sign_offs.get()
    # The hash a sponsor signed before the case was nominated still verifies…
    assert packet_sha256(packet) == signed.packet_sha256
    assert verify_packet(packet).ok
    # …and is the hash of the same content as version 1 wrote it.
    as_version_1 = {k: v for k, v in packet.items() if k not in ("cycle", "outcome")}
    as_version_1["format"] = "promotion-packet/1"
    assert canonical_bytes(as_version_1) == canonical_bytes(packet)
    assert verify_packet(as_version_1).ok
    assert shape_errors(as_version_1) == []
    changed = copy.deepcopy(packet)
    changed["outcome"]["outcomes"][0]["result"] = "promoted"
    changed["cycle"]["name"] = "Another cycle"
    assert packet_sha256(changed) == signed.packet_sha256


# Importing


def test_a_version_2_packet_round_trips_and_says_its_cycle_record_was_not_imported(published):
    packet = as_new_people(packet_of(published.case))
    assert validate_packet(packet) == []
    case = import_packet(packet=packet, by=None)
    assert case.candidate.username == "moved-candidate"
    assert case.left_behind == [
        f"The packet's promotion cycle “{published.cycle.name}” and its published outcome "
        "(latest: not yet) were not imported: they are the sending organisation's committee's "
        "record, and outcomes here are recorded in this organisation's own cycles."
    ]
    assert not case.nominations.exists()
    again = packet_of(case)
    assert again["cycle"] is None and "outcome" not in again
    keep = ("narrative", "evidence", "check_ins", "guide", "opened_on")
    assert {k: again[k] for k in keep} == {k: packet[k] for k in keep}


def test_a_version_1_packet_imports_as_before_and_leaves_nothing_to_say(published):
    packet = as_new_people(packet_of(published.case))
    del packet["cycle"], packet["outcome"]
    packet["format"] = "promotion-packet/1"
    case = import_packet(packet=packet, by=None)
    assert case.left_behind == []
    assert case.evidence.count() == len(packet["evidence"])


def test_a_version_1_packet_may_not_carry_a_cycle(published):
    packet = as_new_people(packet_of(published.case))
    packet["format"] = "promotion-packet/1"
    paths = {problem.path for problem in validate_packet(packet)}
    assert paths == {"$.cycle", "$.outcome"}


def test_a_nomination_without_an_outcome_is_said_to_be_left_behind(committee):
    packet = as_new_people(packet_of(committee.case))
    case = import_packet(packet=packet, by=None)
    assert case.left_behind == [
        f"The packet's promotion cycle “{committee.cycle.name}” was not imported: nominations "
        "here are to this organisation's own cycles."
    ]


def test_the_cycle_record_s_problems_are_given_with_their_json_paths(published):
    packet = as_new_people(packet_of(published.case))
    packet["cycle"]["state"] = "decided"
    packet["cycle"]["scores_due"] = "next week"
    packet["outcome"]["outcomes"][0]["result"] = "maybe"
    packet["outcome"]["scores"][0]["scores"][0]["value"] = 7
    packet["outcome"]["appeal"] = {"reason": "Too soon.", "by": "someone"}
    problems = validate_packet(packet)
    paths = [problem.path for problem in problems]
    assert paths == [
        "$.cycle.scores_due",
        "$.cycle.state",
        "$.outcome.outcomes[0].result",
        "$.outcome.appeal",
        "$.outcome.scores[0].scores[0].value",
    ], problems
    assert all(problem.message for problem in problems)


def test_what_a_schema_cannot_say_of_the_outcome_is_checked_by_path(published):
    packet = as_new_people(packet_of(published.case))
    packet["outcome"]["cycle"] = "Some other cycle"
    packet["outcome"]["scores"][1]["capability"] = 9
    assert validate_packet(packet) == [
        PacketProblem(
            "$.outcome.cycle",
            f"the outcome is of the cycle 'Some other cycle', but the packet's cycle is "
            f"'{published.cycle.name}'",
        ),
        PacketProblem("$.outcome.scores[1].capability", "the guide has no capability 9"),
    ]


def test_the_command_says_the_cycle_record_was_not_imported(published, tmp_path):
    path = tmp_path / "packet.json"
    path.write_text(json.dumps(as_new_people(packet_of(published.case))), encoding="utf-8")
    out = StringIO()
    call_command("import_case", str(path), stdout=out)
    assert "its published outcome (latest: not yet) were not imported" in out.getvalue()


def test_the_upload_page_says_the_cycle_record_was_not_imported(published, client):
    raw = json.dumps(as_new_people(packet_of(published.case))).encode()
    assert load_packet_file(raw)["format"] == "promotion-packet/2"
    client.force_login(HRFactory())
    page = client.post(
        reverse("reviews:case_import"),
        {"packet": _upload(raw)},
        follow=True,
    )
    assert page.status_code == 200
    assert "were not imported" in page.content.decode()


def _upload(raw: bytes):
    return SimpleUploadedFile("packet.json", raw, content_type="application/json")


def test_the_version_2_schema_is_served_at_its_stable_url(client):
    response = client.get("/schemas/promotion-packet/2.json")
    assert response.status_code == 200
    assert response.json()["$id"].endswith("/schemas/promotion-packet/2.json")


# The committee brief's panel scores


def scores_seen(case: Case, reader) -> list[dict]:
    return brief_context(fresh(case), reader=reader)["panel_scores"]


def test_before_committee_nobody_sees_the_panel_s_scores_in_the_brief():
    world = make_world()
    submit(world, world.panel[0])
    for reader in (world.hr, world.panel[0], world.case.candidate, world.case.sponsor):
        assert scores_seen(world.case, reader) == []


def test_in_committee_hr_and_the_panel_see_the_scores_with_names(committee):
    for reader in (committee.hr, committee.panel[1]):
        rows = scores_seen(committee.case, reader)
        assert [row["capability"] for row in rows] == [
            f"{c.number}. {c.title}" for c in committee.capabilities
        ]
        assert rows[0]["scores"] == (
            "Strong (Panellist Ana) · Demonstrated (Panellist Ben) · Emerging (Panellist Cai)"
        )
    for reader in (committee.case.candidate, committee.case.sponsor, None):
        assert scores_seen(committee.case, reader) == []


def test_once_published_the_candidate_and_sponsor_see_them_without_names(published):
    for reader in (published.case.candidate, published.case.sponsor):
        rows = scores_seen(published.case, reader)
        assert rows[0]["scores"] == "Strong · Demonstrated · Emerging"
    Cycle.objects.filter(pk=published.cycle.pk).update(show_panel_names=True)
    rows = scores_seen(published.case, published.case.candidate)
    assert "Strong (Panellist Ana)" in rows[0]["scores"]


def test_the_brief_page_and_pdf_show_the_panel_s_scores_to_hr(committee):
    client = Client()
    client.force_login(committee.hr)
    page = client.get(reverse("reviews:case_brief", args=[committee.case.pk]))
    assert "The panel’s scores" in page.content.decode()
    assert "Emerging (Panellist Cai)" in page.content.decode()
    client.force_login(committee.case.candidate)
    page = client.get(reverse("reviews:case_brief", args=[committee.case.pk]))
    assert "The panel’s scores" not in page.content.decode()


def test_the_panel_s_scores_cost_a_fixed_number_of_queries():
    """However many panellists scored, the brief with the panel's scores reads as many rows."""
    counts = []
    for panel in (1, 3):
        world = make_world()
        for panellist in world.panel[:panel]:
            submit(world, panellist)
        move(world, "committee")
        client = Client()
        client.force_login(world.hr)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reviews:case_brief", args=[world.case.pk]))
        assert response.status_code == 200
        assert "The panel’s scores" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
