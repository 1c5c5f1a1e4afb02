"""Judging: one requirement's group aggregates → a verdict, its evidence and the sentence that says it.

The orchestration (:mod:`auditrules.tickets.evaluate`) builds a :class:`Judgement` once per
requirement with :func:`judgement` — the groups sorted and labelled, which are large enough to
judge, the confidence each group's interval is computed at — asks it which order statistics
quantile intervals need (:func:`quantile_ranks`), runs that query, and calls :func:`judge`.
Everything here is pure: no engine, no SQL is run. Findings are deterministic: groups sorted,
floats rounded to 10 significant digits.

The verdict of a comparison with an interval is :func:`auditrules.tickets.stats.verdict`: ``fail``
only when the whole interval is past the threshold, ``inconclusive`` when it straddles it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from auditrules import ticket_evidence as TE
from auditrules.columns import CATEGORICAL
from auditrules.errors import AuditError
from auditrules.findings import Finding, Location, Severity, Status
from auditrules.lang import ast
from auditrules.lang.format import format_aggregate, format_group, format_require
from auditrules.tickets import pairs as PAIRS
from auditrules.tickets import stats as S
from auditrules.tickets.plan import Cell, GroupKey, RequirementPlan
from auditrules.units import format_value

#: Confidence of the intervals shown when a rule states none (they are then not used for verdicts).
DISPLAY_CONFIDENCE = 0.95

#: Comparisons kept per stratum for between-groups rules (the worst first); the counts cover all.
KEPT_COMPARISONS = 20

#: Order statistics per group key: (lower, upper) bound values of a quantile's interval.
OrderStats = Mapping[tuple[Any, ...], tuple[Any, Any]]

# ---------------------------------------------------------------- wording

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


def rounded(x: Any) -> Any:
    """Floats to 10 significant digits (NaN/inf → None) so JSON output is byte-stable."""
    if isinstance(x, bool) or x is None or isinstance(x, int):
        return x
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return None
        return float(f"{x:.10g}")
    return x


def interval_json(iv: S.Interval | None) -> TE.Interval | None:
    """An interval as ``(low, high)`` with open (infinite) bounds as None."""
    if iv is None:
        return None
    return (rounded(iv.low) if not math.isinf(iv.low) else None, rounded(iv.high) if not math.isinf(iv.high) else None)


def fmt_value(v: float | None, unit: str) -> str:
    """A figure for a sentence (see :mod:`auditrules.units`); a missing one reads ``undefined``."""
    return format_value(v, unit, missing="undefined")


def require_text(req: ast.Require) -> str:
    return str(format_require(req))


def aggregate_text(agg: ast.Aggregate) -> str:
    return str(format_aggregate(agg))


def group_text(g: ast.GroupBy) -> str:
    return str(format_group(g))


def threshold_text(t: ast.Threshold, unit: str) -> str:
    """``<= 24h``, ``between 0.8 and 1.25``: literals as written, computed values in the unit."""

    def one(lit: ast.Literal) -> str:
        if lit.text:
            return lit.text
        return fmt_value(float(lit.value), unit) if isinstance(lit.value, (int, float)) else str(lit.value)

    if t.op == "between" and t.high is not None:
        return f"between {one(t.value)} and {one(t.high)}"
    return f"{t.op} {one(t.value)}"


def bound_text(thr_text: str) -> str:
    """``<= 24h`` → ``24h``; ``between 0.8 and 1.25`` → ``0.8 to 1.25``."""
    if thr_text.startswith("between "):
        return thr_text[len("between ") :].replace(" and ", " to ")
    return thr_text.split(" ", 1)[1] if " " in thr_text else thr_text


def severity(rule: ast.Rule) -> Severity:
    try:
        return Severity(rule.severity)
    except ValueError:
        return Severity.MEDIUM


def location(rule: ast.Rule, req: ast.Require) -> tuple[Location, ...]:
    span = req.span if req.span.line else rule.span
    if not span.line:
        return ()
    return (Location(span.path, span.line, span.column),)


# ---------------------------------------------------------------- row accounting


@dataclass(frozen=True)
class RowCounts:
    """Rows of one requirement: read, and excluded by reason (each excluded row counted once).

    The reasons concern only the columns the requirement reads, so a row with an impossible
    resolution time stays in a first-response requirement. ``read = evaluated + Σ excluded``
    holds exactly; ``evaluated`` is what reached the requirement's groups.
    """

    read: int
    excluded: Mapping[str, int]

    @property
    def evaluated(self) -> int:
        return self.read - sum(self.excluded.values())

    def evidence(self, evaluated: int | None = None) -> TE.RowAccounting:
        """The ``rows`` evidence; ``evaluated`` (the rows the groups hold) must match the accounting."""
        if evaluated is not None and evaluated != self.evaluated:
            raise ValueError(f"row accounting mismatch: groups hold {evaluated}, accounting {self.evaluated}")
        return TE.RowAccounting(self.read, self.evaluated, dict(self.excluded))


def not_evaluated(rule: ast.Rule, req: ast.Require, column: str, schema: Mapping[str, str], read: int) -> Finding:
    """The finding of a requirement that names a column the ticket data does not have.

    No row could be evaluated, so every row read is accounted as ``column_not_in_data``.
    """
    rows = RowCounts(read, {"column_not_in_data": read})
    return Finding(
        rule.id,
        rule.title,
        severity(rule),
        Status.NOT_EVALUATED,
        f"not evaluated: the ticket data has no column '{column}'",
        TE.TicketMissingColumn(
            requirement=require_text(req),
            missing_column=column,
            columns=tuple(sorted(schema)),
            rows=rows.evidence(),
        ),
        location(rule, req),
    )


# ---------------------------------------------------------------- groups


def aggregate_kind(agg: ast.Aggregate) -> str:
    """share | mean | quantile | point (count, min, max, sum: no interval)."""
    if agg.func == "share":
        return "share"
    if agg.func == "mean":
        return "mean"
    if agg.quantile is not None:
        return "quantile"
    return "point"


def aggregate_unit(agg: ast.Aggregate, columns: Mapping[str, str]) -> str:
    """fraction | count | duration | number: the unit of an aggregate's value."""
    if agg.func == "share":
        return "fraction"
    if agg.func == "count":
        return "count"
    if agg.column is not None and columns.get(agg.column.name) == "duration":
        return "duration"
    return "number"


