"""Where in a packet a problem is, in words: `$.evidence[3].indicators[0]` → "evidence item 4,
indicator 1". Shown beside the JSON path, which stays for whoever edits the file."""

import json
import re

TOKEN = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')
# A list's items, counted from 1 as people count.
ITEMS = {
    "evidence": "evidence item",
    "check_ins": "check-in",
    "feedback": "feedback message",
    "sign_offs": "sign-off",
    "indicators": "indicator",
    "links": "link",
    "level_history": "level history step",
    "flags": "flag",
    "capabilities": "capability",
    "blocks": "block",
}
# Keys of an object, by the object they are in ("answers" and "notes" are keyed by question).
KEYS = {
    "format": "the format line",
    "candidate": "the candidate",
    "sponsor": "the sponsor",
    "guide": "the guide",
    "from": "its starting level",
    "to": "its target level",
    "version": "its version",
    "opened_on": "the opening date",
    "status": "the status",
    "narrative": "the narrative",
    "username": "username",
    "name": "name",
    "email": "email address",
    "capability": "its capability",
    "title": "title",
    "date": "date",
    "summary": "what was done",
    "outcome": "business outcome",
    "answers": "answers",
    "notes": "notes",
    "author": "its author",
    "kind": "its kind",
    "text": "its text",
    "at": "its time",
    "decision": "the decision",
    "readiness": "the readiness report",
    "imported": "its import",
    "by": "by whom",
    "signer": "who signed",
    "rationale": "rationale",
    "override": "against readiness",
    "packet_sha256": "packet hash",
    "effective_date": "effective date",
    "decided_by": "who decided",
    "self_assessment": "self-assessment",
}
BY_QUESTION = {"answers": "the answer to question {}", "notes": "the note on question {}"}


def place(path: str) -> str:
    """The place a JSON path names, in words; the path itself when it cannot be read."""
    if path == "$":
        return "the file as a whole"
    if not path.startswith("$"):
        return path
    words: list[str] = []
    parent = ""
    position = 1
    for match in TOKEN.finditer(path, 1):
        if match.start() != position:
            return path
        position = match.end()
        key, index, quoted = match.groups()
        if key is not None:
            if parent == "feedback_item" and key == "evidence":
                words.append("the evidence item it is on")
            else:
                words.append(KEYS.get(key, key.replace("_", " ")))
            parent = key
        elif index is not None:
            noun = ITEMS.get(parent)
            if noun is None:
                return path
            words[-1] = f"{noun} {int(index) + 1}"
            parent = "feedback_item" if parent == "feedback" else noun
        else:
            question = json.loads(quoted)
            template = BY_QUESTION.get(parent, "“{}”")
            if parent in BY_QUESTION:
                words.pop()
            words.append(template.format(question))
            parent = ""
    if position != len(path):
        return path
    return ", ".join(words)
