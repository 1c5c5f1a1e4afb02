"""Fingerprints: a finding (its JSON form) → a stable identity that survives edits to the export.

Never a position in a list or a line number, which move when a file is edited, but what identifies
the offending element in its own export (see :mod:`auditrules.baseline` for the table): the canonical
rule ``id``, the Zendesk trigger or automation id, the TaskRouter workflow sid and filter name, an
SLA's metric, priority and policies, a ticket rule's requirement, plus the rule and the condition's
text. ``--baseline`` matches findings by it; SARIF carries it as ``partialFingerprints``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

#: TaskRouter element ids are ``<workflow sid>/filters/<index>[...]``: the index moves, the name does not.
_TASKROUTER_POSITION = re.compile(r"^(?P<sid>[^/]*)/filters/\d+(?P<rest>.*)$")


def _element(rule: Any, name: Any) -> str:
    """A routing element's stable identity (see the module table)."""
    text = str(rule or "")
    m = _TASKROUTER_POSITION.match(text)
    if m:
        return f"{m['sid']}/filter:{name or ''}{m['rest']}"
    return text


def _identity(finding: Mapping[str, Any]) -> list[str]:
    ev = finding.get("evidence") or {}
    if not isinstance(ev, Mapping):
        ev = {}
    head = [str(ev.get("statement") or ""), str(ev.get("routing") or "")]
    chain = ev.get("chain")
    if isinstance(chain, list) and chain:
        names = {str(s.get("rule")): s.get("rule_name") for s in chain if isinstance(s, Mapping)}
        steps = [
            f"{_element(s.get('rule'), s.get('rule_name'))}|{s.get('condition') or ''}|{s.get('reads') or ''}"
            f"|{s.get('writes') or ''}"
            for s in chain
            if isinstance(s, Mapping)
        ]
        routing_rule = ev.get("routing_rule")
        return [*head, _element(routing_rule, names.get(str(routing_rule))), *steps]
    if isinstance(ev.get("targets"), list):
        targets = sorted(
            f"{t.get('channel')}={t.get('policy')}:{t.get('seconds')}:{t.get('business_hours')}"
            for t in ev["targets"]
            if isinstance(t, Mapping)
        )
        return [*head, str(ev.get("metric")), str(ev.get("priority")), *targets]
    if "channel" in ev and str(ev.get("statement", "")).startswith("sla"):
        return [*head, str(ev["channel"])]
    if ev.get("requirement"):
        return [str(ev["requirement"])]
    paths = sorted({str(loc.get("path")) for loc in finding.get("locations") or [] if isinstance(loc, Mapping)})
    return [str(finding.get("message") or ""), *paths]


def fingerprint(finding: Mapping[str, Any]) -> str:
    """The stable identity of a finding in its JSON form (a 32-hex-digit hash)."""
    parts = [str(finding.get("rule_id") or ""), *_identity(finding)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


__all__ = ["fingerprint"]
