"""Detection: whether a path looks like Genesys Cloud queue JSON, from a cheap peek at each file's
head. Every routing check asks this of every JSON file, so this module imports nothing of the
adapter's other stages."""

from __future__ import annotations

import re
from pathlib import Path

from auditrules.routing.peek import looks_like

_PEEK = re.compile(
    r'"mediaSettings"\s*:\s*\{|"(call|callback|chat|email|message)"\s*:\s*\{\s*"(alertingTimeoutSeconds|serviceLevel)"'
)


def is_genesys(path: str | Path) -> bool:
    """Whether ``path`` (a JSON file, or a directory of them) looks like Genesys Cloud queue JSON."""
    return looks_like(path, _PEEK)


__all__ = ["is_genesys"]
