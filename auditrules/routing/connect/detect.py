"""Is a path an Amazon Connect flow? Cheap: the first 64 KB of each JSON file, nothing parsed.

A flow in the flow language has top-level ``Version``, ``StartAction`` and ``Actions``; the output
of ``aws connect describe-contact-flow`` wraps it as a JSON string in ``ContactFlow.Content``.
"""

from __future__ import annotations

import re
from pathlib import Path

from auditrules.documents import read_head

_FLOW = re.compile(r'"StartAction"\s*:\s*"')
_ACTIONS = re.compile(r'"Actions"\s*:\s*\[')
_DESCRIBED = re.compile(r'"ContactFlow(?:Module)?"\s*:\s*\{')
_CONTENT = re.compile(r'"Content"\s*:\s*"')
_ESCAPED_FLOW = re.compile(r'\\"StartAction\\"')


def _peek(path: Path) -> bool:
    head = read_head(path)
    if _FLOW.search(head) and _ACTIONS.search(head):
        return True
    return bool(_DESCRIBED.search(head) and _CONTENT.search(head) and _ESCAPED_FLOW.search(head))


def flow_files(path: str | Path) -> list[Path]:
    """The flow files of ``path``: the file itself, or a directory's ``*.json`` that are flows."""
    p = Path(path)
    if p.is_dir():
        return [f for f in sorted(p.glob("*.json")) if _peek(f)]
    return [p] if p.suffix.lower() == ".json" and _peek(p) else []


def is_connect(path: str | Path) -> bool:
    """Whether ``path`` is an Amazon Connect flow export (or a directory holding some)."""
    p = Path(path)
    if p.is_dir():
        return any(_peek(f) for f in sorted(p.glob("*.json")))
    return p.suffix.lower() == ".json" and _peek(p)


__all__ = ["flow_files", "is_connect"]
