"""JUnit XML report: report data (the JSON form) → one ``<testsuite>`` with one ``<testcase>`` per rule.

CI systems show rules as tests: ``classname="auditrules.<rule_id>"``, ``name="<rule title>"``.

=======================================  ====================================================
rule status                              testcase
=======================================  ====================================================
fail, error                              ``<failure message=… type=<severity>>``; the body
                                         lists each finding's message and locations
not_evaluated, insufficient_data,        ``<skipped message=…>`` (never shown as passed)
inconclusive
pass, warn, waived                       passes; findings that are not ``pass`` are listed
                                         in ``<system-out>`` so they stay visible
=======================================  ====================================================

A rule whose check errored is reported as a failure, so CI fails on it the same way. Error-level
notes on the inputs (an incomplete export, a file not understood: what makes the run exit 1) are
each one ``<testcase classname="auditrules.inputs">`` with an ``<error>``, counted in ``errors``.
Built with :mod:`xml.etree.ElementTree` (which escapes text and attributes); characters
that XML 1.0 cannot carry are replaced. Without ``--timestamp`` there are no timestamps or host names
and the output is byte-identical run to run; with it, ``<testsuite>`` carries ``timestamp`` (UTC, in
Ant's ``YYYY-MM-DDTHH:MM:SS`` form, no offset) and ``hostname``, as the Ant JUnit schema requires.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from auditrules.report.locations import where
from auditrules.report.statuses import FAILING_VALUES

FAILURE = FAILING_VALUES
SKIPPED = frozenset({"not_evaluated", "insufficient_data", "inconclusive"})
#: Characters XML 1.0 forbids (C0 controls other than tab, newline, carriage return; surrogates; FFFE/FFFF).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: Any) -> str:
    """``text`` as a string XML can hold (forbidden characters become U+FFFD)."""
    return _INVALID_XML.sub("\ufffd", str(text))


def _finding_text(findings: Sequence[Mapping[str, Any]]) -> str:
    lines: list[str] = []
    for f in findings:
        lines.append(f"[{str(f.get('status', '')).upper()}] {f.get('message', '')}")
        for loc in f.get("locations") or []:
            note = f"  ({loc['note']})" if loc.get("note") else ""
            lines.append(f"    at {where(loc)}{note}")
    return "\n".join(lines)


def _when_and_where(data: Mapping[str, Any]) -> dict[str, str]:
    """``timestamp`` and ``hostname`` attributes, when the report records when it was made."""
    generated = data.get("generated_at")
    if not generated:
        return {}
    from datetime import datetime, timezone

    when = datetime.fromisoformat(str(generated))
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    host = clean(data.get("hostname") or "localhost")
    return {"timestamp": when.replace(microsecond=0).isoformat(), "hostname": host}


def render_junit(data: dict[str, Any]) -> str:
    """Render the report as JUnit XML (UTF-8 declaration, two-space indent, ends with a newline)."""
    import xml.etree.ElementTree as ET

    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for f in data.get("findings") or []:
        by_rule.setdefault(str(f.get("rule_id")), []).append(f)
    rules: list[Mapping[str, Any]] = list(data.get("rules") or [])
    notes = [d for d in data.get("diagnostics") or [] if d.get("level") == "error"]
    failures = sum(1 for r in rules if r.get("status") in FAILURE)
    skipped = sum(1 for r in rules if r.get("status") in SKIPPED)
    suite = ET.Element(
        "testsuite",
        {
            "name": "auditrules",
            "tests": str(len(rules) + len(notes)),
            "failures": str(failures),
            "errors": str(len(notes)),
            "skipped": str(skipped),
            "time": "0",
            **_when_and_where(data),
        },
    )
    policy = data.get("policy") or {}
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("auditrules_version", data.get("auditrules_version")),
        ("policy", policy.get("name")),
        ("policy_version", policy.get("version")),
        ("fail_on", data.get("fail_on")),
        ("exit_code", data.get("exit_code")),
        ("generated_at", data.get("generated_at")),
    ):
        if value is not None:
            ET.SubElement(props, "property", {"name": name, "value": clean(value)})
    for rule in rules:
        rule_id = str(rule.get("rule_id", ""))
        status = str(rule.get("status", ""))
        findings = by_rule.get(rule_id, [])
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": clean(f"auditrules.{rule_id}"),
                "name": clean(rule.get("title", rule_id)),
                "time": "0",
            },
        )
        open_findings = [f for f in findings if f.get("status") != "pass"]
        if status in FAILURE:
            failing = [f for f in findings if f.get("status") in FAILURE] or open_findings
            first = str(failing[0].get("message", "")) if failing else status
            more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
            failure = ET.SubElement(
                case,
                "failure",
                {
                    "message": clean(f"{status.upper()}: {first}{more}"),
                    "type": clean(rule.get("severity", "")),
                },
            )
            body = _finding_text(open_findings)
            if rule.get("remediation"):
                body += f"\n\nHow to fix: {rule['remediation']}"
            failure.text = clean(body)
        elif status in SKIPPED:
            label = status.replace("_", " ")
            reason = "; ".join(str(f.get("message", "")) for f in open_findings)
            ET.SubElement(case, "skipped", {"message": clean(f"{label}: {reason}" if reason else label)})
        elif open_findings:
            out = ET.SubElement(case, "system-out")
            out.text = clean(_finding_text(open_findings))
    for note in notes:
        loc = note.get("location")
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": "auditrules.inputs",
                "name": clean(f"{note.get('code', '')} {where(loc) if loc else ''}".strip()),
                "time": "0",
            },
        )
        attrs = {"message": clean(note.get("message", "")), "type": clean(note.get("code", ""))}
        error = ET.SubElement(case, "error", attrs)
        error.text = clean(f"error[{note.get('code', '')}] {note.get('message', '')}")
    ET.SubElement(suite, "system-out")  # the Ant formatter always writes both, empty or not
    ET.SubElement(suite, "system-err")
    ET.indent(suite, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
