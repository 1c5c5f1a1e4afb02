"""Changed files (as a pre-commit hook passes them) → the routing exports to judge, and the files skipped.

A hook passes the files a commit touches, not the exports they belong to. Judged alone,
``triggers.json`` of a Zendesk export would leave SLA rules unevaluated, so a file of a Zendesk export
stands for its whole directory. A file that is not a routing export (``.pre-commit-config.yaml``, a
CI workflow, a README) is skipped with a note instead of failing the commit with AR204.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditrules.errors import AuditError


@dataclass(frozen=True)
class Changed:
    """The exports to judge (in first-seen order) and the files left out, each with the reason."""

    routing: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]


def exports_of(paths: Sequence[str]) -> Changed:
    """Map changed files to whole exports; skip files that are not routing exports."""
    from auditrules.routing.detect import detect_format

    routing: list[str] = []
    skipped: list[tuple[str, str]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            target = raw
        else:
            try:
                kind = detect_format(p)
            except AuditError as exc:
                if exc.code != "AR204":
                    raise
                skipped.append((raw, "not a routing export auditrules can read"))
                continue
            target = str(p.parent) if kind == "zendesk" else raw
        if target not in routing:
            routing.append(target)
    return Changed(tuple(routing), tuple(skipped))


__all__ = ["Changed", "exports_of"]
