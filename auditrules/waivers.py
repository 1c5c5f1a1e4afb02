"""Waivers: ``waivers.yaml`` (``auditrules: waivers/v1``) + findings → findings with accepted
exceptions marked ``waived``, and notes about waivers that expired or matched nothing.

A waiver names a rule, optionally a ``scope`` (a glob on a finding location's path) and a
``match`` (text the finding's message contains), and must give a reason, an approver and an
expiry date. Only failing findings (``fail``, ``error``) are waived. From the day after
``expires`` the waiver no longer applies: the finding fails again and a note says why.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

from auditrules.documents import escape_pointer_token, load_yaml_document, read_text
from auditrules.errors import AuditError
from auditrules.findings import FAILING, Diagnostic, Finding, Location, Status
from auditrules.resources import schema_path
from auditrules.waived import WaiverNote


@dataclass(frozen=True)
class Waiver:
    """One accepted exception, with where it is written."""

    rule: str
    reason: str
    approver: str
    expires: date
    location: Location
    scope: str | None = None
    match: str | None = None

    def covers(self, finding: Finding) -> bool:
        if finding.rule_id != self.rule or finding.status not in FAILING:
            return False
        if self.match is not None and self.match not in finding.message:
            return False
        if self.scope is not None:
            return any(fnmatchcase(loc.path, self.scope) for loc in finding.locations)
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "approver": self.approver,
            "expires": self.expires.isoformat(),
            "waiver_at": self.location.to_json(),
        }


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(schema_path("waivers.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def load_waivers(path: str | Path) -> tuple[Waiver, ...]:
    """Read and validate a waivers file (AR402 with the offending line on any problem)."""
    text, digest = read_text(path)
    doc = load_yaml_document(path, text, digest)
    if isinstance(doc.data, dict) and isinstance(doc.data.get("waivers"), list):
        for w in doc.data["waivers"]:  # YAML reads an unquoted 2027-03-31 as a date: accept it
            if isinstance(w, dict) and isinstance(w.get("expires"), date):
                w["expires"] = w["expires"].isoformat()
    errors = sorted(_validator().iter_errors(doc.data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        err = errors[0]
        pointer = "".join("/" + escape_pointer_token(p) for p in err.absolute_path)
        raise AuditError("AR402", f"{pointer or '/'}: {err.message}", doc.span_of(pointer), doc.text)
    out: list[Waiver] = []
    for i, w in enumerate(doc.data["waivers"]):
        pointer = f"/waivers/{i}"
        try:
            expires = date.fromisoformat(str(w["expires"]))
        except ValueError:
            raise AuditError(
                "AR402",
                f"{pointer}/expires: {w['expires']!r} is not a date (YYYY-MM-DD)",
                doc.span_of(pointer + "/expires"),
                doc.text,
            ) from None
        out.append(
            Waiver(
                rule=str(w["rule"]),
                reason=str(w["reason"]),
                approver=str(w["approver"]),
                expires=expires,
                location=Location(doc.path, doc.line_of(pointer), None, pointer),
                scope=w.get("scope"),
                match=w.get("match"),
            )
        )
    return tuple(out)


def apply_waivers(
    findings: Sequence[Finding], waivers: Sequence[Waiver], today: date
) -> tuple[list[Finding], list[Diagnostic]]:
    """Mark findings covered by a live waiver as ``waived``; note expired and unused waivers."""
    used: set[int] = set()
    expired_hits: set[int] = set()
    out: list[Finding] = []
    for f in findings:
        live = next((i for i, w in enumerate(waivers) if w.covers(f) and w.expires >= today), None)
        if live is None:
            for i, w in enumerate(waivers):
                if w.covers(f):
                    expired_hits.add(i)
            out.append(f)
            continue
        used.add(live)
        w = waivers[live]
        note = WaiverNote(w.reason, w.approver, w.expires.isoformat(), w.location)
        evidence = f.evidence.waived(note, f.status)
        where = replace(w.location, note=f"waived until {w.expires.isoformat()} by {w.approver}: {w.reason}")
        out.append(replace(f, status=Status.WAIVED, evidence=evidence, locations=(*f.locations, where)))
    notes: list[Diagnostic] = []
    for i, w in enumerate(waivers):
        if i in expired_hits:
            notes.append(
                Diagnostic(
                    "AR403",
                    "warning",
                    f"the waiver for {w.rule} approved by {w.approver} expired on {w.expires.isoformat()}; "
                    "its findings fail again",
                    w.location,
                )
            )
        elif i not in used:
            notes.append(
                Diagnostic(
                    "AR404", "warning", f"the waiver for {w.rule} matches no failing finding; remove it", w.location
                )
            )
    return out, notes
