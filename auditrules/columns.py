"""Canonical ticket columns: the one table of the columns ticket rules may name.

A ticket mapping says which source column feeds each of these; the rule checker (AR105) uses
their kinds to refuse comparisons of unlike units; the ticket planner parses, lower-cases and
derives them. Columns not in this table may still be read from a ticket file ("pass-through"
columns) but have no known kind.

Kinds: ``text`` (compared with strings), ``timestamp`` (parsed to UTC; compared with strings),
``duration`` (seconds; compared with durations such as ``4h``) and ``number``.

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

ColumnKind = Literal["text", "timestamp", "duration", "number"]


@dataclass(frozen=True)
class TicketColumn:
    """One canonical column.

    ``categorical`` text columns are trimmed and lower-cased, and string literals compared with
    them are lower-cased too, so ``channel == "Twitter"`` matches ``twitter``. ``derived_from``
    is (later, earlier) for a duration computed from two timestamps when no source column gives it.
    """

    name: str
    kind: ColumnKind
    categorical: bool = False
    derived_from: tuple[str, str] | None = None


#: Every canonical ticket column, in the order a mapping lists them.
TICKET_COLUMNS: Final[tuple[TicketColumn, ...]] = (
    TicketColumn("ticket_id", "text"),
    TicketColumn("created_at", "timestamp"),
    TicketColumn("channel", "text", categorical=True),
    TicketColumn("priority", "text", categorical=True),
    TicketColumn("status", "text", categorical=True),
    TicketColumn("first_response_at", "timestamp"),
    TicketColumn("first_response", "duration", derived_from=("first_response_at", "created_at")),
    TicketColumn("resolved_at", "timestamp"),
    TicketColumn("resolution_time", "duration", derived_from=("resolved_at", "created_at")),
    TicketColumn("outcome", "text", categorical=True),
    TicketColumn("agent_tier", "text", categorical=True),
    TicketColumn("influence_score", "number"),
    TicketColumn("compensation", "number"),
    TicketColumn("satisfaction", "number"),
    TicketColumn("company", "text"),  # set by the twitter-support layout
    TicketColumn("reopens", "number"),  # times a solved ticket was reopened (Zendesk ticket metrics)
    TicketColumn("replies", "number"),  # public agent replies (Zendesk ticket metrics)
)

#: Canonical column → kind.
KINDS: Final[Mapping[str, ColumnKind]] = MappingProxyType({c.name: c.kind for c in TICKET_COLUMNS})

#: Text columns whose values are compared case-insensitively.
CATEGORICAL: Final[frozenset[str]] = frozenset(c.name for c in TICKET_COLUMNS if c.categorical)

#: Durations that derive from two timestamps: name → (later, earlier).
DERIVED: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {c.name: c.derived_from for c in TICKET_COLUMNS if c.derived_from is not None}
)

#: The rule language's literal unit that a column of each kind compares with.
LITERAL_UNIT: Final[Mapping[ColumnKind, str]] = MappingProxyType(
    {"text": "string", "timestamp": "timestamp", "duration": "duration", "number": "number"}
)


def literal_unit(name: str) -> str | None:
    """The language unit of canonical column ``name`` (``string``, ``duration`` …); None when not canonical."""
    kind = KINDS.get(name)
    return None if kind is None else LITERAL_UNIT[kind]


__all__ = [
    "CATEGORICAL",
    "DERIVED",
    "KINDS",
    "LITERAL_UNIT",
    "TICKET_COLUMNS",
    "ColumnKind",
    "TicketColumn",
    "literal_unit",
]
