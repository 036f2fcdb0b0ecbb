"""The heat strip: capability × month evidence counts drawn as server-side SVG.

One picture for the browser and the WeasyPrint PDF, so only plain SVG 1.1 (rect, text, path,
title, g) and presentation attributes: the Content Security Policy forbids style attributes.
Callers mark the result safe, so every piece of text in it is escaped here.
"""

from dataclasses import dataclass
from html import escape

from reviews.readiness.months import month_name, short_month_name
from reviews.readiness.rule import BLOCK_MONTHS, Readiness

# ColorBrewer "Blues": sequential and safe for colour-blind readers.
EMPTY_FILL = "#ffffff"
EMPTY_STROKE = "#bdbdbd"
LEVELS = ((4, "#2171b5"), (2, "#6baed6"), (1, "#c6dbef"))
WINDOW_FILL = "#eef1f5"
INK = "#495057"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

LABEL_CHARS = 24


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


def _n(value: float) -> str:
    return f"{value:g}"


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


def _cell(x: float, y: float, count: int, g: _Geometry, title: str | None) -> str:
    fill = _fill(count)
    if fill is None:
        # Inset by half the stroke so outlined cells line up with filled ones.
        half = g.stroke_w / 2
        shape = (
            f'<rect x="{_n(x + half)}" y="{_n(y + half)}" width="{_n(g.cell_w - g.stroke_w)}" '
            f'height="{_n(g.cell_h - g.stroke_w)}" fill="{EMPTY_FILL}" stroke="{EMPTY_STROKE}" '
            f'stroke-width="{_n(g.stroke_w)}"'
        )
    else:
        shape = (
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(g.cell_w)}" height="{_n(g.cell_h)}" '
            f'fill="{fill}"'
        )
    if title is None:
        return shape + "/>"
    return f"{shape}><title>{escape(title)}</title></rect>"


def _cell_title(capability: str, month: str, count: int) -> str:
    noun = "item" if count == 1 else "items"
    return f"{capability}, {month_name(month)}: {count} {noun}"


def render_heat_strip(readiness: Readiness, *, small: bool = False) -> str:
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

    summary = (
        f"Evidence per capability per month, {month_name(months[0])} to {month_name(months[-1])}"
    )
    css_class = "heat-strip heat-strip-small" if small else "heat-strip"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
        f'aria-label="{escape(summary)}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" font-family="{escape(FONT_FAMILY)}" '
        f'font-size="10" fill="{INK}">',
        f'<rect class="heat-strip-window" x="{_n(window_x)}" y="{_n(window_top)}" '
        f'width="{_n(window_right - window_x)}" height="{_n(window_bottom - window_top)}" '
        f'fill="{WINDOW_FILL}"/>',
    ]
    if not small:
        parts.append(_window_bracket(readiness.window_months, window_x, window_right))
        parts.extend(_month_labels(months, xs, window_bottom + 13))
        parts.append(_legend(window_bottom + 13))

    if small:
        parts.extend(_small_cells(readiness, xs))
        parts.append("</svg>")
        return "".join(parts)

    for row, capability in enumerate(readiness.capabilities):
        y = g.top + row * (g.cell_h + g.gap)
        parts.append('<g class="heat-strip-row">')
        parts.append(
            f"<g><title>{escape(capability.title)}</title>"
            f'<text x="0" y="{_n(y + g.cell_h - 3)}" font-size="11">'
            f"{escape(_shorten(capability.title))}</text></g>"
        )
        for x, month in zip(xs, months, strict=True):
            count = capability.months[month]
            parts.append(_cell(x, y, count, g, _cell_title(capability.title, month, count)))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _small_cells(readiness: Readiness, xs: list[float]) -> list[str]:
    """The small strip's cells as one path per colour, in the same places as the full strip's
    rects: a dashboard draws one per candidate, and a rect each would be most of its page."""
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
    parts = []
    if empty:
        parts.append(
            f'<path class="heat-strip-cells" fill="{EMPTY_FILL}" stroke="{EMPTY_STROKE}" '
            f'stroke-width="{_n(g.stroke_w)}" d="{"".join(empty)}"/>'
        )
    parts.extend(
        f'<path class="heat-strip-cells" fill="{fill}" d="{"".join(shapes)}"/>'
        for fill, shapes in by_fill.items()
        if shapes
    )
    return parts


def _window_bracket(window_months: int, left: float, right: float) -> str:
    return (
        f'<path d="M{_n(left)} 19V14H{_n(right)}V19" fill="none" stroke="{INK}" '
        f'stroke-width="1"/>'
        f'<text x="{_n(right)}" y="10" text-anchor="end">'
        f"Evidence window (last {window_months} months)</text>"
    )


def _month_labels(months: tuple[str, ...], xs: list[float], baseline: float) -> list[str]:
    # Label the first month of every 3-month group counted back from the as-of month, which
    # puts a label at the start of each block of the window.
    last = len(months) - 1
    return [
        f'<text x="{_n(x)}" y="{_n(baseline)}">{escape(short_month_name(month))}</text>'
        for col, (x, month) in enumerate(zip(xs, months, strict=True))
        if (last - col) % BLOCK_MONTHS == BLOCK_MONTHS - 1
    ]


def _legend(baseline: float) -> str:
    swatches = ((0, "0"), (1, "1"), (2, "2–3"), (4, "4+"))
    parts = ['<g class="heat-strip-legend">', f'<text x="0" y="{_n(baseline)}">Items</text>']
    x = 34.0
    for count, label in swatches:
        parts.append(_cell(x, baseline - 9, count, LEGEND, None))
        parts.append(f'<text x="{_n(x + 13)}" y="{_n(baseline)}">{escape(label)}</text>')
        x += 18 + 7 * len(label)
    parts.append("</g>")
    return "".join(parts)
