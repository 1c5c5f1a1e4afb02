"""The one figure formatter (auditrules/units.py): the examples its docstring promises."""

from __future__ import annotations

import math

import pytest

from auditrules.units import format_duration, format_value


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (11520, "3.2h"),
        (86400, "24h"),
        (5400, "1.5h"),
        (432000, "5d"),
        (45, "45s"),
        (12345, "3.4h"),
        (4500, "75m"),
        (3660, "61m"),
        (180000, "50h"),
        (-7200, "-2h"),
        (129600, "36h"),
        (0, "0s"),
        (math.inf, "∞"),
    ],
)
def test_duration_rule(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_distinct_whole_minute_targets_never_print_alike() -> None:
    texts = {format_duration(m * 60.0) for m in range(1, 60 * 48)}
    assert len(texts) == 60 * 48 - 1


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.125, "fraction", "12.5%"),
        (12.0, "count", "12"),
        (0.81234, "number", "0.812"),
        (None, "number", "—"),
        (math.nan, "duration", "—"),
        (True, None, "yes"),
        ("x", None, "x"),
    ],
)
def test_format_value(value: object, unit: str | None, text: str) -> None:
    assert format_value(value, unit) == text


def test_missing_word_for_sentences() -> None:
    assert format_value(None, "duration", missing="undefined") == "undefined"