@dataclass(frozen=True)
class Group:
    """One group of one requirement: its label, sort order, stratum labels and aggregates."""

    label: str
    order: tuple[Any, ...]
    stratum: tuple[str, ...]
    stratum_order: tuple[Any, ...]
    cell: Cell

    @property
    def n(self) -> int:
        return self.cell.n

    @property
    def keys(self) -> tuple[Any, ...]:
        return self.cell.keys

    def where(self, strata_names: Sequence[str]) -> dict[str, str] | None:
        """The stratum as ``{name: value}``; None when the requirement has no strata."""
        return dict(zip(strata_names, self.stratum, strict=True)) if self.stratum else None


def _group(cell: Cell, keys: Sequence[GroupKey], has_group: bool) -> Group:
    if has_group:
        label, order = keys[0].label(cell.keys[0])
        stratum_keys, stratum_values = keys[1:], cell.keys[1:]
    else:
        label, order = "all", (0,)
        stratum_keys, stratum_values = keys, cell.keys
    labelled = [k.label(v) for k, v in zip(stratum_keys, stratum_values, strict=True)]
    return Group(label, order, tuple(t for t, _ in labelled), tuple(o for _, o in labelled), cell)


def value_of(cell: Cell, agg: ast.Aggregate) -> float:
    """A group's point value of the aggregate (NaN when undefined)."""
    kind = aggregate_kind(agg)
    if kind == "share":
        return float(cell.successes or 0) / float(cell.n)
    if kind == "mean":
        return float(cell.mean) if cell.mean is not None else math.nan
    if kind == "quantile":
        return float(cell.quantile) if cell.quantile is not None else math.nan
    if agg.func == "count":
        return float(cell.n)
    return cell.point if cell.point is not None else math.nan


# ---------------------------------------------------------------- the judgement context


