"""The user's guide saved the ways editors save Markdown: each variant imports as the same data,
and exporting it writes the canonical form, which imports as that data again."""

import dataclasses
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guides.guidemd import GuideDoc, GuideFormatError, parse_guide, render_guide

Transform = Callable[[str], str]


def _sub(pattern: str, replacement: str | Callable) -> Transform:
    return lambda text: re.sub(pattern, replacement, text, flags=re.MULTILINE)


def _bullets(marker: str) -> Transform:
    return _sub(r"^- ", f"{marker} ")


def _curly(text: str) -> str:
    """Quotes and apostrophes as a word processor curls them."""
    return re.sub(r"(?:(?<=^)|(?<=[\s(]))'", "\u2018", text, flags=re.MULTILINE).replace(
        "'", "\u2019"
    )


def _setext(text: str) -> str:
    def underline(match: re.Match) -> str:
        return f"{match[2]}\n{'=' if len(match[1]) == 1 else '-' * 3}"

    return re.sub(r"^(#{1,2}) (.+)$", underline, text, flags=re.MULTILINE)


def _escape_line(line: str) -> str:
    if re.fullmatch(r"[\s|:=-]*", line):
        return line
    line = re.sub(r"(?<=\S)([-+'])", r"\\\1", line)
    return re.sub(r"^(### [0-9]+)([.)])", r"\1\\\2", line)


def _escapes(text: str) -> str:
    """Backslashes before punctuation, as Google Docs and Notion export it."""
    return "\n".join(_escape_line(line) for line in text.split("\n"))


def _tabs(text: str) -> str:
    text = _sub(r"^([-*+]|[0-9]+[.)]|#+) ", "\\1\t")(text)
    return _sub(r"^\| (.*) \|$", lambda m: "|\t" + m[1].replace(" | ", "\t|\t") + "\t|")(text)


# Applied in this order, so that each finds what it looks for whatever came before it.
TRANSFORMS: dict[str, Transform] = {
    "capability numbers with a parenthesis": _sub(r"^(### [0-9]+)\. ", r"\1) "),
    "bold label with the colon outside": _sub(r"^\*\*(.+):\*\*$", r"**\1**:"),
    "underscores for bold and italics": lambda text: _sub(r"^\*(The .+)\*$", r"_\1_")(
        _sub(r"\*\*(.+?)\*\*", r"__\1__")(text)
    ),
    "curly quotes and apostrophes": _curly,
    "escaped punctuation": _escapes,
    "setext headings": _setext,
    "closing hashes on headings": _sub(r"^(#+ .+)$", r"\1 ##"),
    "table alignment colons": _sub(r"^\|-+\|-+\|$", "|:---|---:|"),
    "table without outer pipes": _sub(r"^\| (.*) \|$", r"\1"),
    "tabs after markers": _tabs,
    "trailing spaces": _sub(r"$", "  \t"),
    "extra blank lines": lambda text: "\n\n" + text.replace("\n\n", "\n\n\n\n") + "\n\n",
    "windows line endings": lambda text: text.replace("\n", "\r\n"),
    "byte order mark": lambda text: "\ufeff" + text,
}
BULLETS: dict[str, Transform] = {
    "'*' bullets": _bullets("*"),
    "'+' bullets": _bullets("+"),
    "'1.' numbered lists": _bullets("1."),
    "'1)' numbered lists": _bullets("1)"),
}
ALL = {**BULLETS, **TRANSFORMS}


