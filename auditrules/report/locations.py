"""Shared by every renderer: a report location (JSON form) → ``path:line:column`` text, and the
order in which statuses are summarised (worst first)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Order of summary counts, worst first (the values of ``auditrules.findings.STATUS_ORDER``).
STATUS_ORDER: tuple[str, ...] = (
    "error", "fail", "inconclusive", "insufficient_data", "warn", "not_evaluated", "waived", "pass",
)


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