@dataclass(frozen=True)
class Judgement:
    """Everything a verdict on one requirement rests on, built once by :func:`judgement`."""

    plan: RequirementPlan
    kind: str
    unit: str
    minimum: int
    strata_names: tuple[str, ...]
    groups: tuple[Group, ...]  # sorted by stratum, then group
    rows: RowCounts
    sql: str
    #: Confidence of the family of comparisons (Bonferroni-adjusted); None when the rule states none.
    family_confidence: float | None
    #: Confidence each group's own interval is computed at, by group key.
    group_confidence: Mapping[tuple[Any, ...], float]
    #: Eligible groups whose figure has no interval at their confidence: tickets each would need.
    needs: Mapping[tuple[Any, ...], int]
    #: Keep every between-groups comparison in the evidence, not only the worst.
    all_comparisons: bool = False

    @property
    def rule(self) -> ast.Rule:
        return self.plan.rule

    @property
    def req(self) -> ast.Require:
        return self.plan.require

    @property
    def agg(self) -> ast.Aggregate:
        return self.plan.require.aggregate

    @property
    def eligible(self) -> list[Group]:
        return [g for g in self.groups if g.n >= self.minimum]

    @property
    def small(self) -> list[Group]:
        return [g for g in self.groups if g.n < self.minimum]

    @property
    def judged(self) -> list[Group]:
        """Eligible groups whose figure can be judged: those with an interval when one is needed."""
        return [g for g in self.eligible if g.keys not in self.needs]

    @property
    def unjudged(self) -> list[Group]:
        """Eligible groups left out because their figure has no interval (see ``needs``)."""
        return [g for g in self.eligible if g.keys in self.needs]

    @property
    def by_stratum(self) -> dict[tuple[str, ...], list[Group]]:
        """Judged groups per stratum."""
        out: dict[tuple[str, ...], list[Group]] = {}
        for g in self.judged:
            out.setdefault(g.stratum, []).append(g)
        return out

    @property
    def comparable(self) -> dict[tuple[str, ...], list[Group]]:
        """Strata that can be judged: across needs two groups in a stratum, each/overall one."""
        if self.req.mode != "across":
            return self.by_stratum
        return {s: gs for s, gs in self.by_stratum.items() if len(gs) >= 2}

    @property
    def aggregate_text(self) -> str:
        return aggregate_text(self.agg)

    @property
    def group_by(self) -> str | None:
        return group_text(self.req.group) if self.req.group else None

    def threshold_text(self) -> str:
        """The threshold in the unit of what is compared (a ratio is a plain number)."""
        across_ratio = self.req.mode == "across" and self.req.measure == "ratio"
        return threshold_text(self.req.threshold, "number" if across_ratio else self.unit)

    def finding(self, status: Status, message: str, evidence: TE.TicketGroups) -> Finding:
        return Finding(
            self.rule.id, self.rule.title, severity(self.rule), status, message, evidence, location(self.rule, self.req)
        )


