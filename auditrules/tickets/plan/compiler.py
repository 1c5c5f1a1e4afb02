"""The compiler: ticket rules over a clean view → the profile, aggregate and order-statistic queries.

Each query comes with typed handles to its result columns (:class:`ProfileColumns`,
:class:`AggregateColumns`) and reads its own rows back (:meth:`ProfilePlan.read`,
:meth:`RequirementPlan.read`), so no caller ever spells or slices a column name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Mapping as TMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlglot import exp

from auditrules.lang import ast
from auditrules.tickets.plan.censoring import TIMESTAMPS, censored_column, censored_missing
from auditrules.tickets.plan.clean import REASONS, CleanView, ParseFlags
from auditrules.tickets.plan.dialects import render
from auditrules.tickets.plan.expressions import Unavailable, column_ref, compile_expr, names_in, requirement_columns
from auditrules.tickets.plan.groups import BIN_COUNT, EdgeKey, GroupKey, edge_probabilities, group_key
from auditrules.tickets.plan.sql import (
    CLEAN,
    alias,
    all_of,
    any_of,
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
    ``successes`` (share), ``mean``, ``variance`` and ``skewness`` (mean: the skewness G1 from
    the third moment, in the same scan, for the skew-aware interval and Cochran's rule),
    ``quantile`` (median, p1…p99) and ``point`` (min, max, sum).
    """

    n: str
    successes: str | None = None
    mean: str | None = None
    variance: str | None = None
    quantile: str | None = None
    point: str | None = None
    skewness: str | None = None


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
    skewness: float | None = None


def _number(row: TMapping[str, Any], name: str | None) -> float | None:
    value = row[name] if name is not None else None
    return None if value is None else float(value)


@dataclass(frozen=True)
class RequirementPlan:
    """One ``require`` statement compiled: its exclusion reasons and validity condition, keys and aggregates.

    ``keys`` are the group key (if any) then the strata keys, named ``key_columns`` in results;
    ``aggregates`` are the select-list entries whose result columns ``columns`` names.
    """

    index: int
    rule: ast.Rule
    require: ast.Require
    reasons: tuple[tuple[str, exp.Expr], ...]
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
            skewness=_number(row, c.skewness),
        )


def _definite(cond: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=exp.Paren(this=cond), expressions=[exp.false()])


def _where(rule: ast.Rule, policy: ast.Policy, columns: TMapping[str, str]) -> exp.Expr | None:
    where = rule.scope.where if rule.scope else None
    return None if where is None else _definite(compile_expr(where, columns, policy))


def _problems(names: set[str], view: CleanView) -> dict[str, list[exp.Expr]]:
    """Data reason → conditions, over the columns ``names`` (Unavailable when one is absent)."""
    out: dict[str, list[exp.Expr]] = {}
    for name in sorted(names):
        column_ref(name, view.columns)
        for reason, cond in view.problems(name):
            out.setdefault(reason, []).append(_definite(cond))
    return out


def exclusions(
    rule: ast.Rule, policy: ast.Policy, req: ast.Require, view: CleanView
) -> tuple[tuple[str, exp.Expr], ...]:
    """Why a row leaves this requirement: (reason, condition) pairs in :data:`REASONS` order.

    Only the columns the requirement reads count (its rule's ``where``, the share condition, the
    aggregate, group and strata columns): a ticket whose resolution time is impossible stays in a
    first-response requirement. A row's reason is the first whose condition holds; a row with
    none is evaluated. Raises :class:`Unavailable` when the requirement names an absent column.
    """
    where_names = names_in(rule.scope.where if rule.scope else None)
    read = where_names | requirement_columns(req) | names_in(req.aggregate.predicate)
    problems = _problems(read, view)
    out = [(reason, any_of(problems[reason])) for reason in REASONS if reason in problems]
    where = _where(rule, policy, view.columns)
    if where is not None:
        out.append(("filtered_by_where", exp.not_(where)))
    censored = censored_column(req, view)
    absent = [
        censored_missing(n) if censored is not None and n == censored[0] else is_null(column_ref(n, view.columns))
        for n in sorted(requirement_columns(req))
    ]
    if absent:
        out.append(("missing_value", any_of(absent)))
    return tuple(out)


def valid_condition(reasons: Sequence[tuple[str, exp.Expr]]) -> exp.Expr:
    """The rows that reach a requirement's groups: no exclusion reason holds."""
    return all_of(exp.not_(exp.Paren(this=cond.copy())) for _, cond in reasons)


