"""Charts as inline SVG markup, drawn from plain numbers by this module.

Every chart is one ``<svg>`` element with ``data-chart="<name>"``, ``role="img"``,
a ``<title>`` and a ``<desc>`` (its accessible name and description), and a
``<title>`` on each mark (a tooltip in any browser). Nothing refers to anything
outside the element: no script, no stylesheet link, no font, no image, no URL,
not even an ``xmlns`` (the HTML parser puts ``<svg>`` in its namespace).

Sizes are in CSS pixels at the chart's natural width; the page lets a chart
shrink to its column (``max-width: 100%``), keeping its proportions. A chart may
be drawn twice: a ``wide`` variant for a screen and a ``narrow`` one (see
``NARROW_WIDTH``) that a phone shows instead, at its natural size, so that its
text stays at least ``MIN_FONT_SIZE`` pixels (the page's CSS picks the variant).

The charts:

- ``stacked_bars``: one bar per period, stacked by series (negative parts stack
  below zero), with a legend;
- ``compare_lines``: two series over the same categories (this year and last
  year), as lines with markers;
- ``horizontal_bars``: one labelled bar per item, the value at its end
  (negative values extend left of zero);
- ``status_grid``: a heatmap of categorical cells (rows x columns) with a legend
  counting each status.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from utility_warehouse.safe_output import printable

FONT_SIZE = 12
SMALL_FONT_SIZE = 11  # the years under the months
MIN_FONT_SIZE = 11  # no chart text is smaller on screen (narrow variants)
NARROW_WIDTH = 340  # a narrow variant fits a 400 px phone at its natural size
TEXT_COLOR = "#1f2933"
MUTED_COLOR = "#52606d"
GRID_COLOR = "#e4e7eb"
AXIS_COLOR = "#9aa5b1"

Formatter = Callable[[float], str]
MONTH_NAMES: tuple[str, ...] = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def esc(value: object) -> str:
    """Text or an attribute value, escaped for HTML and SVG; control characters
    (invalid in XML, invisible in a page) shown as ``\\x1b``, tabs and line
    breaks kept as white space."""
    return escape(printable(str(value), keep="\t\n"), quote=True)


def _num(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def compact(value: float) -> str:
    """A short number for axes: 950, 1.2k, 3.4M, 12B, 1.5T."""
    magnitude = abs(value)
    scaled, suffix = value, ""
    for divisor, name in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= divisor:
            scaled, suffix = value / divisor, name
            break
    if abs(scaled) >= 100 or scaled == int(scaled):
        text = f"{scaled:,.0f}"
    elif abs(scaled) >= 10:
        text = f"{scaled:.1f}"
    else:
        text = f"{scaled:.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text) + suffix


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering
    ``low`` .. ``high`` and zero."""
    low, high = min(low, 0.0), max(high, 0.0)
    if not (math.isfinite(low) and math.isfinite(high)) or high - low <= 0:
        return [0.0, 1.0]
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [i * step for i in range(first, last + 1)]


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "\u2026"


def _open(
    name: str,
    key: str,
    width: float,
    height: float,
    title: str,
    description: str,
    attributes: dict[str, str] | None,
    variant: str = "",
) -> list[str]:
    extra = "".join(
        f' data-{esc(attr)}="{esc(value)}"'
        for attr, value in (attributes or {}).items()
    )
    css = f"chart {esc(variant)}" if variant else "chart"
    if variant:
        extra += f' data-variant="{esc(variant)}"'
    return [
        f'<svg class="{css}" data-chart="{esc(name)}"{extra} '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" role="img" '
        f'aria-labelledby="{esc(key)}-title {esc(key)}-desc" '
        f'font-family="inherit" font-size="{FONT_SIZE}">',
        f'<title id="{esc(key)}-title">{esc(title)}</title>',
        f'<desc id="{esc(key)}-desc">{esc(description)}</desc>',
    ]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    color: str = TEXT_COLOR,
    size: int | None = None,
    weight: str | None = None,
    full: str | None = None,
) -> str:
    """A text element; ``full`` (the untruncated text) becomes its tooltip."""
    attrs = f'x="{_num(x)}" y="{_num(y)}" fill="{color}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if size is not None:
        attrs += f' font-size="{size}"'
    if weight is not None:
        attrs += f' font-weight="{weight}"'
    tip = f"<title>{esc(full)}</title>" if full and full != text else ""
    return f"<text {attrs}>{tip}{esc(text)}</text>"


def _rect(
    x: float, y: float, width: float, height: float, color: str, tip: str | None
) -> str:
    body = f"<title>{esc(tip)}</title>" if tip else ""
    attrs = (
        f'x="{_num(x)}" y="{_num(y)}" width="{_num(max(width, 0.0))}" '
        f'height="{_num(max(height, 0.0))}" fill="{color}"'
    )
    return f"<rect {attrs}>{body}</rect>" if body else f"<rect {attrs}/>"


