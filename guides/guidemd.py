"""The level guide's Markdown format: parse it into plain data and render it back.

markdown-it-py reads the CommonMark and this module maps its tokens onto the guide's structure, so
what CommonMark reads alike imports alike (`*` or `-` bullets, setext or ATX headings, escapes).
Anything else is refused with the line number and what was expected there. Text is kept as
canonical inline Markdown: the author's characters, `*` for emphasis, a backslash only where a
character would read as markup; `render_guide` writes that form back. No ORM here.
"""

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

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
_QUESTION_LEAD = "The fundamental question changes from "
# Opening quote → closing quote, as typed or as a word processor curls them.
_QUOTES = {"'": "'", "\u2018": "\u2019", '"': '"', "\u201c": "\u201d"}

_TITLE = re.compile(r"Progression Guide: (\S+) to (\S+)")
_CAPABILITY = re.compile(r"([0-9]{1,3})[.)]\s+(.+)", re.DOTALL)
_RANGE = r"(?<![0-9])([0-9]{1,3}) ?[-\u2013] ?([0-9]{1,3})\+?\s+"
_WINDOW, _YEARS = re.compile(_RANGE + r"months\b"), re.compile(_RANGE + r"years?\b")
_FOUND_MAX = 60

_parser = MarkdownIt("commonmark", {"html": False}).enable("table")
_NEWLINES = re.compile(r"\r\n?|\n")  # as markdown-it normalises them
# Characters that may open inline markup anywhere, and those that may open a block at a line's
# start (a heading, quote, list, fence, setext underline or table separator).
_ALWAYS = re.compile(r"[\\*_`\[\]<|]|&(?=#?\w+;)")
_LINE_MARK = re.compile(r"^[#>~:+=-]")
_LINE_NUMBER = re.compile(r"^([0-9]{1,9})([.)])")


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


def _target(link: Token) -> str:
    """A link's or an image's `(destination "title")`."""
    href, title = str(link.attrGet("href") or link.attrGet("src") or ""), link.attrGet("title")
    target = f"<{href}>" if not href or re.search(r"[\s()<>]", href) else href
    title = ' "' + re.sub(r'([\\"])', r"\\\1", str(title)) + '"' if title else ""
    return f"({target}{title})"


def _code_span(code: str) -> str:
    fence = "`" * (max(map(len, re.findall("`+", code)), default=0) + 1)
    edges = code[:1] + code[-1:]
    pad = " " if "`" in edges or (edges == "  " and code.strip(" ")) else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _flanked(before: str, tokens: list[Token], start: int) -> bool:
    """Whether '_' may open the span at `start` and close it: no letter or digit either side."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            following = tokens[index + 1 : index + 2]
            after = following[0].content[:1] if following and following[0].type == "text" else ""
            return not (before.isalnum() or after.isalnum())
    return False


def _inline(tokens: list[Token], block: bool = True) -> str:
    """Canonical Markdown for inline tokens. `block` text may start lines, which a heading's or a
    table cell's cannot; there a line break reads as a space."""
    out: list[str] = []
    links: list[Token] = []
    marks: list[str] = []  # of the emphasis spans open here
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "text" and links and links[-1].markup == "autolink":
            out.append(token.content)
        elif kind == "text":
            text = _ALWAYS.sub(r"\\\g<0>", token.content)
            if block and (not out or out[-1].endswith("\n")):
                text = _LINE_NUMBER.sub(r"\1\\\2", _LINE_MARK.sub(r"\\\g<0>", text.lstrip()))
            out.append(text)
        elif kind in ("softbreak", "hardbreak"):
            # Spaces before a line break are not text; a break opens no line in a heading.
            out[-1:] = [part.rstrip(" ") for part in out[-1:]]
            out.append("\n" if block else " ")
        elif kind in ("em_open", "strong_open"):
            # Inside a '*' span or right after a '*', another '*' could pair with the wrong one.
            last = "".join(out)[-1:]
            star = last != "*" and marks[-1:] not in (["*"], ["**"])
            mark = "*" if star or not _flanked(last, tokens, index) else "_"
            marks.append(mark * (2 if kind == "strong_open" else 1))
            out.append(marks[-1])
        elif kind in ("em_close", "strong_close"):
            out.append(marks.pop())
        elif kind == "code_inline":
            out.append(_code_span(token.content))
        elif kind == "link_open":
            links.append(token)
            out.append("<" if token.markup == "autolink" else "[")
        elif kind == "link_close":
            link = links.pop()
            out.append(">" if link.markup == "autolink" else f"]{_target(link)}")
        elif kind == "image":
            out.append(f"![{_inline(token.children or [], False)}]{_target(token)}")
        else:
            out.append(token.content)
    # Blank lines would split the paragraph; whitespace at either end is not part of it.
    text = re.sub(r"\n\s*(?=\n)", "", "".join(out)).strip()
    # A heading's trailing run of '#' would read as its closing sequence.
    return text[:-1] + "\\#" if not block and text.endswith("#") else text


