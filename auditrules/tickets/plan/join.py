"""Second sources joined to the tickets by ticket id (e.g. Zendesk's ticket metrics export).

A mapping's ``join:`` names, for each second source, a glob on the file names given to
``--tickets`` and the source's column holding the ticket id. Those files are read as their own
relation and joined to the tickets (the rest of the files) on the column the mapping reads
``ticket_id`` from; columns the tickets already have keep the tickets' values, the others come
from the joined source, so a mapping can read ``reopens`` or ``reply_time_in_minutes.calendar``
from it as if the tickets had them. A ticket without a joined row keeps NULLs there (missing
values); a joined source with several rows for one ticket contributes its first by key order,
so a join never multiplies tickets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp

from auditrules.tickets.plan.sql import alias, col, table_ref, text


@dataclass(frozen=True)
class JoinedSource:
    """One registered second source: its relation, its key column and its columns."""

    relation: str
    key: str
    schema: Mapping[str, str]


def joined_relation(
    main: str, main_key: str, main_schema: Mapping[str, str], joins: Sequence[JoinedSource]
) -> exp.Select:
    """``main`` LEFT JOIN each second source (one row per ticket id) on ``main_key``."""
    select: list[exp.Expr] = [exp.Column(this=exp.Star(), table=exp.to_identifier("t", quoted=True))]
    taken = set(main_schema)
    query = exp.select().from_(
        exp.Table(
            this=exp.to_identifier(main, quoted=True), alias=exp.TableAlias(this=exp.to_identifier("t", quoted=True))
        )
    )
    for i, j in enumerate(joins):
        name = f"j{i}"
        extra = [c for c in j.schema if c not in taken and c != "_rank"]
        taken |= set(extra)
        select += [alias(col(c, name), c) for c in extra]
        ranked = exp.select(
            exp.Star(),
            alias(
                exp.Window(
                    this=exp.RowNumber(),
                    partition_by=[text(col(j.key))],
                    order=exp.Order(expressions=[exp.Ordered(this=text(col(j.key)))]),
                ),
                "_rank",
            ),
        ).from_(table_ref(j.relation))
        one = (
            exp.select(exp.Star())
            .from_(exp.Subquery(this=ranked, alias=exp.TableAlias(this=exp.to_identifier("r", quoted=True))))
            .where(col("_rank").eq(exp.Literal.number(1)))
        )
        query = query.join(
            exp.Subquery(this=one, alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True))),
            on=text(col(main_key, "t")).eq(text(col(j.key, name))),
            join_type="left",
        )
    return query.select(*select)


__all__ = ["JoinedSource", "joined_relation"]
