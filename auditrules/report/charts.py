"""SVG charts: group figures with their intervals → inline SVG strings (dot-and-whisker plots).

Pure functions, no I/O and no randomness: the same rows give byte-identical SVG. Every piece of text
that comes from the report (group names, labels) goes through :func:`markupsafe.escape`; the result is
returned as :class:`markupsafe.Markup` because this module built all of its markup itself.

Figures are written by :func:`auditrules.units.format_value`, the one formatter of every report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from auditrules.units import format_value

#: Geometry of a chart, in SVG user units (px at 100% zoom).
#: The plot keeps its width; the label column widens to the longest label (labels are never cut).
PLOT_WIDTH = 602
LABEL_WIDTH = 230
RIGHT_MARGIN = 28
ROW_HEIGHT = 22
TOP_MARGIN = 30
AXIS_HEIGHT = 40
#: Average advance of one label character at font-size 12, generous for wide glyphs.
CHAR_WIDTH = 7.2

#: Marker per comparison verdict; the shape (not only the colour) carries the meaning in greyscale print.
_MARKERS = {
    "fail": ("diamond", "#b42318", True),
    "error": ("diamond", "#b42318", True),
    "inconclusive": ("diamond", "#9a5b00", False),
    "warn": ("diamond", "#9a5b00", False),
}
_DEFAULT_MARKER = ("circle", "#1f2a44", True)


@dataclass(frozen=True)
class ChartRow:
    """One line of a dot-and-whisker chart.

    ``value`` is the point estimate, ``low``/``high`` the interval bounds (``None`` when the bound is
    unknown or open); ``verdict`` picks the marker (a failing comparison is a filled diamond).
    """

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    verdict: str | None = None


@dataclass(frozen=True)
class ThresholdLine:
    """A vertical line at ``value`` labelled ``label`` (already human-formatted).

    A ``threshold`` line is dashed and dark; a ``reference`` line (parity: ratio 1, difference 0) is
    light and dotted, labelled at the bottom so the two never collide.
    """

    value: float
    label: str
    kind: str = "threshold"


# --------------------------------------------------------------------------- formatting


def number(value: Any) -> float | None:
    """A finite float from a JSON value, or ``None`` (null, NaN, infinities, non-numbers, booleans)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def format_interval(interval: Any, unit: str | None) -> str:
    """``[low, high]`` in the unit, ``—`` when there is no interval; an open bound shows as ``…``."""
    if not isinstance(interval, (list, tuple)) or len(interval) != 2:
        return "—"
    low, high = interval
    lo = "…" if low is None else format_value(low, unit)
    hi = "…" if high is None else format_value(high, unit)
    return f"[{lo}, {hi}]"


# --------------------------------------------------------------------------- axis


def _axis_scale(unit: str | None, top: float) -> tuple[float, str]:
    """The display unit of axis ticks: (divisor, suffix)."""
    if unit == "duration":
        if top < 120:
            return 1.0, "s"
        if top < 7200:
            return 60.0, "m"
        if top < 2 * 86400:
            return 3600.0, "h"
        return 86400.0, "d"
    if unit == "fraction":
        return 0.01, "%"
    return 1.0, ""


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / target
    mag = 10.0 ** math.floor(math.log10(raw))
    for mult in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= mult * mag:
            return mult * mag
    return 10.0 * mag


def _domain(values: Sequence[float], unit: str | None) -> tuple[float, float, list[float], float, str]:
    """Axis bounds and ticks (in report units) covering ``values``, plus the tick scale and suffix."""
    lo, hi = min(values), max(values)
    if unit in ("duration", "fraction") and lo >= 0:
        lo = 0.0
    span = hi - lo
    lo, hi = (lo if lo == 0.0 else lo - span * 0.03), hi + span * 0.03
    if unit == "fraction" and max(values) <= 1.0:
        hi = min(hi, 1.0)
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
        if unit in ("duration", "fraction") and lo < 0 <= min(values):
            lo = 0.0
    scale, suffix = _axis_scale(unit, max(abs(lo), abs(hi)))
    slo, shi = lo / scale, hi / scale
    step = _nice_step(shi - slo)
    start = math.floor(slo / step) * step
    stop = math.ceil(shi / step) * step
    ticks: list[float] = []
    k = 0
    while True:
        t = start + k * step
        if t > stop + step * 1e-9:
            break
        ticks.append(round(t, 10))
        k += 1
    return start * scale, stop * scale, [t * scale for t in ticks], scale, suffix


