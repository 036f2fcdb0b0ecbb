"""What changed between two versions of a guide, as plain data (no ORM).

One rule pairs the items of two lists, here and where a case moves to a newer version
(reviews.guide_moves): an item keeps its partner when the new list holds the same text (at the
same place, or moved), and otherwise is taken as reworded when the new list has an item at the
same place that nothing else claimed; whatever is left was removed or added. Texts are compared
without regard to spacing, capitals or the kind of quotes, so an editor's curly quotes do not
make a change.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from guides.guidemd import GuideDoc

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


class Kind(enum.Enum):
    SAME = "same"
    MOVED = "moved"
    REWORDED = "reworded"
    ADDED = "added"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True)
class Pair:
    """An item of the old list and its partner in the new one; positions are 1-based."""

    kind: Kind
    old_position: int | None
    new_position: int | None
    old: str | None
    new: str | None

    @property
    def changed(self) -> bool:
        """Whether a reader sees a change: an item that only shifted place, because another
        was added or removed before it, says what it said."""
        return self.kind not in (Kind.SAME, Kind.MOVED)


def same_text(a: str, b: str) -> bool:
    return _plain(a) == _plain(b)


def _plain(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split()).casefold()


def pair_items(old: Sequence[str], new: Sequence[str]) -> list[Pair]:
    """Every item of both lists once, paired by the module's rule, in the new list's order with
    the removed ones last."""
    partner: dict[int, int] = {}
    claimed: set[int] = set()
    new_plain = [_plain(text) for text in new]
    for i, text in enumerate(old):
        plain = _plain(text)
        # The same place first, so that a repeated text pairs with its own copy.
        candidates = [i] if i < len(new) and new_plain[i] == plain else []
        candidates += [j for j, other in enumerate(new_plain) if other == plain]
        j = next((j for j in candidates if j not in claimed), None)
        if j is not None:
            partner[i] = j
            claimed.add(j)
    reworded = set()
    for i in range(len(old)):
        if i not in partner and i < len(new) and i not in claimed:
            partner[i] = i
            claimed.add(i)
            reworded.add(i)
    by_new = {j: i for i, j in partner.items()}
    pairs = []
    for j, text in enumerate(new):
        i = by_new.get(j)
        if i is None:
            pairs.append(Pair(Kind.ADDED, None, j + 1, None, text))
            continue
        kind = Kind.REWORDED if i in reworded else Kind.SAME if i == j else Kind.MOVED
        pairs.append(Pair(kind, i + 1, j + 1, old[i], text))
    pairs += [
        Pair(Kind.REMOVED, i + 1, None, text, None)
        for i, text in enumerate(old)
        if i not in partner
    ]
    return pairs


@dataclass(frozen=True)
class CapabilityChanges:
    pair: Pair  # of the capabilities' titles
    old_summary: str | None
    new_summary: str | None
    indicators: list[Pair]
    practices: list[Pair]

    @property
    def indicator_changes(self) -> list[Pair]:
        return [p for p in self.indicators if p.changed]

    @property
    def practice_changes(self) -> list[Pair]:
        return [p for p in self.practices if p.changed]

    @property
    def summary_changed(self) -> bool:
        return (
            self.old_summary is not None
            and self.new_summary is not None
            and not same_text(self.old_summary, self.new_summary)
        )

    @property
    def changed(self) -> bool:
        return (
            self.pair.kind is not Kind.SAME
            or self.summary_changed
            or any(p.changed for p in self.indicators + self.practices)
        )


# The guide's other texts, as a reader names them.
OTHER_TEXTS = {
    "overview": "the overview",
    "shifts": "the core shift table",
    "question_before": "the fundamental question",
    "question_after": "the fundamental question",
    "pitfalls": "the common pitfalls",
    "readiness_intro": "how to show readiness",
    "track_record_steps": "the track-record steps",
    "min_months": "the evidence window",
    "max_months": "the evidence window",
    "self_assessment_note": "the note on self-assessment",
    "timeline_intro": "the typical timeline",
    "timeline_points": "the typical timeline",
    "closing_note": "the closing note",
}


@dataclass(frozen=True)
class GuideChanges:
    capabilities: list[CapabilityChanges]  # only those that changed
    questions: list[Pair]  # only those that changed
    other_texts: list[str]

    @property
    def empty(self) -> bool:
        return not (self.capabilities or self.questions or self.other_texts)


def guide_changes(old: GuideDoc, new: GuideDoc) -> GuideChanges:
    old_list, new_list = list(old.capabilities), list(new.capabilities)
    capabilities = []
    for pair in pair_items([c.title for c in old_list], [c.title for c in new_list]):
        before = old_list[pair.old_position - 1] if pair.old_position else None
        after = new_list[pair.new_position - 1] if pair.new_position else None
        changes = CapabilityChanges(
            pair=pair,
            old_summary=before.summary if before else None,
            new_summary=after.summary if after else None,
            indicators=pair_items(
                before.indicators if before else (), after.indicators if after else ()
            ),
            practices=pair_items(
                before.practices if before else (), after.practices if after else ()
            ),
        )
        if changes.changed:
            capabilities.append(changes)
    others = []
    for name, words in OTHER_TEXTS.items():
        if getattr(old, name) != getattr(new, name) and words not in others:
            others.append(words)
    return GuideChanges(
        capabilities=capabilities,
        questions=[p for p in pair_items(old.questions, new.questions) if p.changed],
        other_texts=others,
    )
