"""Many independent ticket histories judged in one run: a partition column separates them.

``benchmarks/calibration.py`` judges thousands of simulated histories with the standard pack.
One run per history would repeat the planning and the queries thousands of times; here every
query of :mod:`auditrules.tickets.evaluate` gets the partition column as its leading key, so
each query is run once for all histories, and each (history, requirement) is then judged by
:mod:`auditrules.tickets.judge` exactly as a file holding only that history's rows would be:
the same profile (row accounting, decile and quartile edges — computed per history and joined
to the rows), the same aggregates, the same order statistics and the same judgement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timezone
from typing import Any

from sqlglot import exp

from auditrules.findings import Finding
from auditrules.tickets import censored as C
from auditrules.tickets import judge as J
from auditrules.tickets import plan as P
from auditrules.tickets import survival as K
from auditrules.tickets.engines import Engine, make_engine
from auditrules.tickets.evaluate import Rules, _check_parsing, _clean_view, _row_counts, needed_columns
from auditrules.tickets.evaluate import _plans as _compile
from auditrules.tickets.mapping import load_mapping
from auditrules.tickets.plan.censoring import censoring as censoring_of
from auditrules.tickets.plan.censoring import instant
from auditrules.tickets.plan.groups import edge_probabilities
from auditrules.tickets.plan.sql import alias, case, col, double, lit
from auditrules.tickets.sources import resolve_sources

__all__ = ["evaluate_partitions"]

_PART = "_partition"


def evaluate_partitions(
    rules: Rules, sources: Sequence[str], partition: str, mapping: str | None = None, engine: str = "duckdb"
) -> dict[Any, tuple[Finding, ...]]:
    """Partition value → the findings of ``rules`` on that partition's rows (as :func:`evaluate_tickets`)."""
    rules = [(p, r) for p, r in rules if r.requires]
    the_mapping = load_mapping(mapping)
    files = resolve_sources(sources)
    eng = make_engine(engine)
    try:
        schema = eng.register(files)
        _clean_view(schema, the_mapping, rules)  # AR301 as evaluate_tickets raises it
        read = {partition} | needed_columns(rules)
        needed = P.clean_view(the_mapping, schema, read)
        eng.define(P.CLEAN, needed.select)
        profile_plan = P.profile_query(rules, needed)
        profile_select = profile_plan.select.copy().select(alias(col(partition), _PART)).group_by(col(partition))
        profile_rows = eng.query(profile_select)
        profiles = {row[_PART]: profile_plan.read(row) for row in profile_rows}
        for profile in profiles.values():
            _check_parsing(profile, the_mapping)
        bins = {key: f"_bin{i}" for i, key in enumerate(profile_plan.edges)}
        if bins:
            eng.define(P.CLEAN, _binned(needed, profile_rows, profile_plan, bins, partition))
        return _judge_all(eng, rules, needed, profiles, bins, (partition, schema))
    finally:
        eng.close()


def _binned(
    view: P.CleanView,
    profile_rows: Sequence[Mapping[str, Any]],
    profile_plan: P.ProfilePlan,
    bins: Mapping[P.EdgeKey, str],
    partition: str,
) -> exp.Select:
    """The clean view again, with each decile/quartile grouping's bin computed from its own
    partition's edges (a ``VALUES`` relation joined on the partition): ``x <= e₁ → 0``, … as
    :func:`auditrules.tickets.plan.group_key` does with literal edges."""
    names = list(bins)
    rows = [
        exp.Tuple(
            expressions=[
                lit(row[_PART]),
                *(exp.Array(expressions=[lit(float(v)) for v in row[profile_plan.edges[k]] or []]) for k in names),
            ]
        )
        for row in profile_rows
    ]
    edges = exp.Values(
        expressions=rows,
        alias=exp.TableAlias(
            this=exp.to_identifier("e", quoted=True),
            columns=[exp.to_identifier(c, quoted=True) for c in (_PART, *(f"_e{i}" for i in range(len(names))))],
        ),
    )
    binned: list[exp.Expr] = []
    for i, key in enumerate(names):
        value: exp.Expr = col(key.column, "c")
        if view.columns.get(key.column) == "raw":
            value = double(value)
        count = len(edge_probabilities(key.kind))
        pairs = [
            (
                exp.LTE(
                    this=value.copy(),
                    expression=exp.Bracket(this=col(f"_e{i}", "e"), expressions=[lit(k + 1)], offset=1, safe=True),
                ),
                lit(k),
            )
            for k in range(count)
        ]
        binned.append(alias(case(pairs, lit(count)), bins[key]))
    inner = exp.Subquery(this=view.select.copy(), alias=exp.TableAlias(this=exp.to_identifier("c", quoted=True)))
    return (
        exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("c", quoted=True)), *binned)
        .from_(inner)
        .join(edges, on=col(partition, "c").eq(col(_PART, "e")))
    )


def _plans(
    rules: Rules, view: P.CleanView, bins: Mapping[P.EdgeKey, str]
) -> tuple[list[P.RequirementPlan], dict[int, str]]:
    """Each requirement compiled, its decile/quartile keys reading the per-partition bin columns."""
    plans, unavailable = _compile(rules, view, {})
    out: list[P.RequirementPlan] = []
    for rp in plans:
        req = rp.require
        groupings = ([req.group] if req.group is not None else []) + list(req.strata)
        keys = tuple(
            replace(k, expr=col(bins[P.EdgeKey.of(rp.rule, g)])) if P.EdgeKey.of(rp.rule, g) in bins else k
            for k, g in zip(rp.keys, groupings, strict=True)
        )
        out.append(replace(rp, keys=keys))
    return out, unavailable


