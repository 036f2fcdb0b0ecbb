"""Markdown written by people, as Typst markup that can hold no Typst code of theirs.

The tokens come from the app's CommonMark parser (reviews/markdown.py), so a text means in a PDF
what it means on the page. The converter writes the markup itself: every character of a person's
text is escaped — in markup each ASCII character other than a letter, a digit or a space gets a
backslash (quotes are written by their code points, which Typst does not make typographic), so
`#`, `$`, `@`, `<`, `[`, `]`, `*`, `_`, `` ` ``, `/`, `\\`, `=`, `-`, `~` and the rest are only
ever text; inside the string literals it writes (code, link addresses) `\\` and `"`
are escaped. Line separators become spaces and control characters are dropped, so no text can
start a line of markup. The only code in the result is what this module writes: calls of the
`md-*` functions the packet template gives `eval` (reviews/packets/typst/packet.typ) and of Typst's
`strong`, `emph`, `raw`, `link`, `linebreak`, `list` and `enum`.

HTML inside Markdown is treated as the page's sanitiser treats it: tags are dropped, the text
between them kept, and what is inside `<script>` and `<style>` dropped with them. Links keep their
address only when it is a web or mail address; other links are shown as their text.
"""

import re
from collections.abc import Iterator

from markdown_it.token import Token

from reviews.markdown import parse_markdown, plain_paragraphs

LINK_SCHEMES = ("http://", "https://", "mailto:")

# Unicode's line and paragraph separators and NEL start a new line in Typst's markup, and the
# other controls have no business in a document.
_LINE_BREAKING = re.compile(r"[\n\r\t\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_MARKUP_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")
# An escaped quote is still made a typographic one; a character given by its code point is not.
_ESCAPES = {'"': "\\u{22}", "'": "\\u{27}"}
_DROP_CONTENT = re.compile(r"<(script|style)[\s/>]", re.IGNORECASE)
_HTML_CLOSE = {"script": re.compile(r"</script", re.I), "style": re.compile(r"</style", re.I)}
_ALIGN = re.compile(r"text-align:(left|center|right)")


def escape_text(text: str) -> str:
    """Text as Typst markup that shows exactly these characters."""
    text = _CONTROLS.sub("", _LINE_BREAKING.sub(" ", text))
    return _MARKUP_SPECIAL.sub(lambda m: _ESCAPES.get(m.group(), "\\" + m.group()), text)


def string_literal(text: str) -> str:
    """Text as a Typst string literal."""
    text = _CONTROLS.sub("", text).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{text}"'


def safe_link(href: str) -> str | None:
    """The address a link may keep in the PDF: a web or mail address, written plainly."""
    if any(ord(c) < 0x21 or c == "\\" for c in href):
        return None
    return href if href.lower().startswith(LINK_SCHEMES) else None


def markdown_to_typst(text: str) -> str:
    """A Markdown text as Typst markup for the packet template's `md` function."""
    tokens = parse_markdown(text)
    if tokens is None:
        return "".join(f"{escape_text(part)}\n\n" for part in plain_paragraphs(text))
    return _Blocks(tokens).convert()


class _Blocks:
    """Block tokens, nested as the parser opens and closes them."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def _until(self, close: str | None) -> Iterator[Token]:
        """The next tokens, up to the one of type `close`, which is consumed too."""
        while self.at < len(self.tokens):
            token = self.tokens[self.at]
            self.at += 1
            if token.type == close:
                return
            yield token

    def convert(self, until: str | None = None) -> str:
        return "".join(self._block(token) for token in self._until(until))

    def _block(self, token: Token) -> str:
        kind = token.type
        if kind == "inline":
            return _inline(token.children or [])
        if kind == "paragraph_open":
            body = self.convert("paragraph_close")
            return body if token.hidden else f"{body}\n\n"
        if kind == "heading_open":
            return f"#md-heading[{self.convert('heading_close')}]\n\n"
        if kind == "blockquote_open":
            return f"#md-quote[{self.convert('blockquote_close')}]\n\n"
        if kind in ("bullet_list_open", "ordered_list_open"):
            tight = self._tight()
            items = self._items(kind.replace("_open", "_close"))
            if kind == "bullet_list_open":
                return f"#list(tight: {tight}){items}\n\n"
            start = int(token.attrs.get("start", 1))
            return f"#enum(start: {start}, tight: {tight}){items}\n\n"
        if kind in ("fence", "code_block"):
            return f"#md-code({string_literal(token.content.rstrip(chr(10)))})\n\n"
        if kind == "hr":
            return "#md-rule()\n\n"
        if kind == "table_open":
            return self._table()
        return ""

    def _tight(self) -> str:
        # The parser hides the paragraphs of a tight list's items.
        following = self.tokens[self.at + 1] if self.at + 1 < len(self.tokens) else None
        return "true" if following is not None and following.hidden else "false"

    def _items(self, close: str) -> str:
        items = []
        for token in self._until(close):
            if token.type == "list_item_open":
                items.append(f"[{self.convert('list_item_close').strip()}]")
        return "".join(items) or "[]"

    def _table(self) -> str:
        aligns, cells = [], []
        header = True
        for token in self._until("table_close"):
            if token.type == "thead_close":
                header = False
            if token.type in ("th_open", "td_open"):
                if header:
                    found = _ALIGN.search(str(token.attrs.get("style", "")))
                    aligns.append(string_literal(found.group(1) if found else "left"))
                cells.append(f"[{self.convert(token.type.replace('_open', '_close')).strip()}]")
        columns = max(len(aligns), 1)
        return f"#md-table(({', '.join(aligns)},), {columns}, {', '.join(cells) or '[]'})\n\n"


def _inline(children: list[Token]) -> str:
    out = []
    dropping = None
    depth = 0
    for token in children:
        kind = token.type
        if dropping is not None:
            if kind == "html_inline" and dropping.match(token.content):
                dropping = None
            continue
        if kind == "text":
            out.append(escape_text(token.content))
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("#linebreak()")
        elif kind in ("strong_open", "em_open"):
            out.append("#strong[" if kind == "strong_open" else "#emph[")
            depth += 1
        elif kind in ("strong_close", "em_close", "link_close"):
            out.append("]")
            depth -= 1
        elif kind == "code_inline":
            out.append(f"#raw({string_literal(token.content)})")
        elif kind == "link_open":
            href = safe_link(str(token.attrs.get("href", "")))
            out.append(f"#md-link({string_literal(href)})[" if href else "#md-text[")
            depth += 1
        elif kind == "html_inline":
            opened = _DROP_CONTENT.match(token.content + " ")
            if opened:
                dropping = _HTML_CLOSE[opened.group(1).lower()]
    # A link or emphasis the parser opened and a dropped <script> closed still closes here.
    return "".join(out) + "]" * depth
