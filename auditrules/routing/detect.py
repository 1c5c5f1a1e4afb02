"""Routing format detection: a path (file or directory) → the RoutingModel of the adapter that reads it.

* a directory is Salesforce metadata (an SFDX project or a Metadata API retrieve), a folder of
  Amazon Connect flows, or otherwise a Zendesk export bundle;
* ``.yaml``/``.yml`` declaring ``auditrules: routing/v1`` is the canonical format;
* ``.json`` is Zendesk, Twilio TaskRouter or an Amazon Connect flow, told apart by its top-level keys;
* ``.xml`` (or a Metadata API suffix such as ``.queue``) is Salesforce metadata.

Adapters are imported only when needed so that ``auditrules check`` starts fast.
"""

from __future__ import annotations

from pathlib import Path

from auditrules.errors import AuditError, Span
from auditrules.routing.model import RoutingModel

FORMATS: tuple[str, ...] = ("canonical", "zendesk", "taskrouter", "salesforce", "connect")


def _unknown(path: str | Path) -> AuditError:
    return AuditError(
        "AR204",
        f"cannot tell the routing format of {path} (expected canonical YAML 'auditrules: routing/v1', "
        "a Zendesk export (triggers, automations, views, macros, sla_policies, *_fields), "
        "a Twilio TaskRouter workflow, Salesforce metadata or an Amazon Connect flow)",
        Span(str(path), 1, 1),
    )


def detect_format(path: str | Path) -> str:
    """The format name of ``path`` (one of FORMATS); AR001 when it is missing, AR204 when unknown."""
    p = Path(path)
    if not p.exists():
        raise AuditError("AR001", f"no such file or directory: {path}")
    from auditrules.routing.salesforce import is_salesforce

    if is_salesforce(p):
        return "salesforce"
    if p.is_dir():
        from auditrules.routing.connect import is_connect
        from auditrules.routing.zendesk import is_zendesk

        return "connect" if not is_zendesk(p) and is_connect(p) else "zendesk"
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
        from auditrules.routing.connect import is_connect

        if is_connect(p):
            return "connect"
    raise _unknown(path)


def load_routing(path: str | Path, fmt: str | None = None) -> RoutingModel:
    """Load one routing input; ``fmt`` (one of FORMATS) overrides detection."""
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
    if kind == "salesforce":
        from auditrules.routing.salesforce import load_salesforce

        return load_salesforce(p)
    if kind == "connect":
        from auditrules.routing.connect import load_connect

        return load_connect(p)
    from auditrules.routing.taskrouter import load_taskrouter

    if p.is_dir():
        raise AuditError(
            "AR204", f"{path} is a directory; a TaskRouter workflow is one JSON file", Span(str(p), 1, 1)
        )
    return load_taskrouter(p)


__all__ = ["FORMATS", "detect_format", "load_routing"]
