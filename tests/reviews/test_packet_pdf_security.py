"""No text a person writes is Typst code: the XSS corpus and Typst's own vectors in every field of
a packet, and of the committee brief, come out of the PDF as the text they are, and the compiler
can read nothing but its templates."""

import datetime
import html
import io
import json
import re
import unicodedata

import pytest
import typst
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from reviews import services
from reviews.markdown import render_markdown
from reviews.models import Answer, Case
from reviews.packets import typesetter
from reviews.packets.brief import brief_context, brief_data
from reviews.packets.pdf import TEMPLATE, TEMPLATE_DIR, render_packet_pdf
from reviews.packets.typesetter import BRIEF_TEMPLATE
from reviews.typst_markup import escape_text, markdown_to_typst
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    EvidenceFactory,
    FeedbackFactory,
    HRFactory,
    UserFactory,
)
from tests.security.xss_vectors import VECTORS

pytestmark = pytest.mark.today("2026-11-16")

# What Typst's markup would run, read, include or reinterpret if it were ever parsed as code.
TYPST_VECTORS = [
    '#read("/etc/passwd")',
    '#import "/etc/passwd": *',
    '#include "/etc/passwd"',
    '#image("/etc/passwd")',
    '#image("/usr/share/pixmaps/debian-logo.png")',
    '#eval("read(\\"/etc/passwd\\")")',
    "$x^2 + sqrt(y)$",
    "@label",
    "<label>",
    "\\",
    "a \\ b \\u{41} \\#",
    "]",
    '] #read("/etc/passwd") [',
    '#{panic("boom")}',
    "#{1 + 1}",
    "#(1 + 1)",
    "#set text(size: 80pt)",
    "#show: body => none",
    "#let x = 1",
    "// a line comment",
    "/* a block comment */",
    "*strong* _emph_ `raw`",
    "= Heading",
    "- item",
    "+ item",
    "/ Term: description",
    "~ -- --- ...",
    'https://example.org/#read("/etc/passwd")',
]
ALL = VECTORS + TYPST_VECTORS


# The CommonMark parser reads each of these whole as one piece of HTML, which the PDF leaves out;
# a browser's HTML parser reads part of it as text (`alert(…)]]>`, `<p title="">`), which the page
# shows as text. The PDF shows less, never more.
READ_AS_ONE_TAG = [
    "<![CDATA[<script>alert(window.__xss=1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(window.__xss=1)>">',
]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squeezed(text: str) -> str:
    # Whitespace moves with line breaks; format characters (zero-width, direction) leave no
    # glyph to extract.
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def shown_by_the_page(markdown: str) -> str:
    """The text a browser shows for this Markdown: the sanitised HTML without its tags."""
    return html.unescape(re.sub(r"<[^>]*>", "", str(render_markdown(markdown))))


