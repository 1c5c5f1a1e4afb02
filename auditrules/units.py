"""Units: the one definition of duration units and of how figures are written for people.

Every sentence in a finding and every cell of every report writes its figures through
:func:`format_value`, so a value reads the same in ``check`` output, Markdown, HTML and charts.

The duration rule
    A duration is written in the largest unit its size reaches — days from two days on (so a day
    and a half stays ``36h``), hours from one hour, minutes from one minute, else seconds — with
    at most one decimal and a trailing ``.0`` dropped: ``11520`` → ``3.2h``, ``86400`` → ``24h``,
    ``5400`` → ``1.5h``, ``432000`` → ``5d``, ``45`` → ``45s``, ``12345`` → ``3.4h``. When that one
    decimal would round away a value that is a whole number of hours or minutes, that unit is used
    instead, so targets that differ never print alike: ``4500`` → ``75m`` (not ``1.2h``), ``3660``
    → ``61m`` (not ``1h``), ``180000`` → ``50h`` (not ``2.1d``). Negative durations keep their sign.

Shares (``fraction``) are written as percentages with one decimal (``0.125`` → ``12.5%``);
counts as whole numbers; other numbers with three significant digits (``0.812``), whole from 1000 up.

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

#: Seconds per duration suffix of the rule language and canonical routing files (``4h``, ``2d``).
DURATION_SUFFIXES: Final[Mapping[str, int]] = MappingProxyType({"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800})

#: Seconds per unit name of a ticket mapping's ``unit:`` key (numeric duration columns).
UNIT_SECONDS: Final[Mapping[str, float]] = MappingProxyType(
    {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}
)

#: Display units of durations, largest first: (suffix, seconds per unit, size from which it is used).
_DISPLAY: Final[tuple[tuple[str, int, int], ...]] = (
    ("d", 86400, 2 * 86400),
    ("h", 3600, 3600),
    ("m", 60, 60),
    ("s", 1, 0),
)

#: What a missing figure (None, NaN) is written as in report cells.
MISSING: Final = "—"


def _one_decimal(value: float) -> str:
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def format_duration(seconds: float) -> str:
    """Seconds → a short human duration by the rule in this module's docstring."""
    if not math.isfinite(seconds):
        return "∞" if seconds > 0 else ("−∞" if seconds < 0 else MISSING)
    size = abs(seconds)
    suffix, unit = next((suffix, unit) for suffix, unit, start in _DISPLAY if size >= start)
    text = _one_decimal(seconds / unit)
    if math.isclose(float(text) * unit, seconds, rel_tol=1e-12, abs_tol=1e-9):
        return text + suffix
    for smaller, smaller_unit, _ in _DISPLAY:
        if 60 <= smaller_unit < unit and float(seconds / smaller_unit).is_integer():
            return f"{seconds / smaller_unit:.0f}{smaller}"
    return text + suffix


def format_percent(fraction: float) -> str:
    """A share as a percentage with one decimal: ``0.125`` → ``12.5%``."""
    return f"{fraction * 100:.1f}%"


def format_value(value: object, unit: str | None, missing: str = MISSING) -> str:
    """A figure in its unit: ``duration`` (seconds), ``fraction`` (a share), ``count`` or a plain number.

    ``missing`` is written for None and NaN; infinities as ``∞``/``−∞``; booleans as yes/no;
    anything that is not a number as its text.
    """
    if value is None:
        return missing
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, (int, float)):
        return str(value)
    f = float(value)
    if math.isnan(f):
        return missing
    if math.isinf(f):
        return "∞" if f > 0 else "−∞"
    if unit == "duration":
        return format_duration(f)
    if unit == "fraction":
        return format_percent(f)
    if unit == "count" or isinstance(value, int) or abs(f) >= 1000:
        return f"{f:.0f}"
    return f"{f:.3g}"


__all__ = [
    "DURATION_SUFFIXES",
    "MISSING",
    "UNIT_SECONDS",
    "format_duration",
    "format_percent",
    "format_value",
]
