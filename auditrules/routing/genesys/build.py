"""Genesys Cloud queue pages and Architect flows → :class:`RoutingModel`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from auditrules.channels import VENDOR_DEFAULT_CHANNELS
from auditrules.documents import load_yaml_document
from auditrules.findings import Diagnostic, InputFile, Location
from auditrules.routing.exports import no_export
from auditrules.routing.genesys.architect import FlowReader, is_architect
from auditrules.routing.genesys.pages import read_pages
from auditrules.routing.genesys.queues import QueueReader
from auditrules.routing.model import Gap, RoutingModel

ARCHITECT_NOTE = (
    "queue exports do not contain Architect flows: which queue a contact reaches, and the priority it is "
    "given, are decided there and are not audited (FAIR-001 and priority parity are not evaluated)"
)


def load_genesys(paths: Sequence[str | Path]) -> RoutingModel:
    """Read Genesys Cloud queue pages (JSON) and Architect flows (YAML), files or directories, into one model."""
    ps = [Path(p) for p in paths]
    pages = read_pages([p for p in ps if p.is_dir() or p.suffix.lower() == ".json"])
    flows = [load_yaml_document(f) for f in _flow_files(ps)]
    if not pages.documents and not flows:
        raise no_export(
            ps, "Genesys Cloud queue or flow files (expected GET /api/v2/routing/queues JSON or Architect flow YAML)"
        )
    reader = QueueReader(pages.diagnostics)
    ordered = sorted(pages.queues, key=lambda q: (q.doc.path, _pointer_key(q.pointer)))
    policies = [p for i, q in enumerate(ordered) for p in reader.policies(q, i)]
    notes = list(pages.diagnostics)
    rules = [r for doc in flows for r in FlowReader(doc, notes).read()]
    rules = [replace(r, order=i) for i, r in enumerate(rules)]
    if not flows:
        notes.append(Diagnostic("AR211", "warning", ARCHITECT_NOTE, Location(sorted(pages.documents)[0], 1, 1)))
    documents = {**pages.documents, **{d.path: d for d in flows}}
    inputs = [InputFile(d.path, "genesys:queues", d.sha256) for d in pages.documents.values()]
    inputs += [InputFile(d.path, "genesys:architect", d.sha256) for d in flows]
    return RoutingModel(
        format="genesys",
        name=ps[0].name if ps[0].is_dir() else ps[0].stem,
        channels=tuple(sorted(set(VENDOR_DEFAULT_CHANNELS["genesys"]) | reader.channels)),
        rules=tuple(rules),
        sla_policies=tuple(policies),
        inputs=tuple(sorted(inputs, key=lambda f: f.path)),
        diagnostics=tuple(notes),
        gaps=tuple(Gap("all", d.message, d.location) for d in notes if d.level == "error"),
        sla_known=bool(pages.documents),
        priority_known=bool(flows),
        documents=documents,
    )


def _flow_files(paths: list[Path]) -> list[Path]:
    """The Architect flow YAML files among ``paths`` (files, or directories of ``*.yaml``/``*.yml``)."""
    out: list[Path] = []
    for p in paths:
        candidates = sorted([*p.glob("*.yaml"), *p.glob("*.yml")]) if p.is_dir() else [p]
        out += [f for f in candidates if f.suffix.lower() in (".yaml", ".yml") and is_architect(f)]
    return out


def _pointer_key(pointer: str) -> tuple[int, ...]:
    return tuple(int(t) for t in pointer.split("/") if t.isdigit())


__all__ = ["load_genesys"]
