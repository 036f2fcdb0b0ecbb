"""A ready sign-off raced by each write that changes what its packet holds, on real PostgreSQL.

Each round starts a write and a sign-off of a fresh case at the same moment, in two threads with
their own connections. Whatever the order, the hash the sign-off stored must match the packet as
it stands afterwards: the write either landed before the sign-off read the packet, or was refused.
"""

import datetime
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connections

from accounts.models import User
from reviews import services
from reviews.case_writes import CaseNotOpen
from reviews.models import Case, Evidence
from reviews.packets.build import build_packet
from reviews.packets.verify import verify_packet
from reviews.readiness.snapshots import refresh_snapshots
from tests.factories import UserFactory, published_guide

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.today("2026-06-15")]

ROUNDS = 20
DAY = datetime.date(2026, 6, 15)


@dataclass(frozen=True)
class Round:
    case: Case
    item: Evidence
    other_sponsor: User


def _check_in(r: Round) -> None:
    questions = r.case.guide.questions.values_list("pk", flat=True)
    services.record_check_in(case=r.case, date=DAY, answers={q: ("yes", "") for q in questions})


def _evidence(r: Round, evidence: Evidence | None, title: str) -> None:
    services.save_evidence(
        case=r.case,
        evidence=evidence,
        capability=r.item.capability,
        indicators=[],
        title=title,
        date=DAY,
        summary="Written while the sponsor signed.",
        outcome="",
        links=[],
    )


# Every kind of write that changes what a packet holds.
WRITES: dict[str, Callable[[Round], object]] = {
    "narrative": lambda r: services.save_narrative(
        case=r.case, by=r.case.candidate, narrative="Changed while the sponsor signed."
    ),
    "reply": lambda r: services.give_feedback(
        evidence=r.item, author=r.case.candidate, kind="reply", text="A late reply."
    ),
    "endorsement": lambda r: services.give_feedback(
        evidence=r.item, author=r.case.sponsor, kind="endorse", text="A late endorsement."
    ),
    "check-in": _check_in,
    "new evidence": lambda r: _evidence(r, None, "Logged while signing"),
    "evidence edit": lambda r: _evidence(r, r.item, "Edited while signing"),
    "evidence delete": lambda r: services.delete_evidence(evidence=r.item),
    "sponsor change": lambda r: services.reassign_sponsor(case=r.case, sponsor=r.other_sponsor),
}


def _rounds() -> list[Round]:
    """A fresh case with one item for each round of each kind, on one small guide; written in
    a few statements, as the race is what this test spends its time on."""
    guide = published_guide(capabilities=1, indicators=1, questions=2)
    capability = guide.capabilities.get()
    sponsor, other = (UserFactory(current_level=guide.to_level) for _ in range(2))
    count = len(WRITES) * ROUNDS
    candidates = User.objects.bulk_create(
        User(username=f"racer{n}", name=f"Racer {n}", email=f"racer{n}@example.org")
        for n in range(count)
    )
    cases = Case.objects.bulk_create(
        Case(candidate=c, sponsor=sponsor, guide=guide, opened_on=DAY.replace(year=2025))
        for c in candidates
    )
    items = Evidence.objects.bulk_create(
        Evidence(case=c, capability=capability, title="Work", date=DAY, summary="Done.")
        for c in cases
    )
    for case, candidate in zip(cases, candidates, strict=True):
        case.candidate, case.sponsor, case.guide = candidate, sponsor, guide
    # Readiness kept, as the writes that make a case's evidence keep it.
    refresh_snapshots(Case.objects.filter(pk__in=[c.pk for c in cases]))
    return [Round(case, item, other) for case, item in zip(cases, items, strict=True)]


def _outcome(act, r: Round, refusal: type[Exception]) -> str:
    try:
        act(r)
    except refusal:
        return "refused"
    except Exception as error:  # noqa: BLE001 - reported by the test, not lost with the thread
        return f"failed: {error!r}"
    return "done"


def _sign(r: Round) -> None:
    services.sign_off(
        case=r.case,
        signer=r.case.sponsor,
        decision="ready",
        rationale="Sustained work.",
        override_reason="Signed in the race test.",
        expected_sign_offs=0,
    )


def _matches(r: Round) -> bool:
    """Whether the case's packet, as it stands now, verifies against its ready sign-off."""
    return verify_packet(build_packet(Case.objects.with_people().get(pk=r.case.pk))).ok


def _racers(write, rounds: list[Round], results: list[tuple[str, str, bool]]):
    """Two threads that run `write` and a ready sign-off on each round's case, starting together.
    Once every round is run, the signing thread checks each case's packet against its sign-off and
    leaves each round's (write outcome, sign-off outcome, packet matches) in `results`."""
    barrier = threading.Barrier(2)
    sides: dict[str, list[str]] = {"write": [], "sign": []}

    def run(side: str) -> None:
        try:
            for r in rounds:
                barrier.wait(timeout=20)
                if side == "write":
                    sides[side].append(_outcome(write, r, CaseNotOpen))
                else:
                    # Only a change of sponsor that landed first refuses the sponsor.
                    sides[side].append(_outcome(_sign, r, PermissionDenied))
            barrier.wait(timeout=20)
            if side == "sign":
                outcomes = zip(rounds, sides["write"], sides["sign"], strict=True)
                results.extend((w, s, s == "done" and _matches(r)) for r, w, s in outcomes)
        finally:
            connections.close_all()

    return [threading.Thread(target=run, args=[side]) for side in sides]


def test_writes_racing_a_ready_sign_off_never_change_what_was_signed():
    rounds = _rounds()
    # Each kind races in its own pair of threads, all kinds at the same time.
    by_kind = {kind: rounds[n * ROUNDS : (n + 1) * ROUNDS] for n, kind in enumerate(WRITES)}
    results: dict[str, list[tuple[str, str, bool]]] = {kind: [] for kind in WRITES}
    threads = [
        thread
        for kind, write in WRITES.items()
        for thread in _racers(write, by_kind[kind], results[kind])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    problems: dict[str, Counter] = {kind: Counter() for kind in WRITES}
    for kind, outcomes in results.items():
        if len(outcomes) != ROUNDS:
            problems[kind][f"{len(outcomes)} of {ROUNDS} rounds finished"] += 1
        for wrote, signed, matches in outcomes:
            if "failed" in wrote or "failed" in signed:
                problems[kind][f"write {wrote}, sign-off {signed}"] += 1
            elif signed == "refused":
                # Only a change of sponsor refuses the sponsor's sign-off, when it lands first.
                if not (kind == "sponsor change" and wrote == "done"):
                    problems[kind][f"sign-off refused after the write was {wrote}"] += 1
            elif not matches:
                problems[kind]["signed hash mismatched"] += 1
    found = [
        f"{kind}: {what} in {n} of {ROUNDS} rounds"
        for kind, counts in problems.items()
        for what, n in counts.items()
    ]
    assert not found, "\n".join(found)
