"""What the packet PDF says (reviews/packets/pdf_data.py shapes it for the Typst template).

The PDF is drawn from the JSON packet (`read_packet`), so both say the same thing; the same read
gives what the packet leaves out (attachment names, the override reasons of sign-offs), and the
ORM adds, in the same snapshot, what the packet names by number or username: capability and
indicator texts, questions and people's names. Everything a person wrote is escaped by the
template as text, Markdown through reviews/typst_markup.py.
"""

import datetime
from dataclasses import dataclass, field
from html import escape

from django.db.models import Prefetch
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from guides.models import Capability, Indicator
from reviews.models import Case
from reviews.packets.build import PacketRead, one_snapshot, packet_sha256, read_packet
from reviews.readiness.heatstrip import FONT_FAMILY, render_heat_strip
from reviews.readiness.months import month_name
from reviews.readiness.rule import Readiness
from reviews.words import (
    answer_label,
    case_status_label,
    decision_label,
    feedback_kind_label,
    flag_sentences,
    imported_note,
    level_reason_label,
    sign_off_verdict,
    status_label,
)

# Check-ins per table: more columns than this do not fit across A4.
CHECK_INS_PER_TABLE = 8

# How much of a large case the PDF gives in full, so that any case a case's limits allow
# (reviews/limits.py) is laid out in bounded time and memory: the latest items with their texts,
# the latest feedback messages on them and the latest check-ins with their notes, each up to a
# number and a number of characters of text (about 3,000 characters fill a page). A case of two
# years' ordinary use (DESIGN.md: about 150 items) falls within them all and is shown whole.
# Beyond them the PDF lists the older items by title and date under their capability, counts the
# messages and check-ins it leaves out, and says so where it does; the JSON packet always holds
# everything.
PDF_FULL_ITEMS = 150
PDF_ITEM_CHARS = 300_000
PDF_MESSAGES = 200
PDF_MESSAGE_CHARS = 50_000
PDF_CHECK_INS = 24
PDF_NOTE_CHARS = 50_000


# --- Shaping for the template ------------------------------------------------------------------


@dataclass
class _Item:
    anchor: str
    capability: int
    positions: list[int]
    title: str
    date: datetime.date
    indicators: list[str]
    # Markdown, as written.
    summary: str
    outcome: str
    links: list[str]
    attachments: list[str]
    # False for an older item the PDF lists by title only (PDF_FULL_ITEMS, PDF_ITEM_CHARS).
    full: bool = True
    feedback: list[dict] = field(default_factory=list)
    # All of the item's messages, also those the PDF leaves out (PDF_MESSAGES, PDF_MESSAGE_CHARS).
    messages: int = 0


@dataclass
class _IndicatorGroup:
    label: str
    text: str
    items: list[_Item] = field(default_factory=list)
    # Items shown in full under an earlier indicator of theirs, referred to here by page.
    see_also: list[_Item] = field(default_factory=list)
    # Older items tagging it, which the PDF lists by title only.
    older: int = 0


@dataclass
class _CapabilityGroup:
    anchor: str
    number: int
    title: str
    indicators: dict[int, _IndicatorGroup]
    items: list[_Item] = field(default_factory=list)
    untagged: list[_Item] = field(default_factory=list)
    # Listed by title only, newest first.
    older: list[_Item] = field(default_factory=list)