def _map_text(value, change: Transform):
    """`value` (a doc, a part of one, or a tuple of them) with `change` applied to its text."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, tuple):
        return tuple(_map_text(item, change) for item in value)
    if dataclasses.is_dataclass(value):
        changed = {
            f.name: _map_text(getattr(value, f.name), change) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changed)
    return value


def _variant(text: str, names) -> str:
    for name, transform in ALL.items():
        if name in names:
            text = transform(text)
    return text


def _expected(seed_doc: GuideDoc, names) -> GuideDoc:
    curly = "curly quotes and apostrophes" in names
    return _map_text(seed_doc, _curly) if curly else seed_doc


def _assert_imports_as(text: str, expected: GuideDoc) -> None:
    doc = parse_guide(text)
    assert doc == expected
    exported = render_guide(doc)
    assert exported == render_guide(expected)
    assert parse_guide(exported) == doc


def test_every_variant_changes_the_text(seed_guide_text):
    for name in ALL:
        assert _variant(seed_guide_text, [name]) != seed_guide_text, name


@pytest.mark.parametrize("name", list(ALL))
def test_variant_imports_as_the_seed(seed_guide_text, name):
    seed_doc = parse_guide(seed_guide_text)
    _assert_imports_as(_variant(seed_guide_text, [name]), _expected(seed_doc, [name]))


def test_curly_text_stays_curly(seed_guide_text):
    doc = parse_guide(_curly(seed_guide_text))
    practice = doc.capabilities[0].practices[0]
    assert "\u2018delivering what\u2019s asked\u2019" in practice
    assert "\u2018delivering what\u2019s asked\u2019" in render_guide(doc)
    assert doc.question_before == parse_guide(seed_guide_text).question_before


def test_literal_asterisk_escaped_or_not_is_the_same(seed_guide_text):
    plain = seed_guide_text.replace("(when applicable)", "(when applicable *)")
    escaped = seed_guide_text.replace("(when applicable)", "(when applicable \\*)")
    assert parse_guide(plain) == parse_guide(escaped)
    assert parse_guide(plain).shifts[7].to_text.endswith("(when applicable \\*)")


def test_emphasis_inside_text_is_kept_in_one_spelling(seed_guide_text):
    doc = parse_guide(seed_guide_text.replace("not just capability", "not _just_ __capability__"))
    assert doc.capabilities[0].indicators[4].endswith("not *just* **capability**")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("- You own outcomes", "- > You own outcomes", "a bullet of one paragraph"),
        ("| E1 (Director) |", "| E1 (Director) | E2 |", "the core-shift table"),
        ("## Overview", "### Overview", "'## Overview'"),
        ("*The fundamental", "The fundamental", "the fundamental question"),
    ],
)
def test_structural_errors_name_their_line(seed_guide_text, old, new, expected):
    line = seed_guide_text[: seed_guide_text.index(old)].count("\n") + 1
    with pytest.raises(GuideFormatError) as caught:
        parse_guide(seed_guide_text.replace(old, new, 1))
    assert caught.value.line == line
    assert caught.value.expected.startswith(expected)


VARIANTS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@VARIANTS
@given(
    bullets=st.sampled_from([None, *BULLETS]),
    names=st.sets(st.sampled_from(list(TRANSFORMS)), min_size=2),
)
def test_combined_variants_import_as_the_seed(seed_guide_text, bullets, names):
    names = names | {bullets} if bullets else names
    _assert_imports_as(
        _variant(seed_guide_text, names), _expected(parse_guide(seed_guide_text), names)
    )


# Characters that mean something to Markdown somewhere, in text where they should not.
MARKUP = st.text(alphabet="ab 1.#*_`[]()<>&;!|\\-+=:~'\"\u2018\u2019\u00a0\t\n", max_size=40)


# Most of these texts break the structure somewhere; enough examples leave a good number whole.
@settings(VARIANTS, max_examples=200)
@given(data=st.data())
def test_any_text_exports_to_a_form_that_imports_the_same(seed_guide_text, data):
    seed_doc = parse_guide(seed_guide_text)
    capability = seed_doc.capabilities[1]
    capability = dataclasses.replace(
        capability,
        summary=data.draw(MARKUP),
        indicators=(data.draw(MARKUP), *capability.indicators[1:]),
    )
    doc = dataclasses.replace(
        seed_doc,
        capabilities=(seed_doc.capabilities[0], capability, *seed_doc.capabilities[2:]),
        shifts=(type(seed_doc.shifts[0])(data.draw(MARKUP), "x"), *seed_doc.shifts[1:]),
        pitfalls=(type(seed_doc.pitfalls[0])(data.draw(MARKUP), data.draw(MARKUP)),),
        question_before=data.draw(MARKUP),
        closing_note=data.draw(MARKUP),
    )
    try:
        imported = parse_guide(render_guide(doc))
    except GuideFormatError:
        return
    assert parse_guide(render_guide(imported)) == imported
