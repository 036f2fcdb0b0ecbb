"""Markdown written by people, rendered to HTML that can hold no script.

markdown-it-py parses CommonMark (with tables) in time linear in the text. nh3 then keeps only an
allow-list of tags and attributes: no <script>, no event handlers, no style, and links only to
http, https and mailto, or relative to this site.

Linear is not yet cheap: in pure Python each formatting mark costs the parser several microseconds
(about 16 for a `[`). A text may therefore hold at most MAX_MARKS of them: forms refuse more, and a
text that has more anyway (stored earlier, imported) is shown as plain paragraphs, so no text can
make a page slow.
"""

import html
import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

# The characters that open or close inline formatting. A long statement with a link or emphasis
# in every sentence has a few hundred.
MARKS = "[]!*_<`"
MAX_MARKS = 2_000

# What a browser ignores when it reads an address: tabs and newlines anywhere, controls and spaces
# at either end. A backslash counts as a slash in web addresses.
_IGNORED_IN_URLS = re.compile(r"[\t\n\r]")
_URL_EDGES = "".join(map(chr, range(0x21)))
_OTHER_HOST = re.compile(r"[/\\]{2}")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _same_site_only(url: str) -> str | None:
    """A relative address stays on this site: `//host/…` would lead anywhere, by any scheme."""
    seen_by_browser = _IGNORED_IN_URLS.sub("", url).strip(_URL_EDGES)
    return None if _OTHER_HOST.match(seen_by_browser) else url


_parser = MarkdownIt("commonmark", {"html": True}).enable("table").disable("html_block")
# Every address goes to nh3, which alone decides what a link may point to.
_parser.validateLink = lambda url: True
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_SCHEMES,
    url_relative=_same_site_only,
    link_rel="noopener noreferrer nofollow",
)


def count_marks(text: str) -> int:
    return sum(text.count(mark) for mark in MARKS)


def validate_marks(text: str) -> None:
    """Form validator: the refusal that keeps a text within what renders quickly."""
    marks = count_marks(text)
    if marks > MAX_MARKS:
        raise ValidationError(
            f"Use at most {MAX_MARKS:,} formatting marks ({' '.join(MARKS)}) in one text; "
            f"this one has {marks:,}.",
            code="too_many_marks",
        )


def parse_markdown(text: str) -> list[Token] | None:
    """The CommonMark tokens of a text, or None when it has more than MAX_MARKS formatting
    marks and is shown as plain paragraphs instead."""
    text = text or ""
    return _parser.parse(text) if count_marks(text) <= MAX_MARKS else None


def plain_paragraphs(text: str) -> list[str]:
    """A text's paragraphs, as shown when it is not read as Markdown."""
    paragraphs = (part.strip() for part in _BLANK_LINE.split((text or "").replace("\r\n", "\n")))
    return [part for part in paragraphs if part]


def render_markdown(text: str) -> SafeString:
    text = text or ""
    tokens = parse_markdown(text)
    if tokens is None:
        rendered = "".join(f"<p>{html.escape(part)}</p>\n" for part in plain_paragraphs(text))
    else:
        rendered = _parser.renderer.render(tokens, _parser.options, {})
    return mark_safe(_cleaner.clean(rendered))  # noqa: S308 — nh3 has just sanitised it
