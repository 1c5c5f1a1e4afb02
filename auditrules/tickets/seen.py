"""Channels seen in ticket data: the distinct canonical ``channel`` values of the ticket sources.

The routing analysis adds them to the channel universe (a channel that carries tickets but has no
SLA is a coverage gap). One small query over the clean view's SELECT, not a materialised copy:
DuckDB prunes every column but the channel (no timestamp is parsed), so this reads one column of
the files once; nothing else is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from auditrules.tickets import plan as P
from auditrules.tickets.engines import make_engine
from auditrules.tickets.mapping import load_mapping
from auditrules.tickets.sources import resolve_sources

#: Distinct channels beyond which the ticket data is not read as a channel list (a mis-mapped
#: free-text column would otherwise flood the SLA findings).
MAX_CHANNELS = 100


def ticket_channels(sources: Sequence[str], mapping: str | None = None, engine: str = "duckdb") -> tuple[str, ...]:
    """The channels the ticket files carry (sorted); empty when they have no channel column."""
    the_mapping = load_mapping(mapping)
    if the_mapping.layout == "twitter-support":
        return ()  # one row per tweet: the "channel" is the company's handle, not a contact channel
    eng = make_engine(engine)
    try:
        schema = eng.register(resolve_sources(sources))
        view = P.clean_view(the_mapping, schema, {"channel"})
        if view.columns.get("channel") is None or "channel" in view.missing:
            return ()
        column = exp.column("channel", quoted=True)
        clean = exp.Subquery(this=view.select, alias=exp.TableAlias(this=exp.to_identifier(P.CLEAN, quoted=True)))
        query = (
            exp.select(column)
            .distinct()
            .from_(clean)
            .where(exp.Not(this=exp.Is(this=column.copy(), expression=exp.Null())))
            .limit(MAX_CHANNELS + 1)
        )
        rows = eng.query(query)
    finally:
        eng.close()
    values = sorted({str(r["channel"]).strip().lower() for r in rows if str(r["channel"]).strip()})
    return tuple(values) if len(values) <= MAX_CHANNELS else ()


__all__ = ["MAX_CHANNELS", "ticket_channels"]
