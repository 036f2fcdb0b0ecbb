"""The level guide's Markdown format, parsed into plain data by mapping markdown-it-py's tokens
onto the guide's structure (so what CommonMark reads alike imports alike), and rendered back.
Anything else is refused with its line number and what was expected. Text is kept as canonical
inline Markdown: the author's characters, `*` for emphasis, a backslash only where a character
would read as markup. No ORM here."""

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

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
        self.line, self.expected, self.found = line, expected, found
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
    title = ' "' + re.sub(r'([\\"])', r"\\\1", str(title)) + '"' if title else ""
    return f"(<{href}>{title})" if not href or re.search(r"[\s()<>]", href) else f"({href}{title})"


def _flanked(before: str, tokens: list[Token], start: int) -> bool:
    """Whether '_' may open the span at `start` and close it: no letter or digit either side."""
    depth = 0
    for index, token in enumerate(tokens[start:], start):
        if (depth := depth + token.nesting) == 0:
            after = "".join(t.content[:1] for t in tokens[index + 1 :][:1] if t.type == "text")
            return not (before.isalnum() or after.isalnum())
    return False


def _inline(tokens: list[Token], block: bool = True) -> str:
    """Canonical Markdown for inline tokens; only `block` text (not a heading's) starts lines."""
    out: list[str] = []
    links: list[Token] = []
    marks: list[str] = []  # of the emphasis spans open here
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "text" and not (links and links[-1].markup == "autolink"):
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
            code, edges = token.content, token.content[:1] + token.content[-1:]
            fence = "`" * (max(map(len, re.findall("`+", code)), default=0) + 1)
            pad = " " if "`" in edges or (edges == "  " and code.strip(" ")) else ""
            out.append(f"{fence}{pad}{code}{pad}{fence}")
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


def _framed(inline: SyntaxTreeNode, kind: str) -> str | None:
    """The inner Markdown when one `kind` span (em or strong) wraps the whole paragraph."""
    spans = [node for node in inline.children if node.type != "text" or node.content]
    return _inline(spans[0].to_tokens()[1:-1]) if [n.type for n in spans] == [kind] else None


def _text(node: SyntaxTreeNode, block: bool = True) -> str:
    """A heading's, a paragraph's or a table cell's canonical Markdown."""
    return _inline(node.children[0].token.children or [], block) if node.children else ""


@dataclass(frozen=True)
class _Block:
    """A top-level heading, paragraph, list, table or other block. Its rows are a list's items,
    (line, (text,)) or (line, ()) when not one paragraph, or a table's (line, cells), ()s if off."""

    line: int
    kind: str
    level: int = 0
    text: str = ""
    inline: SyntaxTreeNode | None = None
    rows: tuple[tuple[int, tuple[str, ...]], ...] = ()


def _item(item: SyntaxTreeNode) -> tuple[int, tuple[str, ...]]:
    text = _text(item.children[0]) if [c.type for c in item.children] == ["paragraph"] else ""
    return item.map[0] + 1, (text,) if text else ()


def _row(row: SyntaxTreeNode, lines: list[str]) -> tuple[int, tuple[str, ...]]:
    cells = tuple(_text(cell, False) for cell in row.children)
    # The table pads or cuts rows to its header's width; count the row's own cells.
    split = escapedSplit(lines[row.map[0]].strip())
    own = len(split) - (split[:1] == [""]) - (len(split) > 1 and split[-1] == "")
    return row.map[0] + 1, cells if own == len(cells) else ()


def _blocks(text: str) -> tuple[list[_Block], list[str]]:
    lines, blocks = _NEWLINES.split(text), []
    for node in SyntaxTreeNode(_parser.parse(text)).children:
        line, kind = node.map[0] + 1, node.type
        if kind == "heading":
            blocks.append(_Block(line, kind, int(node.tag[1]), _text(node, False)))
        elif kind == "paragraph" and (text := _text(node)):
            blocks.append(_Block(line, kind, text=text, inline=node.children[0]))
        elif kind in ("bullet_list", "ordered_list"):
            # Bullets whose marker changes mid-list still make one list.
            last = blocks.pop() if blocks and blocks[-1].kind == "list" else _Block(line, "list")
            items = tuple(_item(item) for item in node.children)
            blocks.append(_Block(last.line, "list", rows=last.rows + items))
        elif kind == "table":
            rows = tuple(_row(row, lines) for part in node.children for row in part.children)
            blocks.append(_Block(line, kind, rows=rows))
        elif kind != "paragraph":
            blocks.append(_Block(line, kind))
    return blocks, lines


def _quote(text: str, limit: int = 60) -> str:
    return f"'{text[: limit - 1] + '…' if len(text) > limit else text}'"


