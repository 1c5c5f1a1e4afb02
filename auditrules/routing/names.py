"""Names behind ids: the catalogs an export may hold beside its rules (Zendesk ``groups.json``,
``brands.json``, ``organizations.json``; a TaskRouter workspace's ``task_queues.json``).

A rule that sends work to group ``360001234567`` reads, with the catalog, as
``VIP desk (360001234567)``: the name for the reader, the id so they can trace it. Names are for
display only: what rules read and compare (fields, values) stays as the export writes it, so a
catalog never changes a verdict. Without a catalog ids stay as they are; an id missing from a
catalog that is present gets one AR206 note naming it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from auditrules.findings import Diagnostic, Location


def named(name: str, ident: str) -> str:
    """How a named id is shown: ``VIP desk (360001234567)``."""
    return f"{name} ({ident})"


def source_label(paths: Iterable[str]) -> str:
    """The files a catalog came from, for notes: ``groups.json``, or ``groups.json … groups-3.json``
    for several pages (shortest name first, so ``groups.json`` precedes ``groups-2.json`` and page 10
    follows page 9)."""
    names = sorted({Path(p).name for p in paths}, key=lambda n: (len(n), n))
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"


@dataclass(frozen=True, repr=False)
class NameCatalog:
    """Ids → names of one kind of object (``group``, ``brand``, ``organization``, ``queue``);
    ``source`` says where the names came from (``groups.json``), for notes."""

    kind: str
    source: str
    names: Mapping[str, str]


@dataclass(repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class Namer:
    """Shows ids with their names, noting once each id that a present catalog lacks."""

    catalogs: Mapping[str, NameCatalog]
    diagnostics: list[Diagnostic]
    _noted: set[tuple[str, str]] = field(default_factory=set)

    def show(self, kind: str, ident: str, where: Location) -> str:
        """``ident`` with its name (``VIP desk (360001234567)``), or ``ident`` as it is when there is
        no catalog of ``kind`` or the id is not in it (then an AR206 warning names it, once)."""
        catalog = self.catalogs.get(kind)
        if catalog is None:
            return ident
        name = catalog.names.get(ident)
        if name is not None:
            return named(name, ident)
        if (kind, ident) not in self._noted:
            self._noted.add((kind, ident))
            message = f"{kind} {ident} is not in {catalog.source}; it is shown by its id"
            self.diagnostics.append(Diagnostic("AR206", "warning", message, where))
        return ident


__all__ = ["NameCatalog", "Namer", "named", "source_label"]