def _partitioned(rp: P.RequirementPlan, partition: str) -> P.RequirementPlan:
    return replace(rp, keys=(P.GroupKey(col(partition), "column"), *rp.keys))


def _judge_all(
    eng: Engine,
    rules: Rules,
    view: P.CleanView,
    profiles: Mapping[Any, P.Profile],
    bins: Mapping[P.EdgeKey, str],
    source: tuple[str, Mapping[str, str]],
) -> dict[Any, tuple[Finding, ...]]:
    partition, schema = source
    plans, unavailable = _plans(rules, view, bins)
    split = {rp.index: _partitioned(rp, partition) for rp in plans}
    cells: dict[tuple[Any, int], list[P.Cell]] = {}
    for batch, query in P.aggregate_queries(list(split.values())):
        result = eng.query(query)
        for rp in batch:
            for cell in (rp.read(row) for row in result):
                if cell is not None:
                    cells.setdefault((cell.keys[0], rp.index), []).append(replace(cell, keys=cell.keys[1:]))
    by_index = {rp.index: rp for rp in plans}
    judgements: dict[tuple[Any, int], J.Judgement] = {}
    for part, profile in profiles.items():
        index = 0
        for _policy, rule in rules:
            for _req in rule.requires:
                if index not in unavailable:
                    rows = _row_counts(profile, index)
                    judgements[(part, index)] = J.judgement(
                        by_index[index], cells.get((part, index), []), rows, view.columns, ""
                    )
                index += 1
    censored = _censored(eng, judgements, split, view, profiles, partition)
    overrides: dict[tuple[Any, int], dict[tuple[Any, ...], Any]] = {}
    for key, c in censored.items():
        j = judgements[key]
        adjusted, overrides[key] = C.apply(j, c)
        judgements[key] = J.judgement(j.plan, adjusted, j.rows, view.columns, "")
    order_stats = _order_statistics(eng, judgements, split, overrides)
    out: dict[Any, tuple[Finding, ...]] = {}
    for part, profile in profiles.items():
        findings: list[Finding] = []
        index = 0
        for _policy, rule in rules:
            for req in rule.requires:
                if index in unavailable:
                    columns = {c: t for c, t in schema.items() if c != partition}  # as a file of its own
                    findings.append(J.not_evaluated(rule, req, unavailable[index], columns, profile.read))
                else:
                    key = (part, index)
                    finding = J.judge(judgements[key], order_stats.get(key, {}), overrides.get(key))
                    findings.append(C.annotate(finding, judgements[key], censored[key]) if key in censored else finding)
                index += 1
        out[part] = tuple(findings)
    return out


def _censored(
    eng: Engine,
    judgements: Mapping[tuple[Any, int], J.Judgement],
    split: Mapping[int, P.RequirementPlan],
    view: P.CleanView,
    profiles: Mapping[Any, P.Profile],
    partition: str,
) -> dict[tuple[Any, int], C.Censored]:
    """Product-limit figures of every partition's censored requirements, one query per requirement;
    each partition is censored at its own latest timestamp, as a file of its own would be."""
    as_of = {
        part: p.latest if p.latest.tzinfo is not None else p.latest.replace(tzinfo=timezone.utc)
        for part, p in profiles.items()
        if p.latest is not None
    }
    if not as_of:
        return {}
    per_row = case([(col(partition).eq(lit(part)), instant(t)) for part, t in as_of.items()], exp.null())
    items: dict[int, list[tuple[Any, J.Judgement]]] = {}
    for (part, index), j in judgements.items():
        if part in as_of:
            items.setdefault(index, []).append((part, j))
    out: dict[tuple[Any, int], C.Censored] = {}
    for index, judged in items.items():
        plan = split[index]
        censoring = censoring_of(plan.require, view, per_row)
        if censoring is None:
            continue
        groups = [((part, *g.keys), j.group_confidence[g.keys]) for part, j in judged for g in j.eligible]
        agg = plan.require.aggregate
        q = float(agg.quantile) if agg.quantile is not None else None
        figures: dict[Any, dict[tuple[Any, ...], K.GroupSurvival]] = {}
        for row in eng.query(C.query_groups(plan, censoring, groups)):
            keys = tuple(row[k] for k in plan.key_columns)
            figures.setdefault(keys[0], {})[keys[1:]] = K.read_row(dict(row), q)
        for part, _ in judged:
            out[(part, index)] = C.Censored(censoring, as_of[part], figures.get(part, {}))
    return out


def _order_statistics(
    eng: Engine,
    judgements: Mapping[tuple[Any, int], J.Judgement],
    split: Mapping[int, P.RequirementPlan],
    overrides: Mapping[tuple[Any, int], Mapping[tuple[Any, ...], Any]],
) -> dict[tuple[Any, int], dict[tuple[Any, ...], tuple[Any, Any]]]:
    """The quantile intervals' order statistics of every partition, one query per requirement
    (groups whose figure is a product-limit estimate need none)."""
    wanted: dict[int, list[tuple[tuple[Any, ...], int, int]]] = {}
    for (part, index), j in judgements.items():
        skip = overrides.get((part, index), {})
        ranks = [((part, *keys), lo, hi) for keys, lo, hi in J.quantile_ranks(j) if keys not in skip]
        wanted.setdefault(index, []).extend(ranks)
    out: dict[tuple[Any, int], dict[tuple[Any, ...], tuple[Any, Any]]] = {}
    for index, ranks in wanted.items():
        if not ranks:
            continue
        rp = split[index]
        for keys, bounds in P.read_order_statistics(rp, eng.query(P.order_statistic_query(rp, ranks))).items():
            out.setdefault((keys[0], index), {})[keys[1:]] = bounds
    return out
