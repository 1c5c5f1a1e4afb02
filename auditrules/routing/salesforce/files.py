"""Find and parse the metadata files of an SFDX project, a Metadata API retrieve or a single file.

Both layouts are read: the SFDX source format (``force-app/main/default/queues/Tier_2.queue-meta.xml``)
and the Metadata API format (``unpackaged/queues/Tier_2.queue``). A file's kind is its root element,
so a renamed file is still read for what it is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditrules.documents import read_text
from auditrules.errors import AuditError, Span
from auditrules.findings import Diagnostic, InputFile, Location
from auditrules.routing.salesforce.detect import ROOT_TAGS, metadata_suffix
from auditrules.routing.salesforce.xmltree import Element, parse_xml

#: Directories never searched for metadata.
_SKIP_DIRS: frozenset[str] = frozenset({"node_modules", "__pycache__"})


@dataclass(frozen=True)
class Component:
    """One metadata file: its type (root tag), API name (file name without suffix) and parsed tree."""

    kind: str
    name: str
    path: str
    root: Element

    def location(self, element: Element | None = None) -> Location:
        node = element if element is not None else self.root
        return Location(self.path, node.line, node.column)


def _candidates(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    out: list[Path] = []
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        out.extend(Path(folder) / f for f in sorted(files) if metadata_suffix(f) is not None)
    return out


def _api_name(path: Path) -> str:
    name = path.name
    if name.endswith("-meta.xml"):
        name = name[: -len("-meta.xml")]
    suffix = metadata_suffix(name)
    if suffix is not None:
        return name[: -len(suffix)]
    return path.stem


@dataclass
class Metadata:
    """Every component found, plus the inputs and notes collected while reading."""

    components: list[Component]
    inputs: list[InputFile]
    diagnostics: list[Diagnostic]

    def of(self, kind: str) -> list[Component]:
        return [c for c in self.components if c.kind == kind]


def read_metadata(paths: Sequence[Path]) -> Metadata:
    """Parse every metadata file under ``paths`` (directories or files); AR204 when none is one we read."""
    found = Metadata([], [], [])
    path = paths[0]
    for file in [f for p in paths for f in _candidates(p)]:
        text, digest = read_text(file)
        root = parse_xml(str(file), text)
        if root.tag not in ROOT_TAGS:
            msg = f"{file} is not a metadata type the Salesforce adapter reads (root element <{root.tag}>)"
            if file in paths:
                raise AuditError("AR204", msg, Span(str(file), root.line, root.column), text)
            found.diagnostics.append(Diagnostic("AR204", "warning", msg + "; skipped", Location(str(file), 1, 1)))
            continue
        found.components.append(Component(root.tag, _api_name(file), str(file), root))
        found.inputs.append(InputFile(str(file), f"salesforce:{root.tag}", digest))
    if not found.components:
        raise AuditError(
            "AR204",
            f"no Salesforce routing metadata in {path} (expected assignmentRules, queues, queueRoutingConfigs, "
            "serviceChannels or entitlementProcesses; retrieve them with `sf project retrieve start`)",
            Span(str(path), 1, 1),
        )
    return found


__all__ = ["Component", "Metadata", "read_metadata"]
