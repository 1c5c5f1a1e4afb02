"""RoutingModel → plain, sorted, deterministic JSON data (for golden files and debugging).

Paths are written relative to ``base`` (POSIX separators) so the output does not depend on where the
repository lives; every list is ordered so two runs over the same input give byte-identical JSON.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from auditrules.findings import Diagnostic, Location
from auditrules.routing.model import Effect, Read, RoutingModel, RoutingRule, SlaPolicy


def _relpath(path: str, base: Path | None) -> str:
    if base is None:
        return Path(path).as_posix()
    try:
        return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def _location(loc: Location | None, base: Path | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    out = loc.to_json()
    out["path"] = _relpath(loc.path, base)
    return out


def _loc_key(loc: Location | None) -> tuple[str, int, int, str]:
    if loc is None:
        return ("", 0, 0, "")
    return (loc.path, loc.line or 0, loc.column or 0, loc.pointer or "")


def _read(read: Read, base: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {"field": read.field, "text": read.text, "location": _location(read.location, base)}
    if read.values:
        out["values"] = list(read.values)
    if read.opaque is not None:
        out["opaque"] = read.opaque
    return out


def _effect(effect: Effect, model: RoutingModel, base: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": effect.kind, "value": effect.value, "location": _location(effect.location, base)}
    if effect.kind == "priority":
        prio = model.priority_of(effect)
        out["priority"] = None if prio is None else {"rank": prio.rank, "raw": prio.raw, "scale": prio.scale}
    return out


def _rule(rule: RoutingRule, model: RoutingModel, base: Path | None) -> dict[str, Any]:
    scope = {} if rule.channels is None else {"channels": list(rule.channels)}
    return {
        "id": rule.id,
        "name": rule.name,
        "kind": rule.kind,
        "order": rule.order,
        "active": rule.active,
        **scope,
        "location": _location(rule.location, base),
        "reads": [_read(r, base) for r in sorted(rule.reads, key=lambda r: (_loc_key(r.location), r.field, r.text))],
        "writes": [
            {"target": w.target, "text": w.text, "location": _location(w.location, base)}
            for w in sorted(rule.writes, key=lambda w: (_loc_key(w.location), w.target, w.text))
        ],
        "effects": [
            _effect(e, model, base) for e in sorted(rule.effects, key=lambda e: (_loc_key(e.location), e.kind, e.value))
        ],
    }


def _policy(policy: SlaPolicy, base: Path | None) -> dict[str, Any]:
    return {
        "name": policy.name,
        "order": policy.order,
        "channels": list(policy.channels) if policy.channels is not None else None,
        "conditions": list(policy.conditions),
        **({} if policy.scope is None else {"scope": policy.scope}),
        "location": _location(policy.location, base),
        **({"excluded": list(policy.excluded)} if policy.excluded else {}),
        **({"filter_known": False} if not policy.filter_known else {}),
        **({"id": policy.id} if policy.id else {}),
        "targets": [
            {
                "metric": t.metric,
                "priority": t.priority,
                "seconds": t.seconds,
                "business_hours": t.business_hours,
                **({} if t.share is None else {"share": t.share}),
                "location": _location(t.location, base),
            }
            for t in sorted(policy.targets, key=lambda t: (t.metric, t.priority, _loc_key(t.location)))
        ],
    }


def _diagnostic(d: Diagnostic, base: Path | None) -> dict[str, Any]:
    out = d.to_json()
    out["location"] = _location(d.location, base)
    return out


def model_to_json(model: RoutingModel, base: str | Path | None = None) -> dict[str, Any]:
    """A JSON-ready dict of ``model``; paths relative to ``base`` when given."""
    b = Path(base) if base is not None else None
    model = model.resolved()
    return {
        "format": model.format,
        "name": model.name,
        "channels": sorted(model.channels),
        **({"declared_channels": list(model.declared_channels)} if model.declared_channels is not None else {}),
        "gaps": [{"scope": g.scope, "reason": g.reason, "location": _location(g.location, b)} for g in model.gaps],
        "delays": [
            {"rule": d.rule, "seconds": d.seconds, "applies_to": d.applies_to, "location": _location(d.location, b)}
            for d in model.delays
        ],
        "rules": [_rule(r, model, b) for r in sorted(model.rules, key=lambda r: (r.order, r.id))],
        "sla_policies": [
            _policy(p, b) for p in sorted(model.sla_policies, key=lambda p: (p.order, p.name, _loc_key(p.location)))
        ],
        "inputs": sorted(
            ({"path": _relpath(f.path, b), "kind": f.kind, "sha256": f.sha256} for f in model.inputs),
            key=lambda f: (f["path"], f["kind"]),
        ),
        "diagnostics": sorted(
            (_diagnostic(d, b) for d in model.diagnostics),
            key=lambda d: (
                (d["location"] or {}).get("path") or "",
                (d["location"] or {}).get("line") or 0,
                (d["location"] or {}).get("column") or 0,
                d["code"],
                d["message"],
            ),
        ),
        "field_names": dict(sorted(model.field_names.items())),
    }


__all__ = ["model_to_json"]
