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


def peek(path: Path, pattern: re.Pattern[str]) -> bool:
    """Whether the head of ``path`` matches ``pattern`` (False when it cannot be read)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(PEEK_BYTES)
    except OSError:
        return False
    return pattern.search(head) is not None


def looks_like(path: str | Path, pattern: re.Pattern[str]) -> bool:
    """Whether ``path`` (a ``.json`` file, or a directory holding one) peeks as ``pattern``."""
    p = Path(path)
    if p.is_dir():
        return any(peek(f, pattern) for f in sorted(p.glob("*.json")))
    return p.suffix.lower() == ".json" and p.is_file() and peek(p, pattern)


__all__ = ["PEEK_BYTES", "looks_like", "peek"]
