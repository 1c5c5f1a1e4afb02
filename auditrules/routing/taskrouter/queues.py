"""A workspace's TaskQueues list (``GET /v1/Workspaces/{WorkspaceSid}/TaskQueues``, saved as
``task_queues.json``) → queue names, so a target's ``WQ…`` sid reads as ``Support tier 1 (WQ…)``.

The response is ``{"task_queues": [{"sid": "WQ…", "friendly_name": …}, …], "meta": {…}}``; pages
(several files) are merged. Every page naming a ``meta.next_page_url`` means the last page is
missing: a warning (AR212), as names are for display only and never change a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditrules.documents import load_json_document, read_text
from auditrules.findings import Diagnostic, InputFile, Location
from auditrules.routing.names import NameCatalog, source_label

#: A TaskQueue sid; other target values (``${QUEUE_SID}`` placeholders of IaC copies) are not looked up.
QUEUE_SID = re.compile(r"^WQ[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class QueueCatalog:
    """The queue names of a workspace, the files they came from, and notes on reading them."""

    names: NameCatalog
    inputs: tuple[InputFile, ...]
    diagnostics: tuple[Diagnostic, ...]


def load_task_queues(paths: Sequence[Path]) -> QueueCatalog | None:
    """Queue sids → friendly names from the TaskQueues list pages in ``paths`` (None: no pages)."""
    names: dict[str, str] = {}
    inputs: list[InputFile] = []
    notes: list[Diagnostic] = []
    pages = last_pages = 0
    for path in paths:
        text, digest = read_text(path)
        doc = load_json_document(path, text, digest)
        data: Any = doc.data
        queues = data.get("task_queues") if isinstance(data, dict) else None
        if not isinstance(queues, list):
            message = f"{path} is not a TaskQueues list (expected a top-level task_queues array); skipped"
            notes.append(Diagnostic("AR202", "warning", message, Location(str(path), 1, 1)))
            continue
        inputs.append(InputFile(str(path), "taskrouter:task_queues", digest))
        for queue in queues:
            sid, name = (queue.get("sid"), queue.get("friendly_name")) if isinstance(queue, dict) else (None, None)
            if isinstance(sid, str) and sid.strip() and isinstance(name, str) and name.strip():
                names[sid.strip()] = " ".join(name.split())
        meta = data.get("meta")
        if isinstance(meta, dict) and "next_page_url" in meta:
            pages += 1
            last_pages += meta.get("next_page_url") in (None, "")
    if not inputs:
        return None
    if pages and not last_pages:
        message = (
            "incomplete export: every task_queues page names a meta.next_page_url; the last page is missing, "
            "and the queues on it are shown without their names"
        )
        notes.append(Diagnostic("AR212", "warning", message, Location(inputs[0].path, 1, 1)))
    source = source_label(f.path for f in inputs)
    return QueueCatalog(NameCatalog("queue", source, names), tuple(inputs), tuple(notes))


__all__ = ["QUEUE_SID", "QueueCatalog", "load_task_queues"]
