"""Reading Genesys Cloud queue pages and checking that the page set is complete.

The API pages its answer: ``{"entities": [...], "pageSize", "pageNumber", "total", "pageCount",
"selfUri", "nextUri", ...}``. A directory may hold every page; the ``gc`` CLI with
``--autopaginate`` prints the entities as one bare array. A missing page, or fewer queues than
``total``, is partial evidence: an AR212 error note (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditrules.documents import Document
from auditrules.findings import Diagnostic, Location
from auditrules.routing.exports import Resource, json_documents, skipped_file

#: One queue entity.
Queue = Resource


@dataclass
class Pages:
    """The queues of every page, and what the page envelopes say about completeness."""

    documents: dict[str, Document] = field(default_factory=dict)
    queues: list[Queue] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    page_numbers: set[int] = field(default_factory=set)
    page_count: int | None = None
    total: int | None = None
    first_page: Document | None = None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def read_pages(paths: list[Path]) -> Pages:
    """Read every JSON file of ``paths`` (files, or directories of ``*.json``)."""
    pages = Pages()
    for doc in json_documents(paths):
        _add(pages, doc)
    _check_complete(pages)
    return pages


def _add(pages: Pages, doc: Document) -> None:
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("entities"), list):
        prefix, entities = "/entities", data["entities"]
        number, count, total = _int(data.get("pageNumber")), _int(data.get("pageCount")), _int(data.get("total"))
        if number is not None:
            pages.page_numbers.add(number)
        if count is not None:
            pages.page_count = max(pages.page_count or 0, count)
        if total is not None:
            pages.total = max(pages.total or 0, total)
        if pages.first_page is None or number == 1:
            pages.first_page = doc
    elif isinstance(data, list):
        prefix, entities = "", data
    elif isinstance(data, dict) and "mediaSettings" in data:  # GET /api/v2/routing/queues/{id}
        prefix, entities = "", [data]
    else:
        pages.diagnostics.append(skipped_file(doc.path, "a Genesys queue list"))
        return
    pages.documents[doc.path] = doc
    single = prefix == "" and isinstance(data, dict)
    for i, entity in enumerate(entities):
        pointer = "" if single else f"{prefix}/{i}"
        if not isinstance(entity, dict):
            pages.diagnostics.append(
                Diagnostic(
                    "AR202", "warning", f"queue {i} is not an object; skipped", Location(doc.path, None, None, pointer)
                )
            )
            continue
        pages.queues.append(Queue(doc, pointer, entity))


def _check_complete(pages: Pages) -> None:
    where = Location(pages.first_page.path, None, None, "/pageCount") if pages.first_page else None
    if pages.page_count is not None:
        missing = sorted(set(range(1, pages.page_count + 1)) - pages.page_numbers)
        if missing:
            shown = ", ".join(str(n) for n in missing[:10]) + (" …" if len(missing) > 10 else "")
            pages.diagnostics.append(
                Diagnostic(
                    "AR212",
                    "error",
                    f"incomplete export: the queue pages report pageCount={pages.page_count} but page(s) {shown} "
                    "are missing; export every page (pageNumber=1..pageCount) or use the CLI's --autopaginate",
                    where,
                )
            )
            return
    ids = {str(q.data.get("id") or q.doc.path + q.pointer) for q in pages.queues}
    if pages.total is not None and len(ids) < pages.total:
        pages.diagnostics.append(
            Diagnostic(
                "AR212",
                "error",
                f"incomplete export: the queue pages report total={pages.total} but only {len(ids)} queues were found; "
                "export every page",
                Location(pages.first_page.path, None, None, "/total") if pages.first_page else None,
            )
        )


def location(queue: Queue, suffix: str = "", note: str | None = None) -> Location:
    """A location by JSON pointer; its line is looked up when reported."""
    return queue.location(suffix, note)


__all__ = ["Pages", "Queue", "location", "read_pages"]
