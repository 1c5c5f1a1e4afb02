"""Markdown report: report data (the JSON form) → GitHub-flavoured Markdown for a pull-request comment.

The same sections as the HTML report in short form: a verdict summary table, the rules table, one
block per rule that did not pass (findings with ``path:line`` locations and, for ticket rules, a short
group table), notes on the inputs and the input files. Text from the report is escaped: ``|`` in table
cells, HTML-significant characters (``& < >``) as entities and inline Markdown punctuation with backslashes,
so a message can neither break a table nor inject markup. Output is deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from auditrules import evidence as E
from auditrules import ticket_evidence as TE
from auditrules.evidence import evidence_from_json
from auditrules.report.charts import format_interval
from auditrules.report.locations import stratum_text, where
from auditrules.report.statuses import ORDER, look
from auditrules.units import format_value

#: Ticket groups shown per finding; the JSON and HTML reports carry them all.
MAX_GROUP_ROWS = 12
#: Punctuation that can start inline markup mid-line (links need ``[``, so ``(`` may stay bare).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]~|])")
_CODE_UNSAFE = re.compile(r"[`|<>&\n\r]")


def md(text: Any) -> str:
    """Escape text for Markdown inline content and table cells (one line, no markup, no HTML)."""
    s = " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def code(text: Any) -> str:
    """``text`` as a code span when that is safe in a table cell, else as escaped plain text."""
    s = " ".join(str(text).split())
    if not s or _CODE_UNSAFE.search(s):
        return md(s)
    return f"`{s}`"


def badge(status: str) -> str:
    shown = look(status)
    return f"{shown.emoji} **{md(shown.label)}**"


def render_markdown(data: dict[str, Any]) -> str:
    """Render the report as GitHub-flavoured Markdown (ends with one newline)."""
    policy = data.get("policy") or {}
    rules: list[Mapping[str, Any]] = list(data.get("rules") or [])
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for f in data.get("findings") or []:
        by_rule.setdefault(str(f.get("rule_id")), []).append(f)
    failing = [r for r in rules if r.get("status") in ("fail", "error")]

    title = str(policy.get("name") or "auditrules")
    if policy.get("version"):
        title += f" v{policy['version']}"
    out: list[str] = [f"## auditrules: {md(title)}", ""]
    verdict = "❌ **Does not comply**" if failing else "✅ **No failing rules**"
    total = int((data.get("summary") or {}).get("rules_total", len(rules)))
    out.append(
        f"{verdict}: {len(failing)} of {total} rules failed "
        f"(fail-on {md(data.get('fail_on', ''))}, exit code {md(data.get('exit_code', ''))})."
    )
    if data.get("generated_at"):
        out.append(f"Generated {md(data['generated_at'])}.")
    out.append("")
    out += _summary_table(data)
    out += ["", "| Rule | Title | Severity | Verdict |", "|---|---|---|---|"]
    for r in rules:
        out.append(
            f"| {md(r.get('rule_id', ''))} | {md(r.get('title', ''))} | {md(r.get('severity', ''))} "
            f"| {badge(str(r.get('status', '')))} |"
        )
    shown = [r for r in rules if r.get("status") != "pass"]
    if shown:
        out += ["", "### Verdicts", ""]
    for r in shown:
        out += _rule_block(r, by_rule.get(str(r.get("rule_id")), []))
    while out and out[-1] == "":
        out.pop()
    diags = data.get("diagnostics") or []
    if diags:
        out += ["", "### Notes on the inputs", ""]
        for d in diags:
            loc = d.get("location") or {}
            at = f" {code(where(loc))}" if loc else ""
            out.append(f"- **{md(d.get('level', ''))}** {md(d.get('code', ''))}{at}: {md(d.get('message', ''))}")
    inputs = data.get("inputs") or []
    if inputs:
        out += ["", "<details><summary>Input files</summary>", "", "| File | Kind | SHA-256 |", "|---|---|---|"]
        for i in inputs:
            out.append(f"| {code(i.get('path', ''))} | {md(i.get('kind', ''))} | {code(i.get('sha256', ''))} |")
        out += ["", "</details>"]
    return "\n".join(out).rstrip("\n") + "\n"


def _summary_table(data: Mapping[str, Any]) -> list[str]:
    summary = data.get("summary") or {}
    rules, findings = summary.get("rules") or {}, summary.get("findings") or {}
    out = ["| Verdict | Rules | Findings |", "|---|---:|---:|"]
    for s in ORDER:
        r, f = int(rules.get(s, 0)), int(findings.get(s, 0))
        if r or f:
            out.append(f"| {badge(s)} | {r} | {f} |")
    return out


def _rule_block(rule: Mapping[str, Any], findings: Sequence[Mapping[str, Any]]) -> list[str]:
    status = str(rule.get("status", ""))
    out = [
        f"#### {badge(status)} {md(rule.get('rule_id', ''))}: {md(rule.get('title', ''))} "
        f"({md(rule.get('severity', ''))})",
        "",
    ]
    for f in findings:
        if f.get("status") == "pass":
            continue
        icon = look(str(f.get("status"))).emoji
        out.append(f"- {icon} {md(f.get('message', ''))}")
        for loc in f.get("locations") or []:
            note = f" — {md(loc['note'])}" if loc.get("note") else ""
            out.append(f"  - {code(where(loc))}{note}")
        out += _ticket_lines(evidence_from_json(f.get("evidence")))
    if status in ("fail", "error") and rule.get("remediation"):
        out += ["", f"**Fix:** {md(rule['remediation'])}"]
    out.append("")
    return out


def _ticket_lines(ev: E.Evidence) -> list[str]:
    """A short group table and the row accounting of ticket evidence."""
    if not isinstance(ev, (TE.TicketGroups, TE.TicketMissingColumn)):
        return []
    out: list[str] = []
    groups = ev.groups if isinstance(ev, TE.TicketGroups) else ()
    unit = ev.unit if isinstance(ev, TE.TicketGroups) else "number"
    if groups:
        strata = any(g.stratum for g in groups)
        head = "| Group |" + (" Stratum |" if strata else "") + " n | Value | Interval |"
        rule = "|---|" + ("---|" if strata else "") + "---:|---:|---:|"
        out += ["", "  " + head, "  " + rule]
        for g in groups[:MAX_GROUP_ROWS]:
            cells = [md(g.group)]
            if strata:
                cells.append(md(stratum_text(g.stratum) or "—"))
            interval = list(g.interval) if g.interval is not None else None
            cells += [md(g.n), md(format_value(g.value, unit)), md(format_interval(interval, unit))]
            out.append("  | " + " | ".join(cells) + " |")
        if len(groups) > MAX_GROUP_ROWS:
            out.append(f"\n  … {len(groups) - MAX_GROUP_ROWS} more groups in the full report.")
        out.append("")
    rows = ev.rows
    parts = ", ".join(f"{md(k.replace('_', ' '))} {md(v)}" for k, v in sorted(rows.excluded.items()) if v)
    excluded = f"; excluded: {parts}" if parts else ""
    out.append(f"  - rows: {md(rows.read)} read, {md(rows.evaluated)} evaluated{excluded}")
    return out
