"""Text report: report data (the JSON form) → a terminal rendering with rich, one block per rule."""

from __future__ import annotations

import io
from typing import Any

from auditrules.report.statuses import look
from auditrules.units import format_value

MAX_GROUP_ROWS = 12


def render_text(data: dict[str, Any], color: bool = False, width: int = 100, verbose: bool = False) -> str:
    """Render a report for a compliance officer; ``color`` adds ANSI styles."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buf = io.StringIO()
    console = Console(
        file=buf, force_terminal=color, no_color=not color, width=width, highlight=False,
        color_system="standard" if color else None, legacy_windows=False, soft_wrap=not color,
    )
    pending: list[str] = []  # markup lines, printed in one call: rich's per-call cost dominates otherwise

    def emit(markup: str = "") -> None:
        pending.append(markup)

    def flush() -> None:
        if pending:
            console.print("\n".join(pending))
            pending.clear()

    policy = data.get("policy") or {}
    title = policy.get("name") or "auditrules"
    if policy.get("version"):
        title += f" v{policy['version']}"
    emit(f"[bold]{escape(title)}[/bold]")
    for inp in data.get("inputs", []):
        if inp["kind"] != "rules":
            emit(f"  [dim]{escape(inp['kind'])}[/dim] {escape(inp['path'])}")
    emit()
    findings_by_rule: dict[str, list[dict[str, Any]]] = {}
    for f in data.get("findings", []):
        findings_by_rule.setdefault(f["rule_id"], []).append(f)
    for rule in data.get("rules", []):
        shown = look(rule["status"])
        label, style, mark = shown.label, shown.style, shown.symbol
        emit(
            f"[{style}]{mark} {label}[/{style}]  [bold]{escape(rule['rule_id'])}[/bold] "
            f"{escape(rule['title'])} [dim]({rule['severity']})[/dim]"
        )
        for f in findings_by_rule.get(rule["rule_id"], []):
            if f["status"] == "pass" and rule["status"] != "pass" and not verbose:
                continue
            fshown = look(f["status"])
            fstyle, fmark = fshown.style, fshown.symbol
            emit(f"    [{fstyle}]{fmark}[/{fstyle}] {escape(f['message'])}")
            for loc in f.get("locations", []):
                where = loc["path"] + (f":{loc['line']}" if loc.get("line") else "")
                if loc.get("line") and loc.get("column"):
                    where += f":{loc['column']}"
                note = f"  {escape(loc['note'])}" if loc.get("note") else ""
                emit(f"        [cyan]{escape(where)}[/cyan]{note}")
            ev = f.get("evidence") or {}
            groups = ev.get("groups") or []
            if (groups and f["status"] != "pass") or (groups and verbose):
                table = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False)
                stratified = any(g.get("stratum") for g in groups)
                for col in ("group", "stratum", "n", "value", "interval") if stratified else (
                        "group", "n", "value", "interval"):
                    table.add_column(col, justify="right" if col in ("n", "value") else "left")
                for g in groups[:MAX_GROUP_ROWS]:
                    iv = g.get("interval")
                    cells = [
                        escape(str(g.get("group"))), escape(_stratum(g.get("stratum"))), str(g.get("n", "")),
                        _fmt(g.get("value"), ev.get("unit")),
                        "" if not iv else f"[{_fmt(iv[0], ev.get('unit'))}, {_fmt(iv[1], ev.get('unit'))}]",
                    ]
                    table.add_row(*(cells if stratified else cells[:1] + cells[2:]))
                flush()
                _indent(console, table)
                if len(groups) > MAX_GROUP_ROWS:
                    emit(f"        … {len(groups) - MAX_GROUP_ROWS} more groups in the JSON report")
            rows = ev.get("rows")
            if isinstance(rows, dict) and f["status"] != "pass":
                excluded = rows.get("excluded") or {}
                parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(excluded.items()) if v)
                emit(
                    f"        [dim]rows: {rows.get('read')} read, {rows.get('evaluated')} evaluated"
                    + (f"; excluded: {escape(parts)}" if parts else "") + "[/dim]"
                )
        if rule["status"] in ("fail", "error") and rule.get("remediation"):
            emit(f"    [dim]fix:[/dim] {escape(rule['remediation'])}")
        emit()
    diags = data.get("diagnostics") or []
    if diags:
        emit("[bold]Notes on the inputs[/bold]")
        for d in diags:
            loc = d.get("location") or {}
            where = (loc.get("path", "") + (f":{loc['line']}" if loc.get("line") else "")) if loc else ""
            style = "red" if d["level"] == "error" else "yellow"
            label = f"{d['level']}[{escape(d['code'])}]"
            emit(f"  [{style}]{label}[/{style}] {escape(where)} {escape(d['message'])}")
        emit()
    summary = data.get("summary", {}).get("rules", {})
    counts = [f"{n} {k.replace('_', ' ')}" for k, n in summary.items() if n]
    total = data.get("summary", {}).get("rules_total", 0)
    emit(
        f"[bold]{total} rules:[/bold] {', '.join(counts)}. "
        f"Exit {data.get('exit_code')} (fail-on {data.get('fail_on')})."
    )
    flush()
    return buf.getvalue()


def _indent(console: Any, renderable: Any) -> None:
    from rich.padding import Padding

    console.print(Padding(renderable, (0, 0, 0, 8), expand=False))


def _stratum(value: Any) -> str:
    """``{"priority": "high"}`` → ``priority=high``."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
    return "" if value is None else str(value)


def _fmt(value: Any, unit: str | None) -> str:
    return format_value(value, unit)
