"""What changed since the last audit: two JSON reports → rules newly failing, fixed, figures moved.

``auditrules report current.json --compare previous.json`` (and ``check --compare``) renders this
beside the current verdicts. It is not a baseline: a baseline silences known findings, a trend
only shows both periods' values side by side.

Pure functions of the two reports' JSON forms; imports only :mod:`auditrules.evidence` and
:mod:`auditrules.units`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditrules import evidence as E
from auditrules import ticket_evidence as TE
from auditrules.units import format_value

_FAILING = frozenset({"fail", "error"})


@dataclass(frozen=True)
class RuleChange:
    """One rule's verdict in both audits; ``change`` is ``newly failing``, ``fixed``, ``still failing``,
    ``changed``, ``unchanged``, ``new rule`` or ``no longer checked``."""

    rule_id: str
    title: str
    previous: str | None
    current: str | None
    change: str


@dataclass(frozen=True)
class FigureChange:
    """One group figure of a ticket requirement that moved between the two audits."""

    rule_id: str
    requirement: str
    group: str
    stratum: str
    unit: str
    previous: float
    current: float

    @property
    def relative(self) -> float:
        base = max(abs(self.previous), 1e-12)
        return abs(self.current - self.previous) / base

    def formatted(self) -> tuple[str, str]:
        return format_value(self.previous, self.unit), format_value(self.current, self.unit)


@dataclass(frozen=True)
class Trend:
    """Both audits compared; ``previous_label``/``current_label`` name them (a date or the file)."""

    previous_label: str
    current_label: str
    rules: tuple[RuleChange, ...]
    figures: tuple[FigureChange, ...]

    def by_change(self, change: str) -> tuple[RuleChange, ...]:
        return tuple(r for r in self.rules if r.change == change)


def _change(previous: str | None, current: str | None) -> str:
    if previous is None:
        return "new rule"
    if current is None:
        return "no longer checked"
    if current in _FAILING and previous not in _FAILING:
        return "newly failing"
    if previous in _FAILING and current not in _FAILING:
        return "fixed"
    if previous in _FAILING:
        return "still failing"
    return "unchanged" if previous == current else "changed"


def _figures(data: Mapping[str, Any]) -> dict[tuple[str, str, str, str], tuple[float, str]]:
    out: dict[tuple[str, str, str, str], tuple[float, str]] = {}
    for f in data.get("findings") or []:
        ev = E.evidence_from_json(f.get("evidence"))
        if not isinstance(ev, TE.TicketGroups):
            continue
        for g in ev.groups:
            if g.value is None or not math.isfinite(g.value):
                continue
            stratum = ", ".join(f"{k}={v}" for k, v in sorted((g.stratum or {}).items()))
            out[(str(f.get("rule_id")), ev.requirement, g.group, stratum)] = (g.value, ev.unit)
    return out


def _label(data: Mapping[str, Any], fallback: str) -> str:
    return str(data.get("generated_at") or fallback)


def compare(
    current: Mapping[str, Any],
    previous: Mapping[str, Any],
    *,
    current_name: str = "this audit",
    previous_name: str = "the previous audit",
    tolerance: float = 1e-9,
) -> Trend:
    """Compare two reports (their JSON forms). Figures that moved by more than ``tolerance``
    (relative) are listed, largest move first."""
    prev_rules = {str(r.get("rule_id")): r for r in previous.get("rules") or []}
    cur_rules = {str(r.get("rule_id")): r for r in current.get("rules") or []}
    rules = []
    for rid in sorted(set(prev_rules) | set(cur_rules)):
        p, c = prev_rules.get(rid), cur_rules.get(rid)
        title = str((c or p or {}).get("title", ""))
        p_status = str(p.get("status")) if p else None
        c_status = str(c.get("status")) if c else None
        rules.append(RuleChange(rid, title, p_status, c_status, _change(p_status, c_status)))
    before, after = _figures(previous), _figures(current)
    moved = []
    for key in sorted(set(before) & set(after)):
        (old, unit), (new, _) = before[key], after[key]
        change = FigureChange(*key, unit=unit, previous=old, current=new)
        if change.relative > tolerance:
            moved.append(change)
    moved.sort(key=lambda ch: (-ch.relative, ch.rule_id, ch.requirement, ch.group, ch.stratum))
    return Trend(_label(previous, previous_name), _label(current, current_name), tuple(rules), tuple(moved))


__all__ = ["FigureChange", "RuleChange", "Trend", "compare"]
