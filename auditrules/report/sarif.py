"""SARIF report: report data (the JSON form) → SARIF 2.1.0 JSON for code-scanning tools.

One run; its driver lists every rule (title, rationale, remediation, severity). One result per finding
that is not ``pass``:

=========================================  ============  ================================================
finding status                             ``level``     notes
=========================================  ============  ================================================
fail, error                                ``error``
warn, inconclusive, insufficient_data      ``warning``
not_evaluated                              ``note``
waived                                     ``note``      with ``suppressions: [{kind: external}]`` so
                                                         code-scanning shows it as dismissed, not open
pass                                       —             left out: SARIF results are things to look at
=========================================  ============  ================================================

A finding's first location is its ``locations[0]``; the others become ``relatedLocations``. A finding
without a location (a missing SLA, a rule not evaluated) points at the rule's definition in its rule
file, because code-scanning services drop results that have no location. Diagnostics (notes on the
inputs) become ``toolExecutionNotifications``. Output is deterministic: sorted keys, two-space indent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from auditrules.evidence import evidence_from_json

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://auditrules.dev"

#: SARIF ``level`` per finding status; a status missing here (``pass``) produces no result.
LEVELS: dict[str, str] = {
    "fail": "error",
    "error": "error",
    "warn": "warning",
    "inconclusive": "warning",
    "insufficient_data": "warning",
    "not_evaluated": "note",
    "waived": "note",
}
#: ``defaultConfiguration.level`` of a rule by its severity.
SEVERITY_LEVELS = {"high": "error", "medium": "warning", "low": "note"}
#: GitHub code scanning reads ``security-severity`` (0–10) to rank results.
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.0", "low": "2.0"}


def render_sarif(data: dict[str, Any]) -> str:
    """Render the report as a SARIF 2.1.0 log (a JSON string ending in a newline)."""
    return json.dumps(build_sarif(data), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def build_sarif(data: Mapping[str, Any]) -> dict[str, Any]:
    """The SARIF log as a dict."""
    rules = list(data.get("rules") or [])
    index = {str(r.get("rule_id")): i for i, r in enumerate(rules)}
    rule_locations = {str(r.get("rule_id")): r.get("location") for r in rules}
    results = []
    for f in data.get("findings") or []:
        result = _result(f, index, rule_locations.get(str(f.get("rule_id"))))
        if result is not None:
            results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "auditrules",
                "version": str(data.get("auditrules_version") or ""),
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(r) for r in rules],
            }
        },
        "results": results,
        "invocations": [_invocation(data)],
        "columnKind": "unicodeCodePoints",
    }
    artifacts = _artifacts(data)
    if artifacts:
        run["artifacts"] = artifacts
    policy = data.get("policy") or {}
    if policy.get("name") or policy.get("version"):
        run["properties"] = {"policy": {"name": policy.get("name"), "version": policy.get("version")}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def uri(path: str) -> str:
    """A file path as a SARIF artifact URI: relative paths stay relative, absolute ones become file URIs."""
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return "file://" + quote(posix, safe="/:")
    return quote(posix, safe="/:")


def _rule_descriptor(rule: Mapping[str, Any]) -> dict[str, Any]:
    title = str(rule.get("title") or rule.get("rule_id") or "")
    severity = str(rule.get("severity") or "")
    descriptor: dict[str, Any] = {
        "id": str(rule.get("rule_id") or ""),
        "name": title,
        "shortDescription": {"text": title},
        "fullDescription": {"text": str(rule.get("rationale") or title)},
        "help": {"text": str(rule.get("remediation") or "See the rule's rationale.")},
        "defaultConfiguration": {"level": SEVERITY_LEVELS.get(severity, "warning")},
        "properties": {
            "severity": severity,
            "security-severity": SECURITY_SEVERITY.get(severity, "5.0"),
            "tags": ["fairness", *[str(k) for k in rule.get("evidence_kinds") or []]],
        },
    }
    return descriptor


def _physical(loc: Mapping[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri(str(loc.get("path") or ""))}}
    line = loc.get("line")
    if isinstance(line, int) and line >= 1:
        region: dict[str, Any] = {"startLine": line}
        column = loc.get("column")
        if isinstance(column, int) and column >= 1:
            region["startColumn"] = column
        physical["region"] = region
    return physical


def _location(loc: Mapping[str, Any], ident: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"physicalLocation": _physical(loc)}
    if loc.get("note"):
        out["message"] = {"text": str(loc["note"])}
    if loc.get("pointer"):
        out["logicalLocations"] = [{"fullyQualifiedName": str(loc["pointer"]), "kind": "element"}]
    if ident is not None:
        out["id"] = ident
    return out


def _result(
    finding: Mapping[str, Any], index: Mapping[str, int], rule_location: Any
) -> dict[str, Any] | None:
    status = str(finding.get("status") or "")
    level = LEVELS.get(status)
    if level is None:
        return None
    rule_id = str(finding.get("rule_id") or "")
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "level": level,
        "message": {"text": str(finding.get("message") or "")},
        "properties": {"status": status, "severity": str(finding.get("severity") or "")},
    }
    if rule_id in index:
        result["ruleIndex"] = index[rule_id]
    locations = [loc for loc in finding.get("locations") or [] if isinstance(loc, Mapping) and loc.get("path")]
    if locations:
        result["locations"] = [_location(locations[0])]
        if len(locations) > 1:
            result["relatedLocations"] = [_location(loc, i) for i, loc in enumerate(locations[1:], start=1)]
    elif isinstance(rule_location, Mapping) and rule_location.get("path"):
        fallback = {**rule_location, "note": "rule definition (the finding has no location in the evidence)"}
        result["locations"] = [_location(fallback)]
    if status == "waived":
        waived = evidence_from_json(finding.get("evidence")).waiver
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if waived is not None and waived.waiver.reason:
            suppression["justification"] = waived.waiver.reason
        result["suppressions"] = [suppression]
    return result


def _invocation(data: Mapping[str, Any]) -> dict[str, Any]:
    notifications = []
    for d in data.get("diagnostics") or []:
        note: dict[str, Any] = {
            "descriptor": {"id": str(d.get("code") or "")},
            "level": "error" if d.get("level") == "error" else "warning",
            "message": {"text": str(d.get("message") or "")},
        }
        loc = d.get("location")
        if isinstance(loc, Mapping) and loc.get("path"):
            note["locations"] = [_location(loc)]
        notifications.append(note)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if isinstance(data.get("exit_code"), int):
        invocation["exitCode"] = data["exit_code"]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _artifacts(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "location": {"uri": uri(str(i.get("path") or ""))},
            "hashes": {"sha-256": str(i.get("sha256") or "")},
            "roles": ["analysisTarget"] if str(i.get("kind", "")).split(":")[0] != "rules" else ["policy"],
        }
        for i in data.get("inputs") or []
        if i.get("path")
    ]
