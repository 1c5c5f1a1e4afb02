"""Routing format detection: a path (file or directory) → the RoutingModel of the adapter that reads it.

* a directory is a Freshdesk export (SLA policies, automation rules), Genesys Cloud queue pages,
  or otherwise a Zendesk export bundle;
* ``.yaml``/``.yml`` declaring ``auditrules: routing/v1`` is the canonical format;
* ``.json`` is Zendesk, Twilio TaskRouter, Freshdesk or Genesys Cloud, told apart by its keys.

Adapters are imported only when needed so that ``auditrules check`` starts fast.
"""

from __future__ import annotations

from pathlib import Path

from auditrules.errors import AuditError, Span
from auditrules.routing.model import RoutingModel

FORMATS: tuple[str, ...] = ("canonical", "zendesk", "taskrouter", "freshdesk", "genesys")


def _unknown(path: str | Path) -> AuditError:
    return AuditError(
        "AR204",
        f"cannot tell the routing format of {path} (expected canonical YAML 'auditrules: routing/v1', "
        "a Zendesk export (triggers, automations, views, macros, sla_policies, *_fields), "
        "a Twilio TaskRouter workflow, Freshdesk SLA policies or automation rules, or Genesys Cloud queues)",
        Span(str(path), 1, 1),
    )


def detect_format(path: str | Path) -> str:
    """The format name of ``path`` (one of FORMATS); AR001 when it is missing, AR204 when unknown."""
    p = Path(path)
    if not p.exists():
        raise AuditError("AR001", f"no such file or directory: {path}")
    if p.is_dir():
        return _other_json(p) or "zendesk"
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        from auditrules.routing.canonical import is_canonical

        if is_canonical(p):
            return "canonical"
        raise _unknown(path)
    if suffix == ".json":
        from auditrules.routing.zendesk import is_zendesk

        if is_zendesk(p):
            return "zendesk"
        from auditrules.routing.taskrouter import is_taskrouter

        if is_taskrouter(p):
            return "taskrouter"
        other = _other_json(p)
        if other is not None:
            return other
    raise _unknown(path)


def _other_json(p: Path) -> str | None:
    """Freshdesk or Genesys Cloud API JSON (a file, or a directory of files), by a peek at each head."""
    from auditrules.routing.freshdesk import is_freshdesk

    if is_freshdesk(p):
        return "freshdesk"
    from auditrules.routing.genesys import is_genesys

    return "genesys" if is_genesys(p) else None


def load_routing(path: str | Path, fmt: str | None = None) -> RoutingModel:
    """Load one routing input; ``fmt`` (canonical | zendesk | taskrouter) overrides detection."""
    p = Path(path)
    if not p.exists():
        raise AuditError("AR001", f"no such file or directory: {path}")
    if fmt is not None and fmt not in FORMATS:
        raise AuditError("AR005", f"unknown routing format '{fmt}' (expected {', '.join(FORMATS)})")
    kind = fmt or detect_format(p)
    if kind == "canonical":
        from auditrules.routing.canonical import load_canonical

        return load_canonical(p)
    if kind == "zendesk":
        from auditrules.routing.zendesk import load_zendesk

        return load_zendesk([p])
    if kind == "freshdesk":
        from auditrules.routing.freshdesk import load_freshdesk

        return load_freshdesk([p])
    if kind == "genesys":
        from auditrules.routing.genesys import load_genesys

        return load_genesys([p])
    from auditrules.routing.taskrouter import load_taskrouter

    if p.is_dir():
        raise AuditError(
            "AR204", f"{path} is a directory; a TaskRouter workflow is one JSON file", Span(str(p), 1, 1)
        )
    return load_taskrouter(p)


__all__ = ["FORMATS", "detect_format", "load_routing"]
