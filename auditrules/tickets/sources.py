"""Ticket sources: paths, globs and directories given to ``--tickets`` → a sorted list of files.

Each file gets a format (``csv``, ``parquet``, ``jsonl``, ``json``; gzip is handled by the
engine's readers), the CSV options of the mapping (:class:`CsvOptions`) and a SHA-256 for the
report (:class:`InputDigests`: hashed in a background thread while the engine reads). No data is
read here for evaluation: the engine reads the files (:mod:`auditrules.tickets.engines`), so no
ticket row ever passes through Python. Two things are
read here only to explain a failure: :func:`csv_row_problem` finds the first row of a CSV whose
field count differs from its header's (when the engine's reader could not make sense of the
file), and :func:`empty_sources_message` says what each file held when the sources have no rows.

A JSON document whose top level is an API envelope — Zendesk's ``{"tickets": [...],
"next_page": ...}`` or ``{"ticket_metrics": [...]}``, a search export's ``{"results": [...]}`` —
holds one ticket per element of that list; the engines unpack it (:data:`ENVELOPES`).
"""

from __future__ import annotations

import csv
import glob as globlib
import gzip
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from auditrules.errors import AuditError, fail
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

#: Top-level keys of JSON API envelopes whose list holds the records (one ticket per element).
ENVELOPES: tuple[str, ...] = ("tickets", "ticket_metrics", "results")

#: Delimiters a sniffer may miss; a single column whose name holds one means the sniff failed.
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")


@dataclass(frozen=True)
class CsvOptions:
    """How to read CSV files, from the mapping's ``csv:`` key; None means "let the reader sniff it".

    ``null_padding`` reads a row with fewer fields than the header with the missing ones empty
    (off by default: a short row is then an error naming its line).
    """

    delimiter: str | None = None
    quote: str | None = None
    header: bool = True
    skip_rows: int = 0
    null_padding: bool = False

    def duckdb(self) -> dict[str, Any]:
        """Options for DuckDB's ``read_csv``."""
        out: dict[str, Any] = {"all_varchar": True, "header": self.header}
        if self.delimiter is not None:
            out["delim"] = self.delimiter
        if self.quote is not None:
            out["quote"] = self.quote
        if self.skip_rows:
            out["skip"] = self.skip_rows
        if self.null_padding:  # the sniffer refuses uneven rows unless strict mode is off
            out["null_padding"] = True
            out["strict_mode"] = False
        return out

    def spark(self) -> dict[str, str]:
        """Options for Spark's CSV reader (a short row is an error unless ``null_padding``)."""
        out = {
            "header": str(self.header).lower(),
            "multiLine": "true",
            "escape": '"',
            "inferSchema": "false",
            "mode": "PERMISSIVE" if self.null_padding else "FAILFAST",
        }
        if self.delimiter is not None:
            out["sep"] = self.delimiter
        if self.quote is not None:
            out["quote"] = self.quote
        return out


@dataclass(frozen=True)
class SourceFile:
    """One ticket file: its path, format (csv | parquet | jsonl | json) and CSV options."""

    path: str
    format: str
    csv: CsvOptions = CsvOptions()

    @property
    def compressed(self) -> bool:
        return self.path.lower().endswith(".gz")


def with_csv_options(files: Sequence[SourceFile], options: CsvOptions) -> tuple[SourceFile, ...]:
    """The files with ``options`` for reading the CSV ones."""
    return tuple(replace(f, csv=options) if f.format == "csv" else f for f in files)


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


class InputDigests:
    """The report's record of each source (path, ``tickets-<format>``, SHA-256), hashed in a
    background thread.

    A gigabyte of CSV takes about a second to hash: the engine reads and cleans the files
    meanwhile. The files are opened here, so an unreadable one is refused (AR001/AR002) before
    any work starts; :meth:`result` waits for the digests and
    raises what the hashing raised. The thread is a daemon: a run that fails does not wait for it.
    """

    def __init__(self, files: Sequence[SourceFile]) -> None:
        import threading

        from auditrules.documents import open_regular

        self._files = tuple(files)
        self._digests: list[str] = []
        self._error: AuditError | None = None
        descriptors: list[int] = []
        try:
            for f in self._files:
                descriptors.append(open_regular(f.path))
        except AuditError:
            for fd in descriptors:
                os.close(fd)
            raise
        self._thread = threading.Thread(target=self._hash, args=(descriptors,), name="auditrules-sha256", daemon=True)
        self._thread.start()

    def _hash(self, descriptors: list[int]) -> None:
        from auditrules.documents import sha256_descriptor

        pending = list(zip(self._files, descriptors, strict=True))
        try:
            while pending:
                f, fd = pending.pop(0)
                self._digests.append(sha256_descriptor(fd, f.path))
        except AuditError as err:
            self._error = err
        finally:
            for _, fd in pending:
                os.close(fd)

    def result(self) -> tuple[InputFile, ...]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return tuple(
            InputFile(f.path, f"tickets-{f.format}", d) for f, d in zip(self._files, self._digests, strict=True)
        )


def _suffix_list() -> str:
    return " ".join(sorted(SUFFIXES))


def _open_text(path: str) -> io.TextIOBase:
    raw: Any = gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")


def _csv_rows(path: str, options: CsvOptions) -> Iterator[tuple[int, int]]:
    """(line number where the row starts, field count) for each row after the skipped lines."""
    with _open_text(path) as handle:
        sample = handle.read(65536)
        handle.seek(0)
        delimiter = options.delimiter
        if delimiter is None:
            try:
                delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ","
        reader = csv.reader(handle, delimiter=delimiter, quotechar=options.quote or '"')
        start = 1
        for i, row in enumerate(reader):
            if i >= options.skip_rows and row:
                yield start, len(row)
            start = reader.line_num + 1


def csv_row_problem(path: str, options: CsvOptions) -> tuple[int, int, int] | None:
    """The first row whose field count differs from the first row's: (line, fields, expected)."""
    expected: int | None = None
    for line, fields in _csv_rows(path, options):
        if expected is None:
            expected = fields
        elif fields != expected:
            return line, fields, expected
    return None


def short_row_error(path: str, options: CsvOptions) -> AuditError | None:
    """AR311 for a CSV the reader could not split into columns, naming the first uneven row."""
    from auditrules.errors import Span

    problem = csv_row_problem(path, options)
    if problem is None:
        return None
    line, fields, expected = problem
    what = "header" if options.header else "first row"
    fix = (
        " (set `csv: {null_padding: true}` in the mapping to read missing fields as empty)" if fields < expected else ""
    )
    return fail(
        "AR311",
        f"line {line} has {fields} field(s) where the {what} has {expected}; "
        f"the file cannot be split into columns{fix}",
        Span(path, line, 1),
    )


def _empty_reason(f: SourceFile) -> str:
    size = os.stat(f.path).st_size
    if size == 0:
        return "an empty file"
    if f.format == "parquet":
        return "a Parquet file with 0 rows"
    if f.format == "csv":
        return "a header line and no rows" if f.csv.header else "no rows"
    if f.format == "jsonl":
        return "no JSON lines"
    return "no records"


def empty_sources_message(files: Sequence[SourceFile]) -> AuditError:
    """AR310: the sources hold no ticket rows, saying what each file held."""
    shown = "; ".join(f"{f.path}: {_empty_reason(f)}" for f in files[:5])
    more = f"; and {len(files) - 5} more file(s)" if len(files) > 5 else ""
    return fail("AR310", f"the ticket sources hold no rows ({shown}{more})")
