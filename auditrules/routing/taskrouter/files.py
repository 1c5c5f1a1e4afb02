"""Detection: whether a file is a TaskRouter workflow (or configuration) or a workspace's TaskQueues
list, from a cheap peek at its head. Every routing check asks this of every JSON file, so this
module imports nothing of the adapter's other stages."""

from __future__ import annotations

import re
from pathlib import Path

from auditrules.routing.peek import looks_like, peek

_WORKFLOW_PEEK = re.compile(r'"(task_routing|workflows)"\s*:|"configuration"\s*:\s*["{]')
_QUEUES_PEEK = re.compile(r'"task_queues"\s*:\s*\[')


def is_taskrouter(path: str | Path) -> bool:
    """Whether ``path`` is a JSON file that looks like a TaskRouter workflow or configuration."""
    p = Path(path)
    return p.is_file() and p.suffix.lower() == ".json" and peek(p, _WORKFLOW_PEEK)


def is_task_queues(path: str | Path) -> bool:
    """Whether ``path`` is a JSON file holding a TaskQueues list response."""
    return Path(path).is_file() and looks_like(path, _QUEUES_PEEK)


__all__ = ["is_task_queues", "is_taskrouter"]
