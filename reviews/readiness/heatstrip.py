"""The heat strip: capability × month evidence counts drawn as server-side SVG.

One picture for the browser and the Typst PDF, so only plain SVG 1.1 (rect, text, path,
title, g) and presentation attributes: the Content Security Policy forbids style attributes.
Here the picture is laid out (where each cell goes, its colour and its title); the markup is
the template reviews/includes/_heat_strip.svg, which escapes every text, as any template does.

Drawn strips are kept. This is the one thing the pages keep between requests, and here is why
it is safe: a case's strip is a pure function of its readiness report, and the report is a
pure function of the case's data version (bumped by the database on any change to its
evidence or check-ins), its guide (frozen once published, and cases are only opened on
published guides) and the day. `kept_heat_strip` keeps the SVG in Django's default cache under
exactly those, so a kept strip is never out of date, only unused: a dashboard of fifty
candidates draws a strip only for the cases that changed since they were last shown, rather
than fifty every time.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from reviews.readiness.months import month_name, short_month_name
from reviews.readiness.rule import BLOCK_MONTHS, Readiness

TEMPLATE = "reviews/includes/_heat_strip.svg"
# A day: tomorrow's strip is another one (the as-of day is part of the key).
KEEP_SECONDS = 24 * 60 * 60

# ColorBrewer "Blues": sequential and safe for colour-blind readers.
EMPTY_FILL = "#ffffff"
EMPTY_STROKE = "#bdbdbd"
LEVELS = ((4, "#2171b5"), (2, "#6baed6"), (1, "#c6dbef"))
WINDOW_FILL = "#eef1f5"
INK = "#495057"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

LABEL_CHARS = 24
LEGEND_SWATCHES = ((0, "0"), (1, "1"), (2, "2–3"), (4, "4+"))


@dataclass(frozen=True)
class _Geometry:
    cell_w: float
    cell_h: float
    gap: float
    block_gap: float
    window_pad: float
    label_w: float
    top: float
    stroke_w: float


FULL = _Geometry(
    cell_w=14, cell_h=14, gap=2, block_gap=6, window_pad=3, label_w=176, top=22, stroke_w=1
)
SMALL = _Geometry(
    cell_w=4, cell_h=5, gap=1, block_gap=2, window_pad=1, label_w=0, top=1, stroke_w=0.5
)
LEGEND = _Geometry(
    cell_w=10, cell_h=10, gap=0, block_gap=0, window_pad=0, label_w=0, top=0, stroke_w=1
)


def _n(value: float) -> str:
    """A coordinate as SVG writes it: 14, 2.5."""
    return f"{value:g}"


@dataclass(frozen=True)
class Cell:
    """One square; an empty one is outlined, inset by half its stroke so that it lines up with
    the filled ones. Coordinates are written out as the SVG attributes take them."""

    x: str
    y: str
    width: str
    height: str
    fill: str
    stroke: str | None = None
    stroke_width: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Row:
    number: int
    title: str
    label: str
    label_y: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Text:
    x: str
    text: str


@dataclass(frozen=True)
class Path:
    fill: str
    d: str
    stroke: str | None = None
    stroke_width: str | None = None


@dataclass(frozen=True)
class HeatStrip:
    """The laid-out picture: the full strip has rows of cells with their labels, month labels,
    the window's bracket and a legend; the small one only `paths`, one per colour."""

    small: bool
    summary: str
    width: str
    height: str
    window: Cell
    font_family: str = FONT_FAMILY
    ink: str = INK
    rows: tuple[Row, ...] = ()
    paths: tuple[Path, ...] = ()
    window_months: int = 0
    bracket_left: str = ""
    bracket_right: str = ""
    labels_y: str = ""
    month_labels: tuple[Text, ...] = ()
    legend_y: str = ""
    legend: tuple[tuple[Cell, Text], ...] = ()


@dataclass(frozen=True)
class HeatStripTable:
    """The strip's numbers for a visually hidden table: column headers, then one row each."""

    months: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]


