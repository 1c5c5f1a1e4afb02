"""HTML report: report data (the JSON form) → one self-contained HTML page for a client.

The page has inline CSS (with a print stylesheet) and inline SVG charts; it loads nothing from the
network and needs no JavaScript. This module turns the report into a *view*: plain dicts of
already-formatted strings, which ``reports/templates/report.html.j2`` lays out. Jinja2 autoescapes
every value; the only markup passed in pre-built is the SVG from :mod:`auditrules.report.charts`,
which escapes its own text. Output is deterministic: same report → byte-identical page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from auditrules.evidence import Evidence, evidence_from_json
from auditrules.report import html_evidence as V
from auditrules.report.html_evidence import status_view
from auditrules.report.locations import where
from auditrules.report.narrative import client_message, paragraphs
from auditrules.report.statuses import FAILING_VALUES, ORDER
from auditrules.report.trend import Trend

SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}

_NEEDS = {"tickets": "ticket", "routing": "routing"}


def render_html(data: dict[str, Any], trend: Trend | None = None) -> str:
    """Render the report as one HTML document (a string ending in a newline). ``trend`` (from
    :func:`auditrules.report.trend.compare`) adds a "Since the last audit" section."""
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
    view = build_view(data)
    view["trend"] = trend_view(trend) if trend is not None else None
    return env.get_template("report.html.j2").render(report=view)


# --------------------------------------------------------------------------- view


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
    engagement = engagement_view(data.get("engagement") or {}, title)
    return {
        "title": title,
        "engagement": engagement,
        "paper": engagement["paper"],
        "running_header": css_string(engagement["running_header"]),
        "narrative": [
            {
                "rule_id": p.rule_id,
                "title": p.title,
                "severity": p.severity,
                "anchor": p.anchor,
                "sentences": list(p.sentences),
            }
            for p in paragraphs(rules, data.get("findings") or [], anchor)
        ],
        "appendix_figures": [
            {"anchor": f["anchor"], "rule_id": rv["rule_id"], "message": f["message"], "tickets": f["tickets"]}
            for rv in rule_views
            for f in (*rv["problems"], *rv["passing"])
            if f["tickets"]
        ],
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
                "path": str(p.get("path", "")),
                "sha256": str(p.get("sha256", "")),
                "name": str(p.get("name") or ""),
                "version": str(p.get("version") or ""),
            }
            for p in policy.get("files") or []
        ],
        "diagnostics": [
            {
                "level": str(d.get("level", "")),
                "code": str(d.get("code", "")),
                "message": str(d.get("message", "")),
                "where": where(d.get("location")),
                "note": str((d.get("location") or {}).get("note") or ""),
            }
            for d in data.get("diagnostics") or []
        ],
    }


def _inputs(data: Mapping[str, Any]) -> list[dict[str, str]]:
    out = []
    for i in data.get("inputs") or []:
        kind = str(i.get("kind", ""))
        family, _, variant = kind.partition(":")
        out.append(
            {
                "path": str(i.get("path", "")),
                "kind": kind,
                "sha256": str(i.get("sha256", "")),
                "label": f"{family} ({variant})" if variant else family,
            }
        )
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
    rule_anchor = anchor(str(rule.get("rule_id", "")))
    evidence = [evidence_from_json(f.get("evidence")) for f in findings]
    views = [
        _finding_view(f, ev) | {"anchor": f"{rule_anchor}-f{i + 1}"}
        for i, (f, ev) in enumerate(zip(findings, evidence, strict=True))
    ]
    problems = [v for v in views if v["status"]["key"] != "pass"]
    passing = [v for v in views if v["status"]["key"] == "pass"]
    if status == "pass":
        problems, passing = views, []
    loc = rule.get("location") or {}
    needs = [n for n in (V.needs(ev) for ev in evidence) if n is not None]
    return {
        "rule_id": str(rule.get("rule_id", "")),
        "anchor": rule_anchor,
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


def _finding_view(f: Mapping[str, Any], ev: Evidence) -> dict[str, Any]:
    return {
        "status": status_view(str(f.get("status", ""))),
        "message": client_message(str(f.get("message", "")), ev),
        "locations": [{"where": where(loc), "note": str(loc.get("note") or "")} for loc in f.get("locations") or []],
        "requirement": V.requirement(ev),
        "routing": V.routing(ev),
        "targets": V.targets(ev),
        "tickets": V.tickets(ev),
        "waiver": V.waiver(ev),
        "details": V.details(ev),
    }


# --------------------------------------------------------------------------- engagement and trend

#: Paper sizes the print stylesheet knows (the CSS ``@page size`` keyword).
PAPER = {"a4": "A4", "letter": "letter"}


def css_string(text: str) -> str:
    """``text`` as the body of a CSS string literal (for ``content: "…"``): quotes, backslashes,
    line breaks, control characters and ``<`` escaped as CSS hex escapes, so a value can close
    neither the string, the declaration nor the ``<style>`` element."""
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)


def engagement_view(e: Mapping[str, Any], title: str) -> dict[str, Any]:
    """The cover block and running header: who the report is for, who audited, when, on what paper."""
    auditor = e.get("auditor") or {}
    name, firm = str(auditor.get("name") or ""), str(auditor.get("firm") or "")
    client = str(e.get("client") or "")
    logo = str(e.get("logo") or "")
    paper = PAPER.get(str(e.get("paper") or "A4").lower(), "A4")
    header = " · ".join(x for x in (client, f"Fairness audit: {title}", str(e.get("date") or "")) if x)
    return {
        "present": bool(client or name or firm or e.get("period") or e.get("scope") or e.get("date") or logo),
        "client": client,
        "auditor": ", ".join(x for x in (name, firm) if x),
        "period": str(e.get("period") or ""),
        "scope": str(e.get("scope") or ""),
        "date": str(e.get("date") or ""),
        # only data: URIs of images are embedded; anything else is dropped (no network references)
        "logo": logo
        if logo.startswith(("data:image/png;base64,", "data:image/jpeg;base64,", "data:image/svg+xml;base64,"))
        else "",
        "paper": paper,
        "running_header": header,
    }


def trend_view(t: Trend) -> dict[str, Any]:
    """Rules newly failing, fixed, still failing; the figures that moved most, both periods' values."""

    def rules(change: str) -> list[dict[str, Any]]:
        return [
            {
                "rule_id": r.rule_id,
                "title": r.title,
                "anchor": anchor(r.rule_id),
                "previous": status_view(r.previous or "not_evaluated"),
                "current": status_view(r.current or "not_evaluated"),
            }
            for r in t.by_change(change)
        ]

    figures = []
    for f in t.figures[: V.MAX_ROWS * 2]:
        before, after = f.formatted()
        figures.append(
            {
                "rule_id": f.rule_id,
                "requirement": f.requirement,
                "group": f.group,
                "stratum": f.stratum,
                "previous": before,
                "current": after,
            }
        )
    return {
        "previous_label": t.previous_label,
        "current_label": t.current_label,
        "newly_failing": rules("newly failing"),
        "fixed": rules("fixed"),
        "still_failing": rules("still failing"),
        "other": [*rules("changed"), *rules("new rule"), *rules("no longer checked")],
        "figures": figures,
        "figures_total": len(t.figures),
    }