class _Reader:
    def __init__(self, text: str) -> None:
        self.blocks, self.lines = _blocks(text.removeprefix("\ufeff"))
        self.index = 0  # and end_line is the line after the last one that holds text
        self.end_line = max((n for n, line in enumerate(self.lines, 2) if line.strip()), default=1)

    def peek(self) -> _Block | None:
        return self.blocks[self.index] if self.index < len(self.blocks) else None

    def fail(self, expected: str, block: _Block | None = None) -> GuideFormatError:
        if (block := block or self.peek()) is None:
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
        if not self.at("heading", level) or self.blocks[self.index].text != text:
            raise self.fail(f"'{'#' * level} {text}'")
        self.index += 1

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
    for line, cells in table.rows:
        head = line == table.line
        limit, what = (SHIFT_HEADING_MAX, "heading") if head else (SHIFT_TEXT_MAX, "cell")
        for cell in cells:
            _check_length(line, cell, limit, f"a table {what}")
    (_, (from_heading, to_heading)), *body = table.rows
    return from_heading, to_heading, tuple(ShiftDoc(*cells) for _, cells in body)


def _parse_question(reader: _Reader) -> tuple[str, str]:
    expected = f"the fundamental question \"*{_QUESTION_LEAD}'…' to '…'*\""
    block = reader.take("paragraph", expected)
    inner = _framed(block.inline, "em") or ""
    # The line is in italics already: emphasis inside it could not be written back unambiguously.
    body = "" if "*" in re.sub(r"\\.", "", inner) else inner.removeprefix(_QUESTION_LEAD)
    opening, closing = body[:1], _QUOTES.get(body[:1], "")
    # The first separator splits, so a "before" question never holds one and renders back alike.
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


def _parse_range(reader: _Reader, blocks: list[_Block], unit: str, what: str, step: int = 1):
    """The one range of `unit` ("months", "years") in the introduction `blocks`: low, high."""
    pattern = re.compile(_RANGE + unit.removesuffix("s") + r"s?\b")
    found = [
        (block.line + block.text.count("\n", 0, m.start()), m)
        for block in blocks
        for m in pattern.finditer(block.text)
    ]
    if not found:
        raise reader.fail(f"{what} in the introduction", blocks[0])
    line, match = found[min(1, len(found) - 1)]
    low, high, expected = int(match[1]), int(match[2]), ""
    if len(found) > 1:
        expected = f"a single {what} in the introduction"
    elif low > high:
        expected = f"{what} whose first number is at most its second"
    elif low == 0 or low % step:
        expected = f"an evidence window starting at a multiple of {step} months"
    if expected:
        raise GuideFormatError(line, expected, _quote(match[0]))
    return low, high


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
    low, high = _parse_range(reader, intro, "months", "an evidence window like '12-24+ months'", 3)
    doc.update(readiness_intro=_join(intro), min_months=low, max_months=high)
    reader.exact(3, "Build a Track Record")
    doc["track_record_steps"] = reader.bullets("at least one '- ' bullet of the track record")
    reader.exact(3, "Self-Assessment Questions")
    doc["questions"] = reader.bullets("at least one '- ' self-assessment question")
    doc["self_assessment_note"] = _join(
        reader.paragraphs("a paragraph after the self-assessment questions")
    )
    reader.exact(2, "Typical Timeline")
    intro = reader.paragraphs("an introduction stating the years at level")
    low, high = _parse_range(reader, intro, "years", "a range of years like '3-5+ years'")
    doc.update(timeline_intro=_join(intro), timeline_min_years=low, timeline_max_years=high)
    doc["timeline_points"] = reader.bullets("at least one '- ' bullet of the timeline")
    expected = "a closing note in bold '**…**'"
    block = reader.take("paragraph", expected)
    if not (closing_note := _framed(block.inline, "strong")):
        raise reader.fail(expected, block)
    if reader.peek() is not None:
        raise reader.fail("the end of the document after the closing note")
    doc.update(capabilities=tuple(capabilities), pitfalls=tuple(pitfalls))
    return GuideDoc(**doc, closing_note=closing_note)


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join("- " + item.replace("\n", "\n  ") for item in items)


def render_guide(doc: GuideDoc) -> str:
    """Write `doc` in the guide structure; `parse_guide` reads it back as an equal GuideDoc."""
    # A closing note with emphasis of its own is framed in '__', which that cannot pair with.
    bold = "__" if "*" in re.sub(r"\\.", "", doc.closing_note) else "**"
    blocks = [f"# {doc.title}", f"## {doc.subtitle}", "## Overview", doc.overview]
    headings = (doc.shift_from_heading, doc.shift_to_heading)
    rows = [
        f"| {a} | {b} |" for a, b in [headings, *((s.from_text, s.to_text) for s in doc.shifts)]
    ]
    rows.insert(1, "|" + "|".join("-" * (len(heading) + 2) for heading in headings) + "|")
    # Straight quotes unless the first question holds their separator and would split early.
    pairs = [(o, c) for o, c in _QUOTES.items() if f"{c} to {o}" not in doc.question_before]
    o, c = (pairs or [("'", "'")])[0]
    question = f"*{_QUESTION_LEAD}{o}{doc.question_before}{c} to {o}{doc.question_after}{c}*"
    blocks += ["## The Core Shift", "\n".join(rows), question, "## Key Capabilities to Develop"]
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
