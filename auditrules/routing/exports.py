"""What the JSON API-export adapters share when they read an export: the JSON files of the given
paths, and read documents with their resources located by JSON pointer.

Detection (a cheap peek at each file's head) lives in :mod:`auditrules.routing.peek`, so that
telling formats apart creates none of this module's types.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditrules.documents import Document, load_json_document, read_text
from auditrules.errors import AuditError, Span
from auditrules.findings import Diagnostic, Location


def json_documents(paths: Iterable[Path]) -> list[Document]:
    """Every JSON file of ``paths`` (files, or directories of ``*.json`` in name order), parsed."""
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    out = []
    for path in files:
        text, digest = read_text(path)
        out.append(load_json_document(path, text, digest))
    return out


@dataclass(frozen=True)
class Resource:
    """One resource of an export (an SLA policy, a rule, a queue): its document, pointer and data."""

    doc: Document
    pointer: str
    data: dict[str, Any]

    def location(self, suffix: str = "", note: str | None = None) -> Location:
        """A location by JSON pointer; its line is looked up when reported."""
        return Location(self.doc.path, None, None, self.pointer + suffix, note)


def no_export(paths: Iterable[Path], expected: str) -> AuditError:
    """AR204 for paths that hold none of an adapter's files; ``expected`` names them for the user."""
    where = next(iter(paths), Path("."))
    return AuditError("AR204", f"no {expected} in {where}", Span(str(where), 1, 1))


def skipped_file(path: str, what: str) -> Diagnostic:
    """A warning for a file of an export directory that is not ``what`` (``a Genesys queue list``)."""
    return Diagnostic("AR204", "warning", f"{Path(path).name} is not {what}; skipped", Location(path, 1, 1))


__all__ = ["Resource", "json_documents", "no_export", "skipped_file"]
