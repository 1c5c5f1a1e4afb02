"""Text report: report data (the JSON form) → a terminal rendering, one block per rule.

Lines are built from segments (plain text, or ``(style, text)`` with a rich style). Without colour
(a pipe, a file, a CI log) they are joined as they are, tabs expanded, without importing rich's
console; with colour (a terminal) they go through rich as markup. Tables of ticket groups are laid
out by rich in both cases.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from auditrules import evidence as E
from auditrules.evidence import evidence_from_json
from auditrules.report.locations import stratum_text, where
from auditrules.report.statuses import FAILING_VALUES, look
from auditrules.units import format_value

if TYPE_CHECKING:
    from auditrules.ticket_evidence import TicketGroups

MAX_GROUP_ROWS = 12
WIDTH = 100
#: The evidence kinds the text report shows beyond the message and locations: the ticket kinds.
_TICKET_KINDS = E.TICKET_KINDS

#: Plain text, or ``(rich style, text)``.
Segment: TypeAlias = "str | tuple[str, str]"


def _console(buf: io.StringIO, color: bool, width: int) -> Any:
    from rich.console import Console

    return Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        emoji=False,  # ":fire:" in a trigger title is text, not an emoji
        color_system="standard" if color else None,
        legacy_windows=False,
        soft_wrap=not color,
    )


class _Out:
    """Lines of segments, printed in batches (rich's per-call cost dominates otherwise), and tables between them."""

    def __init__(self, color: bool, width: int) -> None:
        self.color = color
        self.width = width
        self.buf = io.StringIO()
        self.console: Any = _console(self.buf, color, width) if color else None
        self.pending: list[str] = []

    def emit(self, *segments: Segment) -> None:
        if self.color:
            from rich.markup import escape

            parts = [
                escape(s) if isinstance(s, str) else f"[{s[0]}]{escape(s[1])}[/{s[0]}]" if s[0] else escape(s[1])
                for s in segments
            ]
        else:
            parts = [s if isinstance(s, str) else s[1] for s in segments]
        self.pending.append("".join(parts))

    def flush(self) -> None:
        if not self.pending:
            return
        if self.color:
            self.console.print("\n".join(self.pending))
        else:
            self.buf.write("".join((_expand_tabs(line) if "\t" in line else line) + "\n" for line in self.pending))
        self.pending.clear()

    def indented(self, renderable: Any) -> None:
        from rich.padding import Padding

        self.flush()
        if self.console is None:
            self.console = _console(self.buf, self.color, self.width)
        self.console.print(Padding(renderable, (0, 0, 0, 8), expand=False))

    def text(self) -> str:
        self.flush()
        return self.buf.getvalue()


def _expand_tabs(line: str, size: int = 8) -> str:
    """Tabs to spaces up to the next multiple of ``size`` terminal cells (a wide character takes two)."""
    if line.isascii():
        return line.expandtabs(size)
    from rich.cells import cell_len

    parts = line.split("\t")
    out, cells = [parts[0]], cell_len(parts[0])
    for part in parts[1:]:
        pad = size - cells % size
        out.append(" " * pad + part)
        cells += pad + cell_len(part)
    return "".join(out)


#: What the text report prints of a rule (:func:`_rule`).
_RULE_KEYS = ("rule_id", "title", "severity", "status", "remediation")


def printed_part(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without what :func:`render_text` never prints: of each rule, all but
    :data:`_RULE_KEYS` (its doc page, source text, rationale) and, in a report this process built or
    validated whole (:func:`~auditrules.evidence.trusted`), the evidence of kinds the text report
    does not show, kept as its kind alone. Such parts are most of a report; writing their strings
    visibly (:func:`~auditrules.report.render.visible_data`) would cost more than rendering the text."""
    out = dict(data)
    if isinstance(rules := data.get("rules"), list):
        out["rules"] = [{k: r[k] for k in _RULE_KEYS if k in r} if isinstance(r, dict) else r for r in rules]
    if E.trusted() and isinstance(findings := data.get("findings"), list):
        out["findings"] = [_shown_evidence(f) for f in findings]
    return out


def _shown_evidence(finding: Any) -> Any:
    """``finding`` with its evidence kept whole only when the text report shows it (ticket kinds)."""
    if not isinstance(finding, dict):
        return finding
    ev = finding.get("evidence")
    if not isinstance(ev, Mapping) or ev.get("kind") in _TICKET_KINDS:
        return finding
    return {**finding, "evidence": {"kind": ev.get("kind")}}


def render_text(data: dict[str, Any], color: bool = False, width: int = WIDTH, verbose: bool = False) -> str:
    """Render a report for a compliance officer; ``color`` adds ANSI styles (and wraps at ``width``
    columns; without colour lines are never wrapped, and tables are laid out for ``width``)."""
    out = _Out(color, width)
    policy = data.get("policy") or {}
    title = policy.get("name") or "auditrules"
    if policy.get("version"):
        title += f" v{policy['version']}"
    out.emit(("bold", title))
    for inp in data.get("inputs", []):
        if inp["kind"] != "rules":
            out.emit("  ", ("dim", inp["kind"]), f" {inp['path']}")
    out.emit()
    findings_by_rule: dict[str, list[dict[str, Any]]] = {}
    for f in data.get("findings", []):
        findings_by_rule.setdefault(f["rule_id"], []).append(f)
    for rule in data.get("rules", []):
        _rule(out, rule, findings_by_rule.get(rule["rule_id"], []), verbose)
    _diagnostics(out, data.get("diagnostics") or [])
    summary = data.get("summary", {}).get("rules", {})
    counts = [f"{n} {k.replace('_', ' ')}" for k, n in summary.items() if n]
    total = data.get("summary", {}).get("rules_total", 0)
    why = data.get("summary", {}).get("not_evaluated") or {}
    if why:  # say why rules were not evaluated: "1 not evaluated (no 'reopens' column in the ticket data)"
        reasons = "; ".join(f"{k}: {n}" if len(why) > 1 else str(k) for k, n in why.items())
        counts = [f"{c} ({reasons})" if c.endswith(" not evaluated") else c for c in counts]
    exit_line = f" {', '.join(counts)}. Exit {data.get('exit_code')} (fail-on {data.get('fail_on')})."
    out.emit(("bold", f"{total} rules:"), exit_line)
    return out.text()


def _rule(out: _Out, rule: Mapping[str, Any], findings: list[dict[str, Any]], verbose: bool) -> None:
    shown = look(rule["status"])
    out.emit(
        (shown.style, f"{shown.symbol} {shown.label}"),
        "  ",
        ("bold", rule["rule_id"]),
        f" {rule['title']} ",
        ("dim", f"({rule['severity']})"),
    )
    for f in findings:
        if f["status"] == "pass" and rule["status"] != "pass" and not verbose:
            continue
        fshown = look(f["status"])
        out.emit("    ", (fshown.style, fshown.symbol), f" {f['message']}")
        for loc in f.get("locations", []):
            out.emit("        ", ("cyan", where(loc)), f"  {loc['note']}" if loc.get("note") else "")
        raw = f.get("evidence")
        if E.trusted() and isinstance(raw, Mapping) and raw.get("kind") not in _TICKET_KINDS:
            continue  # the message and locations say all the text report shows of other kinds
        ev = evidence_from_json(raw)
        if ev.KIND not in _TICKET_KINDS:
            continue
        from auditrules.ticket_evidence import TicketGroups, TicketMissingColumn

        if isinstance(ev, TicketGroups) and ev.groups and (f["status"] != "pass" or verbose):
            _groups(out, ev)
        if isinstance(ev, (TicketGroups, TicketMissingColumn)) and f["status"] != "pass":
            excluded = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(ev.rows.excluded.items()) if v)
            out.emit(
                "        ",
                (
                    "dim",
                    f"rows: {ev.rows.read} read, {ev.rows.evaluated} evaluated"
                    + (f"; excluded: {excluded}" if excluded else ""),
                ),
            )
    if rule["status"] in FAILING_VALUES and rule.get("remediation"):
        out.emit("    ", ("dim", "fix:"), f" {rule['remediation']}")
    out.emit()


def _groups(out: _Out, ev: TicketGroups) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False)
    stratified = any(g.stratum for g in ev.groups)
    columns = ("group", "stratum", "n", "value", "interval") if stratified else ("group", "n", "value", "interval")
    for col in columns:
        table.add_column(col, justify="right" if col in ("n", "value") else "left")
    for g in ev.groups[:MAX_GROUP_ROWS]:
        iv = g.interval
        cells = [
            escape(g.group),
            escape(stratum_text(g.stratum)),
            str(g.n),
            format_value(g.value, ev.unit),
            "" if not iv else f"[{format_value(iv[0], ev.unit)}, {format_value(iv[1], ev.unit)}]",
        ]
        table.add_row(*(cells if stratified else cells[:1] + cells[2:]))
    out.indented(table)
    if len(ev.groups) > MAX_GROUP_ROWS:
        out.emit(f"        … {len(ev.groups) - MAX_GROUP_ROWS} more groups in the JSON report")


def _diagnostics(out: _Out, diags: list[Mapping[str, Any]]) -> None:
    if not diags:
        return
    out.emit(("bold", "Notes on the inputs"))
    for d in diags:
        loc = d.get("location") or {}
        at = (loc.get("path", "") + (f":{loc['line']}" if loc.get("line") else "")) if loc else ""
        style = "red" if d["level"] == "error" else "yellow"
        out.emit("  ", (style, f"{d['level']}[{d['code']}]"), f" {at} {d['message']}")
    out.emit()
