"""Detection: whether a path looks like a Freshdesk API export, from a cheap peek at each file's head.
Every routing check asks this of every JSON file, so this module imports nothing of the adapter's
other stages."""

from __future__ import annotations

import re
from pathlib import Path

from auditrules.routing.peek import looks_like

#: A peek at a file's head that tells a Freshdesk export from other JSON without parsing it.
_PEEK = re.compile(r'"(sla_target|automation_type_id)"\s*:|"resource_type"\s*:\s*"(ticket|contact|company)"')


def is_freshdesk(path: str | Path) -> bool:
    """Whether ``path`` (a JSON file, or a directory holding one) looks like a Freshdesk API export."""
    return looks_like(path, _PEEK)


__all__ = ["is_freshdesk"]
