"""Group keys: a ``group by`` / ``per`` clause → the SQL key expression and how its values are labelled.

Deciles and quartiles bin by quantile edges computed in the profile pass (tied values stay in
one bin, so bins are deterministic on any engine); buckets bin by the rule's own edges.
"""

from __future__ import annotations

from collections.abc import Mapping as TMapping
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from auditrules.lang import ast
from auditrules.tickets.plan.expressions import column_ref
from auditrules.tickets.plan.sql import case, double, lit

#: Bins per quantile grouping.
BIN_COUNT: dict[str, int] = {"deciles": 10, "quartiles": 4}


@dataclass(frozen=True)
class EdgeKey:
    """Which quantile edges a grouping needs: one rule's ``deciles(column)`` or ``quartiles(column)``."""

    rule_id: str
    column: str
    kind: str

    @classmethod
    def of(cls, rule: ast.Rule, g: ast.GroupBy) -> EdgeKey:
        return cls(rule.id, g.column.name, g.kind)


@dataclass(frozen=True)
class GroupKey:
    """A compiled grouping: the key expression and how to label and order its values."""

    expr: exp.Expr
    kind: str
    labels: tuple[str, ...] = ()  # bins: label per bin index (0-based)

    def label(self, value: object) -> tuple[str, tuple[object, ...]]:
        """A key value as (label, sort order): bins by index, numbers numerically, then text."""
        if self.kind == "bin":
            i = int(value)  # type: ignore[call-overload]
            return (self.labels[i] if 0 <= i < len(self.labels) else str(i)), (0, i)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f"{value:g}", (0, float(value))
        return str(value), (1, str(value))


def edge_probabilities(kind: str) -> tuple[float, ...]:
    """The inner quantile probabilities of a binning: deciles → 0.1 … 0.9."""
    k = BIN_COUNT[kind]
    return tuple(round(i / k, 10) for i in range(1, k))


def group_key(g: ast.GroupBy, columns: TMapping[str, str], edges: Sequence[float] | None = None) -> GroupKey:
    """The key of a grouping. ``edges`` are the quantile edges for deciles/quartiles (from the profile)."""
    c = column_ref(g.column.name, columns)
    if columns.get(g.column.name) == "raw" and g.kind in {"deciles", "quartiles", "buckets"}:
        c = double(c)
    if g.kind == "column":
        return GroupKey(c, "column")
    if g.kind == "month":
        return GroupKey(exp.TimeToStr(this=c, format=exp.Literal.string("%Y-%m")), "month")
    if g.kind == "buckets":
        values = [float(e.value) for e in g.edges if isinstance(e.value, (int, float))]
        texts = [e.text or f"{float(e.value):g}" for e in g.edges if isinstance(e.value, (int, float))]
        pairs: list[tuple[exp.Expr, exp.Expr]] = [
            (exp.LT(this=c.copy(), expression=lit(v)), lit(i)) for i, v in enumerate(values)
        ]
        inner = [f"{texts[i]}–{texts[i + 1]}" for i in range(len(texts) - 1)]
        labels = (f"< {texts[0]}", *inner, f">= {texts[-1]}")
        return GroupKey(case(pairs, lit(len(values))), "bin", labels)
    # deciles / quartiles
    k = BIN_COUNT[g.kind]
    prefix = "D" if g.kind == "deciles" else "Q"
    labels = tuple(f"{prefix}{i + 1}" for i in range(k))
    e = list(edges or [])
    pairs = [(exp.LTE(this=c.copy(), expression=lit(float(v))), lit(i)) for i, v in enumerate(e)]
    # no edges: the scope was empty when the profile ran. A bare literal would be read as a
    # positional GROUP BY term; a CASE keeps it an expression (every row in the first bin).
    return GroupKey(case(pairs, lit(len(e))) if pairs else case([(exp.true(), lit(0))], lit(0)), "bin", labels)
