"""Small sqlglot builders shared by every stage of the ticket plan.

Identifiers are always quoted and values always become literals: nothing from a rule, a mapping
or a ticket file is ever pasted into SQL text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlglot import exp

#: The relation an engine exposes the ticket source as.
RAW = "ar_raw"
#: The clean view: one row per ticket with canonical columns (see :mod:`auditrules.tickets.plan.clean`).
CLEAN = "tickets"


def col(name: str, table: str | None = None) -> exp.Column:
    """A quoted column reference."""
    return exp.column(name, table=table, quoted=True)


def lit(value: Any) -> exp.Expr:
    """A Python value as a SQL literal (None → NULL, booleans → TRUE/FALSE)."""
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, (int, float)):
        return exp.Literal.number(repr(float(value)) if isinstance(value, float) else str(value))
    return exp.Literal.string(str(value))


def table_ref(name: str) -> exp.Table:
    """A quoted table reference."""
    return exp.Table(this=exp.to_identifier(name, quoted=True))


def alias(node: exp.Expr, name: str) -> exp.Expr:
    """``node AS "name"``."""
    return exp.alias_(node, name, quoted=True)


def double(node: exp.Expr) -> exp.Expr:
    """``TRY_CAST(node AS DOUBLE)``."""
    return exp.TryCast(this=node, to=exp.DataType.build("double"))


def text(node: exp.Expr) -> exp.Expr:
    """``CAST(node AS VARCHAR)``."""
    return exp.Cast(this=node, to=exp.DataType.build("varchar"))


def trimmed_text(ref: exp.Expr) -> exp.Expr:
    """A value as trimmed text, NULL when empty."""
    return exp.Nullif(this=exp.Trim(this=text(ref)), expression=exp.Literal.string(""))


def is_null(node: exp.Expr) -> exp.Expr:
    return exp.Is(this=node, expression=exp.null())


def not_null(node: exp.Expr) -> exp.Expr:
    return exp.not_(is_null(node))


def count_if(cond: exp.Expr) -> exp.Expr:
    """``COALESCE(COUNT_IF(cond), 0)``: the rows where ``cond`` is true (NULL counts as not true),
    as ``COUNT(*) FILTER (WHERE cond)`` counts them, but about 40% faster on DuckDB (Spark 3.0+ has
    it too). DuckDB's ``COUNT_IF`` is NULL over no rows, hence the ``COALESCE``."""
    return exp.Coalesce(this=exp.CountIf(this=cond), expressions=[exp.Literal.number(0)])


def filtered(agg: exp.Expr, cond: exp.Expr) -> exp.Expr:
    """``agg FILTER (WHERE cond)``."""
    return exp.Filter(this=agg, expression=exp.Where(this=cond))


def _fold(parts: Iterable[exp.Expr], join: Callable[..., exp.Expr], empty: exp.Expr) -> exp.Expr:
    items = list(parts)
    if not items:
        return empty
    out = items[0]
    for p in items[1:]:
        out = join(out, p, copy=False)
    return out


def all_of(parts: Iterable[exp.Expr]) -> exp.Expr:
    """The conjunction of ``parts`` (TRUE when there are none)."""
    return _fold(parts, exp.and_, exp.true())


def any_of(parts: Iterable[exp.Expr]) -> exp.Expr:
    """The disjunction of ``parts`` (FALSE when there are none)."""
    return _fold(parts, exp.or_, exp.false())


def case(pairs: Sequence[tuple[exp.Expr, exp.Expr]], default: exp.Expr | None) -> exp.Expr:
    """``CASE WHEN c THEN v … ELSE default END``."""
    return exp.Case(ifs=[exp.If(this=c, true=v) for c, v in pairs], default=default)
