"""Charts drawn on the server as SVG: columns per day (one or two series), horizontal bars (units, categories; one
series or stacked segments) and a histogram. No script and no style attribute (the CSP allows neither): colours are
presentation attributes and classes that static/css/dashboard.css may refine.

Pure functions: numbers and texts in, markup out. Every text is escaped (unit and category names are typed by
people). A chart scales with its container (viewBox, width 100%); it says what it shows in <title> and <desc>
(role="img"), writes its axis labels and values as text, and says "No data yet" rather than drawing empty axes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 440
FONT = 14  # user units: about 11px on a 360px wide chart (a phone), 17px at the widest (dashboard.css)
COLOURS = ("#b71c1c", "#1565c0", "#f9a825", "#2e7d32", "#6a1b9a")
AXIS = "#616161"
GRID = "#e0e0e0"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def plain_number(value: float) -> str:
    """1234 -> "1234", 0.5 -> "0.5": the default when the caller gives no locale-aware formatter."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_top(top: float, steps: int = 4) -> tuple[float, float]:
    """An axis maximum at or above `top` that divides into `steps` round steps (1, 2, 2.5 or 5 times a power of
    ten): (maximum, step). At least 1 (an axis of counts)."""
    if top <= 0:
        return float(steps), 1.0
    raw = top / steps
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step * steps >= top:
            break
    if step < 1 and top >= 1:
        step = 1.0
    if float(top).is_integer() and not float(step).is_integer():
        step = float(math.ceil(step))
    return step * steps, step


def shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _attrs(**attrs) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{escape(value)}"')
    return " ".join(parts)


def _rect(tooltip: str | None = None, **attrs) -> str:
    if tooltip is None:
        return f"<rect {_attrs(**attrs)}/>"
    return f"<rect {_attrs(**attrs)}><title>{escape(tooltip)}</title></rect>"


def _text(x: float, y: float, content: str, **attrs) -> str:
    return f'<text {_attrs(x=_n(x), y=_n(y), **attrs)}>{escape(content)}</text>'


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(height: float, title: str, desc: str, body: list[str], css: str) -> Markup:
    # Safe: every text and attribute value in `body` went through escape() (_attrs, _text, _rect).
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" class="chart {escape(css)}" '
        f'font-size="{FONT}" font-family="system-ui, sans-serif">'
        f'<title>{escape(title)}</title><desc>{escape(desc)}</desc>{"".join(body)}</svg>')


def empty_chart(title: str, desc: str = "", message: str = "No data yet", css: str = "") -> Markup:
    """A small frame saying there is nothing to draw."""
    height = 80
    body = [_rect(x="0.5", y="0.5", width=WIDTH - 1, height=height - 1, rx="6", fill="none", stroke=GRID),
            _text(WIDTH / 2, height / 2 + FONT / 3, message, text_anchor="middle", fill=AXIS, class_="chart-empty")]
    return _svg(height, title, desc or message, body, f"chart-empty {css}".strip())


def _is_empty(series: Sequence[Series]) -> bool:
    return not series or not any(v for s in series for v in s.values if v)


LEGEND_ROW = 22


def _legend(series: Sequence[Series], colours: Sequence[str], y: float, start: float) -> tuple[list[str], int]:
    """Coloured keys with the series' names, wrapped onto more rows when they do not fit: (markup, rows)."""
    out, x, rows = [], start, 1
    for index, s in enumerate(series):
        width = 17 + len(s.name) * FONT * 0.58 + 16
        if x > start and x + width > WIDTH:
            x, rows = start, rows + 1
        top = y + LEGEND_ROW * (rows - 1)
        out.append(_rect(x=_n(x), y=_n(top - FONT + 3), width="12", height="12",
                         fill=colours[index % len(colours)], class_=f"series-{index + 1}"))
        out.append(_text(x + 17, top, s.name, class_="chart-legend"))
        x += width
    return out, rows


def _x_label(text: str, left: float, right: float, base: float) -> str:
    return _text(left + (WIDTH - left - right) / 2, base + 2 * FONT + 16, text, text_anchor="middle", fill=AXIS,
                 class_="chart-axis-label")


