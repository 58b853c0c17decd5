"""Small inline-SVG charts for the HTML reports: pure functions returning one ``<svg>`` string each.

No JavaScript, no fonts, no external references: the SVG inherits the page's font and is sized by
its ``viewBox`` so it scales down on narrow screens and paper. Every chart carries a ``<title>``
and an ``aria-label``; every piece of text is HTML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence

from optimizer.text_safety import html_text

# Colours readable on screen and distinguishable in grey print (the lines also differ by dash).
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
BAR = "#3e6fb0"
ACCENT = "#2f855a"
HIGHLIGHT = "#c05621"
MARKER = "#b7312c"
SERIES_STYLES: tuple[tuple[str, str], ...] = (
    ("#7b8794", "6 4"),  # first series (low): grey, dashed
    ("#1c4f8c", ""),  # second series (default): dark blue, solid
    ("#2f855a", "2 3"),  # third series (high): green, dotted
    ("#c05621", "8 3 2 3"),
    ("#6b46c1", "1 2"),
)

TICK_FONT = 11
LABEL_FONT = 12


def _attr(value: object) -> str:
    return html_text(str(value))


def _fmt(value: float) -> str:
    """A coordinate with at most two decimals (keeps the markup short)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def tick_label(value: float) -> str:
    """``0``, ``2.5``, ``75``, ``−5``, ``12k`` (axis ticks; display only)."""
    if abs(value) >= 10_000:
        text = f"{value / 1000:,.0f}k"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace("-", "−")


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """Labels for one axis in one unit: ``−10k, −5k, 0, 5k`` when any tick reaches 10,000."""
    scale, suffix = (1000.0, "k") if max((abs(tick) for tick in ticks), default=0.0) >= 10_000 else (1.0, "")
    labels = []
    for tick in ticks:
        text = f"{tick / scale:,.2f}".rstrip("0").rstrip(".")
        labels.append("0" if text in ("-0", "0", "") else (text + suffix).replace("-", "−"))
    return labels


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick positions covering [low, high] (steps of 1, 2, 2.5 or 5 × 10^k)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high < low:
        low, high = high, low
    if high - low < 1e-12:
        high = low + 1.0
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(multiple * magnitude for multiple in (1, 2, 2.5, 5, 10) if multiple * magnitude >= raw - 1e-12)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    ticks = []
    position = start
    while position <= stop + step * 1e-6:
        ticks.append(round(position, 10) + 0.0)
        position += step
    return ticks


class _Scale:
    """A linear map from data [low, high] to pixels [start, end]."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return self.start + (value - self.low) / span * (self.end - self.start)


def _open(width: float, height: float, title: str, css_class: str, description: str | None = None) -> list[str]:
    parts = [
        f'<svg class="chart {_attr(css_class)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" width="{_fmt(width)}" '
        f'height="{_fmt(height)}" role="img" aria-label="{_attr(title)}" '
        f'font-size="{TICK_FONT}" fill="{INK}">',
        f"<title>{html_text(title)}</title>",
    ]
    if description:
        parts.append(f"<desc>{html_text(description)}</desc>")
    return parts


def _text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = TICK_FONT, fill: str = INK,
          weight: str | None = None, rotate: bool = False, css_class: str | None = None, halo: bool = False) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' if halo else ""
    extra += f' class="{_attr(css_class)}"' if css_class else ""
    transform = f' transform="rotate(-90 {_fmt(x)} {_fmt(y)})"' if rotate else ""
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}{transform}>'
        f"{html_text(content)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1.0, dash: str = "") -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" stroke="{stroke}" '
        f'stroke-width="{_fmt(width)}"{dashes}/>'
    )


def _marker(x: float, top: float, bottom: float, label: str | None, left: float, right: float) -> list[str]:
    """A dashed vertical line with its label above the plot, kept inside the plot's width."""
    parts = [_line(x, top, x, bottom, MARKER, 1.5, "4 3")]
    if label:
        anchor = "middle"
        estimated = 6.2 * len(label) / 2
        if x - estimated < left:
            anchor = "start"
        elif x + estimated > right:
            anchor = "end"
        parts.append(_text(x, top - 4, label, anchor=anchor, fill=MARKER, weight="600", halo=True))
    return parts


