"""Shared by every renderer: a report location (JSON form) → ``path:line:column`` text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def where(loc: Mapping[str, Any] | None) -> str:
    """``path:line:column`` of a location, as far as it is known."""
    if not loc:
        return ""
    out = str(loc.get("path") or "")
    if loc.get("line"):
        out += f":{loc['line']}"
        if loc.get("column"):
            out += f":{loc['column']}"
    return out
