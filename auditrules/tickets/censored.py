"""Censored figures for the judge: product-limit estimates in place of the complete-case ones.

For a requirement that reads a censored duration (:mod:`auditrules.tickets.plan.censoring`), the
engine runs :func:`auditrules.tickets.survival.survival_query` over the requirement's rows, and
each group that has censored tickets gets its figure from the product-limit curve:

* a quantile: the product-limit quantile with its Brookmeyer–Crowley interval; a quantile the
  curve never reaches is known only to *exceed* the shortest follow-up of the tickets still
  waiting, and its interval is open above;
* ``share(duration <= t)``: ``1 − S(t)`` with the log–log interval of ``S(t)``, and where ``S(t)``
  is 0 or 1 (all or none done within ``t``) Wilson's interval over the tickets observed through
  ``t`` (:func:`auditrules.tickets.survival.survival_band`: never a zero-width interval, and
  exactly the uncensored Wilson interval when no ticket is censored before ``t``); across groups
  the comparison uses the share's count ``round((1 − S(t))·n)`` (documented approximation);
* a mean: undefined (the tail past the last follow-up is unknown), so the group is
  ``inconclusive``.

Groups without censored tickets keep their usual figures. The evidence gains a ``censoring``
section (column, as-of time, method, censored tickets per group) and each group its count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlglot import exp

from auditrules import ticket_evidence as TE
from auditrules.findings import Finding
from auditrules.lang import ast
from auditrules.tickets import plan as P
from auditrules.tickets import stats as S
from auditrules.tickets import survival as K
from auditrules.tickets.judge import DISPLAY_CONFIDENCE, Judgement, fmt_value, verdict
from auditrules.tickets.plan.censoring import CENSORABLE, Censoring
from auditrules.tickets.plan.sql import CLEAN, table_ref

Keys = tuple[Any, ...]


@dataclass(frozen=True)
class Censored:
    """The product-limit figures of one requirement's groups."""

    censoring: Censoring
    as_of: datetime
    figures: Mapping[Keys, K.GroupSurvival]

    @property
    def total(self) -> int:
        return sum(f.censored for f in self.figures.values())


def query(j: Judgement, censoring: Censoring) -> exp.Select:
    """The survival query of a requirement, each group's interval at that group's confidence (the
    display confidence for groups below the minimum size)."""
    groups = [(g.keys, j.group_confidence.get(g.keys, DISPLAY_CONFIDENCE)) for g in j.groups]
    return query_groups(j.plan, censoring, groups, complete=True)


def query_groups(
    plan: P.RequirementPlan, censoring: Censoring, groups: Sequence[tuple[Keys, float]], complete: bool = False
) -> exp.Select:
    """The survival query over ``plan``'s groups; ``groups`` give (key values, confidence) of those
    judged (the others get the display confidence); ``complete``: they are all the groups read."""
    agg = plan.require.aggregate
    p = float(agg.quantile) if agg.quantile is not None else None
    zs = tuple((keys, S.z_value(conf)) for keys, conf in groups)
    z = K.GroupZ(zs, S.z_value(DISPLAY_CONFIDENCE), complete)
    named = [(name, k.expr) for name, k in zip(plan.key_columns, plan.keys, strict=True)]
    return K.survival_query(
        table_ref(CLEAN), named, censoring.duration, censoring.observed, plan.valid, p, z, censoring.bound
    )


def read(j: Judgement, censoring: Censoring, as_of: datetime, rows: Sequence[Mapping[str, Any]]) -> Censored:
    p = float(j.agg.quantile) if j.agg.quantile is not None else None
    figures = {tuple(row[k] for k in j.plan.key_columns): K.read_row(dict(row), p) for row in rows}
    return Censored(censoring, as_of, figures)


def _unreached(bound: float, t: ast.Threshold) -> S.Estimate:
    """An unreached quantile, known only to exceed ``bound``: it fails a ``<=`` threshold the bound
    already passes, satisfies a ``>=`` one the bound meets, and is otherwise undefined (inconclusive)."""
    est = S.Estimate(bound, S.Interval(bound, math.inf))
    outcome = verdict(est, t, True)
    if outcome == "pass" and t.op not in (">=", ">"):
        return S.Estimate(math.nan, None)
    return est