def histogram_svg(
    bin_edges: Sequence[float],
    counts: Sequence[float],
    *,
    marker: float | None = None,
    marker_label: str | None = None,
    width: float = 320,
    height: float = 170,
    x_label: str = "",
    y_label: str = "share of draws",
    title: str | None = None,
    shade_from: float | None = None,
    x_ticks: Sequence[float] | None = None,
) -> str:
    """Bars of each bin's share of the draws [percent]; an optional dashed marker (e.g. the threshold).

    Bins whose left edge is at or above ``shade_from`` are drawn in the accent colour.
    """
    edges = [float(edge) for edge in bin_edges]
    heights = [float(count) for count in counts]
    if len(edges) != len(heights) + 1:
        raise ValueError(f"histogram needs one more bin edge than counts, got {len(edges)} and {len(heights)}")
    total = sum(heights)
    shares = [100.0 * count / total if total > 0 else 0.0 for count in heights]
    title = title or (f"Distribution of {x_label}" if x_label else "Distribution")
    left, right, top, bottom = 44.0, width - 12.0, 22.0, height - 34.0
    low, high = (edges[0], edges[-1]) if edges else (0.0, 1.0)
    if marker is not None:
        low, high = min(low, marker), max(high, marker)
    x = _Scale(low, high, left, right)
    y_ticks = nice_ticks(0.0, max(shares) if max(shares, default=0.0) > 0 else 10.0, 3)
    y = _Scale(0.0, y_ticks[-1], bottom, top)
    description = f"{len(heights)} bins from {tick_label(low)} to {tick_label(high)}; {total:g} draws"
    if marker is not None:
        description += f"; marker at {tick_label(marker)}" + (f" ({marker_label})" if marker_label else "")
    parts = _open(width, height, title, "histogram", description)
    for tick in y_ticks:
        parts.append(_line(left, y(tick), right, y(tick), GRID))
        parts.append(_text(left - 5, y(tick) + 4, f"{tick_label(tick)}%", anchor="end", fill=MUTED))
    for (start, stop), share in zip(zip(edges, edges[1:]), shares):
        if share <= 0:
            continue
        x0, x1 = x(start), x(stop)
        gap = 1.0 if x1 - x0 > 3 else 0.0
        colour = ACCENT if shade_from is not None and start >= shade_from - 1e-9 else BAR
        parts.append(
            f'<rect x="{_fmt(x0 + gap / 2)}" y="{_fmt(y(share))}" width="{_fmt(max(0.5, x1 - x0 - gap))}" '
            f'height="{_fmt(bottom - y(share))}" fill="{colour}"><title>{html_text(tick_label(start))}–'
            f"{html_text(tick_label(stop))}: {share:.0f}% of draws</title></rect>"
        )
    if total <= 0:
        parts.append(_text((left + right) / 2, (top + bottom) / 2, "no draws", fill=MUTED))
    parts.append(_line(left, bottom, right, bottom, INK))
    shown_ticks = [tick for tick in (x_ticks if x_ticks is not None else nice_ticks(low, high, 5)) if low - 1e-9 <= tick <= high + 1e-9]
    for tick, text in zip(shown_ticks, tick_labels(shown_ticks)):
        parts.append(_line(x(tick), bottom, x(tick), bottom + 4, INK))
        parts.append(_text(x(tick), bottom + 15, text))
    if marker is not None:
        parts += _marker(x(marker), top, bottom, marker_label, left, right)
    if x_label:
        parts.append(_text((left + right) / 2, height - 4, x_label, size=LABEL_FONT, fill=MUTED))
    if y_label:
        parts.append(_text(11, (top + bottom) / 2, y_label, size=TICK_FONT, fill=MUTED, rotate=True))
    parts.append("</svg>")
    return "".join(parts)


