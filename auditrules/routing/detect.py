"""Routing format detection: a path (file or directory) → the RoutingModel of the adapter that reads it.

* a directory is a Zendesk export bundle;
* ``.yaml``/``.yml`` declaring ``auditrules: routing/v1`` is the canonical format;
* ``.json`` is Zendesk or Twilio TaskRouter, told apart by its top-level keys.

Adapters are imported only when needed so that ``auditrules check`` starts fast.
"""

from __future__ import annotations

from pathlib import Path

from auditrules.documents import require_regular
from auditrules.errors import AuditError, Span
from auditrules.routing.model import RoutingModel

FORMATS: tuple[str, ...] = ("canonical", "zendesk", "taskrouter")


def _unknown(path: str | Path) -> AuditError:
    return AuditError(
        "AR204",
        f"cannot tell the routing format of {path} (expected canonical YAML 'auditrules: routing/v1', "
        "a Zendesk export (triggers, automations, views, macros, sla_policies, *_fields), "
        "or a Twilio TaskRouter workflow)",
        Span(str(path), 1, 1),
    )


def detect_format(path: str | Path) -> str:
    """The format name of ``path`` (one of FORMATS); AR001 when it is missing, AR204 when unknown."""
    p = Path(path)
    if not p.exists():
        raise AuditError("AR001", f"no such file or directory: {path}")
    if p.is_dir():
        return "zendesk"
    require_regular(p)  # a FIFO or device would hang or never end when sniffed
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
    raise _unknown(path)


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
    from auditrules.routing.taskrouter import load_taskrouter

    if p.is_dir():
        raise AuditError(
            "AR204", f"{path} is a directory; a TaskRouter workflow is one JSON file", Span(str(p), 1, 1)
        )
    return load_taskrouter(p)


__all__ = ["FORMATS", "detect_format", "load_routing"]