def _y_axis(axis_max: float, step: float, left: float, right: float, top: float, plot_h: float,
            fmt: Callable[[float], str], y_label: str) -> list[str]:
    """Grid lines and the values of the y axis, and its name turned upright along it."""
    out = []
    for i in range(int(round(axis_max / step)) + 1):
        value = step * i
        y = top + plot_h - plot_h * value / axis_max
        out.append(f'<line {_attrs(x1=left, x2=WIDTH - right, y1=_n(y), y2=_n(y), stroke=GRID)}/>')
        out.append(_text(left - 6, y + FONT / 3, fmt(value), text_anchor="end", fill=AXIS, class_="chart-tick"))
    if y_label:
        out.append(_text(12, top + plot_h / 2, y_label, text_anchor="middle", fill=AXIS, class_="chart-axis-label",
                         transform=f"rotate(-90 12 {_n(top + plot_h / 2)})"))
    return out


def column_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, desc: str = "",
                 y_label: str = "", x_label: str = "", empty: str = "No data yet",
                 fmt: Callable[[float], str] = plain_number, colours: Sequence[str] = COLOURS,
                 css: str = "") -> Markup:
    """Columns per label (days), one column per series side by side (one or two series). Values are written
    above the columns while they fit; each column's <title> gives its label, series and value."""
    if not labels or _is_empty(series):
        return empty_chart(title, desc, empty, css)
    n = len(labels)
    legend, rows = _legend(series, colours, 16, 46) if len(series) > 1 else ([], 0)
    left, right, top, bottom = 46, 8, 14 + LEGEND_ROW * rows, 44 + (22 if x_label else 0)
    plot_h = 200
    height = top + plot_h + bottom
    plot_w = WIDTH - left - right
    peak = max(v or 0 for s in series for v in s.values)
    axis_max, step = nice_top(peak)
    slot = plot_w / n
    gap = slot * 0.2 if n > 1 else slot * 0.3
    bar_w = (slot - gap) / len(series)
    body = list(legend) + _y_axis(axis_max, step, left, right, top, plot_h, fmt, y_label)
    show_values = n * len(series) <= 16
    every = max(1, math.ceil(n / 8))  # at most eight labels under the axis, so they never overlap
    for i, label in enumerate(labels):
        x0 = left + slot * i + gap / 2
        for j, s in enumerate(series):
            value = s.values[i] or 0
            h = plot_h * value / axis_max
            x = x0 + bar_w * j
            y = top + plot_h - h
            colour = colours[j % len(colours)]
            body.append(_rect(f"{label}: {s.name} {fmt(value)}", x=_n(x), y=_n(y), width=_n(max(bar_w, 0.5)),
                              height=_n(h), fill=colour, class_=f"bar series-{j + 1}", data_value=fmt(value)))
            if show_values and value:
                body.append(_text(x + bar_w / 2, y - 4, fmt(value), text_anchor="middle", class_="chart-value"))
        if i % every == 0:
            body.append(_text(left + slot * (i + 0.5), top + plot_h + FONT + 6, label, text_anchor="middle",
                              fill=AXIS, class_="chart-label"))
    body.append(f'<line {_attrs(x1=left, x2=WIDTH - right, y1=top + plot_h, y2=top + plot_h, stroke=AXIS)}/>')
    if x_label:
        body.append(_x_label(x_label, left, right, top + plot_h))
    return _svg(height, title, desc, body, css)