def line_chart_svg(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    point: tuple[float, float, str] | None = None,
    x_label: str = "",
    y_label: str = "",
    width: float = 600,
    height: float = 300,
    title: str | None = None,
    y_tick_format: Callable[[float], str] | None = None,
    reference_x: tuple[float, str] | None = None,
) -> str:
    """Lines over a shared x (one per named series, told apart by colour and dash), an optional dot.

    ``point`` is ``(x, y, label)``: e.g. the practice's expected final score and adjustment;
    ``reference_x`` is ``(x, label)`` for a dashed vertical line (e.g. the performance threshold).
    """
    xs = [float(value) for value in x]
    lines = {name: [float(value) for value in values] for name, values in series.items()}
    for name, values in lines.items():
        if len(values) != len(xs):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(xs)} x positions")
    title = title or (f"{y_label} by {x_label}" if x_label and y_label else "Line chart")
    y_format = y_tick_format or tick_label
    left, right, top, bottom = 56.0, width - 16.0, 24.0, height - 40.0
    everything = [value for values in lines.values() for value in values if math.isfinite(value)]
    if point is not None:
        everything.append(float(point[1]))
    x_ticks = nice_ticks(min(xs, default=0.0), max(xs, default=1.0), 5)
    y_ticks = nice_ticks(min(everything, default=0.0), max(everything, default=1.0), 5)
    sx = _Scale(x_ticks[0], x_ticks[-1], left, right)
    sy = _Scale(y_ticks[0], y_ticks[-1], bottom, top)
    names = ", ".join(lines)
    description = f"{len(lines)} lines ({names}) over {x_label or 'x'}"
    if point is not None:
        description += f"; {point[2]} at {tick_label(point[0])}, {y_format(point[1])}"
    parts = _open(width, height, title, "line-chart", description)
    for tick in y_ticks:
        colour = MUTED if abs(tick) < 1e-12 else GRID
        parts.append(_line(left, sy(tick), right, sy(tick), colour, 1.0))
        parts.append(_text(left - 6, sy(tick) + 4, y_format(tick), anchor="end", fill=MUTED))
    parts.append(_line(left, bottom, right, bottom, INK))
    for tick, text in zip(x_ticks, tick_labels(x_ticks)):
        parts.append(_line(sx(tick), bottom, sx(tick), bottom + 4, INK))
        parts.append(_text(sx(tick), bottom + 16, text))
    if reference_x is not None:
        parts += _marker(sx(float(reference_x[0])), top, bottom, reference_x[1], left, right)
    for index, (name, values) in enumerate(lines.items()):
        colour, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        path = " ".join(
            f"{'M' if position == 0 else 'L'}{_fmt(sx(xv))},{_fmt(sy(yv))}" for position, (xv, yv) in enumerate(zip(xs, values))
        )
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dashes} stroke-linejoin="round">'
            f"<title>{html_text(name)}</title></path>"
        )
    if point is not None:
        px, py = sx(float(point[0])), sy(float(point[1]))
        parts.append(
            f'<circle cx="{_fmt(px)}" cy="{_fmt(py)}" r="5.5" fill="{HIGHLIGHT}" stroke="#ffffff" stroke-width="1.5">'
            f"<title>{html_text(point[2])}</title></circle>"
        )
    # Legend, top left (the payment curve is low on the left, so this corner is free); the dot's
    # label goes in the legend, where it cannot collide with the lines.
    for index, name in enumerate(lines):
        colour, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        legend_y = top + 10 + 16 * index
        parts.append(_line(left + 10, legend_y, left + 36, legend_y, colour, 2.0, dash))
        parts.append(_text(left + 42, legend_y + 4, name, anchor="start", halo=True))
    if point is not None:
        legend_y = top + 10 + 16 * len(lines)
        parts.append(f'<circle cx="{_fmt(left + 23)}" cy="{_fmt(legend_y)}" r="5" fill="{HIGHLIGHT}"/>')
        parts.append(
            _text(left + 42, legend_y + 4, point[2], anchor="start", fill=HIGHLIGHT, weight="600", css_class="point-label", halo=True)
        )
    if x_label:
        parts.append(_text((left + right) / 2, height - 6, x_label, size=LABEL_FONT, fill=MUTED))
    if y_label:
        parts.append(_text(14, (top + bottom) / 2, y_label, size=LABEL_FONT, fill=MUTED, rotate=True))
    parts.append("</svg>")
    return "".join(parts)


