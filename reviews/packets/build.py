"""Promotion packets: one case as the JSON of DESIGN.md ("promotion-packet/1").

`build_packet` reads a case in a fixed number of queries; `canonical_bytes` is what a sponsor
signs: the packet without its readiness, sign-offs and decision, with sorted keys and no spaces.
The status is left out as well: signing ready moves the case to "signed_off", and the content
that was signed must still verify afterwards.
"""

import datetime
import hashlib
import json
from collections import defaultdict

from django.db.models import Prefetch

from guides.models import Indicator
from reviews.models import Answer, Case, Decision, Evidence
from reviews.readiness.snapshots import case_readiness

FORMAT = "promotion-packet/1"
UNSIGNED_KEYS = ("readiness", "sign_offs", "decision", "status")


def _person(user) -> dict[str, str]:
    return {"username": user.username, "name": user.display_name, "email": user.email}


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def build_packet(case: Case, *, as_of: datetime.date | None = None) -> dict:
    """The whole packet of one case; `case` should come with candidate, sponsor and guide."""
    evidence = list(
        Evidence.objects.filter(case=case)
        .select_related("capability")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("position")))
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
        }
        for item in case.feedback.select_related("author").order_by("created_at", "id")
    ]
    sign_offs = [
        {
            "signer": s.signer.username,
            "decision": s.decision,
            "rationale": s.rationale,
            "override": s.override,
            "packet_sha256": s.packet_sha256,
            "at": _timestamp(s.created_at),
        }
        for s in case.sign_offs.select_related("signer").order_by("created_at", "id")
    ]
    return {
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
    }


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


def canonical_bytes(packet: dict) -> bytes:
    """What a sponsor signs: the case's content, serialised one way only."""
    content = {key: value for key, value in packet.items() if key not in UNSIGNED_KEYS}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def packet_sha256(packet: dict) -> str:
    return hashlib.sha256(canonical_bytes(packet)).hexdigest()