def _shorten(title: str) -> str:
    if len(title) <= LABEL_CHARS:
        return title
    return title[: LABEL_CHARS - 1].rstrip() + "…"


def _fill(count: int) -> str | None:
    for at_least, colour in LEVELS:
        if count >= at_least:
            return colour
    return None


def heat_strip_table(readiness: Readiness) -> HeatStripTable:
    return HeatStripTable(
        months=tuple(month_name(m) for m in readiness.strip_months),
        rows=tuple(
            (c.title, tuple(c.months[m] for m in readiness.strip_months))
            for c in readiness.capabilities
        ),
    )


def _column_xs(columns: int, window_first: int, g: _Geometry) -> list[float]:
    # The wider gaps open the window and separate its 3-month blocks, so "every block holds
    # evidence" can be checked at a glance.
    xs = []
    x = g.label_w
    for col in range(columns):
        if col:
            opens_block = col >= window_first and (col - window_first) % BLOCK_MONTHS == 0
            x += g.block_gap if opens_block else g.gap
        xs.append(x)
        x += g.cell_w
    return xs


def _cell(x: float, y: float, count: int, g: _Geometry, title: str | None = None) -> Cell:
    fill = _fill(count)
    if fill is None:
        half = g.stroke_w / 2
        return Cell(
            x=_n(x + half),
            y=_n(y + half),
            width=_n(g.cell_w - g.stroke_w),
            height=_n(g.cell_h - g.stroke_w),
            fill=EMPTY_FILL,
            stroke=EMPTY_STROKE,
            stroke_width=_n(g.stroke_w),
            title=title,
        )
    return Cell(x=_n(x), y=_n(y), width=_n(g.cell_w), height=_n(g.cell_h), fill=fill, title=title)


def _cell_title(capability: str, month: str, count: int) -> str:
    noun = "item" if count == 1 else "items"
    return f"{capability}, {month_name(month)}: {count} {noun}"


def heat_strip(readiness: Readiness, *, small: bool = False) -> HeatStrip:
    """The picture of this report, full (case page, PDF) or small (a dashboard row)."""
    g = SMALL if small else FULL
    months = readiness.strip_months
    window_first = len(months) - readiness.window_months
    xs = _column_xs(len(months), window_first, g)
    rows = len(readiness.capabilities)
    grid_right = xs[-1] + g.cell_w
    grid_h = max(rows * (g.cell_h + g.gap) - g.gap, 0)

    window_x = xs[window_first] - g.window_pad
    window_top = g.top - g.window_pad
    window_right = grid_right + g.window_pad
    window_bottom = g.top + grid_h + g.window_pad
    width = window_right + (0 if small else 4)
    height = window_bottom + (0 if small else 18)
    common = {
        "summary": (
            f"Evidence per capability per month, {month_name(months[0])} to "
            f"{month_name(months[-1])}"
        ),
        "width": _n(width),
        "height": _n(height),
        "window": Cell(
            x=_n(window_x),
            y=_n(window_top),
            width=_n(window_right - window_x),
            height=_n(window_bottom - window_top),
            fill=WINDOW_FILL,
        ),
    }
    if small:
        return HeatStrip(small=True, paths=_small_paths(readiness, xs), **common)

    baseline = window_bottom + 13
    last = len(months) - 1
    return HeatStrip(
        small=False,
        rows=tuple(
            Row(
                number=capability.number,
                title=capability.title,
                label=_shorten(capability.title),
                label_y=_n(g.top + row * (g.cell_h + g.gap) + g.cell_h - 3),
                cells=tuple(
                    _cell(
                        x,
                        g.top + row * (g.cell_h + g.gap),
                        capability.months[month],
                        g,
                        _cell_title(capability.title, month, capability.months[month]),
                    )
                    for x, month in zip(xs, months, strict=True)
                ),
            )
            for row, capability in enumerate(readiness.capabilities)
        ),
        window_months=readiness.window_months,
        bracket_left=_n(window_x),
        bracket_right=_n(window_right),
        labels_y=_n(baseline),
        # The first month of every 3-month group counted back from the as-of month: a label
        # at the start of each block of the window.
        month_labels=tuple(
            Text(_n(x), short_month_name(month))
            for col, (x, month) in enumerate(zip(xs, months, strict=True))
            if (last - col) % BLOCK_MONTHS == BLOCK_MONTHS - 1
        ),
        legend_y=_n(baseline),
        legend=_legend(baseline),
        **common,
    )