def _legend(
    x: float, y: float, entries: Sequence[tuple[str, str]], max_width: float
) -> tuple[list[str], float]:
    """Colour swatches with labels, wrapped within ``max_width``; returns the
    markup and the height it takes."""
    parts = ['<g class="legend">']
    cursor_x, cursor_y = x, y
    for label, color in entries:
        width = 18 + len(label) * 6.8 + 16
        if cursor_x > x and cursor_x + width > x + max_width:
            cursor_x, cursor_y = x, cursor_y + 18
        parts.append(_rect(cursor_x, cursor_y, 12, 12, color, None))
        parts.append(_text(cursor_x + 17, cursor_y + 10.5, label))
        cursor_x += width
    parts.append("</g>")
    return parts, cursor_y - y + 18


def month_ticks(labels: Sequence[str], slot: float) -> list[tuple[int, str, str]]:
    """Which ``YYYY-MM`` labels to print on an axis whose categories are
    ``slot`` pixels apart: (index, month abbreviation, year or ""). Every
    month when there is room, else every 2nd, 3rd, 4th, 6th or 12th month
    counted from January; the year under the first printed month of each."""
    step = next((k for k in (1, 2, 3, 4, 6) if slot * k >= 30), 12)
    out = []
    last_year = ""
    for index, label in enumerate(labels):
        year, month = label[:4], int(label[5:7])
        if (month - 1) % step:
            continue
        out.append((index, MONTH_NAMES[month - 1], year if year != last_year else ""))
        last_year = year
    return out


def month_name(label: str) -> str:
    """``2026-11`` -> ``Nov 2026``."""
    return f"{MONTH_NAMES[int(label[5:7]) - 1]} {label[:4]}"


@dataclass(frozen=True)
class Series:
    """A named, coloured series of values (None: no value)."""

    label: str
    color: str
    values: Sequence[float | None]


def _y_axis(
    ticks: Sequence[float],
    scale: Callable[[float], float],
    left: float,
    right: float,
    unit: str,
    top: float,
) -> list[str]:
    parts = ['<g class="axis">']
    for tick in ticks:
        y = scale(tick)
        color = AXIS_COLOR if tick == 0 else GRID_COLOR
        parts.append(
            f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" '
            f'y2="{_num(y)}" stroke="{color}" stroke-width="1"/>'
        )
        parts.append(
            _text(left - 6, y + 4, compact(tick), anchor="end", color=MUTED_COLOR)
        )
    if unit:
        parts.append(_text(left - 6, top - 10, unit, anchor="end", color=MUTED_COLOR))
    parts.append("</g>")
    return parts


def _x_labels(
    labels: Sequence[str],
    centers: Sequence[float],
    y: float,
    slot: float,
    months: bool,
) -> list[str]:
    parts = ['<g class="axis">']
    if months:
        for index, name, year in month_ticks(labels, slot):
            x = centers[index]
            parts.append(_text(x, y, name, anchor="middle", color=MUTED_COLOR))
            if year:
                parts.append(
                    _text(x, y + 14, year, anchor="middle", size=SMALL_FONT_SIZE)
                )
    else:
        # Every label when there is room (a month name takes about 26 px),
        # else every other one.
        step = 1 if slot >= 26 else 2
        for index, (label, x) in enumerate(zip(labels, centers, strict=True)):
            if index % step == 0:
                parts.append(_text(x, y, label, anchor="middle", color=MUTED_COLOR))
    parts.append("</g>")
    return parts