def nothing_active(pdf: bytes) -> None:
    for marker in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/EmbeddedFile", b"/SubmitForm"):
        assert marker not in pdf, marker
    uris = [
        annotation.get_object()["/A"].get("/URI")
        for page in PdfReader(io.BytesIO(pdf)).pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert all(uri is None or uri.startswith(("http://", "https://", "mailto:")) for uri in uris)


def sign_and_decide(case: Case, text: str) -> None:
    services.sign_off(
        case=case,
        signer=case.sponsor,
        decision="ready",
        rationale=text,
        override_reason=text,
        expected_sign_offs=0,
    )
    services.record_decision(
        case=case,
        outcome="promoted",
        effective_date=datetime.date(2027, 1, 1),
        note=text,
        decided_by=HRFactory(),
    )


@pytest.mark.django_db
def test_vectors_in_plain_fields_are_literal_text_in_the_pdf():
    case = CaseFactory(candidate=UserFactory(name='#read("/etc/passwd") $x$ <label>'))
    capability = case.guide.capabilities.first()
    for n, vector in enumerate(ALL):
        item = EvidenceFactory(
            case=case,
            capability=capability,
            title=vector,
            summary="Plain.",
            outcome="",
            date=datetime.date(2026, 11, 1) - datetime.timedelta(days=n),
            links=[f'https://example.org/{n}/#read("/etc/passwd")'],
        )
        FeedbackFactory(evidence=item, text=vector)
    check_in = CheckInFactory(case=case)
    Answer.objects.filter(check_in=check_in, question__position=1).update(
        note="\n".join(TYPST_VECTORS)
    )
    sign_and_decide(case, "\n".join(TYPST_VECTORS))

    pdf = render_packet_pdf(Case.objects.with_people().get(pk=case.pk))
    text = squeezed(pdf_text(pdf))
    missing = [v for v in ALL if squeezed(v) not in text]
    assert missing == []
    # Every title twice at least (its item and its feedback thread).
    assert all(text.count(squeezed(v)) >= 2 for v in TYPST_VECTORS if len(v) > 3)
    assert squeezed('#read("/etc/passwd") $x$ <label>') in text
    assert "root:x:0:0" not in text
    nothing_active(pdf)


@pytest.mark.django_db
def test_vectors_in_markdown_fields_show_the_text_the_page_shows():
    case = CaseFactory(narrative="\n\n".join(TYPST_VECTORS))
    capability = case.guide.capabilities.first()
    for n, vector in enumerate(ALL):
        EvidenceFactory(
            case=case,
            capability=capability,
            title=f"Item {n}",
            summary=vector,
            outcome=f"{vector} and more",
            date=datetime.date(2026, 11, 1) - datetime.timedelta(days=n),
        )

    pdf = render_packet_pdf(Case.objects.with_people().get(pk=case.pk))
    text = squeezed(pdf_text(pdf))
    missing = [v for v in ALL if squeezed(shown_by_the_page(v)) not in text]
    assert missing == READ_AS_ONE_TAG
    for vector in ('#read("/etc/passwd")', "$x^2 + sqrt(y)$", "@label", "#{1 + 1}", "/* a block"):
        assert squeezed(vector) in text
    assert "root:x:0:0" not in text
    nothing_active(pdf)


def test_the_compiler_root_holds_only_the_templates():
    assert sorted(path.name for path in TEMPLATE_DIR.iterdir()) == sorted(
        [TEMPLATE.name, BRIEF_TEMPLATE.name]
    )


@pytest.mark.parametrize(
    "source",
    ['#read("/etc/passwd")', '#read("../pdf.py")', '#image("/etc/passwd")', '#include "/x.typ"'],
)
def test_the_compiler_can_read_nothing_outside_its_root(source):
    with pytest.raises(typst.TypstError):
        typst.compile(
            source.encode(),
            root=str(TEMPLATE_DIR),
            font_paths=[str(p) for p in settings.PACKET_FONT_DIRS],
            ignore_system_fonts=True,
        )


def test_the_template_lays_out_only_with_the_packet_fonts():
    fonts = typst.Fonts(
        include_system_fonts=False,
        include_embedded_fonts=False,
        font_paths=[str(p) for p in settings.PACKET_FONT_DIRS],
    )
    families = {font.family for font in fonts.fonts()}
    assert {"DejaVu Sans", "DejaVu Sans Mono"} <= families


# Evaluates markup as the template does and gives back the text it holds.
PLAIN_TEXT = b"""
#let plain(c) = {
  if type(c) == str { c } else if c.has("text") { plain(c.text) }
  else if c.has("children") { c.children.map(plain).join() }
  else if c.has("body") { plain(c.body) } else if c == [ ] { " " } else { "" }
}
#metadata(plain(eval(sys.inputs.markup, mode: "markup")))<text>
"""


def evaluated(markup: str) -> str:
    found = typst.query(
        PLAIN_TEXT, "<text>", field="value", one=True, sys_inputs={"markup": markup}
    )
    return json.loads(found) or ""


def spaced(text: str) -> str:
    return re.sub(" +", " ", text).strip()


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_escaped_text_evaluates_to_exactly_itself(text):
    # Line breaks become spaces and other control characters go; every other character stays.
    expected = re.sub(r"[\n\r\t\x0b\x0c\x85\u2028\u2029]", " ", text)
    expected = re.sub(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]", "", expected)
    assert spaced(evaluated(escape_text(text))) == spaced(expected)


@pytest.mark.parametrize("vector", ALL)
def test_markdown_becomes_markup_that_only_calls_the_converter_functions(vector):
    markup = markdown_to_typst(vector)
    # Every unescaped `#` starts one of the converter's own calls.
    calls = re.findall(r"(?<!\\)#([a-z-]+)", re.sub(r"\\\\", "", markup))
    assert set(calls) <= {
        "md-heading", "md-quote", "md-code", "md-rule", "md-link", "md-text", "md-table",
        "strong", "emph", "raw", "linebreak", "list", "enum",
    }  # fmt: skip


@pytest.mark.django_db
def test_vectors_in_every_text_of_the_committee_brief_are_literal_text():
    """The brief's template shows people's text as strings, never as markup: every text slot
    of its data holding a vector comes out as that text."""
    case = CaseFactory(candidate=UserFactory(name='#read("/etc/passwd") $x$ <label>'))
    EvidenceFactory(case=case)
    sign_and_decide(case, "Sustained.")
    brief = brief_context(Case.objects.with_people().with_level_history().get(pk=case.pk))
    joined = " ".join(TYPST_VECTORS)
    brief["narrative"] = {"text": joined, "continues": True}
    brief["sign_off"]["rationale"] = {"text": joined, "continues": False}
    template_item = brief["capabilities"][0]["best"]["items"][0]
    brief["capabilities"][0]["best"]["items"] = [
        {**template_item, "title": vector, "opening": {"text": vector, "continues": False}}
        for vector in ALL
    ]
    brief["panel_scores"] = [{"capability": vector, "scores": vector} for vector in TYPST_VECTORS]
    pdf = typesetter.typeset(
        json.dumps(brief_data(brief), ensure_ascii=False),
        [str(p) for p in settings.PACKET_FONT_DIRS],
        BRIEF_TEMPLATE,
    )
    text = squeezed(pdf_text(pdf))
    assert [v for v in ALL if squeezed(v) not in text] == []
    # Each vector at least as an item's title and its opening.
    assert all(text.count(squeezed(v)) >= 2 for v in TYPST_VECTORS if len(v) > 3)
    assert squeezed('#read("/etc/passwd") $x$ <label>') in text
    assert squeezed(joined) in text
    assert "root:x:0:0" not in text
    nothing_active(pdf)
