"""Detection's cheap look at a file: whether the head of a JSON (or YAML) file matches an adapter's
pattern, without parsing it.

Every routing check asks every adapter about every file of an export directory, so detection reads
only the first :data:`PEEK_BYTES` of each, and this module (which each adapter's detection
imports) holds nothing else: no documents, no model, no dataclasses.
"""

from __future__ import annotations

import re
from pathlib import Path

PEEK_BYTES = 65536


def read_head(path: Path) -> str:
    """The first :data:`PEEK_BYTES` characters of ``path`` ("" when it is no regular file — a FIFO
    would block the open — or cannot be read). Detection reads it once per file and hands it to
    every adapter's test."""
    if not path.is_file():
        return ""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(PEEK_BYTES)
    except OSError:
        return ""


def matches(head: str, pattern: str | re.Pattern[str], words: tuple[str, ...] = ()) -> bool:
    """Whether ``pattern`` occurs in ``head``. ``words`` are literals of which every match of
    ``pattern`` holds one: a head holding none of them is refused by plain substring searches,
    several times faster than the regular expression over the same 64 KiB (most files an adapter
    is asked about are another vendor's, and the expression would scan all of their head). A
    pattern given as text is compiled (and kept, by ``re``) when first tried: for most runs, an
    adapter's never is."""
    if words and not any(word in head for word in words):
        return False
    return re.search(pattern, head) is not None


def peek(path: Path, pattern: str | re.Pattern[str], words: tuple[str, ...] = ()) -> bool:
    """Whether the head of ``path`` matches ``pattern`` (False when it cannot be read); ``words``
    as for :func:`matches`."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(PEEK_BYTES)
    except OSError:
        return False
    return matches(head, pattern, words)


def looks_like(
    path: str | Path, pattern: str | re.Pattern[str], words: tuple[str, ...] = (), head: str | None = None
) -> bool:
    """Whether ``path`` (a ``.json`` file, or a directory holding one) peeks as ``pattern``;
    ``words`` as for :func:`matches`; ``head``: the file's :func:`read_head`, when the caller has it."""
    p = Path(path)
    if head is not None:
        return p.suffix.lower() == ".json" and matches(head, pattern, words)
    if p.is_dir():
        return any(peek(f, pattern, words) for f in sorted(p.glob("*.json")))
    return p.suffix.lower() == ".json" and p.is_file() and peek(p, pattern, words)


__all__ = ["PEEK_BYTES", "looks_like", "matches", "peek", "read_head"]
