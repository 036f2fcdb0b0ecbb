import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from reviews.readiness.heatstrip import heat_strip_table, render_heat_strip
from reviews.readiness.rule import CapabilitySpec, EvidenceItem, GuideSpec, compute_readiness

pytestmark = pytest.mark.dates

SVG = "{http://www.w3.org/2000/svg}"
AS_OF = date(2026, 11, 28)
TITLES = (
    "Domain Ownership & Business Accountability",
    "Executive Participation",
    'Sneaky <script>alert("x")</script>',
    "Strategic Technical Leadership",
)


def readiness(evidence=()):
    guide = GuideSpec(
        min_months=12,
        max_months=24,
        capabilities=tuple(
            CapabilitySpec(number, title, 5) for number, title in enumerate(TITLES, start=1)
        ),
        question_count=8,
    )
    return compute_readiness(guide, evidence, [], AS_OF)


def sample():
    evidence = [EvidenceItem(2, date(2026, 3, day), (1,)) for day in (2, 9)]
    evidence += [EvidenceItem(2, date(2026, 4, 1), (1,))]
    evidence += [EvidenceItem(2, date(2026, 5, day), (1,)) for day in (1, 2, 3, 4, 5)]
    evidence += [EvidenceItem(2, date(2026, 6, day), (1,)) for day in (1, 2, 3)]
    # After the as-of date: must not show anywhere.
    evidence += [EvidenceItem(2, date(2026, 11, 29), (1,)), EvidenceItem(1, date(2027, 1, 4), (1,))]
    return readiness(evidence)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def cells(root: ET.Element) -> list[ET.Element]:
    return [
        rect
        for row in root.iter(f"{SVG}g")
        if row.get("class") == "heat-strip-row"
        for rect in row.findall(f"{SVG}rect")
    ]


def title_of(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


def cell_for(root: ET.Element, prefix: str) -> ET.Element:
    (found,) = [c for c in cells(root) if title_of(c).startswith(prefix)]
    return found


def test_svg_parses_with_an_accessible_root():
    root = parse(render_heat_strip(sample()))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == (
        "Evidence per capability per month, December 2024 to November 2026"
    )
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width:g} {height:g}"


def test_one_cell_per_capability_per_month_with_a_title():
    root = parse(render_heat_strip(sample()))
    found = cells(root)
    assert len(found) == 4 * 24
    assert all(cell.find(f"{SVG}title") is not None for cell in found)
    titles = [title_of(cell) for cell in found]
    assert titles[0] == "Domain Ownership & Business Accountability, December 2024: 0 items"
    assert titles[24 + 23] == "Executive Participation, November 2026: 0 items"


def test_cell_titles_and_fills_follow_the_counts():
    root = parse(render_heat_strip(sample()))
    expected = {
        "Executive Participation, March 2026: 2 items": "#6baed6",
        "Executive Participation, April 2026: 1 item": "#c6dbef",
        "Executive Participation, May 2026: 5 items": "#2171b5",
        "Executive Participation, June 2026: 3 items": "#6baed6",
    }
    for title, fill in expected.items():
        assert cell_for(root, title).get("fill") == fill
    empty = cell_for(root, "Executive Participation, July 2026: 0 items")
    assert (empty.get("fill"), empty.get("stroke")) == ("#ffffff", "#bdbdbd")


def test_items_after_as_of_do_not_appear():
    root = parse(render_heat_strip(sample()))
    counted = [title_of(c) for c in cells(root) if not title_of(c).endswith(": 0 items")]
    assert len(counted) == 4
    assert all(t.startswith("Executive Participation") for t in counted)


def test_titles_are_escaped():
    markup = render_heat_strip(sample())
    assert "<script" not in markup
    root = parse(markup)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    full_titles = [e.text for e in root.iter(f"{SVG}title")]
    assert 'Sneaky <script>alert("x")</script>' in full_titles
    assert 'Sneaky <script>alert("x")</script>, May 2026: 0 items' in full_titles


def test_row_labels_are_shortened_with_the_full_title_alongside():
    root = parse(render_heat_strip(sample()))
    labels = [
        (label.find(f"{SVG}text").text, title_of(label))
        for row in root.iter(f"{SVG}g")
        if row.get("class") == "heat-strip-row"
        for label in row.findall(f"{SVG}g")
    ]
    assert labels == [
        ("Domain Ownership & Busi…", TITLES[0]),
        ("Executive Participation", TITLES[1]),
        ('Sneaky <script>alert("x…', TITLES[2]),
        ("Strategic Technical Lea…", TITLES[3]),
    ]