def histogram(labels: Sequence[str], values: Sequence[float], *, title: str, desc: str = "", name: str = "",
              y_label: str = "", x_label: str = "", empty: str = "No data yet",
              fmt: Callable[[float], str] = plain_number, css: str = "") -> Markup:
    """Adjacent columns for bands of a score (labels are the bands)."""
    if not labels or _is_empty([Series(name, values)]):
        return empty_chart(title, desc, empty, css)
    n = len(labels)
    left, right, top, bottom = 46, 8, 22, 44 + (22 if x_label else 0)
    plot_h = 200
    height = top + plot_h + bottom
    slot = (WIDTH - left - right) / n
    axis_max, step = nice_top(max(v or 0 for v in values))
    body = _y_axis(axis_max, step, left, right, top, plot_h, fmt, y_label)
    # Labels never overlap: as many as fit at about seven characters each, the others in the columns' titles.
    longest = max(len(str(label)) for label in labels)
    every = max(1, math.ceil(n * max(longest, 2) * FONT * 0.55 / (WIDTH - left - right)))
    small = longest > 4
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        value = value or 0
        h = plot_h * value / axis_max
        x, y = left + slot * i, top + plot_h - h
        body.append(_rect(f"{label}: {fmt(value)}", x=_n(x + 0.5), y=_n(y), width=_n(max(slot - 1, 0.5)),
                          height=_n(h), fill=COLOURS[0], class_="bar series-1", data_value=fmt(value)))
        if value and n <= 24:
            body.append(_text(x + slot / 2, y - 4, fmt(value), text_anchor="middle", class_="chart-value",
                              font_size=FONT - 2 if small else None))
        if i % every == 0:
            body.append(_text(x + slot / 2, top + plot_h + FONT + 6, label, text_anchor="middle", fill=AXIS,
                              class_="chart-label", font_size=FONT - 2 if small else None))
    body.append(f'<line {_attrs(x1=left, x2=WIDTH - right, y1=top + plot_h, y2=top + plot_h, stroke=AXIS)}/>')
    if x_label:
        body.append(_x_label(x_label, left, right, top + plot_h))
    return _svg(height, title, desc, body, css)


def bar_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, desc: str = "",
              empty: str = "No data yet", fmt: Callable[[float], str] = plain_number,
              value_labels: Sequence[str] | None = None, scale_max: float | None = None,
              colours: Sequence[str] = COLOURS, css: str = "") -> Markup:
    """Horizontal bars, one row per label (units, categories); several series are stacked segments. The value
    (or `value_labels[i]`, e.g. "12 · 34%") is written at the end of each bar. `scale_max` fixes the full width
    (1 for rates); by default the largest total fills it."""
    if not labels or _is_empty(series):
        return empty_chart(title, desc, empty, css)
    row_h, label_w, value_w = 30, 150, 80
    legend, rows = _legend(series, colours, 20, 0) if len(series) > 1 else ([], 0)
    top = 8 + LEGEND_ROW * rows
    height = top + row_h * len(labels) + 8
    plot_w = WIDTH - label_w - value_w
    totals = [sum((s.values[i] or 0) for s in series) for i in range(len(labels))]
    full = scale_max if scale_max else max(totals) or 1
    body = list(legend)
    for i, label in enumerate(labels):
        y = top + row_h * i
        body.append(f'<g class="bar-row"><title>{escape(label)}: '
                    f'{escape(value_labels[i] if value_labels else fmt(totals[i]))}</title>')
        body.append(_text(label_w - 8, y + row_h / 2 + FONT / 3, shorten(label, 19), text_anchor="end",
                          class_="chart-label"))
        x = label_w
        for j, s in enumerate(series):
            value = s.values[i] or 0
            w = plot_w * min(value, full) / full
            body.append(_rect(x=_n(x), y=_n(y + 5), width=_n(w), height=row_h - 10, fill=colours[j % len(colours)],
                              class_=f"bar series-{j + 1}", data_value=fmt(value)))
            x += w
        shown = value_labels[i] if value_labels else fmt(totals[i])
        body.append(_text(x + 6, y + row_h / 2 + FONT / 3, shown, class_="chart-value"))
        body.append("</g>")
    body.append(f'<line {_attrs(x1=label_w, x2=label_w, y1=top, y2=height - 8, stroke=AXIS)}/>')
    return _svg(height, title, desc, body, css)


__all__ = ["Series", "bar_chart", "column_chart", "empty_chart", "histogram", "nice_top", "plain_number", "shorten"]