def _timestamp(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _names(packet: dict) -> dict[str, str]:
    names = {p["username"]: p["name"] for p in (packet["candidate"], packet["sponsor"])}
    wanted = {m["author"] for m in packet["feedback"]} | {s["signer"] for s in packet["sign_offs"]}
    wanted |= {m["imported"]["by"] for m in packet["feedback"] if m.get("imported")} - {None}
    if packet["decision"]:
        wanted.add(packet["decision"]["decided_by"])
    if wanted - names.keys():
        for user in User.objects.filter(username__in=wanted - names.keys()):
            names[user.username] = user.display_name
    return names


def _evidence_groups(capabilities: list[Capability], items: list[_Item]) -> list[_CapabilityGroup]:
    groups = {
        c.number: _CapabilityGroup(
            anchor=f"evidence-{c.number}",
            number=c.number,
            title=c.title,
            indicators={
                i.position: _IndicatorGroup(label=f"{c.number}.{i.position}", text=i.text)
                for i in c.indicators.all()
            },
        )
        for c in capabilities
    }
    for item in items:
        group = groups[item.capability]
        group.items.append(item)
        if not item.full:
            group.older.insert(0, item)
            for position in item.positions:
                group.indicators[position].older += 1
            continue
        first, *others = item.positions or [None]
        if first is None:
            group.untagged.append(item)
            continue
        group.indicators[first].items.append(item)
        for position in others:
            group.indicators[position].see_also.append(item)
    return list(groups.values())


def _items(read: PacketRead, names: dict[str, str]) -> list[_Item]:
    """Every item, the latest with their texts (the packet lists items oldest first), and the
    latest feedback messages on those, as far as the PDF's bounds allow."""
    packet = read.packet
    items = []
    first_full = len(packet["evidence"]) - len(
        _latest(
            packet["evidence"],
            PDF_FULL_ITEMS,
            chars=PDF_ITEM_CHARS,
            size=lambda item: len(item["title"]) + len(item["summary"]) + len(item["outcome"]),
        )
    )
    for index, raw in enumerate(packet["evidence"]):
        full = index >= first_full
        items.append(
            _Item(
                anchor=f"item-{index + 1}",
                capability=raw["capability"],
                positions=list(raw["indicators"]),
                title=raw["title"],
                date=datetime.date.fromisoformat(raw["date"]),
                indicators=[f"{raw['capability']}.{p}" for p in raw["indicators"]],
                summary=raw["summary"] if full else "",
                outcome=raw["outcome"] if full else "",
                links=list(raw["links"]) if full else [],
                attachments=read.attachments[index] if full else [],
                full=full,
            )
        )
    for message in packet["feedback"]:
        items[message["evidence"]].messages += 1
    on_full_items = [m for m in packet["feedback"] if items[m["evidence"]].full]
    for message in _latest(
        on_full_items, PDF_MESSAGES, chars=PDF_MESSAGE_CHARS, size=lambda m: len(m["text"])
    ):
        imported = message.get("imported")
        items[message["evidence"]].feedback.append(
            {
                "author": names.get(message["author"], message["author"]),
                "kind": message["kind"],
                "kind_label": feedback_kind_label(message["kind"]),
                "text": message["text"],
                "at": _timestamp(message["at"]),
                "imported": imported_note(
                    names.get(imported["by"], imported["by"]), _timestamp(imported["at"])
                )
                if imported
                else "",
            }
        )
    return items


def _uncovered(packet: dict, readiness: Readiness, capabilities: list[Capability]) -> dict:
    """Per capability number, the texts of indicators no item in the window tags."""
    first, last = readiness.window_start.isoformat(), readiness.as_of.isoformat()
    covered = {
        (item["capability"], position)
        for item in packet["evidence"]
        if first <= item["date"] <= last
        for position in item["indicators"]
    }
    return {
        c.number: [i.text for i in c.indicators.all() if (c.number, i.position) not in covered]
        for c in capabilities
    }


def _heat_strip(readiness: Readiness) -> SafeString:
    # The browser's font stack would fall back to a second sans-serif in the PDF; the packet
    # sets everything in DejaVu Sans.
    svg = render_heat_strip(readiness).replace(
        f'font-family="{escape(FONT_FAMILY)}"', 'font-family="DejaVu Sans"', 1
    )
    return mark_safe(svg)  # noqa: S308 — render_heat_strip escapes every text it draws


def _yes_count(check_in: dict, question_count: int) -> dict:
    count = sum(1 for value in check_in["answers"].values() if value == "yes")
    return {
        "date": datetime.date.fromisoformat(check_in["date"]),
        "count": count,
        "mostly": count * 2 > question_count,
    }


def _answer(value: str) -> dict:
    return {"value": value, "label": answer_label(value) if value else "—"}


def _latest(entries: list, count: int, *, chars: int, size) -> list:
    """The last entries of a packet's list (oldest first): at most `count` of them, together at
    most `chars` characters long as `size` counts an entry."""
    shown = total = 0
    for entry in reversed(entries):
        total += size(entry)
        if shown == count or total > chars:
            break
        shown += 1
    return entries[len(entries) - shown :]


def _shown_check_ins(packet: dict) -> list[dict]:
    return _latest(
        packet["check_ins"],
        PDF_CHECK_INS,
        chars=PDF_NOTE_CHARS,
        size=lambda check_in: sum(len(note) for note in check_in["notes"].values()),
    )


def _check_in_tables(packet: dict, questions: list) -> list[dict]:
    check_ins = _shown_check_ins(packet)
    tables = []
    for start in range(0, len(check_ins), CHECK_INS_PER_TABLE):
        chunk = check_ins[start : start + CHECK_INS_PER_TABLE]
        tables.append(
            {
                "dates": [datetime.date.fromisoformat(c["date"]) for c in chunk],
                "rows": [
                    {
                        "number": q.position,
                        "text": q.text,
                        "answers": [_answer(c["answers"].get(str(q.position), "")) for c in chunk],
                    }
                    for q in questions
                ],
                "yes_counts": [_yes_count(c, len(questions)) for c in chunk],
            }
        )
    return tables


def _check_in_notes(packet: dict) -> list[dict]:
    return [
        {
            "date": datetime.date.fromisoformat(c["date"]),
            "notes": sorted((int(n), text) for n, text in c["notes"].items()),
        }
        for c in _shown_check_ins(packet)
        if c["notes"]
    ]


def packet_context(
    case: Case, *, as_of: datetime.date | None = None, read: PacketRead | None = None
) -> dict:
    """What the template needs; `read` is the packet when it was read already."""
    guide = case.guide
    with one_snapshot():
        read = read or read_packet(case, as_of=as_of)
        names = _names(read.packet)
        capabilities = list(
            guide.capabilities.order_by("number").prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
            )
        )
        questions = list(guide.questions.order_by("position"))
    packet = read.packet
    readiness = Readiness.from_snapshot(packet["readiness"], max_months=guide.max_months)
    digest = packet_sha256(packet)

    items = _items(read, names)
    uncovered = _uncovered(packet, readiness, capabilities)

    sign_offs = [
        {
            "decision": raw["decision"],
            "verdict": sign_off_verdict(raw["decision"]),
            "signer": names.get(raw["signer"], raw["signer"]),
            "rationale": raw["rationale"],
            "override": raw["override"],
            "override_reason": read.sign_offs[index].override_reason,
            "readiness_then": status_label(read.sign_offs[index].readiness_status),
            "packet_sha256": raw["packet_sha256"],
            "matches": raw["packet_sha256"] == digest,
            "at": _timestamp(raw["at"]),
        }
        for index, raw in enumerate(packet["sign_offs"])
    ]
    decision = packet["decision"]
    if decision:
        decision = {
            "outcome": decision_label(decision["outcome"]),
            "effective_date": datetime.date.fromisoformat(decision["effective_date"]),
            "note": decision["note"],
            "decided_by": names.get(decision["decided_by"], decision["decided_by"]),
            "at": _timestamp(decision["at"]),
        }

    return {
        "packet": packet,
        "candidate": packet["candidate"],
        "sponsor": packet["sponsor"],
        "guide": guide,
        "opened_on": datetime.date.fromisoformat(packet["opened_on"]),
        "case_status": case_status_label(packet["status"]),
        "as_of": readiness.as_of,
        "packet_sha256": digest,
        "ready_sign_off": next((s for s in sign_offs if s["decision"] == "ready"), None),
        "latest_sign_off": sign_offs[-1] if sign_offs else None,
        "readiness": readiness,
        "flags": flag_sentences(readiness),
        "heat_strip": _heat_strip(readiness),
        "readiness_rows": [
            {"result": c, "uncovered": uncovered.get(c.number, [])} for c in readiness.capabilities
        ],
        "blocks": [
            f"{month_name(first)} to {month_name(last)}" for first, last in readiness.blocks
        ],
        "sustained_count": sum(1 for c in readiness.capabilities if c.sustained),
        "question_count": len(questions),
        "narrative": packet["narrative"] if packet["narrative"].strip() else "",
        "capabilities": capabilities,
        "evidence_count": len(items),
        "full_items": sum(1 for item in items if item.full),
        "brief_items": sum(1 for item in items if not item.full),
        "shown_messages": sum(len(item.feedback) for item in items),
        "shown_check_ins": len(_shown_check_ins(packet)),
        "evidence_groups": _evidence_groups(capabilities, items),
        "check_in_tables": _check_in_tables(packet, questions),
        "recent_check_ins": [
            _yes_count(c, len(questions)) for c in packet["check_ins"][-CHECK_INS_PER_TABLE:]
        ],
        "check_in_notes": _check_in_notes(packet),
        "feedback_items": [item for item in items if item.feedback],
        "feedback_count": len(packet["feedback"]),
        "sign_offs": sign_offs,
        "decision": decision,
        "level_history": [
            {
                "level": step["level"],
                "since": datetime.date.fromisoformat(step["since"]),
                "reason": level_reason_label(step["reason"]),
            }
            for step in packet.get("level_history", [])
        ],
    }
