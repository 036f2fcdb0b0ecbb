import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import ProgrammingError, connection, transaction
from django.urls import reverse

from reviews import services
from reviews.models import Case, Evidence, SignOff
from reviews.packets.build import build_packet, packet_sha256
from reviews.readiness.snapshots import case_readiness
from reviews.words import status_label
from tests.factories import CaseFactory, EvidenceFactory, UserFactory
from tests.locks import at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return CaseFactory()


def sign(case, decision="ready", **kwargs):
    kwargs.setdefault("rationale", "Strong, sustained evidence.")
    kwargs.setdefault("expected_sign_offs", case.sign_offs.count())
    return services.sign_off(case=case, signer=case.sponsor, decision=decision, **kwargs)


def test_the_override_refusal_names_readiness_as_the_page_does(case):
    with pytest.raises(ValidationError) as refused:
        sign(case)
    label = status_label(case_readiness(case).status)
    assert f"Readiness is “{label}”, not “Ready”" in " ".join(refused.value.messages)


def test_signing_ready_while_not_ready_needs_an_override_reason(case):
    assert case_readiness(case).status != "ready"
    with pytest.raises(ValidationError, match="say why you are overriding it"):
        sign(case)
    assert not SignOff.objects.exists()
    signed = sign(case, override_reason="Promoted on the strength of the board work.")
    assert signed.override
    assert signed.readiness_status == case_readiness(case).status


def test_signing_ready_locks_the_case_and_stores_the_packet_hash(case):
    EvidenceFactory(case=case)
    expected = packet_sha256(build_packet(case))
    signed = sign(case, override_reason="Exceptional case.")
    case.refresh_from_db()
    assert case.status == Case.Status.SIGNED_OFF
    assert signed.packet_sha256 == expected
    # The signed content still verifies once the case has moved on to "signed off".
    assert packet_sha256(build_packet(case)) == expected


def test_not_ready_keeps_the_case_open_and_a_later_sign_off_may_follow(case):
    sign(case, decision="not_ready")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    sign(case, override_reason="Caught up since.")
    assert case.sign_offs.count() == 2


def test_a_sign_off_made_meanwhile_refuses_the_stale_one(case):
    sign(case, decision="not_ready")
    with pytest.raises(ValidationError, match="while you were reviewing it"):
        sign(case, decision="not_ready", expected_sign_offs=0)
    assert case.sign_offs.count() == 1


def test_only_the_sponsor_signs(case):
    for person in (case.candidate, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.sign_off(
                case=case,
                signer=person,
                decision="not_ready",
                rationale="x",
                expected_sign_offs=0,
            )


@pytest.mark.parametrize(
    "statement", ["UPDATE reviews_signoff SET rationale = 'edited'", "DELETE FROM reviews_signoff"]
)
def test_sign_offs_are_append_only_even_in_raw_sql(case, statement):
    sign(case, decision="not_ready")
    with (
        pytest.raises(ProgrammingError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert SignOff.objects.get().rationale == "Strong, sustained evidence."


def test_evidence_changes_after_a_ready_sign_off_are_refused(case):
    item = EvidenceFactory(case=case)
    sign(case, override_reason="Exceptional case.")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="signed off, so its evidence can no longer change"):
        services.delete_evidence(evidence=item)
    with pytest.raises(ValidationError, match="signed off"):
        services.save_evidence(
            case=case,
            evidence=None,
            capability=item.capability,
            indicators=[],
            title="Late addition",
            date=item.date,
            summary="x",
            outcome="",
            links=[],
        )
    assert Evidence.objects.filter(case=case).count() == 1


def test_sign_off_page_has_a_confirmation_step(client, case):
    client.force_login(case.sponsor)
    url = reverse("reviews:sign_off_create", args=[case.pk])
    data = {
        "decision": "not_ready",
        "rationale": "Needs another quarter of board exposure.",
        "override_reason": "",
        "expected_sign_offs": 0,
    }
    response = client.post(url, data)
    assert "Confirm your sign-off" in response.text
    assert not SignOff.objects.exists()
    response = client.post(url, data | {"confirm": "yes"})
    assert response.status_code == 302
    assert SignOff.objects.get().decision == "not_ready"


def test_a_second_tab_gets_a_clear_message(client, case):
    client.force_login(case.sponsor)
    url = reverse("reviews:sign_off_create", args=[case.pk])
    data = {
        "decision": "ready",
        "rationale": "Ready.",
        "override_reason": "Board work.",
        "expected_sign_offs": 0,
        "confirm": "yes",
    }
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert "while you were reviewing it" in response.text
    assert SignOff.objects.count() == 1


@pytest.mark.parametrize("persona", ["candidate", "outsider", "hr"])
def test_others_cannot_sign_off(client, case, persona):
    from tests.factories import HRFactory

    person = {"candidate": case.candidate, "outsider": UserFactory(), "hr": HRFactory()}[persona]
    client.force_login(person)
    response = client.post(
        reverse("reviews:sign_off_create", args=[case.pk]),
        {"decision": "not_ready", "rationale": "x", "expected_sign_offs": 0, "confirm": "yes"},
    )
    assert response.status_code == (404 if persona == "outsider" else 403)
    assert not SignOff.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sign_offs_leave_exactly_one():
    case = CaseFactory()

    def attempt():
        sign(case, override_reason="Board work.", expected_sign_offs=0)
        return "signed"

    outcomes = at_once(
        attempt, refused=ValidationError, words=lambda error: " ".join(error.messages)
    )
    assert SignOff.objects.filter(case=case).count() == 1
    assert sorted(outcomes)[0].startswith("Someone signed off this case")
    assert sorted(outcomes)[1] == "signed"
