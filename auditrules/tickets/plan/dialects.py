"""The one table of DuckDB/Spark differences, and :func:`render`, which applies it.

Every query is one sqlglot tree; :func:`render` rewrites the few nodes an engine spells
differently (its entry of :data:`DIALECTS`) and hands the rest to sqlglot's own generator.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping as TMapping
from dataclasses import dataclass, field

from sqlglot import exp


@dataclass(frozen=True)
class SqlDialect:
    """One engine's SQL differences: the sqlglot dialect name and node rewrites applied before rendering.

    ``transforms`` maps a sqlglot node class to a function returning its replacement; anything
    not listed renders through sqlglot's own dialect generator.
    """

    name: str
    transforms: TMapping[type[exp.Expr], Callable[[exp.Expr], exp.Expr]] = field(default_factory=dict)


def _spark_percentile(node: exp.Expr) -> exp.Expr:
    # Spark's exact PERCENTILE interpolates linearly, as DuckDB's QUANTILE_CONT does.
    return exp.Quantile(this=node.this, quantile=node.expression)


def _spark_epoch(node: exp.Expr) -> exp.Expr:
    # UNIX_TIMESTAMP truncates to whole seconds; a cast keeps the fraction.
    return exp.Cast(this=node.this, to=exp.DataType.build("double"))


#: The one table of engine differences.
DIALECTS: dict[str, SqlDialect] = {
    "duckdb": SqlDialect("duckdb"),
    "spark": SqlDialect(
        "spark",
        {
            exp.PercentileCont: _spark_percentile,  # QUANTILE_CONT(x, q) → PERCENTILE(x, q)
            exp.TimeToUnix: _spark_epoch,  # EPOCH(ts) → CAST(ts AS DOUBLE)
        },
    ),
}


def render(node: exp.Expr, dialect: str = "duckdb", pretty: bool = False) -> str:
    """Render ``node`` for ``dialect`` after applying that dialect's rewrites."""
    table = DIALECTS[dialect]
    if table.transforms:

        def rewrite(n: exp.Expr) -> exp.Expr:
            fn = table.transforms.get(type(n))
            return fn(n) if fn else n

        node = node.copy().transform(rewrite)
    return node.sql(dialect=table.name, pretty=pretty)