def _group_confidence(
    req: ast.Require, kind: str, by_stratum: Mapping[tuple[str, ...], list[Group]], family: float | None
) -> dict[tuple[Any, ...], float]:
    """Each group's interval confidence: the family's; for quantiles compared across groups, the
    confidence of one comparison (Bonferroni over the stratum's pairs), since each comparison
    combines the two groups' own intervals (MOVER) at the comparison's level."""
    out: dict[tuple[Any, ...], float] = {}
    base = family if family is not None else DISPLAY_CONFIDENCE
    for gs in by_stratum.values():
        gc = base
        if req.mode == "across" and kind == "quantile" and len(gs) >= 2:
            k = len(gs)
            gc = S.bonferroni(base, k - 1 if req.reference is not None else k * (k - 1) // 2)
        for g in gs:
            out[g.keys] = gc
    return out


def _moments(g: Group) -> tuple[int, float, float]:
    c = g.cell
    skew = c.skewness if c.skewness is not None else math.nan
    return c.n, c.variance if c.variance is not None else 0.0, skew


def gate_skewness(mode: str, groups: Sequence[Group]) -> dict[tuple[Any, ...], float]:
    """The skewness Cochran's rule is applied with, per group (keys → G1).

    A group's own G1 is lowest exactly in the samples that missed the rare large values, whose
    means are the most underestimated: gated on its own G1, such a sample is waved through (on
    lognormal σ = 1 data at 100 tickets, the verdicts it let through were covered 82% of the
    time). So the skewness comes from tickets whose luck is not the group's own:

    - comparisons (``across``): the skewness of all the requirement's groups pooled around their
      own means (:func:`stats.pooled_skewness`); a comparison is judged on two groups that missed
      the large values alike, so pooling is enough there;
    - groups judged on their own (``each``): the pooled skewness of the *other* groups, which is
      independent of the group's own sample, so withholding a verdict does not select the samples
      that under-cover; a group alone is gated by its own skewness.

    ``tests/test_interval_coverage.py`` prints the coverage wherever the gate lets a verdict through.
    """
    moments = {g.keys: _moments(g) for g in groups}
    if mode == "across" or len(groups) < 2:
        pooled = S.pooled_skewness(list(moments.values()))
        return {keys: abs(pooled) for keys in moments}
    return {keys: abs(S.pooled_skewness([m for other, m in moments.items() if other != keys])) for keys in moments}


def _needs(req: ast.Require, kind: str, group: Group, confidence: float, skewness: float) -> int | None:
    """The tickets ``group`` would need for its figure to get an interval under ``at P% confidence``
    (None when it has one): Cochran's n > 25·G1² for means (G1 from :func:`gate_skewness`), the
    smallest n with an order-statistic interval for quantiles."""
    if req.confidence is None:
        return None
    cell = group.cell
    if kind == "mean":
        need = 2 if math.isnan(skewness) else S.cochran_minimum(skewness)
        return need if cell.n < need else None
    if kind == "quantile" and req.aggregate.quantile is not None:
        q = float(req.aggregate.quantile)
        return None if S.quantile_ranks(cell.n, q, confidence) is not None else S.quantile_minimum(q, confidence)
    return None


def judgement(
    plan: RequirementPlan,
    cells: Sequence[Cell],
    rows: RowCounts,
    columns: Mapping[str, str],
    sql: str,
    all_comparisons: bool = False,
) -> Judgement:
    """The judgement context of one requirement from its cells (one per group) and row counts."""
    req = plan.require
    has_group = req.group is not None
    groups = sorted((_group(c, plan.keys, has_group) for c in cells), key=lambda g: (g.stratum_order, g.order))
    minimum = plan.rule.minimum or 0
    kind = aggregate_kind(req.aggregate)
    eligible = [g for g in groups if g.n >= minimum]
    by_stratum: dict[tuple[str, ...], list[Group]] = {}
    for g in eligible:
        by_stratum.setdefault(g.stratum, []).append(g)
    conf = req.confidence
    if req.mode == "across":
        family = max(sum(1 for gs in by_stratum.values() if len(gs) >= 2), 1)
    else:
        family = max(len(eligible), 1)
    family_conf = S.bonferroni(conf, family) if conf is not None else None
    group_conf = _group_confidence(req, kind, by_stratum, family_conf)
    skew = gate_skewness(req.mode, eligible) if kind == "mean" else {}
    needs = {
        g.keys: n
        for g in eligible
        if (n := _needs(req, kind, g, group_conf[g.keys], skew.get(g.keys, math.nan))) is not None
    }
    return Judgement(
        plan=plan,
        kind=kind,
        unit=aggregate_unit(req.aggregate, columns),
        minimum=minimum,
        strata_names=tuple(group_text(s) for s in req.strata),
        groups=tuple(groups),
        rows=rows,
        sql=sql,
        family_confidence=family_conf,
        group_confidence=group_conf,
        needs=needs,
        all_comparisons=all_comparisons,
    )


def quantile_ranks(j: Judgement) -> list[tuple[tuple[Any, ...], int, int]]:
    """The order statistics quantile intervals need, per eligible group: (keys, lower rank, upper rank).

    Empty unless the aggregate is a quantile and the rule states a confidence: each costs a sort
    per group.
    """
    q = j.agg.quantile
    if j.kind != "quantile" or q is None or j.req.confidence is None:
        return []
    ranks = []
    for g in j.judged:
        r = S.quantile_ranks(g.n, float(q), j.group_confidence[g.keys])
        if r is not None:
            ranks.append((g.keys, r[0], r[1]))
    return ranks


# ---------------------------------------------------------------- verdicts


def _estimate(j: Judgement, g: Group, order_stats: OrderStats) -> S.Estimate:
    c = g.cell
    conf = j.group_confidence[g.keys]
    if j.kind == "share":
        return S.wilson(int(c.successes or 0), c.n, conf)
    if j.kind == "mean":
        var = c.variance if c.variance is not None else 0.0
        return S.skewed_mean_interval(value_of(c, j.agg), var, c.skewness, c.n, conf)
    if j.kind == "quantile":
        lo_hi = order_stats.get(c.keys)
        if lo_hi and lo_hi[0] is not None and lo_hi[1] is not None:
            return S.Estimate(value_of(c, j.agg), S.Interval(float(lo_hi[0]), float(lo_hi[1])))
    return S.Estimate(value_of(c, j.agg), None)


def verdict(est: S.Estimate, t: ast.Threshold, use_interval: bool) -> str:
    """pass | fail | inconclusive of one estimate against the threshold (an undefined figure: inconclusive)."""
    if math.isnan(est.value):
        return "inconclusive"
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


def overall_status(verdicts: Sequence[str]) -> Status:
    """fail > inconclusive > insufficient_data (a figure without the interval it needed) > pass."""
    if "fail" in verdicts:
        return Status.FAIL
    if "inconclusive" in verdicts:
        return Status.INCONCLUSIVE
    if Status.INSUFFICIENT_DATA.value in verdicts:
        return Status.INSUFFICIENT_DATA
    return Status.PASS


def _needs_note(j: Judgement) -> str:
    """``; not judged, too few tickets for an interval at 98.75% confidence: phone (n=35) needs
    42 tickets`` for the groups left without the interval they need ("" when there are none)."""
    left = j.unjudged
    if not left:
        return ""
    parts = [f"{g.label}{_where_text(g, j.strata_names)} (n={g.n}) needs {j.needs[g.keys]} tickets" for g in left[:3]]
    more = f" and {len(left) - 3} more group(s)" if len(left) > 3 else ""
    what = "for an interval"
    if j.kind == "mean":
        source = "the group's own tickets" if len(j.eligible) < 2 else "the other groups' tickets"
        if j.req.mode == "across":
            source = "the compared groups' tickets pooled"
        what = f"for the data's skewness (Cochran: n > 25·G1², G1 from {source})"
    conf = max(j.group_confidence[g.keys] for g in left)
    return f"; not judged, too few tickets {what} at {conf * 100:.4g}% confidence: {', '.join(parts)}{more}"


def judge(
    j: Judgement, order_stats: OrderStats, overrides: Mapping[tuple[Any, ...], S.Estimate] | None = None
) -> Finding:
    """The finding of one requirement: verdict, message and evidence.

    ``overrides`` replace the estimate of some groups (censored durations: product-limit figures).
    """
    given = overrides or {}
    estimates = {g.keys: given.get(g.keys) or _estimate(j, g, order_stats) for g in j.judged}
    estimates |= {g.keys: S.Estimate(value_of(g.cell, j.agg), None) for g in j.unjudged}
    evidence = _evidence(j, estimates)
    if not j.groups:
        return j.finding(
            Status.INSUFFICIENT_DATA,
            f"no tickets to evaluate for {j.aggregate_text} ({j.rows.read} read, none left after exclusions)",
            evidence,
        )
    if j.req.mode in ("overall", "each"):
        evidence = _judge_groups(j, estimates, evidence)
        too_few = _too_few_groups(j)
    else:
        evidence = _judge_across(j, estimates, evidence)
        too_few = _too_few_to_compare(j, evidence)
    if too_few is not None:
        return j.finding(Status.INSUFFICIENT_DATA, too_few, evidence)
    if j.req.mode in ("overall", "each"):
        status = overall_status([c.verdict for c in evidence.comparisons])
        return j.finding(status, _groups_message(j, status, estimates, evidence.comparisons), evidence)
    counts = evidence.comparison_counts
    assert counts is not None
    status = Status.PASS
    if counts.failing:
        status = Status.FAIL
    elif counts.inconclusive:
        status = Status.INCONCLUSIVE
    elif j.unjudged:
        status = Status.INSUFFICIENT_DATA
    return j.finding(status, _across_message(j, status, evidence), evidence)


def _evidence(j: Judgement, estimates: Mapping[tuple[Any, ...], S.Estimate]) -> TE.TicketGroups:
    """The requirement's evidence before judging: what was asked, the groups and their figures."""
    req, unit = j.req, j.unit

    def figure(g: Group) -> TE.GroupFigure:
        est = estimates.get(g.keys)
        shown = est is not None and est.interval is not None
        return TE.GroupFigure(
            group=g.label,
            stratum=g.where(j.strata_names),
            n=g.n,
            value=rounded(value_of(g.cell, j.agg)),
            interval=interval_json(est.interval) if est is not None else None,
            interval_confidence=rounded(j.group_confidence.get(g.keys)) if shown else None,
            eligible=g.n >= j.minimum,
            needs=j.needs.get(g.keys),
        )

    return TE.TicketGroups(
        requirement=require_text(req),
        mode=req.mode,  # type: ignore[arg-type]
        measure=req.measure,  # type: ignore[arg-type]
        aggregate=j.aggregate_text,
        unit=unit,  # type: ignore[arg-type]
        threshold=TE.Threshold(
            op=req.threshold.op,
            value=rounded(req.threshold.value.value),
            high=rounded(req.threshold.high.value) if req.threshold.high else None,
            text=threshold_text(req.threshold, unit),
        ),
        confidence=req.confidence,
        minimum=j.rule.minimum,
        group_by=j.group_by,
        strata=j.strata_names,
        rows=j.rows.evidence(sum(g.n for g in j.groups)),
        sql=j.sql,
        groups=tuple(figure(g) for g in j.groups),
        insufficient=tuple(TE.SmallGroup(g.label, g.where(j.strata_names), g.n) for g in j.small),
    )


# ---------------------------------------------------------------- overall / each


def _judge_groups(
    j: Judgement, estimates: Mapping[tuple[Any, ...], S.Estimate], evidence: TE.TicketGroups
) -> TE.TicketGroups:
    """``each`` / ``overall``: every eligible group against the threshold."""
    req = j.req
    comparisons = tuple(
        TE.Comparison(
            group=g.label,
            reference=None,
            stratum=None,
            value=rounded(estimates[g.keys].value),
            interval=interval_json(estimates[g.keys].interval),
            verdict=Status.INSUFFICIENT_DATA.value  # type: ignore[arg-type]
            if g.keys in j.needs
            else verdict(estimates[g.keys], req.threshold, req.confidence is not None),
        )
        for g in j.eligible
    )
    return replace(evidence, comparisons=comparisons)


def _too_few_groups(j: Judgement) -> str | None:
    if j.eligible:
        return None
    counts = ", ".join(f"{g.label} n={g.n}" for g in j.small)
    return f"too few tickets for {j.aggregate_text}: fewer than {j.minimum} per group ({counts})"


def _groups_message(
    j: Judgement,
    status: Status,
    estimates: Mapping[tuple[Any, ...], S.Estimate],
    comparisons: Sequence[TE.Comparison],
) -> str:
    req, eligible, small, unit, agg_text = j.req, j.eligible, j.small, j.unit, j.aggregate_text
    op_bad = _OP_WORDS.get(req.threshold.op, "past")
    thr_value = bound_text(j.threshold_text())
    hedge = " (within the margin of error)" if status == Status.INCONCLUSIVE else ""
    needs = _needs_note(j)
    if req.mode == "overall":
        g = eligible[0]
        if g.keys in j.needs:
            why = needs.replace("; not judged, ", "not judged: ", 1)
            return f"{agg_text} is {fmt_value(estimates[g.keys].value, unit)} (n={g.n}), {why}"
        word = op_bad if status != Status.PASS else _OP_OK.get(req.threshold.op, "")
        return f"{agg_text} is {fmt_value(estimates[g.keys].value, unit)} (n={g.n}), {word} {thr_value}{hedge}"
    note = f"; {len(small)} group(s) below {j.minimum} tickets not judged" if small else ""
    note += needs
    judged = j.judged
    if status == Status.PASS:
        noun = j.group_by or "tickets"
        return f"{agg_text} is {_OP_OK.get(req.threshold.op, '')} {thr_value} for all {len(judged)} {noun} groups{note}"
    failing = [g for g, c in zip(eligible, comparisons, strict=True) if c.verdict in ("fail", "inconclusive")]
    if not failing:
        if not judged:
            return f"{agg_text} cannot be judged{note.replace('; not judged, ', ': ', 1)}"
        noun = j.group_by or "tickets"
        return f"{agg_text} is {_OP_OK.get(req.threshold.op, '')} {thr_value} for {len(judged)} {noun} group(s){note}"
    parts = [f"{fmt_value(value_of(g.cell, j.agg), unit)} for {g.label} (n={g.n})" for g in failing[:3]]
    more = f" and {len(failing) - 3} more" if len(failing) > 3 else ""
    return f"{agg_text} is {', '.join(parts)}{more}, {op_bad} {thr_value}{hedge}{note}"


# ---------------------------------------------------------------- across


def _reference(j: Judgement) -> str | None:
    """The reference group of an ``across`` comparison: named, or the largest/lowest/highest group."""
    ref = j.req.reference
    if ref is None:
        return None
    if ref.kind == "group":
        name = ref.name or ""
        if j.req.group is not None and j.req.group.column.name in CATEGORICAL:
            name = name.lower()
        present = sorted({g.label for g in j.groups}, key=_sort_key)
        if present and name not in present:
            shown = ", ".join(present[:20]) + (f", … ({len(present)} in all)" if len(present) > 20 else "")
            raise AuditError(
                "AR320",
                f'{j.rule.id} compares against {j.group_by} "{name}", but the ticket data has no such group; '
                f"it has: {shown}",
                j.req.span if j.req.span.line else None,
            )
        return name

    totals: dict[str, int] = {}
    orders: dict[str, tuple[Any, ...]] = {}
    for g in j.eligible:
        totals[g.label] = totals.get(g.label, 0) + g.n
        orders[g.label] = g.order
    if not totals:
        return None
    if ref.kind == "largest":
        return sorted(totals, key=lambda k: (-totals[k], orders[k]))[0]
    if ref.kind == "lowest":
        return min(totals, key=lambda k: orders[k])
    return max(totals, key=lambda k: orders[k])


def _sort_key(v: str) -> tuple[int, Any]:
    try:
        return (0, float(v))
    except ValueError:
        return (1, v)


def _group_stat(j: Judgement, g: Group, est: S.Estimate) -> S.GroupStat:
    c = g.cell
    return S.GroupStat(
        g.label,
        g.n,
        value_of(c, j.agg),
        successes=int(c.successes or 0) if j.kind == "share" else None,
        variance=(c.variance if c.variance is not None else 0.0) if j.kind == "mean" else None,
        interval=est.interval if j.kind == "quantile" else None,
        skewness=(c.skewness if c.skewness is not None and not math.isnan(c.skewness) else 0.0)
        if j.kind == "mean"
        else None,
    )


@dataclass(frozen=True)
class _Compared:
    """The comparisons kept for the evidence (worst first per stratum; all on request) and the
    counts over every comparison made."""

    kept: list[TE.Comparison]
    skipped: list[str]
    counts: TE.ComparisonCounts


def _comparison(j: Judgement, c: S.Comparison, verdict_text: str, stratum: tuple[str, ...]) -> TE.Comparison:
    return TE.Comparison(
        group=c.group,
        reference=c.reference,
        stratum=dict(zip(j.strata_names, stratum, strict=True)) if stratum else None,
        value=rounded(c.value),
        interval=interval_json(c.interval),
        verdict=verdict_text,  # type: ignore[arg-type]
    )


def _stratum_comparisons(
    j: Judgement, stats_groups: Mapping[str, S.GroupStat], reference: str | None, use_conf: float | None
) -> tuple[list[tuple[S.Comparison, str]], int, int, int]:
    """One stratum's comparisons (kept ones) with their verdicts, and total / failing / inconclusive counts.

    Between-groups rules go through :func:`auditrules.tickets.pairs.between_groups`, which finds the
    verdicts of all k(k−1)/2 pairs without visiting each; with a reference there are k − 1.
    """
    measure = j.req.measure or "ratio"
    kind = j.kind if j.kind in ("share", "mean", "quantile") else "mean"
    t = j.req.threshold
    if reference is None and t.op not in ("==", "!=") and isinstance(t.value.value, (int, float)):
        high = float(t.high.value) if t.high is not None and isinstance(t.high.value, (int, float)) else None
        keep = None if j.all_comparisons else KEPT_COMPARISONS
        threshold = (t.op, float(t.value.value), high)
        summary = PAIRS.between_groups(stats_groups, measure, kind, use_conf, threshold, keep)  # type: ignore[arg-type]
        kept = [(c, str(v)) for c, v in summary.worst]
        return kept, summary.total, summary.failing, summary.inconclusive
    result = S.compare_groups(stats_groups, measure, kind, reference, use_conf)  # type: ignore[arg-type]
    judged = [(c, verdict(S.Estimate(c.value, c.interval), t, use_conf is not None)) for c in result]
    fails = sum(1 for _, v in judged if v == "fail")
    unsure = sum(1 for _, v in judged if v == "inconclusive")
    return judged, len(judged), fails, unsure


def _compare(j: Judgement, estimates: Mapping[tuple[Any, ...], S.Estimate], reference: str | None) -> _Compared:
    """Comparisons within each comparable stratum, and the strata that could not be compared."""
    use_conf = j.family_confidence if j.kind != "point" else None
    comparable = j.comparable
    kept: list[TE.Comparison] = []
    skipped: list[str] = []
    total = failing = inconclusive = 0
    for stratum in sorted(j.by_stratum, key=lambda s: [_sort_key(v) for v in s]):
        gs = comparable.get(stratum)
        where = ", ".join(f"{n}={v}" for n, v in zip(j.strata_names, stratum, strict=True))
        if not gs or (reference is not None and reference not in {g.label for g in gs}):
            skipped.append(where or "all")
            continue
        stats_groups = {g.label: _group_stat(j, g, estimates[g.keys]) for g in gs}
        judged, count, fails, unsure = _stratum_comparisons(j, stats_groups, reference, use_conf)
        kept += [_comparison(j, c, v, stratum) for c, v in judged]
        total, failing, inconclusive = total + count, failing + fails, inconclusive + unsure
    return _Compared(kept, skipped, TE.ComparisonCounts(total, failing, inconclusive, len(kept)))


def _judge_across(
    j: Judgement, estimates: Mapping[tuple[Any, ...], S.Estimate], evidence: TE.TicketGroups
) -> TE.TicketGroups:
    """``across``: groups against the reference (or each other) within each stratum."""
    reference = _reference(j)
    compared = _compare(j, estimates, reference)
    return replace(
        evidence,
        comparisons=tuple(compared.kept),
        reference=reference,
        skipped_strata=tuple(compared.skipped),
        pooled=_pooled(j, reference, compared.kept),
        comparison_counts=compared.counts,
    )


def _too_few_to_compare(j: Judgement, evidence: TE.TicketGroups) -> str | None:
    if evidence.comparisons:
        return None
    reference = evidence.reference
    counts = ", ".join(f"{g.label}{_where_text(g, j.strata_names)} n={g.n}" for g in j.groups[:8])
    judged = {g.label for g in j.judged}
    enough = f"with at least {j.minimum} tickets" if not j.unjudged else "with enough tickets for an interval"
    why = (
        f"reference group '{reference}' has too few tickets"
        if reference is not None and reference not in judged
        else f"fewer than 2 groups {enough}"
    )
    return f"cannot compare {j.aggregate_text} across {j.group_by}: {why} ({counts}){_needs_note(j)}"


def _where_text(g: Group, strata_names: Sequence[str]) -> str:
    if not g.stratum:
        return ""
    return " (" + ", ".join(f"{n}={v}" for n, v in zip(strata_names, g.stratum, strict=True)) + ")"


def _across_message(j: Judgement, status: Status, evidence: TE.TicketGroups) -> str:
    comparisons, skipped = evidence.comparisons, evidence.skipped_strata
    measure = j.req.measure or "ratio"
    op = j.req.threshold.op
    worst = _worst(comparisons, op)
    where = ""
    if worst.stratum:
        where = ", " + ", ".join(f"{k}={v}" for k, v in worst.stratum.items())
    pair = f"{worst.group} vs {worst.reference}{where}"
    figure = f"{measure}({j.aggregate_text}) across {j.group_by}"
    value = fmt_value(worst.value, "number" if measure == "ratio" else j.unit)
    thr_value = bound_text(j.threshold_text())
    counts = evidence.comparison_counts
    fails, total = (counts.failing, counts.total) if counts is not None else (0, len(comparisons))
    note = f" ({fails} of {total} comparisons fail)" if fails > 1 else ""
    if skipped:
        note += f"; {len(skipped)} stratum/strata not comparable"
    if j.small:
        note += f"; {len(j.small)} group(s) below {j.minimum} tickets left out"
    note += _needs_note(j)
    if status in (Status.PASS, Status.INSUFFICIENT_DATA):
        return f"{figure} is {value} at worst ({pair}), {_OP_OK.get(op, '')} {thr_value}{note}"
    hedge = " but the interval reaches the threshold (inconclusive)" if status == Status.INCONCLUSIVE else ""
    return f"{figure} is {value} ({pair}), {_OP_WORDS.get(op, 'past')} {thr_value}{hedge}{note}"


def _worst(comparisons: Sequence[TE.Comparison], op: str) -> TE.Comparison:
    """The comparison furthest in the failing direction, among the worst verdicts."""
    rank = {"fail": 0, "inconclusive": 1, "pass": 2}

    def badness(c: TE.Comparison) -> tuple[int, float]:
        v = c.value
        if v is None:
            return (rank[c.verdict], 0.0)
        direction = -1.0 if op in (">=", ">", "between") else 1.0
        if op == "between":
            return (rank[c.verdict], -abs(math.log(v)) if v > 0 else -math.inf)
        return (rank[c.verdict], -direction * float(v) if direction > 0 else float(v))

    return sorted(comparisons, key=badness)[0]


def _pooled(
    j: Judgement, reference: str | None, comparisons: Sequence[TE.Comparison]
) -> tuple[TE.PooledComparison, ...] | None:
    """Mantel–Haenszel pooled ratio/difference of shares over strata, for each pair of groups the
    kept comparisons name (every group with a reference), oriented as the comparisons are:
    lower ÷ higher, higher − lower, or group against the reference."""
    if j.kind != "share" or not j.req.strata:
        return None
    measure: S.Measure = "ratio" if (j.req.measure or "ratio") == "ratio" else "difference"
    comparable = j.comparable
    labels = sorted({g.label for gs in comparable.values() for g in gs})
    if reference is not None:
        pairs = [(lab, reference) for lab in labels if lab != reference]
    else:
        pairs = sorted({(min(c.group, str(c.reference)), max(c.group, str(c.reference))) for c in comparisons})
    conf = j.family_confidence if j.family_confidence is not None else DISPLAY_CONFIDENCE
    out: list[TE.PooledComparison] = []
    for a, b in pairs:
        cells = []
        for gs in comparable.values():
            m = {g.label: g for g in gs}
            if a in m and b in m:
                cells.append((int(m[a].cell.successes or 0), m[a].n, int(m[b].cell.successes or 0), m[b].n))
        if not cells:
            continue
        est = S.mantel_haenszel_ratio(cells, conf) if measure == "ratio" else S.mantel_haenszel_difference(cells, conf)
        if reference is None:
            swapped, est = S.orient_between(est, measure)
            a, b = (b, a) if swapped else (a, b)
        out.append(TE.PooledComparison(a, b, len(cells), rounded(est.value), interval_json(est.interval)))
    return tuple(out)
