"""HTML report: report data (the JSON form) → one self-contained HTML page for a client.

The page has inline CSS (with a print stylesheet) and inline SVG charts; it loads nothing from the
network and needs no JavaScript. This module turns the report into a *view*: plain dicts of
already-formatted strings, which ``reports/templates/report.html.j2`` lays out. Jinja2 autoescapes
every value; the only markup passed in pre-built is the SVG from :mod:`auditrules.report.charts`,
which escapes its own text. Output is deterministic: same report → byte-identical page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditrules.report.charts import ChartRow, ThresholdLine, dot_whisker, format_interval, number
from auditrules.report.locations import where
from auditrules.report.statuses import FAILING_VALUES, ORDER, look
from auditrules.units import format_duration, format_value

SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}

#: Evidence keys the page shows in their own sections; any other scalar goes to "Further details".
_SHOWN_KEYS = frozenset({
    "chain", "effects", "targets", "groups", "comparisons", "pooled", "threshold", "confidence", "unit",
    "rows", "sql", "requirement", "statement", "explanation", "measure", "waiver", "reads", "format",
    "routing", "routing_rule", "metric", "priority", "error", "needs", "partial_policies",
})
_DETAIL_LABELS = {"channel": "Channel", "needs": "Needs"}
_REASON_WORDS = re.compile(r"[_\s]+")
_PARENS = re.compile(r"\([^()]*\)")
_OPERATORS = re.compile(r"<=|>=|<|>|between")
_NEEDS = {"tickets": "ticket", "routing": "routing"}


def render_html(data: dict[str, Any]) -> str:
    """Render the report as one HTML document (a string ending in a newline)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from auditrules.resources import templates_dir

    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2").render(report=build_view(data))


# --------------------------------------------------------------------------- view


def status_view(status: str) -> dict[str, str]:
    """A status as the page shows it: ``{"key", "label", "symbol"}``."""
    shown = look(status)
    return {"key": shown.key, "label": shown.label, "symbol": shown.symbol}



def anchor(rule_id: str) -> str:
    """A fragment id for a rule's section (letters, digits, ``-`` and ``_`` only)."""
    return "rule-" + re.sub(r"[^A-Za-z0-9_-]", "-", rule_id)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def build_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """The whole page as nested dicts of display strings (every key present: templates are strict)."""
    policy = data.get("policy") or {}
    rules = list(data.get("rules") or [])
    findings_by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for f in data.get("findings") or []:
        findings_by_rule.setdefault(str(f.get("rule_id")), []).append(f)
    rule_views = [_rule_view(r, findings_by_rule.get(str(r.get("rule_id")), [])) for r in rules]
    failing = sorted(
        (rv for rv in rule_views if rv["status"]["key"] in FAILING_VALUES),
        key=lambda rv: (-SEVERITY_RANK.get(rv["severity"], 0), rv["rule_id"]),
    )
    summary = data.get("summary") or {}
    rule_counts = summary.get("rules") or {}
    finding_counts = summary.get("findings") or {}
    counts = [
        {"status": status_view(s), "rules": int(rule_counts.get(s, 0)), "findings": int(finding_counts.get(s, 0))}
        for s in ORDER
    ]
    any_failing = any(rv["status"]["key"] in FAILING_VALUES for rv in rule_views)
    title = str(policy.get("name") or "auditrules policy")
    return {
        "title": title,
        "policy_version": str(policy.get("version") or ""),
        "tool_version": str(data.get("auditrules_version") or ""),
        "generated_at": str(data.get("generated_at") or ""),
        "fail_on": str(data.get("fail_on") or ""),
        "exit_code": str(data.get("exit_code", "")),
        "overall": {
            "status": status_view("fail" if any_failing else "pass"),
            "text": "Does not comply" if any_failing else "No failing rules",
        },
        "counts": [c for c in counts if c["rules"] or c["findings"]],
        "rules_total": int(summary.get("rules_total", len(rules))),
        "failing": failing,
        "paragraph": _summary_paragraph(data, rule_views),
        "evidence_inputs": [i for i in _inputs(data) if i["kind"] != "rules"],
        "rules": rule_views,
        "inputs": _inputs(data),
        "policy_files": [
            {
                "path": str(p.get("path", "")), "sha256": str(p.get("sha256", "")),
                "name": str(p.get("name") or ""), "version": str(p.get("version") or ""),
            }
            for p in policy.get("files") or []
        ],
        "diagnostics": [
            {
                "level": str(d.get("level", "")), "code": str(d.get("code", "")), "message": str(d.get("message", "")),
                "where": where(d.get("location")), "note": str((d.get("location") or {}).get("note") or ""),
            }
            for d in data.get("diagnostics") or []
        ],
    }