def scope_condition(rule: ast.Rule, policy: ast.Policy, view: CleanView, extra: Iterable[str] = ()) -> exp.Expr:
    """The rows a rule looks at: its ``where`` holds and the columns it and ``extra`` read are usable."""
    problems = _problems(names_in(rule.scope.where if rule.scope else None) | set(extra), view)
    parts = [exp.not_(exp.Paren(this=c)) for conds in problems.values() for c in conds]
    where = _where(rule, policy, view.columns)
    return all_of([*parts, *([where] if where is not None else [])])


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
        skew = add("skew", filtered(exp.Skewness(this=value.copy()), valid.copy()))  # G1 (see dialects)
        handles = AggregateColumns(n, mean=mean, variance=var, skewness=skew)
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
    view: CleanView,
    edges: TMapping[EdgeKey, Sequence[float]],
) -> RequirementPlan:
    """Compile one requirement; raises :class:`Unavailable` when it names a missing column.

    ``index`` numbers requirements across the run so their result columns are unique.
    """
    columns = view.columns
    reasons = exclusions(rule, policy, req, view)
    groupings = ([req.group] if req.group is not None else []) + list(req.strata)
    keys = tuple(group_key(g, columns, edges.get(EdgeKey.of(rule, g))) for g in groupings)
    valid = valid_condition(reasons)
    handles, aggregates = _aggregates(req, policy, columns, valid, f"r{index}_")
    return RequirementPlan(index, rule, req, reasons, valid, keys, handles, aggregates)


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

    The ranks come in as a ``VALUES`` relation joined on the key columns, so the query grows
    linearly with the number of groups. Keys are matched with plain equality because groups
    with NULL keys are never compared. Read the result with :func:`read_order_statistics`.
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
    wanted = exp.Values(
        expressions=[
            exp.Tuple(expressions=[*(lit(v) for v in key_values), lit(lo), lit(hi)]) for key_values, lo, hi in ranks
        ],
        alias=exp.TableAlias(
            this=exp.to_identifier("r", quoted=True),
            columns=[exp.to_identifier(c, quoted=True) for c in (*(f"r{n}" for n in names), "rlo", "rhi")],
        ),
    )

    def pick(rank: str) -> exp.Expr:
        return exp.Bracket(this=col("xs", "s"), expressions=[col(rank, "r")], offset=1, safe=True)

    query = exp.select(*[col(n, "s") for n in names], alias(pick("rlo"), "lo"), alias(pick("rhi"), "hi")).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("s", quoted=True)))
    )
    on = all_of(col(n, "s").eq(col(f"r{n}", "r")) for n in names)
    return query.join(wanted, on=on)


def read_order_statistics(
    plan: RequirementPlan, rows: Sequence[TMapping[str, Any]]
) -> dict[tuple[Any, ...], tuple[Any, Any]]:
    """Key values → (lower, upper) order statistic, from the rows of :func:`order_statistic_query`."""
    return {tuple(row[k] for k in plan.key_columns): (row["lo"], row["hi"]) for row in rows}


# ---------------------------------------------------------------- the profile

#: Durations longer than this (365 days) are implausible for customer service: a warning (AR313)
#: names the column, since it usually means a timestamp was mapped to the wrong source column
#: (a purchase date as ``created_at``).
PLAUSIBLE_SECONDS = 365 * 86400.0


@dataclass(frozen=True)
class ParseCount:
    """Profile columns counting, for one parsed column, the values given and the values that did not parse."""

    column: str
    has: str
    bad: str