def _quantile_estimate(q: K.CensoredQuantile, interval: bool, t: ast.Threshold, across: bool) -> S.Estimate:
    value = q.value if q.value is not None else math.nan
    if not q.reached and not math.isnan(value) and not across:
        return _unreached(value, t)
    if not interval:
        return S.Estimate(value, None)
    low = q.low if q.low is not None else (q.value if q.value is not None else 0.0)
    return S.Estimate(value, S.Interval(min(low, value) if not math.isnan(value) else low, q.high))


def apply(j: Judgement, c: Censored) -> tuple[list[P.Cell], dict[Keys, S.Estimate]]:
    """The cells with product-limit figures for groups that have censored tickets, and their estimates."""
    cells: list[P.Cell] = []
    overrides: dict[Keys, S.Estimate] = {}
    interval = j.req.confidence is not None
    for g in j.groups:
        cell = g.cell
        f = c.figures.get(g.keys)
        if f is None or f.censored == 0:
            cells.append(cell)
            continue
        if j.kind == "quantile" and f.quantile is not None:
            est = _quantile_estimate(f.quantile, interval, j.req.threshold, j.req.mode == "across")
            cell = replace(cell, quantile=f.quantile.value)  # shown as the figure (a bound when unreached)
            overrides[g.keys] = est
        elif j.kind == "share" and f.s_at is not None and f.greenwood_at is not None and f.observed_at is not None:
            conf = j.group_confidence.get(g.keys, DISPLAY_CONFIDENCE)
            share = K.share_within(f.s_at, f.greenwood_at, conf, f.observed_at)
            cell = replace(cell, successes=round(share.value * cell.n))
            overrides[g.keys] = S.Estimate(share.value, S.Interval(share.low, share.high) if interval else None)
        elif j.kind == "mean":
            cell = replace(cell, mean=None, variance=None)
            overrides[g.keys] = S.Estimate(math.nan, None)
        cells.append(cell)
    return cells, overrides


def _unreached_groups(j: Judgement, per_group: Mapping[Keys, K.GroupSurvival]) -> list[str]:
    out = []
    for g in j.eligible:
        f = per_group.get(g.keys)
        q = f.quantile if f is not None else None
        if f is not None and f.censored and q is not None and not q.reached:
            out.append(f"{g.label} exceeds {fmt_value(q.value, j.unit)}")
    return out


def annotate(finding: Finding, j: Judgement, c: Censored) -> Finding:
    """The finding with the censoring evidence, each group's censored count and a note in the message."""
    evidence = finding.evidence
    if not isinstance(evidence, TE.TicketGroups):
        return finding
    per_group = {g.keys: c.figures[g.keys] for g in j.groups if g.keys in c.figures}
    groups = []
    for g, figure in zip(j.groups, evidence.groups, strict=False):
        f = per_group.get(g.keys)
        reached = f.quantile.reached if f is not None and f.quantile is not None and f.censored else None
        groups.append(replace(figure, censored=f.censored if f else 0, reached=reached))
    rows = replace(evidence.rows, censored=c.total)
    if not c.total:
        return replace(finding, evidence=replace(evidence, rows=rows, groups=tuple(groups)))
    as_of = c.as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    note = TE.Censoring(c.censoring.column, as_of, c.total, METHOD)
    event = CENSORABLE[c.censoring.column][0]
    notes = [f"{c.total} ticket(s) censored (no {event} by {as_of} or closed without one)"]
    unreached = _unreached_groups(j, per_group)
    if unreached:
        notes.append(f"{j.aggregate_text} not reached: {', '.join(unreached[:3])}")
    if j.kind == "mean":
        notes.append("a mean over censored durations is not defined")
    typed = replace(evidence, rows=rows, groups=tuple(groups), censoring=note)
    message = finding.message
    for g in j.eligible:  # an unreached quantile's figure is a lower bound: say so where it is quoted
        f = per_group.get(g.keys)
        if f is not None and f.censored and f.quantile is not None and not f.quantile.reached:
            shown = f"{fmt_value(f.quantile.value, j.unit)} for {g.label} (n="
            message = message.replace(shown, f"more than {shown}")
    return replace(finding, message=f"{message}; {'; '.join(notes)}", evidence=typed)


#: How censored figures are computed, as the evidence states it.
METHOD = (
    "product-limit (Kaplan–Meier); Brookmeyer–Crowley quantile intervals; log–log share intervals "
    "(Wilson over the tickets observed through t where the estimate is 0% or 100%)"
)


__all__ = ["Censored", "annotate", "apply", "query", "read"]
