"""The standard pack's ticket examples: small, deterministic CSV files under ``rules/tests/<RULE-ID>/``.

``python benchmarks/make_rule_examples.py`` (re)writes one ``pass`` and one ``fail`` example (and a few
``insufficient``-data or ``inconclusive`` ones) for each ticket rule of ``rules/fairness.rules``. Every
file has only the canonical columns its rule reads, so a reader sees at a glance why it passes or fails.
No randomness: values are laid out by formula.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "rules" / "tests"
HOUR = 3600

Row = dict[str, object]


def _spread(n: int, low: float, high: float) -> Iterator[float]:
    """``n`` values evenly spread from ``low`` to ``high``."""
    for i in range(n):
        yield round(low + (high - low) * i / max(n - 1, 1), 1)


def fair003(fair: bool) -> list[Row]:
    rows: list[Row] = []
    for channel in ("email", "phone", "twitter"):
        slow = channel != "twitter" and not fair
        for priority in ("normal", "high"):
            hours = _spread(60, 20.0, 40.0) if slow else _spread(60, 0.2, 3.0)
            rows += [
                {"channel": channel, "priority": priority, "status": "solved", "first_response": h * HOUR}
                for h in hours
            ]
    return rows


def fair004(fair: bool) -> list[Row]:
    rows: list[Row] = []
    for i in range(400):
        influence = i / 4
        hours = 2.0 if fair else (0.1 if influence >= 50 else 6.0)
        rows.append({"priority": "normal", "influence_score": influence, "first_response": hours * HOUR})
    return rows


def fair005(fair: bool) -> list[Row]:
    deflected = 2 if fair else 30
    return [
        {"channel": ("twitter", "facebook")[i % 2], "outcome": "deflected" if i < deflected else "resolved"}
        for i in range(100)
    ]


def fair006(fair: bool) -> list[Row]:
    rows: list[Row] = []
    for channel in ("email", "phone", "twitter"):
        seniors = 30 if fair or channel != "twitter" else 80
        rows += [{"channel": channel, "agent_tier": "senior" if i < seniors else "junior"} for i in range(100)]
    return rows


def fair007(fair: bool) -> list[Row]:
    return [{"influence_score": i, "compensation": 20.0 if fair or i < 150 else 60.0 + (i % 5)} for i in range(200)]


def fair008(fair: bool) -> list[Row]:
    rows: list[Row] = []
    for channel in ("email", "phone", "twitter"):
        resolved = 95 if fair or channel == "twitter" else 50
        for priority in ("normal", "high"):
            rows += [
                {
                    "channel": channel,
                    "priority": priority,
                    "status": "solved",
                    "outcome": "resolved" if i < resolved else "unresolved",
                }
                for i in range(100)
            ]
    return rows


def fair008_noisy(_: bool) -> list[Row]:
    """40 tickets per channel: email resolves 34, Twitter 38 (ratio 0.89, under 0.9, but the 95%
    interval reaches above 0.9): the gap may be noise, so the rule is inconclusive, not failed."""
    return [
        {"channel": c, "priority": "normal", "status": "solved", "outcome": "resolved" if i < k else "unresolved"}
        for c, k in (("email", 34), ("twitter", 38))
        for i in range(40)
    ]


EXAMPLES: dict[str, Callable[[bool], list[Row]]] = {
    "FAIR-003": fair003,
    "FAIR-004": fair004,
    "FAIR-005": fair005,
    "FAIR-006": fair006,
    "FAIR-007": fair007,
    "FAIR-008": fair008,
}


def write(path: Path, rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path.relative_to(ROOT.parent.parent)} ({len(rows)} rows)")


def main() -> int:
    for rule_id, make in EXAMPLES.items():
        write(ROOT / rule_id / "pass" / "fair.csv", make(True))
        write(ROOT / rule_id / "fail" / "two-tier.csv", make(False))
    write(ROOT / "FAIR-008" / "inconclusive" / "small-gap.csv", fair008_noisy(True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
