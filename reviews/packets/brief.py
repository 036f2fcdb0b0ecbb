"""The committee brief of a case: what a panellist reads in a minute, at most two A4 pages.

It is drawn from the same read as the packet and its PDF (`read_packet`, then `packet_context` of
reviews/packets/document.py, in one snapshot), so the brief, the packet and the PDF say the same
thing: the summary and the heat strip, readiness by capability, the opening of the narrative, the
sponsor's latest sign-off, and per capability the candidate's chosen best items (reviews/stars.py)
or, when they starred none, the most endorsed and then the most recent. Long texts are cut at a
sentence near a set length and say that they continue in the packet, which is what keeps the
brief within two pages whatever the case holds.

`brief_context` is the page's and the PDF's one input, as plain data: words and dates already
written, people's text as plain strings (the page escapes them as HTML, the PDF's template
(reviews/packets/typst/brief.typ) shows them as text). `panel_scores` is the slot of the panel's
scores, one `{"capability": words, "scores": words}` per capability, empty until a case's cycle is
in committee and then filled as the person reading may see them (`reviews.scoring.may_see_scores`:
HR and panellists who have submitted theirs in committee, the candidate and sponsor once the
outcome is published); the page and the PDF show the section only when it holds some.
"""

import datetime
import re

from django.utils import timezone
from django.utils.dateformat import format as format_date

from reviews.markdown import parse_markdown, plain_paragraphs
from reviews.models import Case, ScoreSheet
from reviews.outcomes import by_capability
from reviews.packets.build import PacketRead, one_snapshot, read_packet
from reviews.packets.document import packet_context
from reviews.packets.pdf_data import summary_page
from reviews.readiness.gaps import empty_blocks
from reviews.roles import roles_for
from reviews.scoring import REVEALED, may_see_scores
from reviews.words import block_label, status_label

# Where long texts are cut, in characters: near this, at the end of a sentence.
NARRATIVE_CHARS = 600
RATIONALE_CHARS = 600
ITEM_CHARS = 260
TITLE_CHARS = 120
# Items shown per capability when the candidate starred none.
BEST_ITEMS = 2
CONTINUES = "continues in the packet"

_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]]*)(?=\s)")
_SPACES = re.compile(r"\s+")


