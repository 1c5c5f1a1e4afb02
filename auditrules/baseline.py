"""Baseline: a previous JSON report + findings → findings where those already known are ``waived``,
and notes about baselined findings that have disappeared.

A team adopting auditrules on a legacy configuration records today's report once
(``auditrules check ... --format json -o baseline.json``) and then runs with
``--baseline baseline.json``: only new failing findings fail the run.

A finding is "already known" when its **fingerprint** equals that of a failing finding in the
baseline. The fingerprint never uses a position in a list or a line number, which move when a file is
edited; it is built from what identifies the offending element in its own export:

========================  ==============================================================================
finding                   identity
========================  ==============================================================================
routing chain             each step's element — canonical rule ``id``, Zendesk ``trigger:<id>`` /
                          ``automation:<id>``, TaskRouter workflow sid + filter *name* — and the text of
                          the condition it reads (so rewriting the condition is a new finding)
SLA targets               the statement, metric, priority and each channel's policy name and target
SLA coverage              the statement and the channel
ticket requirement        the rule's requirement text (figures move with the data; the finding stays)
anything else             the message and the files (without pointers)
========================  ==============================================================================

The same fingerprint is written to each finding of the JSON report (``fingerprint``) and to SARIF's
``partialFingerprints``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from auditrules.findings import FAILING, Diagnostic, Finding, Location, Status
from auditrules.fingerprints import fingerprint
from auditrules.waived import WaiverNote

_FAILING = frozenset(s.value for s in FAILING)


def finding_fingerprint(finding: Finding) -> str:
    return fingerprint(finding.to_json())


@dataclass(frozen=True)
class Baseline:
    """The failing findings of an earlier report, by fingerprint."""

    path: str
    known: Mapping[str, Mapping[str, Any]]

    def gone(self, findings: Iterable[Finding]) -> list[Diagnostic]:
        """Notes (AR410) for baselined findings no longer found: the baseline can shrink."""
        now = {finding_fingerprint(f) for f in findings}
        notes = []
        for key, old in sorted(self.known.items(), key=lambda kv: (str(kv[1].get("rule_id")), kv[0])):
            if key not in now:
                notes.append(
                    Diagnostic(
                        "AR410",
                        "warning",
                        f"{old.get('rule_id')}: a finding in the baseline is gone ({old.get('message')}); "
                        "regenerate the baseline to drop it",
                        Location(self.path, None, None, None, f"fingerprint {key}"),
                    )
                )
        return notes


def known_findings(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Failing (or baselined) findings of a JSON report (see ``auditrules.report.json``) by fingerprint."""
    out: dict[str, Mapping[str, Any]] = {}
    for f in report.get("findings", []):
        if f.get("status") in _FAILING or (f.get("evidence") or {}).get("baseline"):
            out.setdefault(fingerprint(f), f)
    return out


def load_baseline(path: str | Path) -> Baseline:
    from auditrules.report.json import load_report

    return Baseline(str(path), known_findings(load_report(str(path))))


def apply_baseline(findings: Sequence[Finding], baseline: Baseline, source: str) -> list[Finding]:
    """Mark failing findings already in the baseline as ``waived`` (reason: in the baseline)."""
    out: list[Finding] = []
    for f in findings:
        if f.status in FAILING and finding_fingerprint(f) in baseline.known:
            note = WaiverNote(f"known before adoption: present in the baseline {source}", None, None)
            evidence = f.evidence.waived(note, f.status, source)
            out.append(replace(f, status=Status.WAIVED, evidence=evidence))
        else:
            out.append(f)
    return out


__all__ = ["Baseline", "apply_baseline", "finding_fingerprint", "known_findings", "load_baseline"]