def _small_paths(readiness: Readiness, xs: list[float]) -> tuple[Path, ...]:
    """The small strip's cells as one path per colour, in the same places as the full strip's
    rects: a dashboard draws one strip per candidate, and a rect for each of its 96 cells
    would be most of that page."""
    g = SMALL
    half = g.stroke_w / 2
    filled_shape = f"h{_n(g.cell_w)}v{_n(g.cell_h)}h-{_n(g.cell_w)}z"
    empty_w, empty_h = _n(g.cell_w - g.stroke_w), _n(g.cell_h - g.stroke_w)
    empty_shape = f"h{empty_w}v{empty_h}h-{empty_w}z"
    filled_xs = [_n(x) for x in xs]
    empty_xs = [_n(x + half) for x in xs]
    by_fill: dict[str, list[str]] = {colour: [] for _, colour in LEVELS}
    empty: list[str] = []
    for row, capability in enumerate(readiness.capabilities):
        y = g.top + row * (g.cell_h + g.gap)
        filled_y, empty_y = _n(y), _n(y + half)
        for col, month in enumerate(readiness.strip_months):
            fill = _fill(capability.months[month])
            if fill is None:
                empty.append(f"M{empty_xs[col]} {empty_y}{empty_shape}")
            else:
                by_fill[fill].append(f"M{filled_xs[col]} {filled_y}{filled_shape}")
    paths = []
    if empty:
        paths.append(Path(EMPTY_FILL, "".join(empty), EMPTY_STROKE, _n(g.stroke_w)))
    paths.extend(Path(fill, "".join(shapes)) for fill, shapes in by_fill.items() if shapes)
    return tuple(paths)


def _legend(baseline: float) -> tuple[tuple[Cell, Text], ...]:
    swatches = []
    x = 34.0
    for count, label in LEGEND_SWATCHES:
        swatches.append((_cell(x, baseline - 9, count, LEGEND), Text(_n(x + 13), label)))
        x += 18 + 7 * len(label)
    return tuple(swatches)


def render_heat_strip(
    readiness: Readiness, *, small: bool = False, link: str | None = None
) -> SafeString:
    """The strip's SVG markup, as the pages' `{% heat_strip %}` tag and the packet PDF draw it;
    with `link` (a page's address), each row's label links to it with `?capability=N`."""
    return render_to_string(TEMPLATE, {"strip": heat_strip(readiness, small=small), "link": link})


def kept_heat_strip(
    case, readiness: Readiness, *, small: bool = False, link: str | None = None
) -> SafeString:
    """`render_heat_strip` of this case's readiness, kept (see the top of this module).
    `readiness` is the case's report as of its `as_of` day, for its current data version."""
    return kept_strip(case, readiness.as_of, lambda: readiness, small=small, link=link)


def kept_strip(
    case,
    as_of: datetime.date,
    readiness: Callable[[], Readiness],
    *,
    small: bool = False,
    link: str | None = None,
) -> SafeString:
    """As `kept_heat_strip`, with the report as of `as_of` asked of `readiness` only when the
    strip is not kept: a dashboard has most of its strips kept, and decoding a report costs
    more than finding its strip."""
    key = ":".join(
        (
            "heat-strip",
            "small" if small else "full",
            "linked" if link else "plain",
            str(case.pk),
            str(case.guide_id),
            str(case.data_version),
            as_of.isoformat(),
        )
    )
    svg = cache.get(key)
    if svg is None:
        svg = str(render_heat_strip(readiness(), small=small, link=link))
        cache.set(key, svg, KEEP_SECONDS)
    # Drawn from the template above, which escapes every text in it.
    return mark_safe(svg)  # noqa: S308