def _day(value: datetime.date | datetime.datetime, pattern: str = "j F Y") -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return format_date(value, pattern)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def cut_at_sentence(text: str, limit: int) -> tuple[str, bool]:
    """The text, or its start cut at the end of a sentence near `limit` characters (a little
    over it rather than far under it), and whether it was cut. Without a sentence end in reach
    it is cut at a word, with an ellipsis."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text, False
    reach = limit + limit // 5
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, reach + 1)]
    if ends and ends[-1] >= limit // 2:
        return text[: ends[-1]], True
    words = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[: limit - 1]
    return words.rstrip(",;:—– ") + "…", True


def _inline_text(token) -> str:
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child))
    return "".join(parts)


def first_paragraph(markdown: str) -> tuple[str, bool]:
    """A Markdown text's first paragraph (or heading, or list item) as plain text, and whether
    anything follows it."""
    tokens = parse_markdown(markdown)
    if tokens is None:
        paragraphs = plain_paragraphs(markdown)
    else:
        texts = (_inline_text(token).strip() for token in tokens if token.type == "inline")
        paragraphs = [text for text in texts if text]
    if not paragraphs:
        return "", False
    return paragraphs[0], len(paragraphs) > 1


def opening(markdown: str, limit: int) -> dict | None:
    """The start of a Markdown text for the brief: its first paragraph, cut near `limit`, and
    whether the rest is left to the packet."""
    first, more = first_paragraph(markdown)
    if not first:
        return None
    text, cut = cut_at_sentence(first, limit)
    return {"text": text, "continues": cut or more}


def _plain_opening(text: str, limit: int) -> dict:
    cut_text, cut = cut_at_sentence(text, limit)
    return {"text": cut_text, "continues": cut}


def _endorsements(packet: dict) -> dict[int, int]:
    counts: dict[int, int] = {}
    for message in packet["feedback"]:
        if message["kind"] == "endorse":
            counts[message["evidence"]] = counts.get(message["evidence"], 0) + 1
    return counts


def _best_items(read: PacketRead, candidate: str) -> dict[int, dict]:
    """Per capability number, the items the brief shows and the line that says why these."""
    packet = read.packet
    endorsed = _endorsements(packet)
    by_capability: dict[int, list[int]] = {}
    for index, item in enumerate(packet["evidence"]):
        by_capability.setdefault(item["capability"], []).append(index)

    def newest(index: int) -> tuple:
        return (packet["evidence"][index]["date"], index)

    chosen = {}
    for number, indices in by_capability.items():
        starred = sorted((i for i in indices if i in read.starred), key=newest, reverse=True)
        if starred:
            what = "a best item" if len(starred) == 1 else "best items"
            lead = f"Chosen by {candidate} as {what}"
            shown = starred
        else:
            lead = "None starred by the candidate: the most endorsed, then the most recent"
            shown = sorted(indices, key=lambda i: (endorsed.get(i, 0), *newest(i)), reverse=True)[
                :BEST_ITEMS
            ]
        chosen[number] = {"lead": lead, "items": [_item(packet, i, endorsed) for i in shown]}
    return chosen


def _item(packet: dict, index: int, endorsed: dict[int, int]) -> dict:
    raw = packet["evidence"][index]
    title, _ = cut_at_sentence(raw["title"], TITLE_CHARS)
    count = endorsed.get(index, 0)
    return {
        "index": index,
        "title": title,
        "date": _day(datetime.date.fromisoformat(raw["date"]), "j M Y"),
        "date_iso": raw["date"],
        "opening": opening(raw["summary"], ITEM_CHARS),
        "endorsements": _plural(count, "endorsement") if count else "Not endorsed yet",
    }


def _capabilities(c: dict, best: dict[int, dict]) -> list[dict]:
    readiness = c["readiness"]
    blocks = len(readiness.blocks)
    rows = []
    for result in readiness.capabilities:
        empty = empty_blocks(readiness, result)
        if result.sustained:
            state = "Sustained"
        elif result.items:
            state = "Not yet sustained"
        else:
            state = "No evidence yet"
        missing = ", ".join(block_label(block) for block in empty)
        rows.append(
            {
                "number": result.number,
                "title": f"{result.number}. {result.title}",
                "sustained": result.sustained,
                "state": state,
                "blocks": f"{blocks - len(empty)} of {blocks} blocks",
                "missing": f"none in {missing}" if missing else "",
                "items_in_window": _plural(result.items_in_window, "item"),
                "indicators": f"{result.indicators_covered} of {result.indicators_total}",
                "best": best.get(result.number, {"lead": "No evidence yet", "items": []}),
            }
        )
    return rows


def _sign_off(c: dict) -> dict | None:
    latest = c["latest_sign_off"]
    if latest is None:
        return None
    said = f"Signed off as {latest['verdict']} by {latest['signer']} on {_day(latest['at'])}"
    if latest["override"]:
        said += f", overriding readiness “{latest['readiness_then']}”"
    return {
        "decision": latest["decision"],
        "said": said + ".",
        "rationale": _plain_opening(latest["rationale"], RATIONALE_CHARS),
    }


def _panel_scores(read: PacketRead, capabilities, reader) -> list[dict]:
    """The panel's current scores per capability, in words, as `reader` may see them; none
    before the case's cycle is in committee, or for a reader the reveal rule keeps them from.
    Panellists are named for HR and the panel, and for others when the cycle shows names."""
    nomination = read.nomination
    if reader is None or nomination is None or nomination.cycle.state not in REVEALED:
        return []
    if not may_see_scores(nomination=nomination, user=reader):
        return []
    sheets = (
        ScoreSheet.objects.current()
        .filter(nomination=nomination)
        .select_related("panellist")
        .prefetch_related("scores")
        .order_by("panellist__name", "panellist__username", "id")
    )
    on_committee = reader.pk not in (nomination.case.candidate_id, nomination.case.sponsor_id)
    names = nomination.cycle.show_panel_names or (
        on_committee
        and (roles_for(reader).hr or reader.panel_seats.filter(cycle=nomination.cycle_id).exists())
    )
    rows = []
    for row in by_capability(sheets, capabilities=capabilities, names=names):
        said = [
            f"{score.label} ({score.panellist})" if score.panellist else score.label
            for score in row.scores
        ]
        rows.append(
            {
                "capability": f"{row.capability.number}. {row.capability.title}",
                "scores": " · ".join(said) if said else "No scores yet",
            }
        )
    return rows


def brief_context(case: Case, *, as_of: datetime.date | None = None, reader=None) -> dict:
    """What the brief shows of one case to `reader` (the panel's scores as they may see them;
    none without a reader). `case` should come with candidate, sponsor, guide and the
    candidate's level history, as the packet's download reads it."""
    with one_snapshot():
        read = read_packet(case, as_of=as_of)
        c = packet_context(case, as_of=as_of, read=read)
        panel_scores = _panel_scores(read, c["capabilities"], reader)
    guide, readiness, candidate = c["guide"], c["readiness"], c["candidate"]["name"]
    summary = summary_page(c)
    return {
        "candidate": candidate,
        "sponsor": c["sponsor"]["name"],
        "guide": (
            f"{guide.from_level.code} {guide.from_level.title} → {guide.to_level.code} "
            f"{guide.to_level.title}, version {guide.version}"
        ),
        "as_of": _day(c["as_of"]),
        "opened_on": _day(c["opened_on"]),
        "case_status": c["case_status"],
        "status": {"code": readiness.status.value, "label": status_label(readiness.status)},
        "sentence": summary["sentence"],
        "flags": summary["flags"],
        "no_flags": summary["no_flags"],
        "counts": summary["counts"],
        "readiness": readiness,
        "heat_strip": str(c["heat_strip"]),
        "heat_strip_alt": (
            f"Items per capability and month over the last {len(readiness.strip_months)} months"
        ),
        "capabilities": _capabilities(c, _best_items(read, candidate)),
        "narrative": opening(c["narrative"], NARRATIVE_CHARS),
        "no_narrative": f"{candidate} has not written a narrative for this case.",
        "sign_off": _sign_off(c),
        "no_sign_off": "Not signed off yet.",
        "continues": CONTINUES,
        # The panel's scores per capability, for a case whose cycle is in committee or after;
        # the template shows the section only when there are some.
        "panel_scores": panel_scores,
        "digest": c["packet_sha256"][:16],
    }


def brief_data(brief: dict) -> dict:
    """The brief as the PDF's template reads it: `brief_context` without what is not JSON."""
    return {key: value for key, value in brief.items() if key != "readiness"}