def _inputs(data: Mapping[str, Any]) -> list[dict[str, str]]:
    out = []
    for i in data.get("inputs") or []:
        kind = str(i.get("kind", ""))
        family, _, variant = kind.partition(":")
        out.append({
            "path": str(i.get("path", "")), "kind": kind, "sha256": str(i.get("sha256", "")),
            "label": f"{family} ({variant})" if variant else family,
        })
    return out


def _summary_paragraph(data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]]) -> list[str]:
    """A few plain sentences a client can read: what was checked, what failed, what could not be judged."""
    policy = data.get("policy") or {}
    name = policy.get("name")
    version = policy.get("version")
    kinds: dict[str, int] = {}
    for inp in data.get("inputs") or []:
        kind = str(inp.get("kind", "")).split(":", 1)[0]
        if kind != "rules":
            kinds[kind] = kinds.get(kind, 0) + 1
    nouns = {"routing": ("routing configuration", None), "tickets": ("ticket history file", None)}
    evidence = [plural(n, *nouns.get(k, (f"{k} file", None))) for k, n in sorted(kinds.items())]
    what = f"the policy “{name}”" + (f" (version {version})" if version else "") if name else "the rule set"
    out = [
        f"This report checks {plural(len(rules), 'rule')} of {what} against "
        + (" and ".join(evidence) if evidence else "no evidence files")
        + "."
    ]
    by_status: dict[str, list[Mapping[str, Any]]] = {}
    for r in rules:
        by_status.setdefault(r["status"]["key"], []).append(r)
    failing = [r for r in rules if r["status"]["key"] in FAILING_VALUES]
    if failing:
        sev: dict[str, int] = {}
        for r in failing:
            sev[r["severity"]] = sev.get(r["severity"], 0) + 1
        sev_text = ", ".join(f"{sev[s]} {s}" for s in ("high", "medium", "low") if sev.get(s))
        n_findings = sum(len(r["problems"]) for r in failing)
        out.append(
            f"{plural(len(failing), 'rule')} failed ({sev_text} severity), with "
            f"{plural(n_findings, 'finding')} that need action; each is explained below with the exact place "
            "in the configuration or data and a recommended fix."
        )
    else:
        out.append("No rule failed.")
    sentences = {
        "inconclusive": ("was", "were", "inconclusive: the figures point to a gap, but not at the stated confidence."),
        "insufficient_data": ("was", "were", "left open: too few tickets per group to reach a verdict."),
        "warn": ("passed", "passed", "with a warning."),
        "waived": ("failed", "failed", "but {is} covered by an approved waiver."),
    }
    for status, (one, many, text) in sentences.items():
        n = len(by_status.get(status, []))
        if n:
            verb = text.replace("{is}", "is" if n == 1 else "are")
            out.append(f"{plural(n, 'rule')} {one if n == 1 else many} {verb}")
    not_eval = by_status.get("not_evaluated", [])
    if not_eval:
        needs = sorted({_NEEDS.get(str(x), str(x)) for r in not_eval for x in r["needs"]})
        need_text = f" ({', '.join(needs)} data)" if needs else ""
        out.append(
            f"{plural(len(not_eval), 'rule')} could not be evaluated because the evidence "
            f"{'it needs' if len(not_eval) == 1 else 'they need'}{need_text} was not supplied; "
            f"{'it is' if len(not_eval) == 1 else 'they are'} neither passed nor failed."
        )
    passed = len(by_status.get("pass", []))
    out.append(f"{plural(passed, 'rule')} passed." if passed else "No rule passed outright.")
    return [" ".join(out)]


