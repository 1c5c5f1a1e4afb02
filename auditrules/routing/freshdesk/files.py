"""Reading Freshdesk API files: which JSON holds SLA policies, which automation rules (detection is
:mod:`.detect`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditrules.documents import Document
from auditrules.findings import Diagnostic, Location
from auditrules.routing.exports import Resource, json_documents, skipped_file

#: One SLA policy or automation rule.
Item = Resource


@dataclass
class Export:
    """The documents of one export, sorted into SLA policies and automation rules."""

    documents: dict[str, Document]
    policies: list[Item]
    rules: list[Item]
    diagnostics: list[Diagnostic]


def _kind(item: dict[str, Any]) -> str | None:
    if "sla_target" in item or "applicable_to" in item:
        return "sla"
    if "actions" in item or "automation_type_id" in item:
        return "rule"
    return None


def _items(doc: Document) -> tuple[str, list[Any]] | None:
    """The resource list of a document and its pointer prefix: a bare array or ``{"rules": [...]}``."""
    data = doc.data
    if isinstance(data, list):
        return "", data
    if isinstance(data, dict) and isinstance(data.get("rules"), list):
        return "/rules", data["rules"]
    if isinstance(data, dict) and _kind(data) is not None:  # GET .../rules/{id}: one resource
        return "", [data]
    return None


def read_export(paths: list[Path]) -> Export:
    """Read every JSON file of ``paths`` (files, or directories of ``*.json``)."""
    export = Export({}, [], [], [])
    for doc in json_documents(paths):
        found = _items(doc)
        if found is None:
            export.diagnostics.append(skipped_file(doc.path, "a Freshdesk SLA or automation list"))
            continue
        export.documents[doc.path] = doc
        prefix, items = found
        single = doc.data is not None and isinstance(doc.data, dict) and prefix == ""
        for i, item in enumerate(items):
            pointer = "" if single else f"{prefix}/{i}"
            kind = _kind(item) if isinstance(item, dict) else None
            if kind is None:
                export.diagnostics.append(
                    Diagnostic(
                        "AR202",
                        "warning",
                        f"item {i} is neither an SLA policy nor an automation rule; skipped",
                        Location(doc.path, None, None, pointer),
                    )
                )
                continue
            assert isinstance(item, dict)
            (export.policies if kind == "sla" else export.rules).append(Item(doc, pointer, item))
    return export


def location(item: Item, suffix: str = "", note: str | None = None) -> Location:
    """A location by JSON pointer; its line is looked up when reported."""
    return item.location(suffix, note)


__all__ = ["Export", "Item", "location", "read_export"]
