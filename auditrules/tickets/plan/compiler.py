"""The compiler: ticket rules over a clean view → the profile, aggregate and order-statistic queries.

Each query comes with typed handles to its result columns (:class:`ProfileColumns`,
:class:`AggregateColumns`) and reads its own rows back (:meth:`ProfilePlan.read`,
:meth:`RequirementPlan.read`), so no caller ever spells or slices a column name.
"""

from __future__ import annotations

from collections.abc import Mapping as TMapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from auditrules.lang import ast
from auditrules.tickets.plan.clean import REASONS, CleanView, ParseFlags
from auditrules.tickets.plan.dialects import render
from auditrules.tickets.plan.expressions import Unavailable, column_ref, compile_expr, requirement_columns
from auditrules.tickets.plan.groups import BIN_COUNT, EdgeKey, GroupKey, edge_probabilities, group_key
from auditrules.tickets.plan.sql import (
    CLEAN,
    alias,
    all_of,
    case,
    col,
    count_if,
    double,
    filtered,
    is_null,
    lit,
    not_null,
    table_ref,
)

# ---------------------------------------------------------------- one requirement's aggregates


@dataclass(frozen=True)
class AggregateColumns:
    """Where one requirement's aggregates are in an aggregate query's result rows.

    ``n`` counts the valid rows; the others are set for the aggregates the requirement needs:
    ``successes`` (share), ``mean`` and ``variance`` (mean), ``quantile`` (median, p1…p99) and
    ``point`` (min, max, sum).
    """

    n: str
    successes: str | None = None
    mean: str | None = None
    variance: str | None = None
    quantile: str | None = None
    point: str | None = None


@dataclass(frozen=True)
class Cell:
    """One group's aggregates, read back from a result row. ``keys`` are the group then strata key values."""

    keys: tuple[Any, ...]
    n: int
    successes: int | None = None
    mean: float | None = None
    variance: float | None = None
    quantile: float | None = None
    point: float | None = None


def _number(row: TMapping[str, Any], name: str | None) -> float | None:
    value = row[name] if name is not None else None
    return None if value is None else float(value)


@dataclass(frozen=True)
class RequirementPlan:
    """One ``require`` statement compiled: its scope and validity conditions, keys and aggregates.

    ``keys`` are the group key (if any) then the strata keys, named ``key_columns`` in results;
    ``aggregates`` are the select-list entries whose result columns ``columns`` names.
    """

    index: int
    rule: ast.Rule
    require: ast.Require
    scope: exp.Expr
    valid: exp.Expr
    keys: tuple[GroupKey, ...]
    columns: AggregateColumns
    aggregates: tuple[exp.Expr, ...]

    @property
    def key_columns(self) -> tuple[str, ...]:
        return tuple(f"k{i}" for i in range(len(self.keys)))

    @property
    def signature(self) -> tuple[str, ...]:
        return tuple(render(k.expr) for k in self.keys)

    def standalone(self) -> exp.Select:
        """The requirement's own aggregate query over the clean view (for the finding's evidence)."""
        return aggregate_query([self])

    def read(self, row: TMapping[str, Any]) -> Cell | None:
        """This requirement's cell in an aggregate result row; None for an empty group or a NULL key."""
        n = int(row[self.columns.n] or 0)
        keys = tuple(row[k] for k in self.key_columns)
        if n == 0 or any(k is None for k in keys):
            return None
        c = self.columns
        return Cell(
            keys,
            n,
            successes=int(row[c.successes]) if c.successes is not None else None,
            mean=_number(row, c.mean),
            variance=_number(row, c.variance),
            quantile=_number(row, c.quantile),
            point=_number(row, c.point),
        )


def scope_condition(rule: ast.Rule, policy: ast.Policy, columns: TMapping[str, str]) -> exp.Expr:
    """``_reason IS NULL AND COALESCE(where, FALSE)``: the rows a rule looks at."""
    kept = is_null(col("_reason"))
    where = rule.scope.where if rule.scope else None
    if where is None:
        return kept
    return exp.and_(
        kept, exp.Coalesce(this=exp.Paren(this=compile_expr(where, columns, policy)), expressions=[exp.false()])
    )