def _tick_label(value: float, scale: float, suffix: str) -> str:
    v = round(value / scale, 9)
    if v == 0:
        v = 0.0
    return f"{v:g}{suffix}"


def _px(x: float) -> str:
    """A coordinate with one decimal: stable text for byte-identical output."""
    s = f"{x:.1f}"
    return "0.0" if s == "-0.0" else s


def label_width(rows: Sequence[ChartRow]) -> int:
    """The label column's width: the longest label's, at least LABEL_WIDTH."""
    longest = max((len(r.label) for r in rows), default=0)
    return max(LABEL_WIDTH, int(CHAR_WIDTH * longest) + 20)


# --------------------------------------------------------------------------- chart


@dataclass(frozen=True)
class _Frame:
    """Where values land: the domain ``lo``–``hi`` spread over x0–x1, and the plot's bottom edge."""

    lo: float
    hi: float
    x0: float
    x1: float
    bottom: float
    width: float

    def x(self, v: float) -> float:
        return self.x0 + (v - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)


def dot_whisker(
    rows: Sequence[ChartRow],
    unit: str | None,
    title: str,
    thresholds: Sequence[ThresholdLine] = (),
) -> Markup:
    """A dot-and-whisker chart: one row per group, the dot at its value, the whisker over its interval,
    dashed vertical lines at the thresholds. Returns an empty string when no row has a number.

    The SVG is meant to sit inline in an HTML page, so it carries no XML namespace declaration."""
    finite: list[float] = []
    for r in rows:
        finite.extend(v for v in (number(r.value), number(r.low), number(r.high)) if v is not None)
    finite.extend(v for v in (number(t.value) for t in thresholds) if v is not None)
    # no chart without a number, nor when the figures' spread overflows a float (a doctored report)
    if not rows or not finite or not math.isfinite((max(finite) - min(finite)) * 2):
        return Markup("")
    lo, hi, ticks, scale, suffix = _domain(finite, unit)
    labels = float(label_width(rows))
    width = int(labels) + PLOT_WIDTH + RIGHT_MARGIN
    frame = _Frame(lo, hi, labels, labels + PLOT_WIDTH, TOP_MARGIN + ROW_HEIGHT * len(rows), width)
    height = TOP_MARGIN + ROW_HEIGHT * len(rows) + AXIS_HEIGHT
    out: list[str] = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="inherit" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    out += _grid(frame, len(rows), [(tick, _tick_label(tick, scale, suffix)) for tick in ticks])
    for t in thresholds:
        out += _threshold(frame, t)
    for i, r in enumerate(rows):
        out += _row(frame, TOP_MARGIN + i * ROW_HEIGHT + ROW_HEIGHT / 2, r)
    out.append("</svg>")
    return Markup("".join(out))


def _grid(frame: _Frame, n_rows: int, ticks: Sequence[tuple[float, str]]) -> list[str]:
    """Zebra bands, vertical grid lines with their tick labels, and the axis."""
    out = [
        f'<rect x="0" y="{_px(TOP_MARGIN + i * ROW_HEIGHT)}" width="{_px(frame.width)}" height="{ROW_HEIGHT}" '
        'fill="#f4f6f9" class="band"/>'
        for i in range(0, n_rows, 2)
    ]
    for tick, label in ticks:
        tx = _px(frame.x(tick))
        out.append(
            f'<line x1="{tx}" y1="{TOP_MARGIN}" x2="{tx}" y2="{frame.bottom}" stroke="#d5dae1" stroke-width="1"/>'
        )
        out.append(f'<text x="{tx}" y="{frame.bottom + 16}" text-anchor="middle" fill="#3b4656">{escape(label)}</text>')
    out.append(
        f'<line x1="{_px(frame.x0)}" y1="{frame.bottom}" x2="{_px(frame.x1)}" y2="{frame.bottom}" stroke="#6b7685" '
        'stroke-width="1"/>'
    )
    return out


