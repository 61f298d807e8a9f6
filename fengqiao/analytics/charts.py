"""Charts as inline SVG, drawn on the server: no script, no CDN, nothing to download. They scale
with the page (viewBox), so the same chart reads on a projector and on a phone; colours come
from the stylesheet (classes chart-*), and every chart has its numbers in a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 200
ROW = 36


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def bar_chart(rows: Sequence[tuple[str, float]], *, title: str, href: Sequence[str] | None = None) -> SafeString:
    """Horizontal bars, one per (label, value), longest first as given."""
    if not rows:
        return mark_safe("")
    height = ROW * len(rows) + 10
    largest = max((value for _, value in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 70
    parts = [
        f'<svg class="chart chart-bars" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(rows):
        y = 5 + i * ROW
        width = max(span * value / largest, 1 if value else 0)
        text = escape(label if len(label) <= 10 else label[:9] + "…")
        bar = (
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + 23}" text-anchor="end">{text}</text>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y + 5}" width="{width:.1f}" height="{ROW - 12}" rx="3">'
            f"<title>{escape(label)}: {_number(value)}</title></rect>"
            f'<text class="chart-value" x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 23}">{_number(value)}</text>'
        )
        if href:
            bar = f'<a href="{escape(href[i])}">{bar}</a>'
        parts.append(bar)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, title: str, percent: bool = True
) -> SafeString:
    """Lines over time; None leaves a gap. Rates are drawn on a 0–100 % scale from the lowest
    value's ten below."""
    values = [v for _, points in series for v in points if v is not None]
    if not labels or not values:
        return mark_safe("")
    height, left, right, top, bottom = 330, 56, 36, 16, 84
    if percent:
        low = max(0.0, math.floor(min(values) * 10) / 10 - 0.1)
        high = 1.0
    else:
        # Whole numbers on the axis: the top a multiple of four steps.
        low, high = 0.0, float(max(4, math.ceil(max(values) * 1.1 / 4) * 4))
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / max(len(labels) - 1, 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / ((high - low) or 1))

    parts = [
        f'<svg class="chart chart-lines" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(5):
        v = low + (high - low) * step / 4
        tick = f"{v * 100:.0f}%" if percent else _number(v)
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{WIDTH - right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text class="chart-tick" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    every = max(1, math.ceil(len(labels) / 6))
    for i, label in enumerate(labels):
        if (len(labels) - 1 - i) % every == 0:  # the latest always, then every `every`
            parts.append(
                f'<text class="chart-tick" x="{x(i):.1f}" y="{top + plot_h + 22}" text-anchor="middle">{escape(label)}</text>'
            )
    for n, (name, points) in enumerate(series):
        path = []
        pen_up = True
        for i, point in enumerate(points):
            if point is None:
                pen_up = True
                continue
            path.append(f"{'M' if pen_up else 'L'}{x(i):.1f},{y(point):.1f}")
            pen_up = False
        parts.append(f'<path class="chart-line chart-series-{n}" d="{" ".join(path)}"/>')
        for i, point in enumerate(points):
            if point is not None:
                shown = f"{point * 100:.2f}%" if percent else _number(point)
                parts.append(
                    f'<circle class="chart-dot chart-series-{n}" cx="{x(i):.1f}" cy="{y(point):.1f}" r="3.5">'
                    f"<title>{escape(name)} {escape(labels[i])}: {shown}</title></circle>"
                )
        legend_x = 8 + (n % 2) * 310
        legend_y = height - 44 + (n // 2) * 22
        parts.append(
            f'<rect class="chart-series-{n} chart-swatch" x="{legend_x}" y="{legend_y - 9}" width="14" height="4"/>'
            f'<text class="chart-label" x="{legend_x + 20}" y="{legend_y}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def dot_map(points: Sequence[tuple[str, float, float, float]], *, title: str) -> SafeString:
    """Places (label, latitude, longitude, count) as circles whose area follows the count, on
    their own coordinates (no map tiles: nothing is fetched); the largest are labelled."""
    points = [p for p in points if p[1] is not None and p[2] is not None and p[3] > 0]
    if len(points) < 2:
        return mark_safe("")
    height, margin = 420, 40
    lats = [p[1] for p in points]
    lngs = [p[2] for p in points]
    lat_span = (max(lats) - min(lats)) or 0.01
    lng_span = (max(lngs) - min(lngs)) or 0.01
    largest = max(p[3] for p in points)
    parts = [
        f'<svg class="chart chart-map" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect class="chart-map-ground" x="0" y="0" width="{WIDTH}" height="{height}" rx="8"/>',
    ]
    ranked = sorted(points, key=lambda p: -p[3])
    labelled: list[tuple[float, float]] = []
    for rank, (label, lat, lng, value) in enumerate(ranked):
        cx = margin + (WIDTH - 2 * margin) * (lng - min(lngs)) / lng_span
        cy = margin + (height - 2 * margin) * (1 - (lat - min(lats)) / lat_span)
        r = 4 + 26 * math.sqrt(value / largest)
        parts.append(
            f'<circle class="chart-hotspot" cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}">'
            f"<title>{escape(label)}: {_number(value)}</title></circle>"
        )
        # The largest few get a label, unless it would sit on one already placed.
        if rank < 6 and all(abs(cx - x) > 120 or abs(cy - y) > 26 for x, y in labelled):
            labelled.append((cx, cy))
            parts.append(
                f'<text class="chart-label" x="{cx:.1f}" y="{cy - r - 4:.1f}" text-anchor="middle">'
                f"{escape(label)} {_number(value)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
