"""SARIF report: report data (the JSON form) → SARIF 2.1.0 JSON for code-scanning tools.

One run; its driver lists every rule (title, rationale, severity, ``help`` as text and Markdown from
the rule's documentation page, ``helpUri`` when the rule declares one). One result per finding that is
not ``pass``:

=========================================  ==================  ==========================================
finding status                             ``level``           notes
=========================================  ==================  ==========================================
fail, error                                from the severity:  a high-severity failure is an ``error``
                                           high ``error``,
                                           medium ``warning``,
                                           low ``note``
warn, inconclusive, insufficient_data,     ``note``            to look at, not to block on
not_evaluated
waived                                     ``note``            with ``suppressions: [{kind: external}]`` so
                                                               code-scanning shows it as dismissed, not open
pass                                       —                   left out: SARIF results are things to look at
=========================================  ==================  ==========================================

Each result carries ``partialFingerprints`` (``auditrules/v1``: the same fingerprint ``--baseline``
matches, so code-scanning tracks a finding across edits that move it). A finding's first location is
its ``locations[0]``; the others become ``relatedLocations``. A ticket finding is located on the ticket
file it was computed from (the rule's definition is a related location, unless the rule is bundled
with auditrules and so not in the user's repository). A finding without a location points at its
rule's definition in a user's rules file, or at the first evidence file, because code-scanning
services drop results that have no location. Diagnostics (notes on the inputs) become
``toolExecutionNotifications``. Output is deterministic: sorted keys, two-space indent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from auditrules.evidence import evidence_from_json
from auditrules.fingerprints import fingerprint
from auditrules.report.statuses import FAILING_VALUES, ORDER

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://auditrules.dev"
#: Input kinds that are not evidence (their files are not where findings are).
_NOT_EVIDENCE = frozenset({"rules", "waivers", "baseline"})

#: Statuses that produce a result (``pass`` does not); failing ones take their level from the severity.
REPORTED = frozenset(ORDER) - {"pass"}
FINGERPRINT_KEY = "auditrules/v1"
#: ``level`` of a failing result, and ``defaultConfiguration.level`` of a rule, by severity.
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
    by_id = {str(r.get("rule_id")): r for r in rules}
    evidence = [i for i in data.get("inputs") or [] if str(i.get("kind", "")).split(":")[0] not in _NOT_EVIDENCE]
    results = []
    for f in data.get("findings") or []:
        result = _result(f, index, _Places(by_id.get(str(f.get("rule_id"))) or {}, evidence))
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


def _help(rule: Mapping[str, Any]) -> dict[str, str]:
    """The rule's help: its documentation page (Markdown, and as plain text), else its remediation."""
    doc = rule.get("doc")
    if isinstance(doc, str) and doc.strip():
        text = re.sub(r"^#+ *", "", doc, flags=re.MULTILINE).replace("`", "")
        return {"text": text, "markdown": doc}
    return {"text": str(rule.get("remediation") or "See the rule's rationale.")}


def _rule_descriptor(rule: Mapping[str, Any]) -> dict[str, Any]:
    title = str(rule.get("title") or rule.get("rule_id") or "")
    severity = str(rule.get("severity") or "")
    descriptor: dict[str, Any] = {
        "id": str(rule.get("rule_id") or ""),
        "name": title,
        "shortDescription": {"text": title},
        "fullDescription": {"text": str(rule.get("rationale") or title)},
        "help": _help(rule),
        "defaultConfiguration": {"level": SEVERITY_LEVELS.get(severity, "warning")},
        "properties": {
            "severity": severity,
            "security-severity": SECURITY_SEVERITY.get(severity, "5.0"),
            "tags": ["fairness", *[str(k) for k in rule.get("evidence_kinds") or []]],
        },
    }
    if rule.get("help_uri"):
        descriptor["helpUri"] = str(rule["help_uri"])
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


@dataclass(frozen=True)
class _Places:
    """Where a finding can be placed besides its own locations: its rule and the run's evidence files."""

    rule: Mapping[str, Any]
    evidence: Sequence[Mapping[str, Any]]

    def rule_location(self) -> Mapping[str, Any] | None:
        loc = self.rule.get("location")
        if self.rule.get("bundled") or not isinstance(loc, Mapping) or not loc.get("path"):
            return None  # a bundled pack is not in the user's repository
        return {**loc, "note": "rule definition"}

    def evidence_files(self, kind: str) -> list[Mapping[str, Any]]:
        return [
            {"path": i["path"], "note": f"{kind} evidence"}
            for i in self.evidence
            if str(i.get("kind", "")).startswith(kind) and i.get("path")
        ]


def _placed(finding: Mapping[str, Any], places: _Places) -> list[Mapping[str, Any]]:
    """The finding's locations in order, the first being where code-scanning shows it."""
    own = [loc for loc in finding.get("locations") or [] if isinstance(loc, Mapping) and loc.get("path")]
    evidence = finding.get("evidence") or {}
    rule_loc = places.rule_location()
    if isinstance(evidence, Mapping) and "requirement" in evidence:  # a ticket finding
        if places.rule.get("bundled"):
            rule_path = str((places.rule.get("location") or {}).get("path"))
            own = [loc for loc in own if str(loc.get("path")) != rule_path]
        return [*places.evidence_files("tickets"), *own]
    if own:
        return own
    if rule_loc is not None:
        return [{**rule_loc, "note": "rule definition (the finding has no location in the evidence)"}]
    return places.evidence_files("")[:1]


def _result(finding: Mapping[str, Any], index: Mapping[str, int], places: _Places) -> dict[str, Any] | None:
    status = str(finding.get("status") or "")
    if status not in REPORTED:
        return None
    rule_id = str(finding.get("rule_id") or "")
    severity = str(finding.get("severity") or "")
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "level": SEVERITY_LEVELS.get(severity, "warning") if status in FAILING_VALUES else "note",
        "message": {"text": str(finding.get("message") or "")},
        "partialFingerprints": {FINGERPRINT_KEY: str(finding.get("fingerprint") or fingerprint(finding))},
        "properties": {"status": status, "severity": severity},
    }
    if rule_id in index:
        result["ruleIndex"] = index[rule_id]
    locations = _placed(finding, places)
    if locations:
        result["locations"] = [_location(locations[0])]
        if len(locations) > 1:
            result["relatedLocations"] = [_location(loc, i) for i, loc in enumerate(locations[1:], start=1)]
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
