"""Shared by every renderer: a report location (JSON form) → ``path:line:column`` text; a stratum → ``k=v``."""

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


def stratum_text(stratum: Mapping[str, Any] | None) -> str:
    """``{"priority": "high"}`` → ``priority=high`` (empty when there is no stratum)."""
    return ", ".join(f"{k}={v}" for k, v in sorted(stratum.items())) if stratum else ""