def stacked_bars(
    name: str,
    key: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str,
    value_format: Formatter,
    width: float = 640,
    height: float = 300,
    months: bool = True,
    attributes: dict[str, str] | None = None,
    variant: str = "",
) -> str:
    """Stacked bars, one per category (``YYYY-MM`` months when ``months``)."""
    legend, legend_height = _legend(
        60, 8, [(s.label, s.color) for s in series], width - 70
    )
    top = 8 + legend_height + 22
    bottom = height - (36 if months else 24)
    left, right = 64.0, width - 12
    positive = [0.0] * len(categories)
    negative = [0.0] * len(categories)
    for s in series:
        for index, value in enumerate(s.values):
            if value is None:
                continue
            if value >= 0:
                positive[index] += value
            else:
                negative[index] += value
    ticks = nice_ticks(min(negative, default=0.0), max(positive, default=0.0))
    low, high = ticks[0], ticks[-1]

    def scale(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    slot = (right - left) / max(len(categories), 1)
    bar = max(min(slot * 0.72, 48), 1.5)
    parts = _open(name, key, width, height, title, description, attributes, variant)
    parts += legend
    parts += _y_axis(ticks, scale, left, right, unit, top)
    centers = [left + slot * (index + 0.5) for index in range(len(categories))]
    parts.append('<g class="marks">')
    for index, category in enumerate(categories):
        up, down = 0.0, 0.0
        when = month_name(category) if months else category
        for s in series:
            value = s.values[index]
            if value is None or value == 0:
                continue
            if value > 0:
                y0, y1 = scale(up + value), scale(up)
                up += value
            else:
                y0, y1 = scale(down), scale(down + value)
                down += value
            tip = f"{when} \u00b7 {s.label}: {value_format(value)}"
            parts.append(
                _rect(
                    centers[index] - bar / 2, y0, bar, max(y1 - y0, 0.6), s.color, tip
                )
            )
    parts.append("</g>")
    parts += _x_labels(categories, centers, bottom + 16, slot, months)
    parts.append("</svg>")
    return "".join(parts)


def compare_lines(
    name: str,
    key: str,
    title: str,
    description: str,
    categories: Sequence[str],
    current: Series,
    previous: Series,
    *,
    unit: str,
    value_format: Formatter,
    width: float = 420,
    height: float = 240,
    attributes: dict[str, str] | None = None,
    variant: str = "",
) -> str:
    """Two series over the same categories: ``previous`` dashed and grey under
    ``current``, each a line with a marker per value (gaps where None)."""
    legend, legend_height = _legend(
        56, 8, [(current.label, current.color), (previous.label, previous.color)],
        width - 64,
    )  # fmt: skip
    top = 8 + legend_height + 22
    bottom = height - 26
    left, right = 56.0, width - 12
    values = [v for s in (current, previous) for v in s.values if v is not None]
    ticks = nice_ticks(min(values, default=0.0), max(values, default=0.0), 4)
    low, high = ticks[0], ticks[-1]

    def scale(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    slot = (right - left) / max(len(categories), 1)
    centers = [left + slot * (index + 0.5) for index in range(len(categories))]
    parts = _open(name, key, width, height, title, description, attributes, variant)
    parts += legend
    parts += _y_axis(ticks, scale, left, right, unit, top)
    parts.append('<g class="marks">')
    for s, dash, radius in (
        (previous, ' stroke-dasharray="5 4"', 2.5),
        (current, "", 3.2),
    ):
        runs: list[list[str]] = [[]]
        for index, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{_num(centers[index])},{_num(scale(value))}")
        for run in runs:
            if len(run) > 1:
                parts.append(
                    f'<path d="M{" L".join(run)}" fill="none" stroke="{s.color}" '
                    f'stroke-width="2"{dash}/>'
                )
        for index, value in enumerate(s.values):
            if value is None:
                continue
            tip = f"{s.label}, {categories[index]}: {value_format(value)}"
            parts.append(
                f'<circle cx="{_num(centers[index])}" cy="{_num(scale(value))}" '
                f'r="{radius}" fill="{s.color}"><title>{esc(tip)}</title></circle>'
            )
    parts.append("</g>")
    parts += _x_labels(categories, centers, bottom + 16, slot, months=False)
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    """One labelled bar: its value, the text at its end and its tooltip."""

    label: str
    value: float
    value_text: str
    tip: str
    color: str


def horizontal_bars(
    name: str,
    key: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    *,
    width: float = 640,
    label_width: float = 270,
    row_height: float = 24,
    axis_unit: str = "",
    attributes: dict[str, str] | None = None,
    variant: str = "",
) -> str:
    """One horizontal bar per item, top to bottom, its value text at its end."""
    top = 28.0
    height = top + row_height * max(len(bars), 1) + 30
    left = label_width + 8
    value_room = 8 + max((len(b.value_text) for b in bars), default=4) * 7.0
    right = width - value_room
    low = min((b.value for b in bars), default=0.0)
    high = max((b.value for b in bars), default=0.0)
    # The scale spans exactly the values (and zero); ticks are those inside.
    lo, hi = min(low, 0.0), max(high, 0.0)
    if hi - lo <= 0:
        hi = lo + 1.0
    span = hi - lo
    if low < 0:  # negative bars need room on the left for their value text
        left += value_room
    # At most 4 ticks, fewer where the bars have little room (a tick's text
    # takes up to about 40 px).
    count = max(2, min(4, int((right - left) / 60)))
    ticks = [
        t
        for t in nice_ticks(lo, hi, count)
        if lo - span * 1e-9 <= t <= hi + span * 1e-9
    ]

    def scale(value: float) -> float:
        return left + (value - lo) / (hi - lo) * (right - left)

    parts = _open(name, key, width, height, title, description, attributes, variant)
    parts.append('<g class="axis">')
    for tick in ticks:
        x = scale(tick)
        color = AXIS_COLOR if tick == 0 else GRID_COLOR
        parts.append(
            f'<line x1="{_num(x)}" y1="{_num(top - 6)}" x2="{_num(x)}" '
            f'y2="{_num(height - 24)}" stroke="{color}" stroke-width="1"/>'
        )
        parts.append(
            _text(x, height - 10, compact(tick), anchor="middle", color=MUTED_COLOR)
        )
    if axis_unit:
        parts.append(_text(right, 14, axis_unit, anchor="end", color=MUTED_COLOR))
    parts.append("</g>")
    parts.append('<g class="marks">')
    zero = scale(0.0)
    limit = int(label_width / 7.2)
    for index, item in enumerate(bars):
        y = top + row_height * index
        middle = y + row_height / 2 + 4
        parts.append(
            _text(label_width, middle, truncate(item.label, limit), anchor="end",
                  full=item.label)
        )  # fmt: skip
        end = scale(item.value)
        x0, x1 = min(zero, end), max(zero, end)
        parts.append(
            _rect(x0, y + 4, max(x1 - x0, 1.0), row_height - 8, item.color, item.tip)
        )
        # The value text after the bar's end, kept inside the chart (a short
        # bar beside a long negative one may not leave it room otherwise).
        text_width = len(item.value_text) * 7.0
        if item.value >= 0:
            x = min(x1 + 5, width - 2 - text_width)
            parts.append(_text(x, middle, item.value_text, color=MUTED_COLOR))
        else:
            x = max(x0 - 5, 2 + text_width)
            parts.append(
                _text(x, middle, item.value_text, anchor="end", color=MUTED_COLOR)
            )
    parts.append("</g></svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Status:
    """A cell status of a ``status_grid``: its key, legend label and colour."""

    key: str
    label: str
    color: str


def status_grid(
    name: str,
    key: str,
    title: str,
    description: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[str | None]],
    tips: Sequence[Sequence[str | None]],
    statuses: Sequence[Status],
    *,
    width: float = 1320,
    label_width: float = 300,
    row_height: float = 16,
    row_groups: Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
    variant: str = "",
) -> str:
    """A heatmap of statuses: ``cells[r][c]`` is a status key (None: empty),
    ``tips[r][c]`` its tooltip; columns are ``YYYY-MM`` months. ``row_groups``
    (one per row) draws a thin rule where the group changes."""
    counts = {s.key: 0 for s in statuses}
    for row in cells:
        for cell in row:
            if cell is not None and cell in counts:
                counts[cell] += 1
    # The legend beside the row labels, or under the title when that leaves
    # too little room (a narrow variant).
    legend_x = label_width + 8 if width - label_width >= 400 else 8.0
    legend, legend_height = _legend(
        legend_x,
        8,
        [(f"{s.label} ({counts[s.key]:,})", s.color) for s in statuses],
        width - legend_x - 8,
    )
    top = 8 + legend_height + 40
    left, right = label_width + 8, width - 8
    slot = (right - left) / max(len(columns), 1)
    gap = 2.0 if slot > 6 else 0.5
    height = top + row_height * max(len(rows), 1) + 8
    colors = {s.key: s.color for s in statuses}
    labels = {s.key: s.label for s in statuses}
    parts = _open(name, key, width, height, title, description, attributes, variant)
    parts += legend
    parts.append('<g class="axis">')
    for index, name_text, year in month_ticks(columns, slot):
        x = left + slot * (index + 0.5)
        parts.append(_text(x, top - 20, name_text, anchor="middle", color=MUTED_COLOR))
        if year:
            parts.append(_text(x, top - 6, year, anchor="middle", size=SMALL_FONT_SIZE))
    parts.append("</g>")
    parts.append('<g class="marks">')
    limit = int(label_width / 7.2)
    for r, label in enumerate(rows):
        y = top + row_height * r
        if row_groups is not None and r > 0 and row_groups[r] != row_groups[r - 1]:
            parts.append(
                f'<line x1="0" y1="{_num(y - 0.5)}" x2="{_num(right)}" '
                f'y2="{_num(y - 0.5)}" stroke="{AXIS_COLOR}" stroke-width="0.6"/>'
            )
        parts.append(
            _text(label_width, y + row_height / 2 + 4, truncate(label, limit),
                  anchor="end", full=label)
        )  # fmt: skip
        for c, cell in enumerate(cells[r]):
            if cell is None:
                continue
            tip = tips[r][c] or f"{label}, {columns[c]}: {labels.get(cell, cell)}"
            parts.append(
                _rect(
                    left + slot * c + gap / 2,
                    y + 1,
                    slot - gap,
                    row_height - 2,
                    colors.get(cell, GRID_COLOR),
                    tip,
                )
            )
    parts.append("</g></svg>")
    return "".join(parts)
