"""Detection: whether a file is a TaskRouter workflow (or configuration) or a workspace's TaskQueues
list, from a cheap peek at its head. Every routing check asks this of every JSON file, so this
module imports nothing of the adapter's other stages."""

from __future__ import annotations

from pathlib import Path

from auditrules.routing.peek import looks_like, matches, peek

#: A peek at a file's head that tells a TaskRouter workflow (or configuration) from other JSON
#: (text: compiled when first tried, see :func:`~auditrules.routing.peek.matches`).
WORKFLOW_PEEK = r'"(task_routing|workflows)"\s*:|"configuration"\s*:\s*["{]'
#: Every match of :data:`WORKFLOW_PEEK` holds one of these (a quick refusal of other vendors' files).
WORKFLOW_WORDS = ("task_routing", "workflows", "configuration")
_QUEUES_PEEK = r'"task_queues"\s*:\s*\['


def is_taskrouter(path: str | Path, head: str | None = None) -> bool:
    """Whether ``path`` is a JSON file that looks like a TaskRouter workflow or configuration;
    ``head``: the file's first bytes (:func:`~auditrules.routing.peek.read_head`), when already read."""
    p = Path(path)
    if head is not None:
        return p.suffix.lower() == ".json" and matches(head, WORKFLOW_PEEK, WORKFLOW_WORDS)
    return p.is_file() and p.suffix.lower() == ".json" and peek(p, WORKFLOW_PEEK, WORKFLOW_WORDS)


def is_task_queues(path: str | Path) -> bool:
    """Whether ``path`` is a JSON file holding a TaskQueues list response."""
    return Path(path).is_file() and looks_like(path, _QUEUES_PEEK)


__all__ = ["is_task_queues", "is_taskrouter"]