def _aggregates(
    req: ast.Require, policy: ast.Policy, columns: TMapping[str, str], valid: exp.Expr, prefix: str
) -> tuple[AggregateColumns, tuple[exp.Expr, ...]]:
    """The aggregate expressions of one requirement, aliased ``<prefix><what>``, and their handles."""
    agg = req.aggregate
    n = prefix + "n"
    out: list[exp.Expr] = [alias(count_if(valid.copy()), n)]
    value = column_ref(agg.column.name, columns) if agg.column is not None else None
    if value is not None and agg.column is not None and columns.get(agg.column.name) == "raw":
        value = double(value)

    def add(name: str, node: exp.Expr) -> str:
        out.append(alias(node, prefix + name))
        return prefix + name

    if agg.func == "share":
        assert agg.predicate is not None
        pred = exp.Coalesce(
            this=exp.Paren(this=compile_expr(agg.predicate, columns, policy)), expressions=[exp.false()]
        )
        handles = AggregateColumns(n, successes=add("x", count_if(exp.and_(valid.copy(), pred))))
    elif agg.func == "mean":
        assert value is not None
        mean = add("mean", filtered(exp.Avg(this=value.copy()), valid.copy()))
        var = add("var", filtered(exp.Variance(this=value.copy()), valid.copy()))  # sample variance
        handles = AggregateColumns(n, mean=mean, variance=var)
    elif agg.quantile is not None:
        assert value is not None
        q = exp.PercentileCont(this=value.copy(), expression=lit(float(agg.quantile)))
        handles = AggregateColumns(n, quantile=add("q", filtered(q, valid.copy())))
    elif agg.func in {"min", "max", "sum"}:
        assert value is not None
        fn = {"min": exp.Min, "max": exp.Max, "sum": exp.Sum}[agg.func]
        handles = AggregateColumns(n, point=add(agg.func, filtered(fn(this=value.copy()), valid.copy())))
    else:  # count
        handles = AggregateColumns(n)
    return handles, tuple(out)


def plan_requirement(
    index: int,
    policy: ast.Policy,
    rule: ast.Rule,
    req: ast.Require,
    columns: TMapping[str, str],
    edges: TMapping[EdgeKey, Sequence[float]],
) -> RequirementPlan:
    """Compile one requirement; raises :class:`Unavailable` when it names a missing column.

    ``index`` numbers requirements across the run so their result columns are unique.
    """
    scope = scope_condition(rule, policy, columns)
    groupings = ([req.group] if req.group is not None else []) + list(req.strata)
    keys = tuple(group_key(g, columns, edges.get(EdgeKey.of(rule, g))) for g in groupings)
    notnull = [not_null(column_ref(n, columns)) for n in sorted(requirement_columns(req))]
    valid = all_of([scope, *notnull])
    handles, aggregates = _aggregates(req, policy, columns, valid, f"r{index}_")
    return RequirementPlan(index, rule, req, scope, valid, keys, handles, aggregates)


# ---------------------------------------------------------------- aggregate and order-statistic queries


def aggregate_query(reqs: Sequence[RequirementPlan]) -> exp.Select:
    """One pass over the clean view for requirements sharing a grouping."""
    keys = reqs[0].keys
    names = reqs[0].key_columns
    cols: list[exp.Expr] = [alias(k.expr.copy(), n) for k, n in zip(keys, names, strict=True)]
    for r in reqs:
        cols += [a.copy() for a in r.aggregates]
    q = exp.select(*cols).from_(table_ref(CLEAN))
    if keys:
        q = q.group_by(*[k.expr.copy() for k in keys])
        q = q.order_by(*[exp.Ordered(this=col(n), nulls_first=True) for n in names])
    return q


def aggregate_queries(reqs: Sequence[RequirementPlan]) -> list[tuple[list[RequirementPlan], exp.Select]]:
    """Group requirements by grouping signature, one query per distinct grouping (in first-seen order)."""
    batches: dict[tuple[str, ...], list[RequirementPlan]] = {}
    for r in reqs:
        batches.setdefault(r.signature, []).append(r)
    return [(batch, aggregate_query(batch)) for batch in batches.values()]


#: Ranks to fetch per group: (key values, lower rank, upper rank), 1-based.
Ranks = Sequence[tuple[tuple[Any, ...], int, int]]


def order_statistic_query(plan: RequirementPlan, ranks: Ranks) -> exp.Select:
    """The order statistics at 1-based ranks (lo, hi) per group: ``LIST_SORT(ARRAY_AGG(x))[rank]``.

    Keys are matched with plain equality because groups with NULL keys are never compared.
    Read the result with :func:`read_order_statistics`.
    """
    agg = plan.require.aggregate
    assert agg.column is not None
    keys = plan.keys
    names = plan.key_columns
    inner = (
        exp.select(
            *[alias(k.expr.copy(), n) for k, n in zip(keys, names, strict=True)],
            alias(exp.ArraySort(this=exp.ArrayAgg(this=col(agg.column.name))), "xs"),
        )
        .from_(table_ref(CLEAN))
        .where(plan.valid.copy())
    )
    if keys:
        inner = inner.group_by(*[k.expr.copy() for k in keys])

    def pick(which: int) -> exp.Expr:
        pairs = []
        for key_values, lo, hi in ranks:
            cond = all_of(col(n).eq(lit(v)) for n, v in zip(names, key_values, strict=True))
            idx = lo if which == 0 else hi
            pairs.append((cond, exp.Bracket(this=col("xs"), expressions=[lit(idx)], offset=1, safe=True)))
        return case(pairs, exp.null()) if pairs else exp.null()

    return exp.select(*[col(n) for n in names], alias(pick(0), "lo"), alias(pick(1), "hi")).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("s", quoted=True)))
    )


