"""The packet PDF's data: what `packet_context` (reviews/packets/document.py) reads, as plain JSON
for the Typst template (reviews/packets/typst/packet.typ) — sentences already worded, dates written
out, people's text as strings and their Markdown as escaped Typst markup (reviews/typst_markup.py).
"""

import datetime

from django.utils import timezone
from django.utils.dateformat import format as format_date

from reviews.typst_markup import markdown_to_typst
from reviews.words import status_label, time_at_level

MATCHES_COVER = "✓ Matches this packet: the content is what the sponsor signed."
DIFFERS_COVER = "✗ Differs from this packet: the content has changed since it was signed."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _day(value: datetime.date | None, pattern: str = "j F Y") -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return format_date(value, pattern)


def _markdown(text: str) -> str | None:
    return markdown_to_typst(text) if text.strip() else None


def _item(item) -> dict:
    feedback = None
    if item.feedback:
        suffix = " in the Feedback chapter"
        if len(item.feedback) < item.messages:
            suffix += f" (the latest {len(item.feedback)})"
        feedback = {
            "name": f"feedback-{item.anchor}",
            "text": _plural(item.messages, "feedback message"),
            "suffix": suffix,
        }
    meta = f"{_day(item.date)} · indicator{'s' if len(item.indicators) != 1 else ''} "
    meta += ", ".join(item.indicators) or "none"
    if not item.feedback and item.messages:
        meta += f" · {_plural(item.messages, 'feedback message')}, in the JSON packet"
    return {
        "name": item.anchor,
        "title": item.title,
        "meta": meta,
        "feedback": feedback,
        "summary": markdown_to_typst(item.summary),
        "outcome": _markdown(item.outcome),
        "links": item.links,
        "files": item.attachments,
    }


def _evidence(c: dict) -> dict:
    left_out = None
    if c["brief_items"]:
        left_out = (
            f"This case has {c['evidence_count']} items, more than this PDF gives in full: it "
            f"shows the latest {c['full_items']} in full and lists the other {c['brief_items']} "
            "by title (up to 80 characters) and date only, under their capability. The JSON "
            "packet of the case holds every item in full."
        )
    groups = []
    for group in c["evidence_groups"]:
        indicators = []
        for indicator in group.indicators.values():
            see_also = None
            if indicator.see_also:
                see_also = {
                    "lead": "Also for this indicator" if indicator.items else "For this indicator",
                    "refs": [
                        {
                            "name": item.anchor,
                            "text": f"{item.title} ({_day(item.date, 'j M Y')})",
                            "under": item.indicators[0],
                        }
                        for item in indicator.see_also
                    ],
                }
            empty = None
            if not indicator.items:
                empty = (
                    "Only older items, listed by title below."
                    if indicator.older
                    else "No evidence for this indicator."
                )
            indicators.append(
                {
                    "label": indicator.label,
                    "text": indicator.text,
                    "items": [_item(item) for item in indicator.items],
                    "see_also": see_also,
                    "empty": empty,
                }
            )
        older = None
        if group.older:
            older = "; ".join(
                f"{_truncated(item.title, 80)} ({_day(item.date, 'j M Y')})" for item in group.older
            )
            older += "."
        groups.append(
            {
                "name": group.anchor,
                "running": f"Evidence: {group.number}. {group.title}",
                "title": f"{group.number}. {group.title}",
                "count": _plural(len(group.items), "item"),
                "indicators": indicators,
                "untagged": [_item(item) for item in group.untagged],
                "older": older,
            }
        )
    return {
        "intro": (
            f"{_plural(c['evidence_count'], 'item')}, grouped by capability and then by "
            "indicator, oldest first. An item tagged with several indicators is shown in full "
            "under the first of them and listed, with a link, under the others."
        ),
        "left_out": left_out,
        "groups": groups,
    }


