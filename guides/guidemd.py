"""The level guide's Markdown format: parse it into plain data and render it back.

A guide is authored in exactly one structure (title, level titles, overview, core-shift table,
capabilities, pitfalls, readiness, timeline). Anything else is refused with the line number and
what was expected there, so an author can fix the file instead of guessing. No ORM here: the
importer in `guides.services` turns a `GuideDoc` into rows.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

LEVEL_CODE = re.compile(r"(IC|M|E)([1-9][0-9]?)")

# Widths of the model columns these values land in; checked here so that an overlong line is
# refused with its line number instead of failing in the database.
LEVEL_TITLE_MAX = 100
SUBTITLE_MAX = 200
SHIFT_HEADING_MAX = 100
SHIFT_TEXT_MAX = 300
CAPABILITY_TITLE_MAX = 200
PITFALL_TITLE_MAX = 200

INDICATORS_LABEL = "**What this looks like:**"
PRACTICES_LABEL = "**How to develop this:**"
QUESTION_PREFIX = "*The fundamental question changes from '"
QUESTION_SEPARATOR = "' to '"
QUESTION_SUFFIX = "'*"

_TITLE = re.compile(r"# Progression Guide: (\S+) to (\S+)")
_CAPABILITY = re.compile(r"### ([0-9]{1,3})\. (.+)")
_DASH = "[-\u2013]"
_WINDOW = re.compile(rf"(?<![0-9])([0-9]{{1,3}}) ?{_DASH} ?([0-9]{{1,3}})\+?\s+months\b")
_YEARS = re.compile(rf"(?<![0-9])([0-9]{{1,3}}) ?{_DASH} ?([0-9]{{1,3}})\+?\s+years?\b")
_TABLE_SEPARATOR_CELL = re.compile(r":?-+:?")
_FOUND_MAX = 60


class GuideFormatError(ValueError):
    """The document does not follow the guide structure at `line` (1-based)."""

    def __init__(self, line: int, expected: str, found: str) -> None:
        self.line = line
        self.expected = expected
        self.found = found
        super().__init__(f"line {line}: expected {expected}, found {found}")


@dataclass(frozen=True)
class ShiftDoc:
    from_text: str
    to_text: str


@dataclass(frozen=True)
class CapabilityDoc:
    number: int
    title: str
    summary: str
    indicators: tuple[str, ...]
    practices: tuple[str, ...]


@dataclass(frozen=True)
class PitfallDoc:
    title: str
    text: str


@dataclass(frozen=True)
class GuideDoc:
    """Everything a guide document says. Prose keeps its lines; paragraphs are joined by a blank
    line. The evidence window and the timeline years are read from their introductions."""

    from_code: str
    to_code: str
    subtitle: str
    overview: str
    shift_from_heading: str
    shift_to_heading: str
    shifts: tuple[ShiftDoc, ...]
    question_before: str
    question_after: str
    capabilities: tuple[CapabilityDoc, ...]
    pitfalls: tuple[PitfallDoc, ...]
    readiness_intro: str
    min_months: int
    max_months: int
    track_record_steps: tuple[str, ...]
    questions: tuple[str, ...]
    self_assessment_note: str
    timeline_intro: str
    timeline_min_years: int
    timeline_max_years: int
    timeline_points: tuple[str, ...]
    closing_note: str

    @property
    def title(self) -> str:
        return f"Progression Guide: {self.from_code} to {self.to_code}"

    @property
    def from_title(self) -> str:
        return self.subtitle.split(" to ")[0]

    @property
    def to_title(self) -> str:
        return self.subtitle.split(" to ")[1]


@dataclass(frozen=True)
class _Block:
    """A heading line, or a run of lines of one kind (text, bullets, table rows)."""

    line: int
    kind: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _kind(line: str) -> str:
    if line.startswith("#"):
        return "heading"
    if line.startswith("- "):
        return "bullets"
    if line.startswith("|"):
        return "table"
    return "text"


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    start, kind, run = 0, "", []
    for number, line in enumerate(lines, start=1):
        line_kind = _kind(line) if line else ""
        if run and (line_kind != kind or kind == "heading"):
            blocks.append(_Block(start, kind, tuple(run)))
            run = []
        if line:
            if not run:
                start, kind = number, line_kind
            run.append(line)
    if run:
        blocks.append(_Block(start, kind, tuple(run)))
    return blocks


def _quote(text: str) -> str:
    if len(text) > _FOUND_MAX:
        text = text[: _FOUND_MAX - 1] + "…"
    return f"'{text}'"


class _Reader:
    def __init__(self, text: str) -> None:
        # Trailing whitespace carries no meaning in the format, and stripping it also takes
        # care of Windows line endings.
        lines = [line.rstrip() for line in text.split("\n")]
        self.blocks = _blocks(lines)
        self.index = 0
        last = self.blocks[-1] if self.blocks else None
        self.end_line = last.line + len(last.lines) if last else 1

    def peek(self) -> _Block | None:
        return self.blocks[self.index] if self.index < len(self.blocks) else None

    def fail(self, expected: str, block: _Block | None = None) -> GuideFormatError:
        block = block or self.peek()
        if block is None:
            return GuideFormatError(self.end_line, expected, "the end of the document")
        return GuideFormatError(block.line, expected, _quote(block.lines[0]))

    def take(self, kind: str, expected: str) -> _Block:
        block = self.peek()
        if block is None or block.kind != kind:
            raise self.fail(expected)
        self.index += 1
        return block

    def exact(self, text: str, context: str = "") -> None:
        """A heading or a bold label that must read exactly `text`."""
        block = self.peek()
        if block is None or block.text != text:
            raise self.fail(f"'{text}' {context}".rstrip())
        self.index += 1

    def at_heading(self, prefix: str) -> bool:
        block = self.peek()
        return block is not None and block.kind == "heading" and block.text.startswith(prefix)

    def paragraph_blocks(
        self, expected: str, stop: Callable[[_Block], bool] | None = None
    ) -> list[_Block]:
        """One or more text blocks, up to a block of another kind or one `stop` accepts."""
        blocks = []
        while (block := self.peek()) and block.kind == "text" and not (stop and stop(block)):
            blocks.append(block)
            self.index += 1
        if not blocks:
            raise self.fail(expected)
        return blocks

    def paragraphs(self, expected: str, stop: Callable[[_Block], bool] | None = None) -> str:
        return _join(self.paragraph_blocks(expected, stop))

    def bullets(self, expected: str) -> tuple[str, ...]:
        block = self.take("bullets", expected)
        return tuple(line[2:].strip() for line in block.lines)

    def end(self) -> None:
        if self.peek() is not None:
            raise self.fail("the end of the document after the closing note")


def _join(blocks: list[_Block]) -> str:
    return "\n\n".join(block.text for block in blocks)


def _check_length(line: int, value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        raise GuideFormatError(
            line, f"{what} of at most {limit} characters", f"{len(value)} characters"
        )


def _table_cells(line_number: int, line: str) -> list[str]:
    if len(line) < 2 or not line.endswith("|"):
        raise GuideFormatError(line_number, "a table row '| … | … |'", _quote(line))
    cells = [cell.strip() for cell in line[1:-1].split("|")]
    if len(cells) != 2 or not all(cells):
        raise GuideFormatError(line_number, "a table row with 2 non-empty cells", _quote(line))
    return cells


def _parse_title(reader: _Reader) -> tuple[str, str]:
    block = reader.peek()
    match = _TITLE.fullmatch(block.text) if block else None
    if match is None:
        raise reader.fail("'# Progression Guide: <from> to <to>'")
    from_code, to_code = match.groups()
    if not (LEVEL_CODE.fullmatch(from_code) and LEVEL_CODE.fullmatch(to_code)):
        raise reader.fail("level codes like IC4, M3 or E1 in the title")
    if from_code == to_code:
        raise reader.fail("two different levels in the title")
    reader.index += 1
    return from_code, to_code


def _parse_subtitle(reader: _Reader) -> str:
    expected = "'## <from level title> to <to level title>' with ' to ' once"
    if not reader.at_heading("## "):
        raise reader.fail(expected)
    block = reader.blocks[reader.index]
    subtitle = block.text[3:].strip()
    titles = subtitle.split(" to ")
    # Exactly one " to " with no stray spaces around it, so the titles split back unambiguously.
    if len(titles) != 2 or not all(title and title.strip() == title for title in titles):
        raise reader.fail(expected)
    _check_length(block.line, subtitle, SUBTITLE_MAX, "level titles")
    for title in titles:
        _check_length(block.line, title, LEVEL_TITLE_MAX, "a level title")
    reader.index += 1
    return subtitle


def _parse_shift_table(reader: _Reader) -> tuple[str, str, tuple[ShiftDoc, ...]]:
    table = reader.take("table", "the core-shift table '| <from> | <to> |'")
    rows = [_table_cells(table.line + i, line) for i, line in enumerate(table.lines)]
    if len(rows) < 3:
        raise reader.fail("a header row, a separator row and at least one row in the table")
    for cell in rows[0]:
        _check_length(table.line, cell, SHIFT_HEADING_MAX, "a table heading")
    if not all(_TABLE_SEPARATOR_CELL.fullmatch(cell) for cell in rows[1]):
        raise GuideFormatError(
            table.line + 1, "a separator row '|---|---|'", _quote(table.lines[1])
        )
    for i, row in enumerate(rows[2:], start=2):
        for cell in row:
            _check_length(table.line + i, cell, SHIFT_TEXT_MAX, "a table cell")
    shifts = tuple(ShiftDoc(from_text, to_text) for from_text, to_text in rows[2:])
    return rows[0][0], rows[0][1], shifts


def _parse_question(reader: _Reader) -> tuple[str, str]:
    expected = (
        f'the fundamental question "{QUESTION_PREFIX}…{QUESTION_SEPARATOR}…{QUESTION_SUFFIX}"'
    )
    block = reader.take("text", expected)
    text = block.text
    framed = (
        text.startswith(QUESTION_PREFIX)
        and text.endswith(QUESTION_SUFFIX)
        and len(text) > len(QUESTION_PREFIX) + len(QUESTION_SUFFIX)
    )
    # The first separator splits: a "before" question can then never contain one, which keeps
    # rendering and parsing inverse to each other.
    before, separator, after = text[len(QUESTION_PREFIX) : -len(QUESTION_SUFFIX)].partition(
        QUESTION_SEPARATOR
    )
    if not (framed and separator and before and after):
        raise reader.fail(expected, block)
    return before, after


def _is_label(block: _Block) -> bool:
    return block.text in (INDICATORS_LABEL, PRACTICES_LABEL)


def _parse_capability(reader: _Reader, number: int) -> CapabilityDoc:
    block = reader.peek()
    match = _CAPABILITY.fullmatch(block.text) if block else None
    if match is None or int(match[1]) != number:
        raise reader.fail(f"'### {number}. <capability title>'")
    title = match[2].strip()
    _check_length(block.line, title, CAPABILITY_TITLE_MAX, "a capability title")
    reader.index += 1
    summary = reader.paragraphs("a summary paragraph under the capability heading", _is_label)
    reader.exact(INDICATORS_LABEL, "after the capability summary")
    indicators = reader.bullets(f"at least one '- ' bullet under '{INDICATORS_LABEL}'")
    reader.exact(PRACTICES_LABEL, "after the capability's indicators")
    practices = reader.bullets(f"at least one '- ' bullet under '{PRACTICES_LABEL}'")
    return CapabilityDoc(number, title, summary, indicators, practices)


def _parse_pitfall(reader: _Reader) -> PitfallDoc:
    if not reader.at_heading("### "):
        raise reader.fail("'### <pitfall title>'")
    block = reader.take("heading", "")
    title = block.text[4:].strip()
    _check_length(block.line, title, PITFALL_TITLE_MAX, "a pitfall title")
    return PitfallDoc(title, reader.paragraphs("a paragraph explaining the pitfall"))


def _parse_range(
    reader: _Reader, blocks: list[_Block], pattern: re.Pattern[str], what: str
) -> tuple[int, int, int, str]:
    """The one range `pattern` finds in the introduction `blocks`: low, high, line, its text."""
    found = [
        (block.line + block.text.count("\n", 0, match.start()), match)
        for block in blocks
        for match in pattern.finditer(block.text)
    ]
    if not found:
        raise reader.fail(f"{what} in the introduction", blocks[0])
    if len(found) > 1:
        line, match = found[1]
        raise GuideFormatError(line, f"a single {what} in the introduction", _quote(match[0]))
    line, match = found[0]
    low, high = int(match[1]), int(match[2])
    if low > high:
        raise GuideFormatError(
            line, f"{what} whose first number is at most its second", _quote(match[0])
        )
    return low, high, line, match[0]


def parse_guide(text: str) -> GuideDoc:
    """Read a guide document; raise GuideFormatError where it first departs from the structure."""
    reader = _Reader(text)
    from_code, to_code = _parse_title(reader)
    subtitle = _parse_subtitle(reader)
    reader.exact("## Overview")
    overview = reader.paragraphs("an overview paragraph")
    reader.exact("## The Core Shift")
    shift_from_heading, shift_to_heading, shifts = _parse_shift_table(reader)
    question_before, question_after = _parse_question(reader)

    reader.exact("## Key Capabilities to Develop")
    capabilities = [_parse_capability(reader, 1)]
    while reader.at_heading("### "):
        capabilities.append(_parse_capability(reader, len(capabilities) + 1))

    reader.exact("## Common Pitfalls")
    pitfalls = [_parse_pitfall(reader)]
    while reader.at_heading("### "):
        pitfalls.append(_parse_pitfall(reader))

    reader.exact("## How to Demonstrate Readiness")
    readiness_intro = reader.paragraph_blocks("an introduction stating the evidence window")
    min_months, max_months, line, window = _parse_range(
        reader, readiness_intro, _WINDOW, "an evidence window like '12-24+ months'"
    )
    if min_months == 0 or min_months % 3:
        raise GuideFormatError(
            line, "an evidence window starting at a multiple of 3 months", _quote(window)
        )
    reader.exact("### Build a Track Record")
    track_record_steps = reader.bullets("at least one '- ' bullet of the track record")
    reader.exact("### Self-Assessment Questions")
    questions = reader.bullets("at least one '- ' self-assessment question")
    self_assessment_note = reader.paragraphs("a paragraph after the self-assessment questions")

    reader.exact("## Typical Timeline")
    timeline_intro = reader.paragraph_blocks("an introduction stating the years at level")
    min_years, max_years, _, _ = _parse_range(
        reader, timeline_intro, _YEARS, "a range of years like '3-5+ years'"
    )
    timeline_points = reader.bullets("at least one '- ' bullet of the timeline")
    expected = "a closing note in bold '**…**'"
    block = reader.take("text", expected)
    closing_note = block.text[2:-2]
    if not (block.text.startswith("**") and block.text.endswith("**") and closing_note.strip()):
        raise reader.fail(expected, block)
    reader.end()

    return GuideDoc(
        from_code=from_code,
        to_code=to_code,
        subtitle=subtitle,
        overview=overview,
        shift_from_heading=shift_from_heading,
        shift_to_heading=shift_to_heading,
        shifts=shifts,
        question_before=question_before,
        question_after=question_after,
        capabilities=tuple(capabilities),
        pitfalls=tuple(pitfalls),
        readiness_intro=_join(readiness_intro),
        min_months=min_months,
        max_months=max_months,
        track_record_steps=track_record_steps,
        questions=questions,
        self_assessment_note=self_assessment_note,
        timeline_intro=_join(timeline_intro),
        timeline_min_years=min_years,
        timeline_max_years=max_years,
        timeline_points=timeline_points,
        closing_note=closing_note,
    )


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _table(doc: GuideDoc) -> str:
    headings = (doc.shift_from_heading, doc.shift_to_heading)
    separator = "|" + "|".join("-" * (len(heading) + 2) for heading in headings) + "|"
    rows = [(shift.from_text, shift.to_text) for shift in doc.shifts]
    header, *body = [f"| {left} | {right} |" for left, right in [headings, *rows]]
    return "\n".join([header, separator, *body])


def render_guide(doc: GuideDoc) -> str:
    """Write `doc` in the guide structure; `parse_guide` reads it back as an equal GuideDoc."""
    blocks = [
        f"# {doc.title}",
        f"## {doc.subtitle}",
        "## Overview",
        doc.overview,
        "## The Core Shift",
        _table(doc),
        f"{QUESTION_PREFIX}{doc.question_before}{QUESTION_SEPARATOR}"
        f"{doc.question_after}{QUESTION_SUFFIX}",
        "## Key Capabilities to Develop",
    ]
    for capability in doc.capabilities:
        blocks += [
            f"### {capability.number}. {capability.title}",
            capability.summary,
            INDICATORS_LABEL,
            _bullets(capability.indicators),
            PRACTICES_LABEL,
            _bullets(capability.practices),
        ]
    blocks.append("## Common Pitfalls")
    for pitfall in doc.pitfalls:
        blocks += [f"### {pitfall.title}", pitfall.text]
    blocks += [
        "## How to Demonstrate Readiness",
        doc.readiness_intro,
        "### Build a Track Record",
        _bullets(doc.track_record_steps),
        "### Self-Assessment Questions",
        _bullets(doc.questions),
        doc.self_assessment_note,
        "## Typical Timeline",
        doc.timeline_intro,
        _bullets(doc.timeline_points),
        f"**{doc.closing_note}**",
    ]
    return "\n\n".join(blocks) + "\n"