def _truncate(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    width: float = 600,
    row_height: float = 22,
    x_label: str = "",
    title: str | None = None,
    highlight: str | Collection[str] | None = None,
    reference: tuple[float, str] | None = None,
    value_format: Callable[[float], str] | None = None,
    tick_format: Callable[[float], str] | None = None,
    intervals: Sequence[tuple[float, float] | None] | None = None,
    label_limit: int = 34,
) -> str:
    """Horizontal bars from zero, one row per label, values written at the bar ends.

    ``highlight`` is the label (or labels) of the bars drawn in the highlight colour (e.g. the
    recommended pathway);
    ``reference`` is ``(value, label)`` for a dashed vertical line (e.g. the threshold 75);
    ``intervals`` gives optional (low, high) whiskers per bar.
    """
    names = [str(label) for label in labels]
    numbers = [float(value) for value in values]
    highlighted = {highlight} if isinstance(highlight, str) else set(highlight or ())
    if len(names) != len(numbers):
        raise ValueError(f"bar chart needs one value per label, got {len(names)} labels and {len(numbers)} values")
    whiskers = list(intervals) if intervals is not None else [None] * len(numbers)
    show = value_format or (lambda value: f"{value:,.2f}")
    title = title or (x_label or "Bar chart")
    shown = [_truncate(name, label_limit) for name in names]
    # Label column: ~6.4 px a character at 11 px, ~7 px in bold; at most half the chart.
    label_width = min(width / 2, max((len(label) * (7.0 if name in highlighted else 6.4) for name, label in zip(names, shown)), default=24) + 12)
    left, right = label_width + 8, width - 14.0
    top = 26.0 if reference is not None else 10.0
    bottom = top + row_height * max(1, len(numbers))
    height = bottom + 40.0
    span_values = [0.0, *numbers]
    span_values += [bound for whisker in whiskers if whisker is not None for bound in whisker]
    if reference is not None:
        span_values.append(float(reference[0]))
    ticks = nice_ticks(min(span_values), max(span_values), 5)
    # Room for the value labels beyond the bar ends.
    longest = 6.4 * max((len(show(value)) for value in numbers), default=4) + 8
    plot = right - left
    pad = longest / max(1.0, plot - 2 * longest) * (ticks[-1] - ticks[0])
    low = ticks[0] - (pad if min(numbers, default=0.0) < 0 else 0.0)
    high = ticks[-1] + (pad if max(numbers, default=0.0) > 0 else 0.0)
    sx = _Scale(low, high, left, right)
    description = "; ".join(f"{name}: {show(value)}" for name, value in zip(names, numbers))
    parts = _open(width, height, title, "bar-chart", description)
    for tick, text in zip(ticks, [tick_format(tick) for tick in ticks] if tick_format else tick_labels(ticks)):
        parts.append(_line(sx(tick), top, sx(tick), bottom, GRID))
        parts.append(_line(sx(tick), bottom, sx(tick), bottom + 4, INK))
        parts.append(_text(sx(tick), bottom + 16, text))
    labels_after: list[str] = []
    for row, (name, label, value, whisker) in enumerate(zip(names, shown, numbers, whiskers)):
        y0 = top + row * row_height
        middle = y0 + row_height / 2
        is_highlight = name in highlighted
        weight = "700" if is_highlight else None
        start, stop = sorted((sx(0.0), sx(value)))
        parts.append(_text(left - 8, middle + 4, label, anchor="end", weight=weight))
        parts.append(
            f'<rect x="{_fmt(start)}" y="{_fmt(y0 + 4)}" width="{_fmt(max(0.5, stop - start))}" height="{_fmt(row_height - 8)}" '
            f'fill="{HIGHLIGHT if is_highlight else BAR}"><title>{html_text(name)}: {html_text(show(value))}</title></rect>'
        )
        end = sx(value)
        if whisker is not None:
            w0, w1 = sx(float(whisker[0])), sx(float(whisker[1]))
            parts.append(_line(w0, middle, w1, middle, INK, 1.2))
            parts.append(_line(w0, middle - 4, w0, middle + 4, INK, 1.2))
            parts.append(_line(w1, middle - 4, w1, middle + 4, INK, 1.2))
            end = max(end, w1) if value >= 0 else min(end, w0)
        if value >= 0:
            labels_after.append(_text(end + 4, middle + 4, show(value), anchor="start", weight=weight, halo=True))
        else:
            labels_after.append(_text(end - 4, middle + 4, show(value), anchor="end", weight=weight, halo=True))
    parts.append(_line(sx(0.0), top, sx(0.0), bottom, INK))
    if reference is not None:
        parts += _marker(sx(float(reference[0])), top, bottom, reference[1], left, right)
    parts += labels_after  # last, with a white halo, so lines never hide the values
    if x_label:
        parts.append(_text((left + right) / 2, height - 6, x_label, size=LABEL_FONT, fill=MUTED))
    parts.append("</svg>")
    return "".join(parts)
