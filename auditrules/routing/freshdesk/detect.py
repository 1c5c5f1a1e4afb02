"""Detection: whether a path looks like a Freshdesk API export, from a cheap peek at each file's head.
Every routing check asks this of every JSON file, so this module imports nothing of the adapter's
other stages."""

from __future__ import annotations

from pathlib import Path

from auditrules.routing.peek import looks_like

#: A peek at a file's head that tells a Freshdesk export from other JSON without parsing it (text:
#: compiled when first tried, see :func:`~auditrules.routing.peek.matches`).
PEEK = r'"(sla_target|automation_type_id)"\s*:|"resource_type"\s*:\s*"(ticket|contact|company)"'
#: Every match of :data:`PEEK` holds one of these (a quick refusal of other vendors' files).
PEEK_WORDS = ("sla_target", "automation_type_id", "resource_type")


def is_freshdesk(path: str | Path, head: str | None = None) -> bool:
    """Whether ``path`` (a JSON file, or a directory holding one) looks like a Freshdesk API export;
    ``head``: the file's first bytes (:func:`~auditrules.routing.peek.read_head`), when already read."""
    return looks_like(path, PEEK, PEEK_WORDS, head)


__all__ = ["is_freshdesk"]
