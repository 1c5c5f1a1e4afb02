"""Ticket evaluation: ticket rules + ticket files (+ a mapping) → one finding per requirement.

Steps: resolve the files, expose them to the engine, build the clean view from the mapping,
run the profile (row accounting, AR302, decile edges), the aggregate queries and the
order-statistic queries for quantile intervals, then judge each requirement with
:mod:`auditrules.tickets.stats`. Findings are deterministic: groups sorted, floats rounded to
10 significant digits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from auditrules.columns import CATEGORICAL, KINDS
from auditrules.errors import AuditError, fail
from auditrules.findings import Finding, InputFile, Location, Severity, Status
from auditrules.lang import ast
from auditrules.tickets import plan as P
from auditrules.tickets import stats as S
from auditrules.tickets.engines import Engine, make_engine
from auditrules.tickets.mapping import Mapping, load_mapping
from auditrules.tickets.progress import StepProgress
from auditrules.tickets.sources import input_files, resolve_sources
from auditrules.units import format_value

DISPLAY_CONFIDENCE = 0.95
TWEET_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "in_response_to_tweet_id")


@dataclass(frozen=True)
class TicketResult:
    """The findings of the ticket rules and the inputs they rest on."""

    findings: tuple[Finding, ...]
    inputs: tuple[InputFile, ...]


# ---------------------------------------------------------------- formatting helpers


def rounded(x: Any) -> Any:
    """Floats to 10 significant digits (NaN/inf → None) so JSON output is byte-stable."""
    if isinstance(x, bool) or x is None:
        return x
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return None
        return float(f"{x:.10g}")
    return x


def _interval(iv: S.Interval | None) -> list[Any] | None:
    if iv is None:
        return None
    return [rounded(iv.low) if not math.isinf(iv.low) else None, rounded(iv.high) if not math.isinf(iv.high) else None]


def fmt_value(v: float | None, unit: str) -> str:
    """A figure for a sentence (see :mod:`auditrules.units`); a missing one reads ``undefined``."""
    return format_value(v, unit, missing="undefined")


def _require_text(req: ast.Require) -> str:
    try:
        from auditrules.lang.format import format_require

        return str(format_require(req))
    except Exception:  # the formatter is optional for evaluation
        return f"require {req.mode} {_agg_text(req.aggregate)}"


def _agg_text(agg: ast.Aggregate) -> str:
    try:
        from auditrules.lang.format import format_aggregate

        return str(format_aggregate(agg))
    except Exception:
        return agg.func if agg.column is None else f"{agg.func}({agg.column.name})"


def _group_text(g: ast.GroupBy) -> str:
    try:
        from auditrules.lang.format import format_group

        return str(format_group(g))
    except Exception:
        return g.column.name


def _threshold_text(t: ast.Threshold, unit: str) -> str:
    def one(lit: ast.Literal) -> str:
        if lit.text:
            return lit.text
        return fmt_value(float(lit.value), unit) if isinstance(lit.value, (int, float)) else str(lit.value)

    if t.op == "between" and t.high is not None:
        return f"between {one(t.value)} and {one(t.high)}"
    return f"{t.op} {one(t.value)}"


_OP_WORDS = {
    "<=": "above",
    "<": "at or above",
    ">=": "below",
    ">": "at or below",
    "between": "outside",
    "==": "not equal to",
    "!=": "equal to",
}
_OP_OK = {
    "<=": "at most",
    "<": "below",
    ">=": "at least",
    ">": "above",
    "between": "within",
    "==": "equal to",
    "!=": "not equal to",
}


# ---------------------------------------------------------------- entry point


def evaluate_tickets(
    rules: Sequence[tuple[ast.Policy, ast.Rule]],
    sources: Sequence[str],
    mapping: str | None = None,
    engine: str = "duckdb",
    progress: bool = False,
) -> TicketResult:
    """Evaluate ticket rules on ticket files; one finding per (rule, ``require`` statement).

    ``mapping`` is a built-in name (``zendesk``, ``twitter-support``) or a YAML path; None reads
    canonical column names. Raises :class:`AuditError` for unusable input (AR001, AR301-AR306).
    """
    rules = [(p, r) for p, r in rules if r.requires]
    the_mapping = load_mapping(mapping)
    files = resolve_sources(sources)
    inputs = input_files(files)
    if the_mapping.path and not the_mapping.path.startswith("<builtin:"):
        inputs = (*inputs, InputFile(the_mapping.path, "ticket-mapping", the_mapping.sha256))
    eng = make_engine(engine)
    steps = 4 + sum(len(r.requires) for _, r in rules)
    try:
        with StepProgress(progress, steps) as prog:
            prog.step("reading ticket sources")
            findings = _run(eng, rules, files, the_mapping, prog)
    finally:
        eng.close()
    return TicketResult(tuple(findings), inputs)


def _columns_hint(schema: dict[str, str]) -> str:
    names = sorted(schema)
    text = ", ".join(names[:30])
    return text + (f", … ({len(names)} in all)" if len(names) > 30 else "")


def _run(
    eng: Engine,
    rules: Sequence[tuple[ast.Policy, ast.Rule]],
    files: Sequence[Any],
    mapping: Mapping,
    prog: StepProgress,
) -> list[Finding]:
    schema = eng.register(files)
    if mapping.layout == "twitter-support":
        absent = [c for c in TWEET_COLUMNS if c not in schema]
        if absent:
            raise fail(
                "AR301",
                f"the twitter-support layout needs column '{absent[0]}'; the source has: {_columns_hint(schema)}",
            )
        schema_for_view = {
            "ticket_id": "VARCHAR",
            "channel": "VARCHAR",
            "company": "VARCHAR",
            "created_at": "VARCHAR",
            "first_response_at": "VARCHAR",
        }
    else:
        schema_for_view = schema
    needed: set[str] = set()
    for _, rule in rules:
        needed |= P.rule_columns(rule)
    view = P.clean_view(mapping, schema_for_view, needed)
    if view.missing:
        name = view.missing[0]
        cm = mapping.column(name)
        tried = " or ".join(repr(s) for s in (cm.sources if cm else ()))
        raise AuditError(
            "AR301",
            f"mapped column {tried} (for {name}) is not in the ticket source; it has: {_columns_hint(schema)}",
            cm.span if cm else None,
            mapping.text,
        )
    materialise = True
    prog.step("parsing and cleaning tickets")
    eng.define(P.CLEAN, view.select, materialise)
    profile_plan = P.profile_query(rules, view)
    prog.step("profiling rows")
    profile = eng.query(profile_plan.select)[0]
    for c in view.parsed:
        has, bad = int(profile[f"has_{c}"]), int(profile[f"bad_{c}"])
        if has > 0 and bad == has:
            cm = mapping.column(c)
            fmt = f" with format {cm.format!r}" if cm is not None and cm.format else ""
            what = "timestamp" if KINDS.get(c) == "timestamp" else "duration"
            src = f" (source column {cm.sources[0]!r})" if cm is not None and cm.sources and cm.sources[0] != c else ""
            raise AuditError(
                "AR302",
                f"no value of column '{c}'{src} parses as a {what}{fmt} ({has} values tried)",
                cm.span if cm else None,
                mapping.text,
            )
    edges: dict[tuple[str, str], list[float]] = {}
    for ident, colname in profile_plan.edges.items():
        raw = profile.get(colname)
        edges[ident] = [float(v) for v in raw] if raw else []
    excluded_global = {r: int(profile[r]) for r in P.REASONS}
    accounting: dict[str, Any] = {"read": int(profile["read"]), "excluded": excluded_global}
    kept = int(profile["read"]) - sum(excluded_global.values())

    # compile requirements
    plans: list[P.RequirementPlan] = []
    unavailable: dict[tuple[str, int], str] = {}
    index = 0
    for policy, rule in rules:
        for j, req in enumerate(rule.requires):
            try:
                plans.append(P.plan_requirement(index, policy, rule, req, view.columns, edges))
            except P.Unavailable as missing:
                unavailable[(rule.id, j)] = missing.column
            index += 1

    # aggregates, one query per grouping
    cells: dict[int, list[dict[str, Any]]] = {p.index: [] for p in plans}
    for batch, query in P.aggregate_queries(plans):
        prog.step(f"aggregating {', '.join(sorted({b.rule.id for b in batch}))}")
        rows = eng.query(query)
        for rp in batch:
            pre = f"r{rp.index}_"
            names = P.key_names(len(rp.keys))
            for row in rows:
                n = int(row[pre + "n"] or 0)
                if n == 0 or any(row[k] is None for k in names):
                    continue
                cell = {"keys": tuple(row[k] for k in names), "n": n}
                for name, _ in rp.aggregates:
                    cell[name[len(pre) :]] = row[name]
                cells[rp.index].append(cell)

    findings: list[Finding] = []
    by_index = {p.index: p for p in plans}
    index = 0
    for _policy, rule in rules:
        for j, req in enumerate(rule.requires):
            rows_acc = _rows(accounting, kept, profile, profile_plan, rule.id)
            if (rule.id, j) in unavailable:
                findings.append(_not_evaluated(rule, req, unavailable[(rule.id, j)], schema, rows_acc))
            else:
                rp = by_index[index]
                prog.step(f"judging {rule.id}")
                findings.append(_judge(eng, rp, cells[rp.index], rows_acc, view))
            index += 1
    return findings


def _rows(
    accounting: dict[str, Any], kept: int, profile: dict[str, Any], pp: P.ProfilePlan, rule_id: str
) -> dict[str, Any]:
    scope_col = pp.scopes.get(rule_id)
    in_scope = int(profile[scope_col]) if scope_col else kept
    excluded = dict(accounting["excluded"])
    excluded["filtered_by_where"] = kept - in_scope
    return {"read": accounting["read"], "in_scope": in_scope, "excluded": excluded}


def _finish_rows(rows: dict[str, Any], evaluated: int) -> dict[str, Any]:
    in_scope = rows["in_scope"]
    excluded = {
        "unparseable_timestamp": rows["excluded"]["unparseable_timestamp"],
        "negative_duration": rows["excluded"]["negative_duration"],
        "missing_value": in_scope - evaluated,
        "unmapped_channel": rows["excluded"]["unmapped_channel"],
        "filtered_by_where": rows["excluded"]["filtered_by_where"],
    }
    return {"read": rows["read"], "evaluated": evaluated, "excluded": excluded}


def _severity(rule: ast.Rule) -> Severity:
    try:
        return Severity(rule.severity)
    except ValueError:
        return Severity.MEDIUM


def _location(rule: ast.Rule, req: ast.Require) -> tuple[Location, ...]:
    span = req.span if req.span.line else rule.span
    if not span.line:
        return ()
    return (Location(span.path, span.line, span.column),)


def _not_evaluated(
    rule: ast.Rule, req: ast.Require, column: str, schema: dict[str, str], rows: dict[str, Any]
) -> Finding:
    msg = f"not evaluated: the ticket data has no column '{column}'"
    return Finding(
        rule.id,
        rule.title,
        _severity(rule),
        Status.NOT_EVALUATED,
        msg,
        {
            "requirement": _require_text(req),
            "missing_column": column,
            "columns": sorted(schema),
            "rows": _finish_rows(rows, rows["in_scope"]) | {"evaluated": 0},
        },
        _location(rule, req),
    )


# ---------------------------------------------------------------- judging one requirement


def _kind(agg: ast.Aggregate) -> str:
    if agg.func == "share":
        return "share"
    if agg.func == "mean":
        return "mean"
    if agg.quantile is not None:
        return "quantile"
    return "point"


def _unit(agg: ast.Aggregate, view: P.CleanView) -> str:
    if agg.func == "share":
        return "fraction"
    if agg.func == "count":
        return "count"
    if agg.column is not None and view.columns.get(agg.column.name) == "duration":
        return "duration"
    return "number"


@dataclass
class _Group:
    label: str
    order: tuple[Any, ...]
    key: Any
    stratum: tuple[str, ...]
    stratum_keys: tuple[Any, ...]
    cell: dict[str, Any]

    @property
    def n(self) -> int:
        return int(self.cell["n"])


def _label(key: P.GroupKey, value: Any) -> tuple[str, tuple[Any, ...]]:
    if key.kind == "bin":
        i = int(value)
        return (key.labels[i] if 0 <= i < len(key.labels) else str(i)), (0, i)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}", (0, float(value))
    return str(value), (1, str(value))


def _value(cell: dict[str, Any], agg: ast.Aggregate) -> float:
    kind = _kind(agg)
    if kind == "share":
        return float(cell["x"]) / float(cell["n"])
    if kind == "mean":
        return float(cell["mean"])
    if kind == "quantile":
        return float(cell["q"])
    if agg.func == "count":
        return float(cell["n"])
    v = cell.get(agg.func)
    return float(v) if v is not None else math.nan


def _group_estimate(
    g: _Group, agg: ast.Aggregate, conf: float, order_stats: dict[tuple[Any, ...], tuple[Any, Any]]
) -> S.Estimate:
    kind = _kind(agg)
    c = g.cell
    if kind == "share":
        return S.wilson(int(c["x"]), int(c["n"]), conf)
    if kind == "mean":
        var = float(c["var"]) if c.get("var") is not None else 0.0
        return S.mean_interval(float(c["mean"]), var, int(c["n"]), conf)
    if kind == "quantile":
        lo_hi = order_stats.get(c["keys"])
        if lo_hi and lo_hi[0] is not None and lo_hi[1] is not None:
            return S.Estimate(float(c["q"]), S.Interval(float(lo_hi[0]), float(lo_hi[1])))
        return S.Estimate(float(c["q"]), None)
    return S.Estimate(_value(c, agg), None)


def _verdict(est: S.Estimate, t: ast.Threshold, use_interval: bool) -> str:
    thr = float(t.value.value) if isinstance(t.value.value, (int, float)) else math.nan
    high = float(t.high.value) if t.high is not None and isinstance(t.high.value, (int, float)) else None
    if t.op in ("==", "!="):
        if math.isnan(est.value):
            return "inconclusive"
        equal = math.isclose(est.value, thr, rel_tol=1e-9, abs_tol=1e-12)
        return "pass" if equal == (t.op == "==") else "fail"
    if use_interval:
        return str(S.verdict(est, t.op, thr, high))
    return str(S.point_verdict(est.value, t.op, thr, high))


def _status(verdicts: Sequence[str]) -> Status:
    if "fail" in verdicts:
        return Status.FAIL
    if "inconclusive" in verdicts:
        return Status.INCONCLUSIVE
    return Status.PASS


def _judge(
    eng: Engine, rp: P.RequirementPlan, cells: list[dict[str, Any]], rows: dict[str, Any], view: P.CleanView
) -> Finding:
    rule, req = rp.rule, rp.require
    agg = req.aggregate
    kind = _kind(agg)
    unit = _unit(agg, view)
    minimum = rule.minimum or 0
    conf = req.confidence
    evaluated = sum(int(c["n"]) for c in cells)
    rows_out = _finish_rows(rows, evaluated)
    has_group = req.group is not None
    groups: list[_Group] = []
    for c in cells:
        keys = c["keys"]
        if has_group:
            label, order = _label(rp.keys[0], keys[0])
            skeys = keys[1:]
            skey_defs = rp.keys[1:]
        else:
            label, order = "all", (0,)
            skeys = keys
            skey_defs = rp.keys
        stratum = tuple(_label(k, v)[0] for k, v in zip(skey_defs, skeys, strict=True))
        groups.append(_Group(label, order, keys[0] if has_group else None, stratum, skeys, c))
    groups.sort(
        key=lambda g: (
            tuple(_label(k, v)[1] for k, v in zip(rp.keys[1:] if has_group else rp.keys, g.stratum_keys, strict=True)),
            g.order,
        )
    )
    eligible = [g for g in groups if g.n >= minimum]
    small = [g for g in groups if g.n < minimum]
    strata_names = [_group_text(s) for s in req.strata]
    evidence: dict[str, Any] = {
        "requirement": _require_text(req),
        "mode": req.mode,
        "measure": req.measure,
        "aggregate": _agg_text(agg),
        "unit": unit,
        "threshold": {
            "op": req.threshold.op,
            "value": rounded(req.threshold.value.value),
            "high": rounded(req.threshold.high.value) if req.threshold.high else None,
            "text": _threshold_text(req.threshold, unit),
        },
        "confidence": conf,
        "minimum": rule.minimum,
        "group_by": _group_text(req.group) if req.group else None,
        "strata": strata_names,
        "rows": rows_out,
        "sql": P.render(rp.standalone(), eng.dialect),
    }
    base = (rule.id, rule.title, _severity(rule))
    loc = _location(rule, req)

    def finding(status: Status, message: str) -> Finding:
        return Finding(base[0], base[1], base[2], status, message, evidence, loc)

    # --- confidence levels and quantile order statistics
    by_stratum: dict[tuple[str, ...], list[_Group]] = {}
    for g in eligible:
        by_stratum.setdefault(g.stratum, []).append(g)
    if req.mode == "across":
        comparable = {s: gs for s, gs in by_stratum.items() if len(gs) >= 2}
        family = max(len(comparable), 1)
        stratum_conf = S.bonferroni(conf, family) if conf is not None else None
    else:
        comparable = by_stratum
        family = max(len(eligible), 1)
        stratum_conf = S.bonferroni(conf, family) if conf is not None else None
    group_conf: dict[tuple[Any, ...], float] = {}
    for gs in by_stratum.values():
        if req.mode == "across":
            base_conf = stratum_conf if stratum_conf is not None else DISPLAY_CONFIDENCE
            gc = S.per_group_confidence(base_conf, len(gs)) if kind == "quantile" and len(gs) >= 2 else base_conf
        else:
            gc = stratum_conf if stratum_conf is not None else DISPLAY_CONFIDENCE
        for g in gs:
            group_conf[g.cell["keys"]] = gc
    order_stats: dict[tuple[Any, ...], tuple[Any, Any]] = {}
    # order-statistic intervals cost a sort per group: computed when the rule asks for confidence
    if kind == "quantile" and eligible and conf is not None:
        assert agg.quantile is not None
        ranks = []
        for g in eligible:
            r = S.quantile_ranks(g.n, float(agg.quantile), group_conf[g.cell["keys"]])
            if r is not None:
                ranks.append((g.cell["keys"], r[0], r[1]))
        if ranks:
            q = P.order_statistic_query(rp, ranks)
            names = P.key_names(len(rp.keys))
            for row in eng.query(q):
                order_stats[tuple(row[k] for k in names)] = (row["lo"], row["hi"])

    estimates: dict[tuple[Any, ...], S.Estimate] = {}
    for g in eligible:
        estimates[g.cell["keys"]] = _group_estimate(g, agg, group_conf[g.cell["keys"]], order_stats)
    evidence["groups"] = [
        {
            "group": g.label,
            "stratum": dict(zip(strata_names, g.stratum, strict=True)) if g.stratum else None,
            "n": g.n,
            "value": rounded(_value(g.cell, agg)),
            "interval": _interval(estimates[g.cell["keys"]].interval) if g.cell["keys"] in estimates else None,
            "interval_confidence": rounded(group_conf.get(g.cell["keys"]))
            if g.cell["keys"] in estimates and estimates[g.cell["keys"]].interval is not None
            else None,
            "eligible": g.n >= minimum,
        }
        for g in groups
    ]
    evidence["insufficient"] = [
        {"group": g.label, "stratum": dict(zip(strata_names, g.stratum, strict=True)) if g.stratum else None, "n": g.n}
        for g in small
    ]
    agg_text = _agg_text(agg)
    thr_text = _threshold_text(
        req.threshold, unit if req.mode != "across" else ("number" if req.measure == "ratio" else unit)
    )

    if not groups:
        evidence["comparisons"] = []
        return finding(
            Status.INSUFFICIENT_DATA,
            f"no tickets to evaluate for {agg_text} ({rows_out['read']} read, none left after exclusions)",
        )

    if req.mode in ("overall", "each"):
        return _judge_groups(
            req, agg, groups, eligible, small, estimates, evidence, finding, agg_text, thr_text, unit, minimum, conf
        )
    return _judge_across(
        req,
        agg,
        kind,
        unit,
        groups,
        comparable,
        by_stratum,
        small,
        estimates,
        evidence,
        finding,
        agg_text,
        thr_text,
        minimum,
        stratum_conf,
        strata_names,
    )


def _where(g: _Group, strata_names: Sequence[str]) -> str:
    if not g.stratum:
        return ""
    return " (" + ", ".join(f"{n}={v}" for n, v in zip(strata_names, g.stratum, strict=True)) + ")"


def _judge_groups(
    req: ast.Require,
    agg: ast.Aggregate,
    groups: list[_Group],
    eligible: list[_Group],
    small: list[_Group],
    estimates: dict[tuple[Any, ...], S.Estimate],
    evidence: dict[str, Any],
    finding: Callable[[Status, str], Finding],
    agg_text: str,
    thr_text: str,
    unit: str,
    minimum: int,
    conf: float | None,
) -> Finding:
    comparisons = []
    for g in eligible:
        est = estimates[g.cell["keys"]]
        v = _verdict(est, req.threshold, conf is not None)
        comparisons.append(
            {
                "group": g.label,
                "reference": None,
                "stratum": None,
                "value": rounded(est.value),
                "interval": _interval(est.interval),
                "verdict": v,
            }
        )
    evidence["comparisons"] = comparisons
    evidence["pooled"] = None
    noun = _group_text(req.group) if req.group else "tickets"
    if not eligible:
        counts = ", ".join(f"{g.label} n={g.n}" for g in small)
        return finding(
            Status.INSUFFICIENT_DATA, f"too few tickets for {agg_text}: fewer than {minimum} per group ({counts})"
        )
    status = _status([c["verdict"] for c in comparisons])
    note = f"; {len(small)} group(s) below {minimum} tickets not judged" if small else ""
    failing = [(g, c) for g, c in zip(eligible, comparisons, strict=True) if c["verdict"] != "pass"]
    op_bad = _OP_WORDS.get(req.threshold.op, "past")
    thr_value = _bound_text(thr_text)
    if req.mode == "overall":
        g = eligible[0]
        est = estimates[g.cell["keys"]]
        word = op_bad if status != Status.PASS else _OP_OK.get(req.threshold.op, "")
        hedge = " (within the margin of error)" if status == Status.INCONCLUSIVE else ""
        return finding(status, f"{agg_text} is {fmt_value(est.value, unit)} (n={g.n}), {word} {thr_value}{hedge}")
    if status == Status.PASS:
        return finding(
            status,
            f"{agg_text} is {_OP_OK.get(req.threshold.op, '')} {thr_value} for all {len(eligible)} {noun} groups{note}",
        )
    parts = [f"{fmt_value(_value(g.cell, agg), unit)} for {g.label} (n={g.n})" for g, _ in failing[:3]]
    more = f" and {len(failing) - 3} more" if len(failing) > 3 else ""
    hedge = " (within the margin of error)" if status == Status.INCONCLUSIVE else ""
    return finding(status, f"{agg_text} is {', '.join(parts)}{more}, {op_bad} {thr_value}{hedge}{note}")


def _judge_across(
    req: ast.Require,
    agg: ast.Aggregate,
    kind: str,
    unit: str,
    groups: list[_Group],
    comparable: dict[tuple[str, ...], list[_Group]],
    by_stratum: dict[tuple[str, ...], list[_Group]],
    small: list[_Group],
    estimates: dict[tuple[Any, ...], S.Estimate],
    evidence: dict[str, Any],
    finding: Callable[[Status, str], Finding],
    agg_text: str,
    thr_text: str,
    minimum: int,
    stratum_conf: float | None,
    strata_names: Sequence[str],
) -> Finding:
    measure = req.measure or "ratio"
    cmp_unit = "number" if measure == "ratio" else unit
    stats_kind = kind if kind in ("share", "mean", "quantile") else "mean"
    use_conf = stratum_conf if kind != "point" else None
    # the reference group
    reference: str | None = None
    ref = req.reference
    if ref is not None:
        totals: dict[str, int] = {}
        orders: dict[str, tuple[Any, ...]] = {}
        for g in groups:
            if g.n >= minimum:
                totals[g.label] = totals.get(g.label, 0) + g.n
                orders[g.label] = g.order
        if ref.kind == "group":
            name = ref.name or ""
            if req.group is not None and req.group.column.name in CATEGORICAL:
                name = name.lower()
            reference = name
        elif totals:
            if ref.kind == "largest":
                reference = sorted(totals, key=lambda k: (-totals[k], orders[k]))[0]
            elif ref.kind == "lowest":
                reference = min(totals, key=lambda k: orders[k])
            else:
                reference = max(totals, key=lambda k: orders[k])
        evidence["reference"] = reference
    comparisons: list[dict[str, Any]] = []
    skipped: list[str] = []
    for stratum in sorted(by_stratum, key=lambda s: [_sort_key(v) for v in s]):
        gs = comparable.get(stratum)
        where = ", ".join(f"{n}={v}" for n, v in zip(strata_names, stratum, strict=True))
        if not gs or (reference is not None and reference not in {g.label for g in gs}):
            skipped.append(where or "all")
            continue
        stats_groups = {}
        for g in gs:
            est = estimates[g.cell["keys"]]
            stats_groups[g.label] = S.GroupStat(
                g.label,
                g.n,
                _value(g.cell, agg),
                successes=int(g.cell["x"]) if kind == "share" else None,
                variance=(float(g.cell["var"]) if g.cell.get("var") is not None else 0.0) if kind == "mean" else None,
                interval=est.interval if kind == "quantile" else None,
            )
        result = S.compare_groups(stats_groups, measure, stats_kind, reference, use_conf)  # type: ignore[arg-type]
        for c in result:
            v = _verdict(S.Estimate(c.value, c.interval), req.threshold, use_conf is not None)
            comparisons.append(
                {
                    "group": c.group,
                    "reference": c.reference,
                    "stratum": dict(zip(strata_names, stratum, strict=True)) if stratum else None,
                    "value": rounded(c.value),
                    "interval": _interval(c.interval),
                    "verdict": v,
                }
            )
    evidence["comparisons"] = comparisons
    evidence["skipped_strata"] = skipped
    evidence["pooled"] = _pooled(req, kind, measure, by_stratum, comparable, reference, stratum_conf)
    if not comparisons:
        counts = ", ".join(f"{g.label}{_where(g, strata_names)} n={g.n}" for g in groups[:8])
        why = (
            f"reference group '{reference}' has too few tickets"
            if reference is not None and reference not in {g.label for g in groups if g.n >= minimum}
            else f"fewer than 2 groups with at least {minimum} tickets"
        )
        return finding(
            Status.INSUFFICIENT_DATA, f"cannot compare {agg_text} across {evidence['group_by']}: {why} ({counts})"
        )
    status = _status([c["verdict"] for c in comparisons])
    worst = _worst(comparisons, measure, req.threshold.op)
    thr_value = _bound_text(thr_text)
    where = ""
    if worst["stratum"]:
        where = ", " + ", ".join(f"{k}={v}" for k, v in worst["stratum"].items())
    pair = f"{worst['group']} vs {worst['reference']}{where}"
    figure = f"{measure}({agg_text}) across {evidence['group_by']}"
    value = fmt_value(worst["value"], cmp_unit)
    fails = sum(1 for c in comparisons if c["verdict"] == "fail")
    note = f" ({fails} of {len(comparisons)} comparisons fail)" if fails > 1 else ""
    if skipped:
        note += f"; {len(skipped)} stratum/strata not comparable"
    if status == Status.PASS:
        return finding(
            status, f"{figure} is {value} at worst ({pair}), {_OP_OK.get(req.threshold.op, '')} {thr_value}{note}"
        )
    hedge = " but the interval reaches the threshold (inconclusive)" if status == Status.INCONCLUSIVE else ""
    return finding(
        status, f"{figure} is {value} ({pair}), {_OP_WORDS.get(req.threshold.op, 'past')} {thr_value}{hedge}{note}"
    )


def _bound_text(thr_text: str) -> str:
    """``<= 24h`` → ``24h``; ``between 0.8 and 1.25`` → ``0.8 to 1.25``."""
    if thr_text.startswith("between "):
        return thr_text[len("between ") :].replace(" and ", " to ")
    return thr_text.split(" ", 1)[1] if " " in thr_text else thr_text


def _sort_key(v: str) -> tuple[int, Any]:
    try:
        return (0, float(v))
    except ValueError:
        return (1, v)


def _worst(comparisons: list[dict[str, Any]], measure: str, op: str) -> dict[str, Any]:
    rank = {"fail": 0, "inconclusive": 1, "pass": 2}

    def badness(c: dict[str, Any]) -> tuple[int, float]:
        v = c["value"]
        if v is None:
            return (rank[c["verdict"]], 0.0)
        # the further in the failing direction, the worse
        direction = -1.0 if op in (">=", ">", "between") else 1.0
        if op == "between":
            return (rank[c["verdict"]], -abs(math.log(v)) if v > 0 else -math.inf)
        return (rank[c["verdict"]], -direction * float(v) if direction > 0 else float(v))

    return sorted(comparisons, key=badness)[0]


def _pooled(
    req: ast.Require,
    kind: str,
    measure: str,
    by_stratum: dict[tuple[str, ...], list[_Group]],
    comparable: dict[tuple[str, ...], list[_Group]],
    reference: str | None,
    stratum_conf: float | None,
) -> list[dict[str, Any]] | None:
    """Mantel–Haenszel pooled ratio/difference of shares over strata, per pair of groups."""
    if kind != "share" or not req.strata:
        return None
    labels = sorted({g.label for gs in comparable.values() for g in gs})
    totals = {lab: [0, 0] for lab in labels}
    for gs in comparable.values():
        for g in gs:
            totals[g.label][0] += int(g.cell["x"])
            totals[g.label][1] += g.n
    pairs: list[tuple[str, str]] = []
    if reference is not None:
        pairs = [(lab, reference) for lab in labels if lab != reference]
    else:
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                pa, pb = totals[a][0] / totals[a][1], totals[b][0] / totals[b][1]
                low, high = (a, b) if (pa, a) <= (pb, b) else (b, a)
                pairs.append((low, high) if measure == "ratio" else (high, low))
    conf = stratum_conf if stratum_conf is not None else DISPLAY_CONFIDENCE
    out = []
    for a, b in pairs:
        cells = []
        for gs in comparable.values():
            m = {g.label: g for g in gs}
            if a in m and b in m:
                cells.append((int(m[a].cell["x"]), m[a].n, int(m[b].cell["x"]), m[b].n))
        if not cells:
            continue
        est = S.mantel_haenszel_ratio(cells, conf) if measure == "ratio" else S.mantel_haenszel_difference(cells, conf)
        out.append(
            {
                "group": a,
                "reference": b,
                "strata": len(cells),
                "value": rounded(est.value),
                "interval": _interval(est.interval),
            }
        )
    return out
