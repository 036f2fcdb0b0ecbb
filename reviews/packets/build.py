"""Promotion packets: one case as the JSON of DESIGN.md ("promotion-packet/2": version 1 and
the case's cycle record, `cycle` and `outcome`).

`build_packet` reads a case in a fixed number of queries, all from one snapshot of the database
(`one_snapshot`), so that feedback, sign-offs and readiness speak of the same evidence;
`read_packet` gives, from the same rows, what the PDF and the committee brief show besides the
packet. `canonical_bytes` is what a sponsor signs: the packet without its readiness, sign-offs
and decision, with sorted keys and no spaces; the candidate's level history, which is theirs
rather than the case's, is not signed either. The status is left out as well: signing ready
moves the case to "signed_off", and the content that was signed must still verify afterwards.
The cycle record is not signed either (CYCLE_KEYS): a sponsor signs before nominating, and the
outcome comes after. So that a sign-off made when packets were version 1 still verifies, the
signed content always names the format as version 1 (SIGNED_FORMAT): version 2 added only
unsigned parts.
"""

import contextlib
import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import OuterRef, Prefetch

from accounts.levels import history_of
from guides.models import Indicator
from reviews.models import Answer, Attachment, Case, Decision, Evidence, Nomination
from reviews.outcomes import outcome_record
from reviews.readiness.snapshots import case_readiness
from reviews.scoring import PUBLISHED

FORMAT = "promotion-packet/2"
# The format the signed content names, whichever version the packet is (see above).
SIGNED_FORMAT = "promotion-packet/1"
# The candidate's level history is the person's, not the case's content: a promotion after the
# sign-off must leave what was signed verifiable.
UNSIGNED_KEYS = ("readiness", "sign_offs", "decision", "status", "level_history")
# Version 2's cycle record: the cycle the case was last nominated to, and the published outcome.
CYCLE_KEYS = ("cycle", "outcome")


def _person(user) -> dict[str, str]:
    return {"username": user.username, "name": user.display_name, "email": user.email}


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


