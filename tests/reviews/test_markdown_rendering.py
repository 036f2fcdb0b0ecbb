"""The Markdown renderer on its own: fast on hostile input, and links that stay on the web."""

import re
import time
from urllib.parse import urljoin, urlsplit

import pytest

from reviews.markdown import MARKS, MAX_MARKS, count_marks, render_markdown

HOSTILE_LENGTH = 50_000


def repeated(unit: str, tail: str = "") -> str:
    return (unit * (HOSTILE_LENGTH // len(unit) + 1))[: HOSTILE_LENGTH - len(tail)] + tail


# Inputs that take quadratic time or worse in naive Markdown parsers (CommonMark's own list of
# pathological cases, and what took minutes to render here before).
HOSTILE = {
    "link openers": repeated("["),
    "image openers": repeated("!["),
    "unclosed link destinations": repeated("[a]("),
    "unclosed angle destinations": repeated("[a](<b"),
    "link openers and closers": repeated("[a"),
    "link closers": repeated("a]"),
    "nested brackets": "[" * (HOSTILE_LENGTH // 2) + "]" * (HOSTILE_LENGTH // 2),
    "bracket and parenthesis": repeated("[ (]("),
    "emphasis openers": repeated("*a"),
    "underscore openers": repeated("_a "),
    "emphasis closers": repeated("a_ "),
    "mismatched emphasis": repeated("*a_ "),
    "strong emphasis multiple of three": repeated("c* ", "a**b"),
    "link openers and emphasis closers": repeated("[ a_"),
    "angle brackets": repeated("<"),
    "unclosed comments": repeated("<!--", "</"),
    "backticks": repeated("`"),
    "backtick runs": "".join("e" + "`" * n for n in range(1, 316)),
    "nested block quotes": repeated("> ", "a"),
    "nested lists": "".join("  " * n + "* a\n" for n in range(220)),
    "table pipes": repeated("|") + "\n" + repeated("|-"),
}


def within_marks(text: str) -> str:
    """The longest start of `text` that the renderer still parses as Markdown."""
    positions = [at for at, char in enumerate(text) if char in MARKS]
    return text if len(positions) <= MAX_MARKS else text[: positions[MAX_MARKS]]


# The time these take is this process's own CPU time, not the wall clock: other work on the
# machine must not make a linear parse look quadratic.


def test_hostile_markdown_renders_quickly():
    started = time.process_time()
    rendered = {name: render_markdown(text) for name, text in HOSTILE.items()}
    elapsed = time.process_time() - started

    assert elapsed < 1.0, f"{len(HOSTILE)} hostile inputs took {elapsed:.1f} s"
    for name, html in rendered.items():
        # Block quotes and lists nest 20 deep at most; what is deeper is left out.
        if not name.startswith("nested "):
            assert len(html) >= len(HOSTILE[name]) // 4, f"{name} rendered as {html[:200]!r}"
        assert html.strip(), name


def test_hostile_markdown_within_the_mark_limit_is_parsed_in_linear_time():
    """The worst patterns at the most marks a text may hold still go through the parser."""
    texts = [within_marks(HOSTILE[name]) for name in ("link openers", "image openers")]
    texts.append(within_marks(HOSTILE["unclosed link destinations"]))
    assert [count_marks(text) for text in texts] == [MAX_MARKS] * 3

    started = time.process_time()
    for text in texts:
        render_markdown(text)
    elapsed = time.process_time() - started

    assert elapsed < 1.0, f"{elapsed:.1f} s"


def test_a_text_with_too_many_marks_is_shown_as_plain_paragraphs():
    text = "**Not bold** <b>nor this</b>\n\n" + "[" * MAX_MARKS + "\n\n<script>alert(1)</script>"

    assert render_markdown(text) == (
        "<p>**Not bold** &lt;b&gt;nor this&lt;/b&gt;</p>\n"
        f"<p>{'[' * MAX_MARKS}</p>\n"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )


def test_a_text_at_the_mark_limit_is_still_markdown():
    text = "**bold** " + "_" * (MAX_MARKS - 4)

    assert render_markdown(text).startswith("<p><strong>bold</strong> ")


HREF = re.compile(r'href="([^"]*)"')
PAGE = "https://reviews.example.org/cases/1/"


def hosts_linked(html: str) -> set[str]:
    """Where the page's links lead, read as a browser reads an address."""
    addresses = (
        re.sub(r"[\t\n\r]", "", href.replace("&amp;", "&")).strip().replace("\\", "/")
        for href in HREF.findall(html)
    )
    return {urlsplit(urljoin(PAGE, address)).hostname for address in addresses}


@pytest.mark.parametrize(
    "text",
    [
        "[x](//evil.example/)",
        "[x](///evil.example/)",
        r"[x](\\\\evil.example/)",
        r"[x](/\evil.example/)",
        r"[x](\\/evil.example/)",
        "[x][r]\n\n[r]: //evil.example/",
        "[x](</\t/evil.example/>)",
        '<a href="//evil.example/">x</a>',
        '<a href=" //evil.example/">x</a>',
        '<a href="/&#9;/evil.example/">x</a>',
        '<a href="/&#10;/evil.example/">x</a>',
        '<a href="&#47;&#47;evil.example/">x</a>',
    ],
)
def test_protocol_relative_links_are_dropped(text):
    html = render_markdown(text)

    assert hosts_linked(html) <= {"reviews.example.org"}, html
    assert ">x<" in html


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("[x](/cases/1/)", "/cases/1/"),
        ("[x](evidence/2/)", "evidence/2/"),
        ("[x](#top)", "#top"),
        ("[x](https://example.org/a)", "https://example.org/a"),
        ("[x](mailto:sam@example.org)", "mailto:sam@example.org"),
    ],
)
def test_ordinary_links_are_kept(text, href):
    assert f'<a href="{href}" rel="noopener noreferrer nofollow">x</a>' in render_markdown(text)
