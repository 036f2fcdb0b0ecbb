"""verify_packet: does a packet still say what its sponsor signed?"""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from reviews import services
from reviews.models import Case
from reviews.packets.build import FORMAT, build_packet, packet_sha256
from reviews.packets.verify import verify_packet
from tests.factories import CaseFactory, EvidenceFactory


def sign(case, decision, **kwargs):
    return services.sign_off(
        case=case,
        signer=case.sponsor,
        decision=decision,
        rationale="Sustained evidence.",
        expected_sign_offs=case.sign_offs.count(),
        **kwargs,
    )


def exported(case) -> dict:
    """The packet as a file holds it."""
    case = Case.objects.with_people().get(pk=case.pk)
    return json.loads(json.dumps(build_packet(case)))


def signed_day(sign_off) -> datetime.date:
    return sign_off.created_at.astimezone(datetime.UTC).date()


def ready_case():
    """A case with two items, signed ready by "sam" (an override: readiness is building)."""
    case = CaseFactory()
    case.sponsor.username = "sam"
    case.sponsor.save(update_fields=["username"])
    EvidenceFactory(case=case, title="Ran the platform budget")
    EvidenceFactory(case=case, title="Hired two managers")
    signed = sign(case, "ready", override_reason="Exceptional board work.")
    return case, signed


@pytest.mark.django_db
def test_an_unedited_packet_matches_its_ready_sign_off():
    case, signed = ready_case()
    packet = exported(case)
    assert packet["status"] == "signed_off"

    result = verify_packet(packet)

    assert result.ok
    assert result.expected == result.found == signed.packet_sha256
    assert result.message == (
        f"OK: matches the ready sign-off by sam on {signed_day(signed)} "
        f"(sha256 {signed.packet_sha256})."
    )


@pytest.mark.django_db
def test_a_packet_edited_after_sign_off_does_not_match():
    case, signed = ready_case()
    packet = exported(case)
    packet["evidence"][1]["title"] = "Hired three managers"

    result = verify_packet(packet)

    assert not result.ok
    assert result.expected == signed.packet_sha256
    assert result.found == packet_sha256(packet) != signed.packet_sha256
    assert result.message == (
        f"MISMATCH: the packet has changed since the ready sign-off by sam on "
        f"{signed_day(signed)}: expected sha256 {signed.packet_sha256}, "
        f"found {result.found}."
    )


@pytest.mark.django_db
def test_readiness_and_decision_are_not_part_of_what_was_signed():
    case, _ = ready_case()
    packet = exported(case)
    packet["readiness"] = {"status": "ready"}
    packet["decision"] = {"outcome": "promoted"}
    packet["status"] = "decided"
    assert verify_packet(packet).ok


@pytest.mark.django_db
def test_without_a_ready_sign_off_the_latest_one_counts():
    case = CaseFactory()
    EvidenceFactory(case=case)
    sign(case, "not_ready")
    EvidenceFactory(case=case, title="A quarter later")
    latest = sign(case, "not_ready")
    packet = exported(case)
    first, second = packet["sign_offs"]
    assert first["packet_sha256"] != second["packet_sha256"]

    result = verify_packet(packet)

    assert result.ok
    assert result.expected == latest.packet_sha256
    assert result.message.startswith(
        f"OK: matches the not ready sign-off by {latest.signer.username} on"
    )


@pytest.mark.django_db
def test_the_ready_sign_off_counts_wherever_it_is_listed():
    case = CaseFactory()
    sign(case, "not_ready")
    EvidenceFactory(case=case)
    ready = sign(case, "ready", override_reason="Exceptional board work.")
    packet = exported(case)
    packet["sign_offs"].reverse()

    result = verify_packet(packet)

    assert result.ok
    assert result.sign_off["decision"] == "ready"
    assert result.expected == ready.packet_sha256


def test_a_packet_without_sign_offs_has_nothing_to_verify():
    packet = {"format": FORMAT, "evidence": [], "sign_offs": []}
    result = verify_packet(packet)
    assert not result.ok
    assert result.message == "No sign-off in this packet: nothing to verify."


@pytest.mark.parametrize(
    ("packet", "message"),
    [
        ([], "Not a packet: expected a JSON object."),
        (
            {"format": "brag-doc"},
            "Not a promotion packet: expected format 'promotion-packet/1' or 'promotion-packet/2'.",
        ),
        (
            {"format": FORMAT, "sign_offs": "sam"},
            "The packet's sign_offs are not a list: nothing to verify.",
        ),
        (
            {"format": FORMAT, "sign_offs": ["sam", {"decision": "ready"}]},
            "No sign-off in this packet: nothing to verify.",
        ),
    ],
)
def test_malformed_packets_are_reported_not_raised(packet, message):
    result = verify_packet(packet)
    assert not result.ok
    assert result.message == message


def test_text_that_cannot_have_been_signed_is_a_mismatch():
    # A lone surrogate can come out of a JSON escape, but no database text holds one.
    packet = {
        "format": FORMAT,
        "narrative": "\ud800",
        "sign_offs": [{"signer": "sam", "decision": "ready", "packet_sha256": "ab" * 32}],
    }
    result = verify_packet(packet)
    assert not result.ok
    assert result.message.startswith("MISMATCH: the packet cannot be read as signed content")


# The command


def write(tmp_path, packet) -> str:
    path = tmp_path / "packet.json"
    path.write_text(json.dumps(packet, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_command_says_ok_for_an_unedited_packet(tmp_path, capsys):
    case, signed = ready_case()
    call_command("verify_packet", write(tmp_path, exported(case)))
    assert capsys.readouterr().out.strip() == (
        f"OK: matches the ready sign-off by sam on {signed_day(signed)} "
        f"(sha256 {signed.packet_sha256})."
    )


@pytest.mark.django_db
def test_command_exits_with_1_for_an_edited_packet(tmp_path):
    case, signed = ready_case()
    packet = exported(case)
    packet["evidence"][0]["title"] = "Ran the whole budget"
    with pytest.raises(CommandError) as raised:
        call_command("verify_packet", write(tmp_path, packet))
    assert raised.value.returncode == 1
    assert str(raised.value).startswith("MISMATCH: ")
    assert f"expected sha256 {signed.packet_sha256}, found {packet_sha256(packet)}" in str(
        raised.value
    )


@pytest.mark.django_db
def test_command_exits_with_1_for_an_unsigned_packet(tmp_path):
    packet = exported(CaseFactory())
    with pytest.raises(CommandError, match="No sign-off in this packet: nothing to verify") as e:
        call_command("verify_packet", write(tmp_path, packet))
    assert e.value.returncode == 1


def test_command_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "packet.json"
    path.write_bytes(b"{not json")
    with pytest.raises(CommandError) as raised:
        call_command("verify_packet", str(path))
    assert str(raised.value).splitlines() == [
        f"{path} is not a packet:",
        "$: not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2",
    ]
