"""A guide's text two ways: as people read it, and as its Markdown writes it.

guides.guidemd reads and writes text as canonical inline Markdown, with a backslash before any
character that would otherwise read as markup (`window.\\_\\_init`). The models hold the text as
people read it (`window.__init`), which pages, packets, spreadsheets and mail show as it is:
`as_read` turns a parsed document into that, and `as_written` turns a stored one back, escaping
every such character again, so import → export → import gives the same rows.
"""

import dataclasses
import re

from guides.guidemd import _ALWAYS, _LINE_MARK, _LINE_NUMBER, GuideDoc

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation


def plain(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def marked(text: str, *, lines: bool = False, heading: bool = False) -> str:
    """`text` as literal Markdown: where a paragraph's `lines` start, or as a `heading`'s (or a
    table cell's) text, whose trailing '#' would close it."""
    text = _ALWAYS.sub(r"\\\g<0>", text)
    if lines:
        text = "\n".join(
            _LINE_NUMBER.sub(r"\1\\\2", _LINE_MARK.sub(r"\\\g<0>", line))
            for line in text.split("\n")
        )
    return text[:-1] + "\\#" if heading and text.endswith("#") else text


_PROSE = (
    "overview",
    "readiness_intro",
    "self_assessment_note",
    "timeline_intro",
    "closing_note",
)
_PROSE_LISTS = ("track_record_steps", "questions", "timeline_points")
_HEADINGS = ("subtitle", "shift_from_heading", "shift_to_heading")
_INLINE = ("question_before", "question_after")


def _each(doc: GuideDoc, prose, heading, inline) -> GuideDoc:
    return dataclasses.replace(
        doc,
        **{name: prose(getattr(doc, name)) for name in _PROSE},
        **{name: tuple(map(prose, getattr(doc, name))) for name in _PROSE_LISTS},
        **{name: heading(getattr(doc, name)) for name in _HEADINGS},
        **{name: inline(getattr(doc, name)) for name in _INLINE},
        shifts=tuple(
            dataclasses.replace(s, from_text=heading(s.from_text), to_text=heading(s.to_text))
            for s in doc.shifts
        ),
        capabilities=tuple(
            dataclasses.replace(
                c,
                title=heading(c.title),
                summary=prose(c.summary),
                indicators=tuple(map(prose, c.indicators)),
                practices=tuple(map(prose, c.practices)),
            )
            for c in doc.capabilities
        ),
        pitfalls=tuple(
            dataclasses.replace(p, title=heading(p.title), text=prose(p.text)) for p in doc.pitfalls
        ),
    )


def as_read(doc: GuideDoc) -> GuideDoc:
    """A parsed document's text as people read it, as the models keep it."""
    return _each(doc, plain, plain, plain)


def as_written(doc: GuideDoc) -> GuideDoc:
    """A stored document's text as the guide's Markdown writes it, as `parse_guide` gives it."""
    return _each(
        doc,
        lambda text: marked(text, lines=True),
        lambda text: marked(text, heading=True),
        marked,
    )
