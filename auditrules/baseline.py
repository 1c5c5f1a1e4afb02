"""Baseline: a previous JSON report + findings → findings where those already known are ``waived``.

A team adopting auditrules on a legacy configuration records today's report once
(``auditrules check ... --format json -o baseline.json``) and then runs with
``--baseline baseline.json``: only new failing findings fail the run. A finding is "already known"
when its rule, message and location paths and JSON pointers (not line numbers, which move as a file
is edited) equal those of a failing finding in the baseline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from auditrules.evidence import WaiverNote
from auditrules.findings import FAILING, Finding, Status


def fingerprint(rule_id: str, message: str, locations: Iterable[Mapping[str, Any]]) -> str:
    """A line-independent identity for a finding."""
    places = sorted(f"{loc.get('path')}#{loc.get('pointer') or ''}" for loc in locations)
    return "\x1f".join([rule_id, message, *places])


def known_fingerprints(report: Mapping[str, Any]) -> set[str]:
    """Fingerprints of the failing findings of a JSON report (see ``auditrules.report.json``)."""
    return {
        fingerprint(f["rule_id"], f["message"], f.get("locations") or [])
        for f in report.get("findings", [])
        if f.get("status") in {s.value for s in FAILING} or f.get("evidence", {}).get("baseline")
    }


def apply_baseline(findings: Sequence[Finding], known: set[str], source: str) -> list[Finding]:
    """Mark failing findings already in the baseline as ``waived`` (reason: in the baseline)."""
    out: list[Finding] = []
    for f in findings:
        key = fingerprint(f.rule_id, f.message, (loc.to_json() for loc in f.locations))
        if f.status in FAILING and key in known:
            note = WaiverNote(f"known before adoption: present in the baseline {source}", None, None)
            evidence = f.evidence.waived(note, f.status, source)
            out.append(replace(f, status=Status.WAIVED, evidence=evidence))
        else:
            out.append(f)
    return out


__all__ = ["apply_baseline", "fingerprint", "known_fingerprints"]
