"""HTML views of typed evidence: one :mod:`auditrules.evidence` object → dicts of display strings.

Each evidence kind has its view here (a routing chain's flow, a table of SLA targets, ticket groups
and comparisons with their charts); ``reports/templates/_finding.html.j2`` and
``_tickets.html.j2`` lay them out. Values are plain strings: Jinja2 escapes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from auditrules import allowed_evidence as AE
from auditrules import evidence as E
from auditrules import ticket_evidence as TE
from auditrules.report.charts import ChartRow, ThresholdLine, dot_whisker, format_interval
from auditrules.report.locations import stratum_text
from auditrules.report.statuses import look
from auditrules.units import format_duration, format_value

_REASON_WORDS = re.compile(r"[_\s]+")
_SYMBOLS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">"}
_UNIT_WORDS = {"duration": "durations (m minutes, h hours, d days)", "fraction": "share of tickets"}


def status_view(status: str) -> dict[str, str]:
    """A status as the page shows it: ``{"key", "label", "symbol"}``."""
    shown = look(status)
    return {"key": shown.key, "label": shown.label, "symbol": shown.symbol}


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def details(ev: E.Evidence) -> list[dict[str, str]]:
    """The small facts of a finding no other section shows, sorted by name."""
    facts: dict[str, Any] = {}
    if isinstance(ev, E.RoutingDerivation):
        facts["derived"] = ev.derived
    elif isinstance(ev, E.RoutingReadsChecked):
        facts.update(routing_rules_checked=ev.routing_rules_checked, inactive_rules_skipped=ev.inactive_rules_skipped)
    elif isinstance(ev, AE.RoutingOnlyAllowed):
        facts["routing_rules_checked"] = ev.routing_rules_checked
    elif isinstance(ev, E.SlaCoverageGap):
        facts["channel"] = ev.channel
    elif isinstance(ev, E.SlaTargetsEqual):
        facts["targets_compared"] = ev.targets_compared
    elif isinstance(ev, TE.TicketGroups):
        facts.update(aggregate=ev.aggregate, group_by=ev.group_by, minimum=ev.minimum, mode=ev.mode)
        if ev.reference is not None:
            facts["reference"] = ev.reference
    elif isinstance(ev, TE.TicketMissingColumn):
        facts["missing_column"] = ev.missing_column
    if ev.waiver is not None:
        facts["waived_status"] = ev.waiver.waived_status
        if ev.waiver.baseline is not None:
            facts["baseline"] = ev.waiver.baseline
    return [{"label": _label(k), "value": format_value(v, None)} for k, v in sorted(facts.items())]


def requirement(ev: E.Evidence) -> str:
    """The statement or requirement the finding judges."""
    if isinstance(ev, (TE.TicketGroups, TE.TicketMissingColumn)):
        return ev.requirement
    if isinstance(ev, E.RoutingEvidence):
        return ev.statement
    return ""


def waiver(ev: E.Evidence) -> list[dict[str, str]]:
    """Who accepted the finding, why and until when."""
    if ev.waiver is None:
        return []
    note = ev.waiver.waiver
    facts = [("Approver", format_value(note.approver, None)), ("Expires", format_value(note.expires, None))]
    facts.append(("Reason", note.reason))
    if note.waiver_at is not None:
        facts.append(("Waiver at", str(note.waiver_at)))
    return [{"label": label, "value": value} for label, value in facts]


def needs(ev: E.Evidence) -> str | None:
    return ev.needs if isinstance(ev, E.MissingEvidence) else None


# --------------------------------------------------------------------------- routing evidence


def routing(ev: E.Evidence) -> dict[str, Any] | None:
    """How an influence signal reaches routing: the flow in one line and each step with its places."""
    if not isinstance(ev, (E.RoutingChain, E.RoutingDerivation)) or not ev.chain:
        return None
    steps = []
    flow: list[str] = []
    for step in ev.chain:
        name = step.rule_name or step.rule
        if step.reads and (not flow or flow[-1] != step.reads):
            flow.append(step.reads)
        flow.append(name)
        if step.writes:
            flow.append(step.writes)
        steps.append(
            {
                "name": name,
                "kind": step.kind,
                "reads": step.reads,
                "writes": step.writes or "",
                "condition": step.condition or "",
                "read_at": str(step.read_at),
                "write_at": str(step.write_at) if step.write_at is not None else "",
                "pattern": step.matched_pattern or "",
            }
        )
    effects = [f"{e.kind} {e.value}".strip() for e in ev.effects] if isinstance(ev, E.RoutingChain) else []
    if effects:
        flow.append(", ".join(effects))
    return {"flow": " → ".join(flow), "steps": steps, "effects": effects, "config": ev.routing}


def targets(ev: E.Evidence) -> dict[str, Any] | None:
    """SLA targets by channel, each relative to the fastest."""
    if not isinstance(ev, E.SlaTargets) or not ev.targets:
        return None
    seconds = [t.seconds for t in ev.targets if t.seconds is not None and t.seconds > 0]
    fastest = min(seconds) if seconds else None
    rows = []
    for t in ev.targets:
        s, bh = t.seconds, t.business_hours
        relative = "—"
        if s is not None and fastest:
            relative = "fastest" if s == fastest else f"{s / fastest:.3g}× the fastest"
        rows.append(
            {
                "channel": t.channel,
                "policy": t.policy or "",
                "target": format_duration(s) if s is not None else "no target",
                "missing": s is None,
                "business_hours": "—" if bh is None else ("business hours" if bh else "calendar hours"),
                "relative": relative,
            }
        )
    metric = ev.metric.replace("_", " ")
    caption = f"SLA {metric} targets by channel" + (f", priority {ev.priority}" if ev.priority else "")
    return {"caption": caption, "rows": rows}


# --------------------------------------------------------------------------- ticket evidence


def _group_label(group: str, stratum: Mapping[str, str] | None) -> str:
    text = stratum_text(stratum)
    return f"{group} · {text}" if text else group


def _thresholds(t: TE.Threshold, unit: str) -> list[ThresholdLine]:
    """The threshold as chart lines: one bound, or both bounds of ``between``."""
    low = t.value if isinstance(t.value, (int, float)) else None
    if t.op == "between" and low is not None and t.high is not None:
        bounds = [(float(low), "≥"), (float(t.high), "≤")]
    else:
        bounds = [(float(low), _SYMBOLS.get(t.op, t.op))] if low is not None else []
    return [ThresholdLine(v, f"{sym} {format_value(v, unit)}".strip()) for v, sym in bounds]


def _chart_row(label: str, value: float | None, interval: TE.Interval | None, verdict: str | None) -> ChartRow:
    low, high = interval if interval is not None else (None, None)
    return ChartRow(label, value, low, high, verdict)


def count(value: Any) -> str:
    """A whole number with thousands separators."""
    if isinstance(value, bool) or not isinstance(value, int):
        return format_value(value, None)
    return f"{value:,}"


def _rows_view(rows: TE.RowAccounting) -> dict[str, Any]:
    return {
        "read": count(rows.read),
        "evaluated": count(rows.evaluated),
        "excluded": [
            {"reason": _REASON_WORDS.sub(" ", k).strip(), "n": count(v)} for k, v in sorted(rows.excluded.items())
        ],
    }


def _pooled_text(pooled: Sequence[TE.PooledComparison] | None, unit: str) -> str:
    parts = []
    for p in pooled or ():
        text = f"{p.group} vs {p.reference}: {format_value(p.value, unit)}"
        if p.interval is not None:
            text += " " + format_interval(list(p.interval), unit)
        parts.append(text)
    return "; ".join(parts)


def tickets(ev: E.Evidence) -> dict[str, Any] | None:
    """Groups, comparisons, their charts, row accounting and the query of a ticket requirement."""
    if isinstance(ev, TE.TicketMissingColumn):
        return _tickets_frame(unit="number") | {"rows": _rows_view(ev.rows)}
    if not isinstance(ev, TE.TicketGroups):
        return None
    unit = ev.unit
    # ratios have no unit; differences and per-group checks (each / overall) keep the figure's unit
    comp_unit = "number" if ev.measure == "ratio" else unit
    judged_as_comparisons = bool(ev.comparisons) or ev.measure is not None
    thresholds = _thresholds(ev.threshold, comp_unit if judged_as_comparisons else unit)
    parity = {
        "ratio": [ThresholdLine(1.0, "equal (1)", "reference")],
        "difference": [ThresholdLine(0.0, "equal (0)", "reference")],
    }.get(ev.measure or "", [])
    group_chart = dot_whisker(
        [_chart_row(_group_label(g.group, g.stratum), g.value, g.interval, None) for g in ev.groups],
        unit,
        "Group figures with their intervals",
        [] if judged_as_comparisons else thresholds,
    )
    shown = ev.worst_first()[:MAX_ROWS]
    comp_chart = dot_whisker(
        [
            _chart_row(
                _group_label(c.group, c.stratum) + ("" if c.reference is None else f" vs {c.reference}"),
                c.value,
                c.interval,
                c.verdict,
            )
            for c in shown
        ],
        comp_unit,
        f"{(ev.measure or 'comparison').capitalize()} per group with intervals and threshold",
        [*thresholds, *parity],
    )
    # "each" and "overall" judge every group against the threshold: the comparison chart says it all
    per_group_only = ev.mode != "across"
    groups = [_group_row(g, unit) for g in ev.groups]
    return _tickets_frame(unit) | {
        "measure": ev.measure or "",
        "threshold": " and ".join(t.label for t in thresholds),
        "confidence": f"{ev.confidence * 100:g}%" if ev.confidence is not None else "",
        "pooled": _pooled_text(ev.pooled, comp_unit),
        "has_strata": any(g.stratum for g in ev.groups) or any(c.stratum for c in ev.comparisons),
        "groups": groups if len(groups) <= MAX_ROWS else [],
        "all_groups": groups,
        "comparisons": [_comparison_row(c, comp_unit) for c in shown],
        "comparisons_total": ev.comparison_counts.total if ev.comparison_counts else len(ev.comparisons),
        "comparisons_failing": (
            ev.comparison_counts.failing
            if ev.comparison_counts
            else sum(1 for c in ev.comparisons if c.verdict == "fail")
        ),
        "group_chart": "" if per_group_only and ev.comparisons else group_chart,
        "group_threshold": bool(thresholds) and not judged_as_comparisons,
        "comparison_chart": comp_chart,
        "rows": _rows_view(ev.rows),
        "sql": ev.sql,
    }


#: Tables and charts in a rule's section show at most this many rows (the worst comparisons first);
#: every group's figures are in the report's appendix.
MAX_ROWS = 15


def _tickets_frame(unit: str) -> dict[str, Any]:
    """Every key the tickets template reads, empty."""
    return {
        "unit": _UNIT_WORDS.get(unit, "numbers"),
        "measure": "",
        "threshold": "",
        "confidence": "",
        "pooled": "",
        "has_strata": False,
        "groups": [],
        "all_groups": [],
        "comparisons": [],
        "comparisons_total": 0,
        "comparisons_failing": 0,
        "group_chart": "",
        "group_threshold": False,
        "comparison_chart": "",
        "rows": None,
        "sql": "",
    }


def _group_row(g: TE.GroupFigure, unit: str) -> dict[str, str]:
    return {
        "group": g.group,
        "stratum": stratum_text(g.stratum),
        "n": count(g.n),
        "value": format_value(g.value, unit),
        "interval": format_interval(list(g.interval) if g.interval is not None else None, unit),
    }


def _comparison_row(c: TE.Comparison, unit: str) -> dict[str, Any]:
    return {
        "group": c.group,
        "reference": "—" if c.reference is None else c.reference,
        "stratum": stratum_text(c.stratum),
        "value": format_value(c.value, unit),
        "interval": format_interval(list(c.interval) if c.interval is not None else None, unit),
        "verdict": status_view(c.verdict),
    }


__all__ = ["count", "details", "needs", "requirement", "routing", "status_view", "targets", "tickets", "waiver"]