def test_month_labels_every_third_column_and_the_window_marked():
    root = parse(render_heat_strip(sample()))
    texts = [e.text for e in root.iter(f"{SVG}text")]
    months = [t for t in texts if t[:3] in {"Dec", "Mar", "Jun", "Sep"} and t[-2:].isdigit()]
    assert months == [
        "Dec 24",
        "Mar 25",
        "Jun 25",
        "Sep 25",
        "Dec 25",
        "Mar 26",
        "Jun 26",
        "Sep 26",
    ]
    assert "Evidence window (last 12 months)" in texts


def test_window_blocks_are_separated_by_a_wider_gap():
    root = parse(render_heat_strip(readiness()))
    row = cells(root)[:24]
    xs = [float(c.get("x")) for c in row]
    gaps = [round(b - a, 3) for a, b in zip(xs, xs[1:], strict=False)]
    wide = [col for col, gap in enumerate(gaps, start=1) if gap > gaps[0]]
    assert wide == [12, 15, 18, 21]


def test_no_inline_styles():
    for small in (False, True):
        assert "style=" not in render_heat_strip(sample(), small=small)


def small_cells(root: ET.Element) -> dict[tuple[float, float], str]:
    """(x, y) of each cell's top-left corner → its fill, read from the small strip's paths."""
    found = {}
    for path in root.iter(f"{SVG}path"):
        inset = float(path.get("stroke-width", 0)) / 2
        for x, y in re.findall(r"M([\d.]+) ([\d.]+)h", path.get("d")):
            key = (round(float(x) - inset, 3), round(float(y) - inset, 3))
            assert key not in found, "two cells in one place"
            found[key] = path.get("fill")
    return found


def test_small_variant_has_no_text_and_keeps_its_label():
    root = parse(render_heat_strip(sample(), small=True))
    assert list(root.iter(f"{SVG}text")) == []
    assert list(root.iter(f"{SVG}title")) == []
    assert len(small_cells(root)) == 4 * 24
    assert root.get("aria-label").startswith("Evidence per capability per month")
    assert 110 <= float(root.get("width")) <= 130
    assert 20 <= float(root.get("height")) <= 28


def test_small_variant_colours_the_same_cells_as_the_full_strip():
    full = [c.get("fill") for c in cells(parse(render_heat_strip(sample())))]
    small = small_cells(parse(render_heat_strip(sample(), small=True)))
    # Row by row, then column by column, as the full strip draws them.
    in_order = [small[key] for key in sorted(small, key=lambda key: (key[1], key[0]))]
    assert in_order == full
    assert in_order.count("#2171b5") == 1
    assert in_order.count("#6baed6") == 2
    assert in_order.count("#c6dbef") == 1
    assert in_order.count("#ffffff") == 4 * 24 - 4


def test_small_variant_marks_the_window_blocks_with_wider_gaps():
    small = small_cells(parse(render_heat_strip(readiness(), small=True)))
    xs = sorted({x for x, _ in small})
    gaps = [round(b - a, 3) for a, b in zip(xs, xs[1:], strict=False)]
    wide = [col for col, gap in enumerate(gaps, start=1) if gap > gaps[0]]
    assert wide == [12, 15, 18, 21]


def test_table_gives_the_same_numbers():
    table = heat_strip_table(sample())
    assert len(table.months) == 24
    assert (table.months[0], table.months[-1]) == ("December 2024", "November 2026")
    assert [title for title, _ in table.rows] == list(TITLES)
    participation = dict(zip(table.months, table.rows[1][1], strict=True))
    assert participation["March 2026"] == 2
    assert participation["May 2026"] == 5
    assert participation["November 2026"] == 0
    assert sum(table.rows[0][1]) == 0


@pytest.mark.django_db
def test_a_kept_strip_is_never_out_of_date():
    import datetime

    from core import clock
    from reviews.models import Case
    from reviews.readiness.heatstrip import kept_heat_strip
    from reviews.readiness.snapshots import case_readiness
    from tests.factories import CaseFactory, EvidenceFactory

    case = CaseFactory()

    def kept_and_drawn(as_of=None) -> tuple[str, str]:
        fresh = Case.objects.get(pk=case.pk)
        readiness = case_readiness(fresh, as_of)
        return (
            kept_heat_strip(fresh, readiness, small=True),
            render_heat_strip(readiness, small=True),
        )

    kept, drawn = kept_and_drawn()
    assert kept == drawn and "#c6dbef" not in kept
    # An item this month: the case's data version moves on, and so does its strip.
    EvidenceFactory(case=case, date=clock.today())
    kept, drawn = kept_and_drawn()
    assert kept == drawn and "#c6dbef" in kept
    # Another day is another strip: two months on, the item is two columns further left.
    later, drawn = kept_and_drawn(clock.today() + datetime.timedelta(days=62))
    assert later == drawn != kept