@contextlib.contextmanager
def one_snapshot() -> Iterator[None]:
    """Every query inside sees the database as it was at the first of them.

    PostgreSQL's REPEATABLE READ: a transaction whose reads all come from one snapshot, so rows
    committed meanwhile by others are not seen half-way through. Inside a transaction that has
    already begun (a service's, or a test's), its isolation was fixed when it began and the
    reads simply join it.
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


@dataclass(frozen=True)
class SignOffNotes:
    """What a sign-off keeps that its packet entry leaves out."""

    override_reason: str
    readiness_status: str


@dataclass(frozen=True)
class PacketRead:
    """A packet and what its PDF shows besides, read together from the same rows.

    Both are keyed as the packet refers to its own parts: evidence and sign-offs by their index
    in the packet's lists, as feedback names the item it is about.
    """

    packet: dict
    attachments: dict[int, list[str]]
    sign_offs: dict[int, SignOffNotes]
    # The items the candidate starred as their best (reviews/stars.py), which the packet leaves
    # out: a star is the candidate's choice for the committee brief, not content a sponsor signs.
    starred: frozenset[int] = frozenset()
    # The case's latest nomination, with its cycle, as the packet's cycle record read it: the
    # committee brief reads the panel's scores from it.
    nomination: Nomination | None = None


def build_packet(case: Case, *, as_of: datetime.date | None = None) -> dict:
    """The whole packet of one case; `case` should come with candidate, sponsor and guide, and
    `with_level_history()` saves a query."""
    return read_packet(case, as_of=as_of).packet


def read_packet(case: Case, *, as_of: datetime.date | None = None) -> PacketRead:
    """The packet of one case with its file names and sign-off notes, from one snapshot."""
    with one_snapshot():
        return _read(case, as_of)


def _read(case: Case, as_of: datetime.date | None) -> PacketRead:
    files = Attachment.objects.filter(evidence=OuterRef("pk")).order_by("id")
    evidence = list(
        Evidence.objects.filter(case=case)
        .select_related("capability")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("position")))
        .annotate(attachment_names=ArraySubquery(files.values("original_name")))
        .order_by("date", "id")
    )
    index_of = {item.pk: index for index, item in enumerate(evidence)}
    answers = defaultdict(list)
    for answer in (
        Answer.objects.filter(check_in__case=case)
        .select_related("question")
        .order_by("check_in__date", "check_in_id", "question__position")
    ):
        answers[answer.check_in_id].append(answer)
    check_ins = []
    for check_in in case.check_ins.order_by("date", "id"):
        given = answers[check_in.pk]
        check_ins.append(
            {
                "date": check_in.date.isoformat(),
                "answers": {str(a.question.position): a.value for a in given},
                "notes": {str(a.question.position): a.note for a in given if a.note},
            }
        )
    feedback = [
        {
            "evidence": index_of[item.evidence_id],
            "author": item.author.username,
            "kind": item.kind,
            "text": item.text,
            "at": _timestamp(item.created_at),
            **_imported(item),
        }
        for item in case.feedback.select_related("author", "imported_by").order_by(
            "created_at", "id"
        )
    ]
    signed = list(case.sign_offs.select_related("signer").order_by("created_at", "id"))
    sign_offs = [
        {
            "signer": s.signer.username,
            "decision": s.decision,
            "rationale": s.rationale,
            "override": s.override,
            "packet_sha256": s.packet_sha256,
            "at": _timestamp(s.created_at),
        }
        for s in signed
    ]
    nominations = list(
        Nomination.objects.filter(case=case)
        .select_related("cycle", "case__guide")
        .order_by("-created_at", "-id")
    )
    packet = {
        "format": FORMAT,
        "candidate": _person(case.candidate),
        "sponsor": _person(case.sponsor),
        "guide": {
            "from": case.guide.from_level.code,
            "to": case.guide.to_level.code,
            "version": case.guide.version,
        },
        "opened_on": case.opened_on.isoformat(),
        "status": case.status,
        "narrative": case.narrative,
        "evidence": [
            {
                "capability": item.capability.number,
                "indicators": [i.position for i in item.indicators.all()],
                "title": item.title,
                "date": item.date.isoformat(),
                "summary": item.summary,
                "outcome": item.outcome,
                "links": list(item.links),
            }
            for item in evidence
        ],
        "check_ins": check_ins,
        "feedback": feedback,
        "sign_offs": sign_offs,
        "decision": _decision(case),
        "readiness": case_readiness(case, as_of).as_dict(case.pk),
        "level_history": _level_history(case),
        **_cycle_record(nominations),
    }
    return PacketRead(
        packet=packet,
        attachments={index: item.attachment_names for index, item in enumerate(evidence)},
        starred=frozenset(index for index, item in enumerate(evidence) if item.starred),
        nomination=nominations[0] if nominations else None,
        sign_offs={
            index: SignOffNotes(s.override_reason, s.readiness_status)
            for index, s in enumerate(signed)
        },
    )


def _level_history(case: Case) -> list[dict]:
    """The candidate's levels over time, oldest first; read with the case when it came
    `with_level_history()`, else by one query here."""
    history = getattr(case, "candidate_levels", None)
    if history is None:
        history = history_of(case.candidate_id)
    return [
        {
            "level": step["level"],
            "since": step["since"],
            "reason": step["reason"],
            "note": step["note"],
        }
        for step in history
    ]


def _imported(feedback) -> dict:
    """A message that came in a packet says so, who brought it and when; others say nothing,
    so that the packet of a case with no imported feedback reads as it always has."""
    if feedback.imported_at is None:
        return {}
    by = feedback.imported_by
    return {"imported": {"by": by.username if by else None, "at": _timestamp(feedback.imported_at)}}


def _decision(case: Case) -> dict | None:
    decision = Decision.objects.filter(case=case).select_related("decided_by").first()
    if decision is None:
        return None
    return {
        "outcome": decision.outcome,
        "effective_date": decision.effective_date.isoformat(),
        "note": decision.note,
        "decided_by": decision.decided_by.username,
        "at": _timestamp(decision.created_at),
    }


def _cycle_record(nominations: list[Nomination]) -> dict:
    """`cycle`: the cycle of the case's latest nomination (`nominations` are the case's, latest
    first), or None; `outcome`: the outcome record of its latest nomination whose cycle has
    published its outcomes, left out when there is none. Outcomes are append-only, so a packet
    built later holds every outcome an earlier one did."""
    if not nominations:
        return {"cycle": None}
    cycle = nominations[0].cycle
    record: dict = {
        "cycle": {
            "name": cycle.name,
            "nominations_close": cycle.nominations_close.isoformat(),
            "scores_due": cycle.scores_due.isoformat(),
            "committee_meets": cycle.committee_meets.isoformat(),
            "outcomes_due": cycle.outcomes_due.isoformat(),
            "state": cycle.state,
        }
    }
    published = next((n for n in nominations if n.cycle.state in PUBLISHED), None)
    if published is not None:
        record["outcome"] = outcome_record(published)
    return record


def canonical_bytes(packet: dict) -> bytes:
    """What a sponsor signs: the case's content, serialised one way only."""
    content = {
        key: value
        for key, value in packet.items()
        if key not in UNSIGNED_KEYS and key not in CYCLE_KEYS
    }
    if content.get("format") == FORMAT:
        content["format"] = SIGNED_FORMAT
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def packet_sha256(packet: dict) -> str:
    return hashlib.sha256(canonical_bytes(packet)).hexdigest()