def _truncated(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _self_assessment(c: dict) -> dict:
    questions, total = c["question_count"], len(c["packet"]["check_ins"])
    left_out = None
    if c["shown_check_ins"] < total:
        left_out = (
            f"This PDF shows the latest {c['shown_check_ins']} of the {total} check-ins, with "
            "their notes; the JSON packet of the case holds all of them."
        )
    return {
        "intro": (
            f"Each check-in answers the guide’s {questions} questions with yes, partly or no. A "
            "check-in is mostly yes (✓) when more than half of the answers are yes."
        ),
        "left_out": left_out,
        "tables": [
            {
                "dates": [f"{_day(d, 'j M')}\n{d.year}" for d in table["dates"]],
                "rows": [
                    {
                        "number": str(row["number"]),
                        "text": row["text"],
                        "answers": [[a["value"], a["label"]] for a in row["answers"]],
                    }
                    for row in table["rows"]
                ],
                "yes": [
                    f"{y['count']} of {questions}{' ✓' if y['mostly'] else ''}"
                    for y in table["yes_counts"]
                ],
            }
            for table in c["check_in_tables"]
        ],
        "notes": [
            {"date": _day(n["date"]), "notes": [[str(k), text] for k, text in n["notes"]]}
            for n in c["check_in_notes"]
        ],
    }


def _feedback(c: dict) -> dict:
    shown, total, items = c["shown_messages"], c["feedback_count"], c["feedback_items"]
    intro = _plural(total, "message")
    if shown == total:
        intro += f" on {_plural(len(items), 'item')}"
    intro += (
        ", oldest first: the sponsor endorses, questions or asks for more, and the candidate or "
        "sponsor replies."
    )
    left_out = None
    if shown < total:
        left_out = (
            f"This PDF shows the latest {shown} of the {total} messages, on the items it gives "
            "in full; the JSON packet of the case holds all of them."
        )
    return {
        "intro": intro,
        "left_out": left_out,
        "threads": [
            {
                "name": f"feedback-{item.anchor}",
                "item": item.anchor,
                "title": item.title,
                "date": _day(item.date, "j M Y"),
                "messages": [
                    {
                        "author": m["author"],
                        "kind": m["kind"],
                        "kind_label": m["kind_label"],
                        "at": _day(m["at"], "j M Y, H:i"),
                        "imported": m["imported"],
                        "text": m["text"],
                    }
                    for m in item.feedback
                ],
            }
            for item in items
        ],
    }


def _cover(c: dict) -> dict:
    candidate, sponsor, guide, decision = c["candidate"], c["sponsor"], c["guide"], c["decision"]

    def person(p: dict) -> list[str]:
        return [p["name"], f"· {p['username']}" + (f" · {p['email']}" if p["email"] else "")]

    signed = c["ready_sign_off"]
    return {
        "guide": (
            f"{guide.from_level.code} {guide.from_level.title} → {guide.to_level.code} "
            f"{guide.to_level.title}, version {guide.version}"
        ),
        "facts": [
            ["Candidate", *person(candidate)],
            *_levels(c),
            ["Sponsor", *person(sponsor)],
            ["Opened on", _day(c["opened_on"]), ""],
            ["Case status", c["case_status"], ""],
            ["Packet date", _day(c["as_of"]), "· readiness is as of this date"],
            [
                "Decision",
                f"{decision['outcome']}, effective {_day(decision['effective_date'])}"
                if decision
                else "No decision recorded yet",
                "",
            ],
        ],
        "ready_sign_off": {
            "label": f"Ready sign-off by {signed['signer']}, {_day(signed['at'])}",
            "sha256": signed["packet_sha256"],
            "matches": signed["matches"],
            "verdict": MATCHES_COVER if signed["matches"] else DIFFERS_COVER,
        }
        if signed
        else None,
        "note": (
            "The packet hash is the SHA-256 of the case’s content (narrative, evidence, check-ins "
            "and feedback) in the canonical JSON of the packet; readiness, sign-offs and the "
            "decision are not part of it. A sponsor’s sign-off stores the hash of the packet they "
            f"signed. Every page’s footer shows the hash’s first digits, {c['packet_sha256'][:16]}."
        ),
    }


def _levels(c: dict) -> list[list[str]]:
    """The candidate's time at their level as of the packet's date, and their whole history."""
    history = c["level_history"]
    if not history:
        return []
    latest = history[-1]
    return [
        [
            "Level",
            time_at_level(latest["level"], latest["since"], c["as_of"]) or "No level",
            f"· since {_day(latest['since'])}",
        ],
        [
            "Level history",
            "; ".join(
                f"{step['level'] or 'no level'} from {_day(step['since'])} ({step['reason']})"
                for step in history
            ),
            "",
        ],
    ]


def _contents(c: dict) -> list[dict]:
    def entry(title: str, name: str, children=()) -> dict:
        return {"title": title, "name": name, "children": list(children)}

    return [
        entry("Summary", "summary"),
        entry("The candidate’s narrative", "narrative"),
        entry("The guide in brief", "guide"),
        entry("Readiness", "readiness"),
        entry(
            "Evidence",
            "evidence",
            [entry(f"{g.number}. {g.title}", g.anchor) for g in c["evidence_groups"]],
        ),
        entry("Self-assessment", "self-assessment"),
        entry("Feedback", "feedback"),
        entry("Sign-offs and decision", "sign-offs"),
    ]


def _sustained(result) -> str:
    return "Yes" if result.sustained else "Not yet"


def summary_page(c: dict) -> dict:
    """The summary page's words, which the committee brief (reviews/packets/brief.py) opens
    with too."""
    readiness, questions = c["readiness"], c["question_count"]
    assessment = readiness.self_assessment
    in_window = _plural(assessment.check_ins_in_window, "check-in")
    sentence = (
        f"As of {_day(c['as_of'])}: {c['sustained_count']} of {len(readiness.capabilities)} "
        f"capabilities sustained over the last {readiness.window_months} months; self-assessment "
        f"{'consistent' if assessment.consistent else 'not yet consistent'} ({in_window} in the "
        f"window, {assessment.mostly_yes} mostly “yes”)."
    )
    trend = None
    recent, total = c["recent_check_ins"], len(c["packet"]["check_ins"])
    if recent:
        caption = f"The latest {len(recent)} of {total} check-ins. " if total > len(recent) else ""
        trend = {
            "header": ["Check-in", *(_day(y["date"], "M Y") for y in recent)],
            "row": [
                "Yes answers",
                *(f"{y['count']} of {questions}{' ✓' if y['mostly'] else ''}" for y in recent),
            ],
            "caption": caption + "✓ marks a check-in answered mostly yes.",
        }
    latest, decision = c["latest_sign_off"], c["decision"]
    if latest:
        sign_off = (
            f"Signed off as {latest['verdict']} by {latest['signer']} on {_day(latest['at'])}"
        )
        if latest["override"]:
            sign_off += f", overriding readiness “{latest['readiness_then']}”"
        sign_off += "."
    else:
        sign_off = "Not signed off yet."
    if decision:
        sign_off += (
            f" Decision: {decision['outcome'].lower()}, effective "
            f"{_day(decision['effective_date'])}."
        )
    else:
        sign_off += " No decision recorded yet."
    return {
        "status": {"code": readiness.status, "label": status_label(readiness.status)},
        "sentence": sentence,
        "flags": c["flags"],
        "no_flags": (
            "Nothing flagged: evidence is recent, balanced across capabilities, and shows at least "
            "half of each capability’s indicators."
        ),
        "strip_title": f"Evidence over the last {len(readiness.strip_months)} months",
        "rows": [
            [
                f"{row['result'].number}. {row['result'].title}",
                _sustained(row["result"]),
                str(row["result"].items_in_window),
                f"{row['result'].indicators_covered} of {row['result'].indicators_total}",
            ]
            for row in c["readiness_rows"]
        ],
        "trend": trend,
        "sign_off": sign_off,
        "counts": (
            f"In this packet: {_plural(c['evidence_count'], 'evidence item')}, "
            f"{_plural(total, 'check-in')}, {_plural(c['feedback_count'], 'feedback message')}, "
            f"{_plural(len(c['sign_offs']), 'sign-off')}."
        ),
    }


def _guide(c: dict) -> dict:
    guide = c["guide"]
    lead = guide.title + (f": {guide.subtitle}" if guide.subtitle else "")
    return {
        "lead": f"{lead} (version {guide.version}). The case is pinned to this version.",
        "questions": [
            [f"At {guide.from_level.code}", guide.question_before],
            [f"At {guide.to_level.code}", guide.question_after],
        ],
        "capabilities": [
            {
                "title": f"{capability.number}. {capability.title}",
                "summary": capability.summary,
                "indicators": [
                    [f"{capability.number}.{i.position}", i.text]
                    for i in capability.indicators.all()
                ],
            }
            for capability in c["capabilities"]
        ],
    }


def _readiness(c: dict) -> dict:
    readiness, assessment = c["readiness"], c["readiness"].self_assessment
    blocks = f" ({'; '.join(c['blocks'])})" if c["blocks"] else ""
    consistent = (
        "Consistent: every block has a check-in and every check-in is mostly yes."
        if assessment.consistent
        else "Not yet consistent: every block needs a check-in, and every check-in in the window "
        "must be mostly yes."
    )
    return {
        "intro": (
            f"As of {_day(c['as_of'])} the case is {status_label(readiness.status)}. The evidence "
            f"window is the last {readiness.window_months} months, in "
            f"{len(readiness.blocks)} blocks of three months{blocks}. A capability is sustained "
            "when every block holds at least one of its items. The case is ready when every "
            "capability is sustained and the self-assessment is consistent."
        ),
        "caption": (
            "Items per capability and month. The shaded frame is the evidence window; wider gaps "
            "separate its three-month blocks."
        ),
        "rows": [
            [
                f"{r.number}. {r.title}",
                _sustained(r),
                str(r.items_in_window),
                str(r.items),
                f"{r.indicators_covered} of {r.indicators_total}",
                _day(r.first, "M Y"),
                _day(r.last, "M Y"),
            ]
            for r in (row["result"] for row in c["readiness_rows"])
        ],
        "uncovered": [
            {
                "title": f"{row['result'].number}. {row['result'].title}: not shown in the window",
                "texts": row["uncovered"],
            }
            for row in c["readiness_rows"]
            if row["uncovered"]
        ],
        "self_assessment": (
            f"{_plural(assessment.check_ins_in_window, 'check-in')} in the window, "
            f"{assessment.mostly_yes} of them mostly “yes” (more than half of the "
            f"{c['question_count']} questions answered yes). {consistent}"
        ),
    }


def _sign_offs(c: dict) -> list[dict]:
    signed = []
    for s in c["sign_offs"]:
        if s["matches"]:
            matches = "✓ Matches this packet."
        elif s["decision"] == "ready":
            matches = "✗ Differs from this packet: the content has changed since it was signed."
        else:
            matches = "✗ Differs from this packet: the case carried on after this sign-off."
        signed.append(
            {
                "decision": s["decision"],
                "verdict": s["verdict"][:1].upper() + s["verdict"][1:],
                "signer": s["signer"],
                "at": _day(s["at"], "j F Y, H:i"),
                "override": s["override"],
                "rationale": s["rationale"],
                "override_reason": s["override_reason"] or "—",
                "readiness_then": f"Readiness when signed: {s['readiness_then']}",
                "sha256": s["packet_sha256"],
                "matches": s["matches"],
                "matches_text": matches,
            }
        )
    return signed


def _decision(c: dict) -> list[list[str]] | None:
    decision = c["decision"]
    if not decision:
        return None
    rows = [
        ["Outcome", decision["outcome"], ""],
        ["Effective", _day(decision["effective_date"]), ""],
        ["Recorded by", f"{decision['decided_by']}, {_day(decision['at'])}", ""],
    ]
    if decision["note"]:
        rows.append(["Note", decision["note"], ""])
    return rows


def packet_data(c: dict) -> dict:
    """The template's one input, from `packet_context`."""
    guide, readiness = c["guide"], c["readiness"]
    return {
        "candidate": {"name": c["candidate"]["name"]},
        "description": (
            f"{guide.from_level.code} → {guide.to_level.code}, version {guide.version}; packet "
            f"SHA-256 {c['packet_sha256']}"
        ),
        "sha256": c["packet_sha256"],
        "digest": c["packet_sha256"][:16],
        "status": {"code": readiness.status, "label": status_label(readiness.status)},
        "heat_strip": str(c["heat_strip"]),
        "heat_strip_alt": "Items per capability and month over the last "
        f"{len(readiness.strip_months)} months",
        "cover": _cover(c),
        "contents": _contents(c),
        "summary": summary_page(c),
        "narrative": _markdown(c["narrative"]),
        "no_narrative": f"{c['candidate']['name']} has not written a narrative for this case.",
        "guide": _guide(c),
        "readiness": _readiness(c),
        "evidence": _evidence(c),
        "self_assessment": _self_assessment(c),
        "feedback": _feedback(c),
        "sign_offs": _sign_offs(c),
        "decision": _decision(c),
    }
