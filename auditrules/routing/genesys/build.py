"""Genesys Cloud queue pages → :class:`RoutingModel`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditrules.channels import VENDOR_DEFAULT_CHANNELS
from auditrules.errors import AuditError, Span
from auditrules.findings import Diagnostic, InputFile, Location
from auditrules.routing.genesys.pages import read_pages
from auditrules.routing.genesys.queues import QueueReader
from auditrules.routing.model import Gap, RoutingModel

ARCHITECT_NOTE = (
    "queue exports do not contain Architect flows: which queue a contact reaches, and the priority it is "
    "given, are decided there and are not audited (FAIR-001 and priority parity are not evaluated)"
)


def load_genesys(paths: Sequence[str | Path]) -> RoutingModel:
    """Read Genesys Cloud queue pages (files or directories) into one model."""
    ps = [Path(p) for p in paths]
    pages = read_pages(ps)
    if not pages.documents:
        where = ps[0] if ps else Path(".")
        raise AuditError(
            "AR204",
            f"no Genesys Cloud queue files in {where} (expected GET /api/v2/routing/queues JSON)",
            Span(str(where), 1, 1),
        )
    reader = QueueReader(pages.diagnostics)
    ordered = sorted(pages.queues, key=lambda q: (q.doc.path, _pointer_key(q.pointer)))
    policies = [p for i, q in enumerate(ordered) for p in reader.policies(q, i)]
    first = sorted(pages.documents)[0]
    notes = [*pages.diagnostics, Diagnostic("AR211", "warning", ARCHITECT_NOTE, Location(first, 1, 1))]
    return RoutingModel(
        format="genesys",
        name=ps[0].name if ps[0].is_dir() else ps[0].stem,
        channels=tuple(sorted(set(VENDOR_DEFAULT_CHANNELS["genesys"]) | reader.channels)),
        rules=(),
        sla_policies=tuple(policies),
        inputs=tuple(
            InputFile(d.path, "genesys:queues", d.sha256)
            for d in sorted(pages.documents.values(), key=lambda d: d.path)
        ),
        diagnostics=tuple(notes),
        gaps=tuple(Gap("all", d.message, d.location) for d in notes if d.level == "error"),
        sla_known=True,
        priority_known=False,
        documents=pages.documents,
    )


def _pointer_key(pointer: str) -> tuple[int, ...]:
    return tuple(int(t) for t in pointer.split("/") if t.isdigit())


__all__ = ["load_genesys"]
