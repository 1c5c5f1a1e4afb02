"""Ticket sources: paths, globs and directories given to ``--tickets`` → a sorted list of files.

Each file gets a format (``csv``, ``parquet``, ``jsonl``; gzip is handled by the engine's
readers) and a SHA-256 for the report. No data is read here: the engine reads the files
(:mod:`auditrules.tickets.engines`), so no ticket row ever passes through Python.
"""

from __future__ import annotations

import glob as globlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditrules.errors import fail
from auditrules.findings import InputFile

#: file suffix (lower case) → format. Longest suffix wins (``.csv.gz`` before ``.gz``).
SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".csv.gz": "csv",
    ".tsv.gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl",
    ".json.gz": "json",
}

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class SourceFile:
    """One ticket file: its path and format (csv | parquet | jsonl | json)."""

    path: str
    format: str

    @property
    def compressed(self) -> bool:
        return self.path.lower().endswith(".gz")


def file_format(path: str) -> str | None:
    """The format of ``path`` from its suffix, or None when the suffix is not a ticket format."""
    low = path.lower()
    best: tuple[int, str] | None = None
    for suffix, fmt in SUFFIXES.items():
        if low.endswith(suffix) and (best is None or len(suffix) > best[0]):
            best = (len(suffix), fmt)
    return best[1] if best else None


def resolve_sources(sources: Sequence[str]) -> tuple[SourceFile, ...]:
    """Expand globs and directories; refuse missing paths (AR001) and empty matches (AR306).

    A file named explicitly is read whatever its suffix (as CSV when the suffix is unknown);
    files found through a glob or directory are kept only when their suffix is a known format.
    Order is deterministic: sources in the given order, matches sorted by path; duplicates dropped.
    """
    from auditrules.documents import require_regular

    if not sources:
        raise fail("AR306", "no ticket sources given")
    out: list[SourceFile] = []
    seen: set[str] = set()

    def add(path: str, fmt: str) -> None:
        key = os.path.normpath(path)
        if key not in seen:
            seen.add(key)
            out.append(SourceFile(path, fmt))

    for src in sources:
        if any(ch in src for ch in _GLOB_CHARS) and not Path(src).exists():
            matches = sorted(m for m in globlib.glob(src, recursive=True) if Path(m).is_file())
            known = [(m, file_format(m)) for m in matches]
            kept = [(m, f) for m, f in known if f is not None]
            if not kept:
                raise fail("AR306", f"no ticket files match {src!r} (known suffixes: {_suffix_list()})")
            for m, f in kept:
                assert f is not None
                add(m, f)
            continue
        p = Path(src)
        if not p.exists():
            raise fail("AR001", f"no such ticket source: {src}")
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and file_format(f.name) is not None)
            if not found:
                raise fail("AR306", f"directory {src} holds no ticket files (known suffixes: {_suffix_list()})")
            for f in found:
                fmt = file_format(f)
                assert fmt is not None
                add(f, fmt)
            continue
        require_regular(p)  # a FIFO or device would hang the reader; /dev/zero would never end
        add(src, file_format(src) or "csv")
    return tuple(out)


def input_files(files: Sequence[SourceFile]) -> tuple[InputFile, ...]:
    """The report's record of each source: path, ``tickets-<format>``, SHA-256."""
    from auditrules.documents import sha256_file

    return tuple(InputFile(f.path, f"tickets-{f.format}", sha256_file(f.path)) for f in files)


def _suffix_list() -> str:
    return " ".join(sorted(SUFFIXES))