def _rule_view(rule: Mapping[str, Any], findings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    status = str(rule.get("status", ""))
    views = [_finding_view(f) for f in findings]
    problems = [v for v in views if v["status"]["key"] != "pass"]
    passing = [v for v in views if v["status"]["key"] == "pass"]
    if status == "pass":
        problems, passing = views, []
    loc = rule.get("location") or {}
    needs: list[str] = []
    for f in findings:
        need = (f.get("evidence") or {}).get("needs")
        if isinstance(need, str):
            needs.append(need)
    return {
        "rule_id": str(rule.get("rule_id", "")),
        "anchor": anchor(str(rule.get("rule_id", ""))),
        "title": str(rule.get("title", "")),
        "severity": str(rule.get("severity", "")),
        "status": status_view(status),
        "rationale": str(rule.get("rationale") or ""),
        "remediation": str(rule.get("remediation") or ""),
        "source": str(rule.get("source") or ""),
        "source_at": where(loc) if loc else "",
        "problems": problems,
        "passing": passing,
        "needs": needs,
    }


def _finding_view(f: Mapping[str, Any]) -> dict[str, Any]:
    ev = f.get("evidence") or {}
    details = [
        {"label": _DETAIL_LABELS.get(k, k.replace("_", " ").capitalize()), "value": format_value(v, None)}
        for k, v in sorted(ev.items())
        if k not in _SHOWN_KEYS and (v is None or isinstance(v, (str, int, float, bool)))
    ]
    waiver = ev.get("waiver") if isinstance(ev.get("waiver"), Mapping) else None
    return {
        "status": status_view(str(f.get("status", ""))),
        "message": str(f.get("message", "")),
        "locations": [{"where": where(loc), "note": str(loc.get("note") or "")} for loc in f.get("locations") or []],
        "requirement": str(ev.get("requirement") or ev.get("statement") or ""),
        "error": str(ev.get("error") or ""),
        "routing": _routing_view(ev),
        "targets": _targets_view(ev),
        "tickets": _tickets_view(ev),
        "waiver": (
            [{"label": k.replace("_", " ").capitalize(), "value": format_value(v, None)}
             for k, v in sorted(waiver.items())]
            if waiver else []
        ),
        "details": details,
    }


# --------------------------------------------------------------------------- routing evidence


def _routing_view(ev: Mapping[str, Any]) -> dict[str, Any] | None:
    chain = [s for s in ev.get("chain") or [] if isinstance(s, Mapping)]
    if not chain:
        return None
    steps = []
    flow: list[str] = []
    for step in chain:
        reads, writes = step.get("reads"), step.get("writes")
        name = str(step.get("rule_name") or step.get("rule") or "")
        if reads and (not flow or flow[-1] != str(reads)):
            flow.append(str(reads))
        flow.append(name)
        if writes:
            flow.append(str(writes))
        steps.append({
            "name": name,
            "kind": str(step.get("kind") or ""),
            "reads": str(reads or ""),
            "writes": str(writes or ""),
            "condition": str(step.get("condition") or ""),
            "read_at": where(step.get("read_at")),
            "write_at": where(step.get("write_at")),
            "pattern": str(step.get("matched_pattern") or ""),
        })
    effects = [
        f"{e.get('kind', '')} {e.get('value', '')}".strip()
        for e in ev.get("effects") or []
        if isinstance(e, Mapping)
    ]
    if effects:
        flow.append(", ".join(effects))
    return {
        "flow": " → ".join(flow),
        "steps": steps,
        "effects": effects,
        "config": str(ev.get("routing") or ""),
    }


def _targets_view(ev: Mapping[str, Any]) -> dict[str, Any] | None:
    targets = [t for t in ev.get("targets") or [] if isinstance(t, Mapping)]
    if not targets:
        return None
    seconds = [s for s in (number(t.get("seconds")) for t in targets) if s is not None and s > 0]
    fastest = min(seconds) if seconds else None
    rows = []
    for t in targets:
        s = number(t.get("seconds"))
        bh = t.get("business_hours")
        rows.append({
            "channel": str(t.get("channel") or ""),
            "policy": str(t.get("policy") or ""),
            "target": format_duration(s) if s is not None else "no target",
            "missing": s is None,
            "business_hours": "—" if bh is None else ("business hours" if bh else "calendar hours"),
            "relative": (
                "fastest" if s == fastest else f"{s / fastest:.3g}× the fastest"
            ) if s is not None and fastest else "—",
        })
    metric = str(ev.get("metric") or "").replace("_", " ")
    priority = str(ev.get("priority") or "")
    caption = "SLA targets by channel"
    if metric:
        caption = f"SLA {metric} targets by channel" + (f", priority {priority}" if priority else "")
    return {"caption": caption, "rows": rows}


# --------------------------------------------------------------------------- ticket evidence


def _measure(ev: Mapping[str, Any]) -> str | None:
    """``ratio`` or ``difference`` for comparison-based requirements (explicit, else read off the requirement)."""
    measure = ev.get("measure")
    if isinstance(measure, str):
        return measure
    req = str(ev.get("requirement") or "")
    if "difference(" in req:
        return "difference"
    if "ratio(" in req:
        return "ratio"
    return None


def _thresholds(raw: Any, requirement: str) -> list[tuple[float, str]]:
    """Threshold values with an operator label; a number, ``[low, high]``, or ``{"op", "value", "high"}``."""
    op = _operator(requirement)
    symbols = {"<=": "≤", ">=": "≥", "<": "<", ">": ">"}
    if isinstance(raw, Mapping):
        op = str(raw.get("op") or op)
        low, high = number(raw.get("value", raw.get("low"))), number(raw.get("high"))
        if high is not None and low is not None:
            return [(low, "≥"), (high, "≤")]
        return [(low, symbols.get(op, op))] if low is not None else []
    if isinstance(raw, (list, tuple)):
        vals = [number(v) for v in raw]
        return [(v, s) for v, s in zip(vals, ("≥", "≤"), strict=False) if v is not None]
    value = number(raw)
    return [(value, symbols.get(op, ""))] if value is not None else []


def _operator(requirement: str) -> str:
    """The comparison operator of a requirement's last clause, outside any parentheses."""
    text = requirement.rsplit(":", 1)[-1]
    while True:
        flat = _PARENS.sub("", text)
        if flat == text:
            break
        text = flat
    ops = _OPERATORS.findall(text)
    return ops[-1] if ops else ""


def _stratum_text(value: Any) -> str:
    """``{"priority": "high"}`` → ``priority=high``; a plain value as it is."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
    return "" if value is None else str(value)


def _group_label(g: Mapping[str, Any]) -> str:
    label = str(g.get("group"))
    stratum = _stratum_text(g.get("stratum"))
    return f"{label} · {stratum}" if stratum else label


def _tickets_view(ev: Mapping[str, Any]) -> dict[str, Any] | None:
    groups = [g for g in ev.get("groups") or [] if isinstance(g, Mapping)]
    comparisons = [c for c in ev.get("comparisons") or [] if isinstance(c, Mapping)]
    rows = ev.get("rows") if isinstance(ev.get("rows"), Mapping) else None
    if not groups and not comparisons and rows is None:
        return None
    unit = str(ev.get("unit") or "number")
    measure = _measure(ev)
    # ratios have no unit; differences and per-group checks (each / overall) keep the figure's unit
    comp_unit = "number" if measure == "ratio" else unit
    thr_unit = comp_unit if comparisons or measure else unit
    thresholds = [
        ThresholdLine(v, f"{sym} {format_value(v, thr_unit)}".strip())
        for v, sym in _thresholds(ev.get("threshold"), str(ev.get("requirement") or ""))
    ]
    has_strata = any(g.get("stratum") not in (None, "") for g in groups + comparisons)
    group_rows = [
        {
            "group": str(g.get("group")), "stratum": _stratum_text(g.get("stratum")),
            "n": _count(g.get("n")), "value": format_value(g.get("value"), unit),
            "interval": format_interval(g.get("interval"), unit),
        }
        for g in groups
    ]
    comp_rows = [
        {
            "group": str(c.get("group")),
            "reference": "—" if c.get("reference") is None else str(c.get("reference")),
            "stratum": _stratum_text(c.get("stratum")), "value": format_value(c.get("value"), comp_unit),
            "interval": format_interval(c.get("interval"), comp_unit),
            "verdict": status_view(str(c.get("verdict") or "")) if c.get("verdict") else None,
        }
        for c in comparisons
    ]
    group_chart = dot_whisker(
        [_chart_row(_group_label(g), g, None) for g in groups], unit,
        "Group figures with their intervals", [] if comparisons or measure else thresholds,
    )
    parity = {"ratio": [ThresholdLine(1.0, "equal (1)", "reference")],
              "difference": [ThresholdLine(0.0, "equal (0)", "reference")]}.get(measure or "", [])
    comp_chart = dot_whisker(
        [
            _chart_row(
                _group_label(c) if c.get("reference") is None else f"{_group_label(c)} vs {c.get('reference')}",
                c, str(c.get("verdict") or ""),
            )
            for c in comparisons
        ],
        comp_unit, f"{(measure or 'comparison').capitalize()} per group with intervals and threshold",
        [*thresholds, *parity],
    )
    confidence = number(ev.get("confidence"))
    pooled = ev.get("pooled")
    pooled_text = ""
    if isinstance(pooled, Mapping):
        pooled_text = format_value(pooled.get("value"), comp_unit)
        if pooled.get("interval"):
            pooled_text += " " + format_interval(pooled.get("interval"), comp_unit)
    elif number(pooled) is not None:
        pooled_text = format_value(pooled, comp_unit)
    return {
        "unit": {"duration": "durations (m minutes, h hours, d days)", "fraction": "share of tickets"}.get(
            unit, "numbers"),
        "measure": measure or "",
        "threshold": " and ".join(t.label for t in thresholds),
        "confidence": f"{confidence * 100:g}%" if confidence is not None else "",
        "pooled": pooled_text,
        "has_strata": has_strata,
        "groups": group_rows,
        "comparisons": comp_rows,
        "group_chart": group_chart,
        "group_threshold": bool(thresholds) and not (comparisons or measure),
        "comparison_chart": comp_chart,
        "rows": _rows_view(rows) if rows is not None else None,
        "sql": str(ev.get("sql") or ""),
    }


def _chart_row(label: str, item: Mapping[str, Any], verdict: str | None) -> ChartRow:
    interval = item.get("interval")
    low = high = None
    if isinstance(interval, (list, tuple)) and len(interval) == 2:
        low, high = number(interval[0]), number(interval[1])
    return ChartRow(label, number(item.get("value")), low, high, verdict)


def _count(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return format_value(value, None)
    return f"{value:,}"


def _rows_view(rows: Mapping[str, Any]) -> dict[str, Any]:
    excluded = rows.get("excluded")
    reasons: Iterable[tuple[str, Any]] = sorted(excluded.items()) if isinstance(excluded, Mapping) else []
    return {
        "read": _count(rows.get("read")),
        "evaluated": _count(rows.get("evaluated")),
        "excluded": [
            {"reason": _REASON_WORDS.sub(" ", str(k)).strip(), "n": _count(v)} for k, v in reasons
        ],
    }