def read_order_statistics(
    plan: RequirementPlan, rows: Sequence[TMapping[str, Any]]
) -> dict[tuple[Any, ...], tuple[Any, Any]]:
    """Key values → (lower, upper) order statistic, from the rows of :func:`order_statistic_query`."""
    return {tuple(row[k] for k in plan.key_columns): (row["lo"], row["hi"]) for row in rows}


# ---------------------------------------------------------------- the profile


@dataclass(frozen=True)
class ParseCount:
    """Profile columns counting, for one parsed column, the values given and the values that did not parse."""

    column: str
    has: str
    bad: str


@dataclass(frozen=True)
class Profile:
    """The profile pass, read: row accounting, parse counts, rows in each rule's scope, quantile edges."""

    read: int
    excluded: dict[str, int]  # global exclusion reason → rows
    parse_counts: tuple[tuple[str, int, int], ...]  # (column, values given, values not parsed)
    in_scope: dict[str, int]  # rule id → rows
    edges: dict[EdgeKey, list[float]]

    @property
    def kept(self) -> int:
        return self.read - sum(self.excluded.values())


@dataclass(frozen=True)
class ProfilePlan:
    """The profile query and typed handles to its result columns."""

    select: exp.Select
    read_column: str
    reasons: dict[str, str]  # reason → column
    parse_counts: tuple[ParseCount, ...]
    scopes: dict[str, str]  # rule id → column
    edges: dict[EdgeKey, str]  # grouping → column

    def read(self, row: TMapping[str, Any]) -> Profile:
        return Profile(
            read=int(row[self.read_column]),
            excluded={reason: int(row[c]) for reason, c in self.reasons.items()},
            parse_counts=tuple((p.column, int(row[p.has]), int(row[p.bad])) for p in self.parse_counts),
            in_scope={rule_id: int(row[c]) for rule_id, c in self.scopes.items()},
            edges={key: [float(v) for v in row[c]] if row[c] else [] for key, c in self.edges.items()},
        )


def _parse_count(flags: ParseFlags) -> tuple[ParseCount, list[exp.Expr]]:
    handle = ParseCount(flags.column, f"has_{flags.column}", f"bad_{flags.column}")
    return handle, [alias(count_if(col(flags.has)), handle.has), alias(count_if(col(flags.bad)), handle.bad)]


def _edges_column(g: ast.GroupBy, view: CleanView, scope: exp.Expr, name: str) -> exp.Expr:
    value: exp.Expr = col(g.column.name)
    if view.columns[g.column.name] == "raw":
        value = double(value)
    cond = exp.and_(scope.copy(), not_null(value.copy()))
    probs = exp.Array(expressions=[lit(p) for p in edge_probabilities(g.kind)])
    return alias(filtered(exp.PercentileCont(this=value, expression=probs), cond), name)


def profile_query(rules: Sequence[tuple[ast.Policy, ast.Rule]], view: CleanView) -> ProfilePlan:
    """Row accounting, AR302 parse counts, per-rule scope counts and quantile edges in one pass."""
    cols: list[exp.Expr] = [alias(exp.Count(this=exp.Star()), "read")]
    reasons = {reason: reason for reason in REASONS}
    cols += [alias(count_if(col("_reason").eq(lit(reason))), c) for reason, c in reasons.items()]
    parse_counts: list[ParseCount] = []
    for flags in view.flags:
        handle, exprs = _parse_count(flags)
        parse_counts.append(handle)
        cols += exprs
    scopes: dict[str, str] = {}
    edges: dict[EdgeKey, str] = {}
    for i, (policy, rule) in enumerate(rules):
        try:
            scope = scope_condition(rule, policy, view.columns)
        except Unavailable:
            continue
        scopes[rule.id] = f"scope{i}"
        cols.append(alias(count_if(scope), f"scope{i}"))
        for req in rule.requires:
            for g in ([req.group] if req.group else []) + list(req.strata):
                key = EdgeKey.of(rule, g)
                if g.kind not in BIN_COUNT or key in edges or g.column.name not in view.columns:
                    continue
                edges[key] = f"edges{len(edges)}"
                cols.append(_edges_column(g, view, scope, edges[key]))
    select = exp.select(*cols).from_(table_ref(CLEAN))
    return ProfilePlan(select, "read", reasons, tuple(parse_counts), scopes, edges)
