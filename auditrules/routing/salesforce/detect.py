"""Is a path Salesforce metadata? Cheap checks only: a few ``stat`` calls for a directory, the first
kilobytes for a file; nothing is parsed.

A directory is Salesforce metadata when it is (or holds) an SFDX project (``sfdx-project.json``,
``force-app/``), a Metadata API retrieve (``package.xml``, ``unpackaged/``) or a folder of one of
the metadata types the adapter reads (``assignmentRules/``, ``queues/`` ...), or such a folder itself.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from auditrules.documents import read_head

#: Metadata folder → the file suffix its components use (the SFDX source format appends ``-meta.xml``).
FOLDERS: dict[str, str] = {
    "assignmentRules": ".assignmentRules",
    "queues": ".queue",
    "queueRoutingConfigs": ".queueRoutingConfig",
    "serviceChannels": ".serviceChannel",
    "entitlementProcesses": ".entitlementProcess",
}
#: Root element of each metadata type the adapter reads.
ROOT_TAGS: frozenset[str] = frozenset(
    {"AssignmentRules", "Queue", "QueueRoutingConfig", "ServiceChannel", "EntitlementProcess"}
)
#: Markers of an SFDX project or a Metadata API retrieve.
MARKERS: tuple[str, ...] = ("sfdx-project.json", "package.xml", "force-app", "unpackaged")

#: The root element of a metadata file (compiled by ``re`` when an XML file is first looked at).
_ROOT = r"<(?:\w+:)?(" + "|".join(sorted(ROOT_TAGS)) + r")\b[^>]*http://soap\.sforce\.com/2006/04/metadata"


def metadata_suffix(name: str) -> str | None:
    """The metadata suffix of a file name (``Case.assignmentRules-meta.xml`` → ``.assignmentRules``)."""
    base = name[: -len("-meta.xml")] if name.endswith("-meta.xml") else name
    for suffix in FOLDERS.values():
        if base.endswith(suffix):
            return suffix
    return None


def is_salesforce_project(path: str | Path) -> bool:
    """Whether a directory is an SFDX project, a Metadata API retrieve or holds metadata folders."""
    p = Path(path)
    return p.is_dir() and (any((p / m).exists() for m in MARKERS) or any((p / f).is_dir() for f in FOLDERS))


def is_salesforce(path: str | Path) -> bool:
    """Whether ``path`` looks like Salesforce metadata (see the module docstring)."""
    p = Path(path)
    if p.is_dir():
        if is_salesforce_project(p):
            return True
        try:
            with os.scandir(p) as entries:  # a metadata folder itself (``unpackaged/queues``)
                return any(metadata_suffix(e.name) is not None for e in entries)
        except OSError:
            return False
    if metadata_suffix(p.name) is not None:
        return True
    if p.suffix.lower() != ".xml":
        return False
    return re.search(_ROOT, read_head(p, 4096)) is not None


__all__ = ["FOLDERS", "ROOT_TAGS", "is_salesforce", "is_salesforce_project", "metadata_suffix"]