def _framed(tokens: list[Token], opener: str) -> str | None:
    """The inner Markdown when one `opener` span (em or strong) wraps the whole paragraph."""
    closer, depth = opener.replace("_open", "_close"), 0
    tokens = [token for token in tokens if token.type != "text" or token.content]
    if len(tokens) < 2 or tokens[0].type != opener or tokens[-1].type != closer:
        return None
    for token in tokens[1:-1]:
        if (depth := depth + {opener: 1, closer: -1}.get(token.type, 0)) < 0:
            return None
    return _inline(tokens[1:-1])


@dataclass(frozen=True)
class _Block:
    """One top-level block: a heading, a paragraph, a list, a table, or anything else. A list's
    rows are its items, each (line, (text,)) or (line, ()) when it is not one paragraph; a table's
    rows are (line, cells), with no cells when the row's own count of them is off."""

    line: int
    kind: str
    level: int = 0
    text: str = ""
    inline: tuple[Token, ...] = ()
    rows: tuple[tuple[int, tuple[str, ...]], ...] = ()


def _rows(tokens: list[Token], lines: list[str]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """A list's items or a table's rows, from the tokens between the block's own open and close."""
    rows, depth, start, inside = [], 0, 0, []
    for token in tokens:
        depth += min(token.nesting, 0)
        if depth == 0 and token.nesting == 1:
            start, inside = token.map[0], []
        elif depth == 0 and token.type == "list_item_close":
            kinds = [t.type for t in inside]
            one = kinds == ["paragraph_open", "inline", "paragraph_close"]
            text = _inline(inside[1].children or []) if one else ""
            rows.append((start + 1, (text,) if text else ()))
        elif token.type == "tr_close":
            cells = tuple(_inline(t.children or [], False) for t in inside if t.type == "inline")
            # The table pads or cuts rows to its header's width; count the row's own cells.
            split = escapedSplit(lines[start].strip())
            own = len(split) - (split[:1] == [""]) - (len(split) > 1 and split[-1] == "")
            rows.append((start + 1, cells if own == len(cells) else ()))
        elif token.type == "tr_open":
            start, inside = token.map[0], []
        elif depth > 0:
            inside.append(token)
        depth += max(token.nesting, 0)
    return tuple(rows)


def _blocks(text: str) -> tuple[list[_Block], list[str]]:
    lines, tokens, blocks = _NEWLINES.split(text), _parser.parse(text), []
    index = 0
    while index < len(tokens):
        token, end, depth = tokens[index], index + 1, tokens[index].nesting
        while depth:
            depth += tokens[end].nesting
            end += 1
        line, kind = token.map[0] + 1, token.type.removesuffix("_open")
        children = tokens[index + 1].children or [] if kind in ("heading", "paragraph") else []
        if kind == "heading":
            blocks.append(_Block(line, kind, int(token.tag[1]), _inline(children, False)))
        elif kind == "paragraph" and (text := _inline(children)):
            blocks.append(_Block(line, kind, text=text, inline=tuple(children)))
        elif kind in ("bullet_list", "ordered_list", "table"):
            kind = "table" if kind == "table" else "list"
            rows = _rows(tokens[index + 1 : end - 1], lines)
            # Bullets whose marker changes mid-list still make one list.
            if kind == "list" and blocks and blocks[-1].kind == "list":
                previous = blocks.pop()
                line, rows = previous.line, previous.rows + rows
            blocks.append(_Block(line, kind, rows=rows))
        elif kind != "paragraph":
            blocks.append(_Block(line, kind))
        index = end
    return blocks, lines


def _quote(text: str) -> str:
    return f"'{text[: _FOUND_MAX - 1] + '…' if len(text) > _FOUND_MAX else text}'"


class _Reader:
    def __init__(self, text: str) -> None:
        self.blocks, self.lines = _blocks(text.removeprefix("\ufeff"))
        self.index = 0
        # The line after the last one that holds text.
        self.end_line = max((n for n, line in enumerate(self.lines, 2) if line.strip()), default=1)

    def peek(self) -> _Block | None:
        return self.blocks[self.index] if self.index < len(self.blocks) else None

    def fail(self, expected: str, block: _Block | None = None) -> GuideFormatError:
        block = block or self.peek()
        if block is None:
            return GuideFormatError(self.end_line, expected, "the end of the document")
        return GuideFormatError(block.line, expected, self.found(block.line))

    def found(self, line: int) -> str:
        return _quote(self.lines[line - 1].strip())

    def at(self, kind: str, level: int = 0) -> bool:
        block = self.peek()
        return block is not None and block.kind == kind and block.level == level

    def take(self, kind: str, expected: str, level: int = 0) -> _Block:
        if not self.at(kind, level):
            raise self.fail(expected)
        self.index += 1
        return self.blocks[self.index - 1]

    def exact(self, level: int, text: str) -> None:
        expected = f"'{'#' * level} {text}'"
        if self.take("heading", expected, level).text != text:
            raise self.fail(expected, self.blocks[self.index - 1])

    def label(self, label: str, context: str) -> None:
        if (block := self.peek()) is None or _label(block) != label:
            raise self.fail(f"'{label}' {context}")
        self.index += 1

    def paragraphs(self, expected: str, labels: bool = False) -> list[_Block]:
        """One or more paragraphs, up to a block of another kind (or a label, with `labels`)."""
        start = self.index
        while self.at("paragraph") and not (labels and _label(self.blocks[self.index])):
            self.index += 1
        if self.index == start:
            raise self.fail(expected)
        return self.blocks[start : self.index]

    def bullets(self, expected: str) -> tuple[str, ...]:
        block = self.take("list", expected)
        for line, texts in block.rows:
            if not texts:
                raise GuideFormatError(line, "a bullet of one paragraph", self.found(line))
        return tuple(texts[0] for _, texts in block.rows)


def _join(blocks: list[_Block]) -> str:
    return "\n\n".join(block.text for block in blocks)


def _label(block: _Block) -> str | None:
    """The bold label a paragraph is, with its colon inside or outside the bold."""
    text = block.text[:-3] + ":**" if block.text.endswith("**:") else block.text
    labels = (INDICATORS_LABEL, PRACTICES_LABEL)
    return text if block.kind == "paragraph" and text in labels else None


def _check_length(line: int, value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        expected = f"{what} of at most {limit} characters"
        raise GuideFormatError(line, expected, f"{len(value)} characters")


def _parse_levels(reader: _Reader) -> tuple[str, str, str]:
    """The title's level codes and the subtitle naming their titles."""
    block = reader.peek()
    match = _TITLE.fullmatch(block.text) if reader.at("heading", 1) and block else None
    if match is None:
        raise reader.fail("'# Progression Guide: <from> to <to>'")
    from_code, to_code = match.groups()
    if not (LEVEL_CODE.fullmatch(from_code) and LEVEL_CODE.fullmatch(to_code)):
        raise reader.fail("level codes like IC4, M3 or E1 in the title")
    if from_code == to_code:
        raise reader.fail("two different levels in the title")
    reader.index += 1
    expected = "'## <from level title> to <to level title>' with ' to ' once"
    block = reader.take("heading", expected, 2)
    titles = block.text.split(" to ")
    # Exactly one " to " with no stray spaces around it, so the titles split back unambiguously.
    if len(titles) != 2 or not all(title and title.strip() == title for title in titles):
        raise reader.fail(expected, block)
    _check_length(block.line, block.text, SUBTITLE_MAX, "level titles")
    for title in titles:
        _check_length(block.line, title, LEVEL_TITLE_MAX, "a level title")
    return from_code, to_code, block.text


def _parse_shift_table(reader: _Reader) -> tuple[str, str, tuple[ShiftDoc, ...]]:
    table = reader.take("table", "the core-shift table '| <from> | <to> |'")
    for line, cells in table.rows:
        if len(cells) != 2 or not all(cells):
            raise GuideFormatError(line, "a table row with 2 non-empty cells", reader.found(line))
    if len(table.rows) < 2:
        raise reader.fail("a header row, a separator row and at least one row in the table")
    (_, (from_heading, to_heading)), *body = table.rows
    for cell in (from_heading, to_heading):
        _check_length(table.line, cell, SHIFT_HEADING_MAX, "a table heading")
    for line, cells in body:
        for cell in cells:
            _check_length(line, cell, SHIFT_TEXT_MAX, "a table cell")
    return from_heading, to_heading, tuple(ShiftDoc(*cells) for _, cells in body)


def _parse_question(reader: _Reader) -> tuple[str, str]:
    expected = f"the fundamental question \"*{_QUESTION_LEAD}'…' to '…'*\""
    block = reader.take("paragraph", expected)
    inner = _framed(list(block.inline), "em_open") or ""
    # The line is in italics already: emphasis inside it could not be written back unambiguously.
    body = "" if "*" in re.sub(r"\\.", "", inner) else inner.removeprefix(_QUESTION_LEAD)
    opening, closing = body[:1], _QUOTES.get(body[:1], "")
    # The first separator splits: a "before" question can then never contain one, which keeps
    # rendering and parsing inverse to each other.
    before, _, after = body[1:-1].partition(f"{closing} to {opening}")
    if not (body != inner and closing and body.endswith(closing) and before and after):
        raise reader.fail(expected, block)
    return before, after


def _parse_capability(reader: _Reader, number: int) -> CapabilityDoc:
    expected = f"'### {number}. <capability title>'"
    block = reader.take("heading", expected, 3)
    match = _CAPABILITY.fullmatch(block.text)
    if match is None or int(match[1]) != number:
        raise reader.fail(expected, block)
    title = match[2].strip()
    _check_length(block.line, title, CAPABILITY_TITLE_MAX, "a capability title")
    summary = reader.paragraphs("a summary paragraph under the capability heading", labels=True)
    reader.label(INDICATORS_LABEL, "after the capability summary")
    indicators = reader.bullets(f"at least one '- ' bullet under '{INDICATORS_LABEL}'")
    reader.label(PRACTICES_LABEL, "after the capability's indicators")
    practices = reader.bullets(f"at least one '- ' bullet under '{PRACTICES_LABEL}'")
    return CapabilityDoc(number, title, _join(summary), indicators, practices)


def _parse_pitfall(reader: _Reader) -> PitfallDoc:
    block = reader.take("heading", "'### <pitfall title>'", 3)
    if not block.text:
        raise reader.fail("'### <pitfall title>'", block)
    _check_length(block.line, block.text, PITFALL_TITLE_MAX, "a pitfall title")
    return PitfallDoc(block.text, _join(reader.paragraphs("a paragraph explaining the pitfall")))


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
    line, match = found[min(1, len(found) - 1)]
    if len(found) > 1:
        raise GuideFormatError(line, f"a single {what} in the introduction", _quote(match[0]))
    if int(match[1]) > int(match[2]):
        expected = f"{what} whose first number is at most its second"
        raise GuideFormatError(line, expected, _quote(match[0]))
    return int(match[1]), int(match[2]), line, match[0]


def parse_guide(text: str) -> GuideDoc:
    """Read a guide document; raise GuideFormatError where it first departs from the structure."""
    reader = _Reader(text)
    doc: dict = dict(zip(("from_code", "to_code", "subtitle"), _parse_levels(reader), strict=True))
    reader.exact(2, "Overview")
    doc["overview"] = _join(reader.paragraphs("an overview paragraph"))
    reader.exact(2, "The Core Shift")
    doc["shift_from_heading"], doc["shift_to_heading"], doc["shifts"] = _parse_shift_table(reader)
    doc["question_before"], doc["question_after"] = _parse_question(reader)

    reader.exact(2, "Key Capabilities to Develop")
    capabilities = [_parse_capability(reader, 1)]
    while reader.at("heading", 3):
        capabilities.append(_parse_capability(reader, len(capabilities) + 1))
    reader.exact(2, "Common Pitfalls")
    pitfalls = [_parse_pitfall(reader)]
    while reader.at("heading", 3):
        pitfalls.append(_parse_pitfall(reader))

    reader.exact(2, "How to Demonstrate Readiness")
    intro = reader.paragraphs("an introduction stating the evidence window")
    low, high, line, window = _parse_range(
        reader, intro, _WINDOW, "an evidence window like '12-24+ months'"
    )
    if low == 0 or low % 3:
        expected = "an evidence window starting at a multiple of 3 months"
        raise GuideFormatError(line, expected, _quote(window))
    doc.update(readiness_intro=_join(intro), min_months=low, max_months=high)
    reader.exact(3, "Build a Track Record")
    doc["track_record_steps"] = reader.bullets("at least one '- ' bullet of the track record")
    reader.exact(3, "Self-Assessment Questions")
    doc["questions"] = reader.bullets("at least one '- ' self-assessment question")
    note = reader.paragraphs("a paragraph after the self-assessment questions")
    doc["self_assessment_note"] = _join(note)

    reader.exact(2, "Typical Timeline")
    intro = reader.paragraphs("an introduction stating the years at level")
    low, high, _, _ = _parse_range(reader, intro, _YEARS, "a range of years like '3-5+ years'")
    doc.update(timeline_intro=_join(intro), timeline_min_years=low, timeline_max_years=high)
    doc["timeline_points"] = reader.bullets("at least one '- ' bullet of the timeline")
    expected = "a closing note in bold '**…**'"
    block = reader.take("paragraph", expected)
    if not (closing_note := _framed(list(block.inline), "strong_open")):
        raise reader.fail(expected, block)
    if reader.peek() is not None:
        raise reader.fail("the end of the document after the closing note")
    capabilities, pitfalls = tuple(capabilities), tuple(pitfalls)
    return GuideDoc(**doc, capabilities=capabilities, pitfalls=pitfalls, closing_note=closing_note)


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join("- " + item.replace("\n", "\n  ") for item in items)


def _table(doc: GuideDoc) -> str:
    headings = (doc.shift_from_heading, doc.shift_to_heading)
    separator = "|" + "|".join("-" * (len(heading) + 2) for heading in headings) + "|"
    rows = [headings, *((shift.from_text, shift.to_text) for shift in doc.shifts)]
    header, *body = [f"| {left} | {right} |" for left, right in rows]
    return "\n".join([header, separator, *body])


def _question(doc: GuideDoc) -> str:
    # Straight quotes unless the first question holds their separator and would split early.
    pairs = [(o, c) for o, c in _QUOTES.items() if f"{c} to {o}" not in doc.question_before]
    o, c = (pairs or [("'", "'")])[0]
    return f"*{_QUESTION_LEAD}{o}{doc.question_before}{c} to {o}{doc.question_after}{c}*"


def render_guide(doc: GuideDoc) -> str:
    """Write `doc` in the guide structure; `parse_guide` reads it back as an equal GuideDoc."""
    # A closing note with emphasis of its own is framed in '__', which that cannot pair with.
    bold = "__" if "*" in re.sub(r"\\.", "", doc.closing_note) else "**"
    blocks = [f"# {doc.title}", f"## {doc.subtitle}", "## Overview", doc.overview]
    blocks += ["## The Core Shift", _table(doc), _question(doc), "## Key Capabilities to Develop"]
    for c in doc.capabilities:
        blocks += [f"### {c.number}. {c.title}", c.summary, INDICATORS_LABEL]
        blocks += [_bullets(c.indicators), PRACTICES_LABEL, _bullets(c.practices)]
    blocks.append("## Common Pitfalls")
    for pitfall in doc.pitfalls:
        blocks += [f"### {pitfall.title}", pitfall.text]
    blocks += ["## How to Demonstrate Readiness", doc.readiness_intro, "### Build a Track Record"]
    blocks += [_bullets(doc.track_record_steps), "### Self-Assessment Questions"]
    blocks += [_bullets(doc.questions), doc.self_assessment_note, "## Typical Timeline"]
    blocks += [doc.timeline_intro, _bullets(doc.timeline_points), bold + doc.closing_note + bold]
    return "\n\n".join(blocks) + "\n"