def _threshold(frame: _Frame, t: ThresholdLine) -> list[str]:
    """A threshold (dashed, labelled above the plot) or a reference line (dotted, labelled below)."""
    tv = number(t.value)
    if tv is None:
        return []
    tx = _px(frame.x(tv))
    if t.kind == "reference":
        return [
            f'<line x1="{tx}" y1="{TOP_MARGIN}" x2="{tx}" y2="{frame.bottom}" stroke="#6b7685" '
            'stroke-width="1.5" stroke-dasharray="1 3" class="reference"/>',
            f'<text x="{tx}" y="{frame.bottom + 29}" text-anchor="middle" fill="#6b7685" '
            f'font-style="italic">{escape(t.label)}</text>',
        ]
    anchor = "end" if frame.x(tv) > (frame.x0 + frame.x1) / 2 else "start"
    dx = -4 if anchor == "end" else 4
    return [
        f'<line x1="{tx}" y1="{TOP_MARGIN - 8}" x2="{tx}" y2="{frame.bottom}" stroke="#111827" '
        'stroke-width="1.5" stroke-dasharray="6 4" class="threshold"/>',
        f'<text x="{_px(frame.x(tv) + dx)}" y="{TOP_MARGIN - 12}" text-anchor="{anchor}" fill="#111827" '
        f'font-weight="600">{escape(t.label)}</text>',
    ]


def _row(frame: _Frame, cy: float, r: ChartRow) -> list[str]:
    """One row: its label, the whisker over its interval (dashed when a bound is open) and its marker."""
    out = [
        f'<text x="{_px(frame.x0 - 10)}" y="{_px(cy + 4)}" text-anchor="end" fill="#1f2a44">{escape(r.label)}</text>'
    ]
    value, low, high = number(r.value), number(r.low), number(r.high)
    shape, colour, filled = _MARKERS.get(r.verdict or "", _DEFAULT_MARKER)
    if low is not None or high is not None:
        wl = frame.x(low) if low is not None else frame.x0
        wh = frame.x(high) if high is not None else frame.x1
        dash = "" if low is not None and high is not None else ' stroke-dasharray="3 3"'
        out.append(
            f'<line x1="{_px(wl)}" y1="{_px(cy)}" x2="{_px(wh)}" y2="{_px(cy)}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        out += [
            f'<line x1="{_px(bx)}" y1="{_px(cy - 5)}" x2="{_px(bx)}" y2="{_px(cy + 5)}" '
            f'stroke="{colour}" stroke-width="2"/>'
            for bound, bx in ((low, wl), (high, wh))
            if bound is not None
        ]
    if value is None:
        out.append(
            f'<text x="{_px(frame.x0 + 6)}" y="{_px(cy + 4)}" fill="#6b7685" font-style="italic">no value</text>'
        )
        return out
    vx = frame.x(value)
    fill = colour if filled else "#ffffff"
    if shape == "diamond":
        pts = f"{_px(vx)},{_px(cy - 6)} {_px(vx + 6)},{_px(cy)} {_px(vx)},{_px(cy + 6)} {_px(vx - 6)},{_px(cy)}"
        out.append(f'<polygon points="{pts}" fill="{fill}" stroke="{colour}" stroke-width="2"/>')
    else:
        out.append(f'<circle cx="{_px(vx)}" cy="{_px(cy)}" r="4.5" fill="{fill}" stroke="{colour}" stroke-width="2"/>')
    return out
