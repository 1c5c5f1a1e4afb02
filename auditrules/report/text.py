"""Text report: report data (the JSON form) → a terminal rendering with rich, one block per rule."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from auditrules import evidence as E
from auditrules.evidence import evidence_from_json
from auditrules.report.locations import stratum_text, where
from auditrules.report.statuses import FAILING_VALUES, look
from auditrules.units import format_value

MAX_GROUP_ROWS = 12


class _Out:
    """Markup lines printed in batches (rich's per-call cost dominates otherwise), and tables between them."""

    def __init__(self, color: bool, width: int) -> None:
        from rich.console import Console

        self.buf = io.StringIO()
        self.console = Console(
            file=self.buf,
            force_terminal=color,
            no_color=not color,
            width=width,
            highlight=False,
            color_system="standard" if color else None,
            legacy_windows=False,
            soft_wrap=not color,
        )
        self.pending: list[str] = []

    def emit(self, markup: str = "") -> None:
        self.pending.append(markup)

    def flush(self) -> None:
        if self.pending:
            self.console.print("\n".join(self.pending))
            self.pending.clear()

    def indented(self, renderable: Any) -> None:
        from rich.padding import Padding

        self.flush()
        self.console.print(Padding(renderable, (0, 0, 0, 8), expand=False))

    def text(self) -> str:
        self.flush()
        return self.buf.getvalue()


def render_text(data: dict[str, Any], color: bool = False, width: int = 100, verbose: bool = False) -> str:
    """Render a report for a compliance officer; ``color`` adds ANSI styles."""
    from rich.markup import escape

    out = _Out(color, width)
    policy = data.get("policy") or {}
    title = policy.get("name") or "auditrules"
    if policy.get("version"):
        title += f" v{policy['version']}"
    out.emit(f"[bold]{escape(title)}[/bold]")
    for inp in data.get("inputs", []):
        if inp["kind"] != "rules":
            out.emit(f"  [dim]{escape(inp['kind'])}[/dim] {escape(inp['path'])}")
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
        reasons = "; ".join(f"{escape(str(k))}: {n}" if len(why) > 1 else escape(str(k)) for k, n in why.items())
        counts = [f"{c} ({reasons})" if c.endswith(" not evaluated") else c for c in counts]
    out.emit(
        f"[bold]{total} rules:[/bold] {', '.join(counts)}. "
        f"Exit {data.get('exit_code')} (fail-on {data.get('fail_on')})."
    )
    return out.text()


def _rule(out: _Out, rule: Mapping[str, Any], findings: list[dict[str, Any]], verbose: bool) -> None:
    from rich.markup import escape

    shown = look(rule["status"])
    out.emit(
        f"[{shown.style}]{shown.symbol} {shown.label}[/{shown.style}]  [bold]{escape(rule['rule_id'])}[/bold] "
        f"{escape(rule['title'])} [dim]({rule['severity']})[/dim]"
    )
    for f in findings:
        if f["status"] == "pass" and rule["status"] != "pass" and not verbose:
            continue
        fshown = look(f["status"])
        out.emit(f"    [{fshown.style}]{fshown.symbol}[/{fshown.style}] {escape(f['message'])}")
        for loc in f.get("locations", []):
            note = f"  {escape(loc['note'])}" if loc.get("note") else ""
            out.emit(f"        [cyan]{escape(where(loc))}[/cyan]{note}")
        ev = evidence_from_json(f.get("evidence"))
        if isinstance(ev, E.TicketGroups) and ev.groups and (f["status"] != "pass" or verbose):
            _groups(out, ev)
        if isinstance(ev, (E.TicketGroups, E.TicketMissingColumn)) and f["status"] != "pass":
            excluded = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(ev.rows.excluded.items()) if v)
            out.emit(
                f"        [dim]rows: {ev.rows.read} read, {ev.rows.evaluated} evaluated"
                + (f"; excluded: {escape(excluded)}" if excluded else "")
                + "[/dim]"
            )
    if rule["status"] in FAILING_VALUES and rule.get("remediation"):
        out.emit(f"    [dim]fix:[/dim] {escape(rule['remediation'])}")
    out.emit()


def _groups(out: _Out, ev: E.TicketGroups) -> None:
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
    from rich.markup import escape

    if not diags:
        return
    out.emit("[bold]Notes on the inputs[/bold]")
    for d in diags:
        loc = d.get("location") or {}
        at = (loc.get("path", "") + (f":{loc['line']}" if loc.get("line") else "")) if loc else ""
        style = "red" if d["level"] == "error" else "yellow"
        label = f"{d['level']}[{escape(d['code'])}]"
        out.emit(f"  [{style}]{label}[/{style}] {escape(at)} {escape(d['message'])}")
    out.emit()