@dataclass(frozen=True)
class Profile:
    """The profile pass, read: rows read, parse counts, each requirement's exclusions, quantile edges."""

    read: int
    parse_counts: tuple[tuple[str, int, int], ...]  # (column, values given, values not parsed)
    excluded: dict[int, dict[str, int]]  # requirement index → reason → rows (every reason listed)
    edges: dict[EdgeKey, list[float]]
    #: The latest timestamp in the data (the default as-of time of censored durations).
    latest: datetime | None = None
    #: Duration column → (values beyond :data:`PLAUSIBLE_SECONDS`, the longest value).
    implausible: dict[str, tuple[int, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class ProfilePlan:
    """The profile query and typed handles to its result columns."""

    select: exp.Select
    read_column: str
    parse_counts: tuple[ParseCount, ...]
    reasons: dict[int, dict[str, str]]  # requirement index → reason → column
    edges: dict[EdgeKey, str]  # grouping → column
    latest: tuple[str, ...] = ()  # columns holding each timestamp column's maximum
    durations: tuple[str, ...] = ()  # duration columns checked against the plausible bound

    def read(self, row: TMapping[str, Any]) -> Profile:
        stamps = [row[c] for c in self.latest if row[c] is not None]
        implausible = {d: (int(row[f"long_{d}"]), float(row[f"max_{d}"])) for d in self.durations if row[f"long_{d}"]}
        return Profile(
            read=int(row[self.read_column]),
            parse_counts=tuple((p.column, int(row[p.has]), int(row[p.bad])) for p in self.parse_counts),
            excluded={
                index: {reason: int(row[c]) if c else 0 for reason, c in columns.items()}
                for index, columns in self.reasons.items()
            },
            edges={key: [float(v) for v in row[c]] if row[c] else [] for key, c in self.edges.items()},
            latest=max(stamps) if stamps else None,
            implausible=implausible,
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


def _reason_columns(
    index: int, reasons: Sequence[tuple[str, exp.Expr]]
) -> tuple[dict[str, str], list[exp.Expr], exp.Expr | None]:
    """Profile columns counting one requirement's rows per exclusion reason (each row counted once),
    and the row's reason code (its position in :data:`REASONS`, NULL when evaluated), which the
    profile computes once per row in an inner SELECT as ``w<index>`` so the counts only compare it."""
    handles: dict[str, str] = {reason: "" for reason in REASONS}
    if not reasons:
        return handles, [], None
    code = case([(cond.copy(), lit(REASONS.index(reason))) for reason, cond in reasons], exp.null())
    exprs = []
    for reason, _ in reasons:
        handles[reason] = f"x{index}_{reason}"
        exprs.append(alias(count_if(col(f"w{index}").eq(lit(REASONS.index(reason)))), handles[reason]))
    return handles, exprs, alias(code, f"w{index}")


def profile_query(rules: Sequence[tuple[ast.Policy, ast.Rule]], view: CleanView) -> ProfilePlan:
    """Rows read, AR302 parse counts, each requirement's exclusions by reason and quantile edges, in one pass.

    Requirements are numbered across the run as :func:`plan_requirement` numbers them; one that
    names an absent column has no entry.
    """
    cols: list[exp.Expr] = [alias(exp.Count(this=exp.Star()), "read")]
    parse_counts: list[ParseCount] = []
    for flags in view.flags:
        handle, exprs = _parse_count(flags)
        parse_counts.append(handle)
        cols += exprs
    reasons: dict[int, dict[str, str]] = {}
    codes: list[exp.Expr] = []
    edges: dict[EdgeKey, str] = {}
    index = -1
    for policy, rule in rules:
        for req in rule.requires:
            index += 1
            try:
                reasons[index], exprs, code = _reason_columns(index, exclusions(rule, policy, req, view))
            except Unavailable:
                continue
            cols += exprs
            codes += [code] if code is not None else []
            for g in ([req.group] if req.group else []) + list(req.strata):
                key = EdgeKey.of(rule, g)
                if g.kind not in BIN_COUNT or key in edges or g.column.name not in view.columns:
                    continue
                edges[key] = f"edges{len(edges)}"
                cols.append(_edges_column(g, view, scope_condition(rule, policy, view, {g.column.name}), edges[key]))
    latest = tuple(f"latest_{c}" for c in TIMESTAMPS if view.columns.get(c) == "timestamp")
    cols += [alias(exp.Max(this=col(name[len("latest_") :])), name) for name in latest]
    durations = tuple(c for c, kind in view.columns.items() if kind == "duration")
    for d in durations:
        cols.append(alias(count_if(exp.GT(this=col(d), expression=lit(PLAUSIBLE_SECONDS))), f"long_{d}"))
        cols.append(alias(exp.Max(this=col(d)), f"max_{d}"))
    rows = exp.select(exp.Star(), *codes).from_(table_ref(CLEAN))
    select = exp.select(*cols).from_(
        exp.Subquery(this=rows, alias=exp.TableAlias(this=exp.to_identifier("p", quoted=True)))
    )
    return ProfilePlan(select, "read", tuple(parse_counts), reasons, edges, latest, durations)
