"""Between-groups comparisons of many groups without visiting every pair.

``require across G: ratio|difference(AGG) CMP VALUE`` without ``vs`` compares every pair of
the k groups: k(k−1)/2 comparisons, 50 million for 10,000 groups. A report needs only the
verdict, the number of failing and inconclusive pairs, and the worst few; all of them follow
from the groups' own figures, so :func:`between_groups` finds them in about O(k log k).

Every interval the judge uses for a pair has the MOVER form (Zou & Donner 2008): on the scale
of the comparison (the log scale for ratios), with each group's figure θ and its downward and
upward half-widths h⁻, h⁺ at the comparison's confidence, the pair (lower, higher) has

    gap G = θ_high − θ_low ≥ 0,  and G's interval lower bound  G − √(h⁺_low² + h⁻_high²).

Katz (√(v₁ + v₂) with h = z·√v), Newcombe (Wilson half-widths) and the MOVER combinations of
skew-aware means and order-statistic quantiles all have it. A ``ratio >= t`` (t ≤ 1) or a
``difference <= t`` (t ≥ 0) rule fails on a pair when that lower bound exceeds c = −log t (or
t), and its point fails when G > c. Since max(x, y) ≤ √(x² + y²) ≤ x + y, with the groups
sorted by θ and by θ − h⁻:

- a pair surely fails when θ_high − h⁻_high > θ_low + h⁺_low + c (counted by bisection);
- it cannot fail unless θ_high > θ_low + h⁺_low + c and θ_high − h⁻_high > θ_low + c;

only the pairs in between (and pairs within a rounding margin of a boundary) are judged one by
one with :func:`stats.compare_pair` and :func:`stats.verdict`, exactly as every pair would be.
Groups whose interval does not have that form (a share of 0% or 100% in a ratio, an interval
reaching 0 on the log scale, no interval) are compared with every other group one by one.
Other operators and thresholds visit every pair.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from auditrules.tickets import stats as S

__all__ = ["PairSummary", "between_groups"]

#: Pairs whose gap lies this close to a boundary (relative) are judged one by one.
_MARGIN = 1.0e-9


@dataclass(frozen=True)
class PairSummary:
    """Between-groups comparisons in summary.

    ``worst`` holds up to ``keep`` comparisons with their verdicts, worst first (failing, then
    inconclusive, then passing; the most extreme figure first): every comparison when the
    caller asked for all. ``total`` is the number of pairs; ``failing`` and ``inconclusive``
    count the pairs with that verdict over all of them.
    """

    worst: tuple[tuple[S.Comparison, S.Outcome], ...]
    total: int
    failing: int
    inconclusive: int


@dataclass(frozen=True)
class _Side:
    """A group on the comparison scale: θ and its half-widths at the comparison's confidence."""

    group: S.GroupStat
    theta: float
    down: float
    up: float


def _judge(
    a: S.GroupStat,
    b: S.GroupStat,
    measure: S.Measure,
    kind: S.Kind,
    confidence: float | None,
    threshold: tuple[str, float, float | None],
) -> tuple[S.Comparison, S.Outcome]:
    group, reference = S.orient(a, b, measure, kind)
    c = S.compare_pair(group, reference, measure, kind, confidence)
    op, low, high = threshold
    estimate = S.Estimate(c.value, c.interval)
    outcome = S.verdict(estimate, op, low, high) if confidence is not None else S.point_verdict(c.value, op, low, high)
    return c, outcome


def _rank(item: tuple[S.Comparison, S.Outcome], measure: S.Measure) -> tuple[int, bool, float, str, str]:
    c, outcome = item
    order = {"fail": 0, "inconclusive": 1, "pass": 2}[outcome]
    extreme = 0.0 if math.isnan(c.value) else (c.value if measure == "ratio" else -c.value)
    return (order, math.isnan(c.value), extreme, c.group, c.reference)


def _gap_threshold(measure: S.Measure, op: str, low: float, high: float | None) -> float | None:
    """c, the gap beyond which a pair fails, for the rules the fast path covers (else None).
    Whether a gap of exactly c fails (``>`` and ``<``) is left to the pairs judged one by one."""
    if op == "between":
        if high is None:
            return None
        if measure == "ratio" and high >= 1.0:
            op = ">="
        elif measure == "difference" and low <= 0.0:
            op, low = "<=", high
        else:
            return None
    if measure == "ratio" and op in (">=", ">") and 0.0 < low <= 1.0:
        return -math.log(low)
    if measure == "difference" and op in ("<=", "<") and low >= 0.0:
        return low
    return None


def _side(group: S.GroupStat, measure: S.Measure, kind: S.Kind, confidence: float | None) -> _Side | None:
    """``group`` on the comparison scale, or None when its pairs must be judged one by one."""
    log = measure == "ratio"
    if confidence is None:
        value = S.figure(group, kind)
        if math.isnan(value) or (log and value <= 0.0):
            return None
        return _Side(group, math.log(value) if log else value, 0.0, 0.0)
    if kind == "share":
        if group.successes is None or group.n == 0:
            return None
        x, n = group.successes, group.n
        if log:
            if x in (0, n):
                return None
            h = S.z_value(confidence) * math.sqrt(1.0 / x - 1.0 / n)
            return _Side(group, math.log(x / n), h, h)
        estimate = S.wilson(x, n, confidence)
    elif kind == "mean":
        if group.variance is None or group.skewness is None:
            return None
        estimate = S.skewed_mean_interval(group.value, group.variance, group.skewness, group.n, confidence)
    else:
        estimate = S.Estimate(group.value, group.interval)
    iv = estimate.interval
    if iv is None or math.isnan(estimate.value):
        return None
    if not log:
        return _Side(group, estimate.value, estimate.value - iv.low, iv.high - estimate.value)
    if iv.low <= 0.0 or estimate.value <= 0.0:
        return None
    theta = math.log(estimate.value)
    return _Side(group, theta, theta - math.log(iv.low), math.log(iv.high) - theta)


def between_groups(
    groups: Mapping[str, S.GroupStat],
    measure: S.Measure,
    kind: S.Kind,
    confidence: float | None,
    threshold: tuple[str, float, float | None],
    keep: int | None = 20,
) -> PairSummary:
    """The between-groups comparisons of ``groups`` judged against ``threshold`` (op, value, high).

    The same verdicts as :func:`stats.compare_groups` followed by :func:`stats.verdict` on each
    pair (or :func:`stats.point_verdict` when ``confidence`` is None), with the same Bonferroni
    confidence over k(k−1)/2 pairs. ``keep=None`` returns every comparison.
    """
    stats = sorted(groups.values(), key=lambda g: g.name)
    total = len(stats) * (len(stats) - 1) // 2
    if total == 0:
        return PairSummary((), 0, 0, 0)
    per_pair = S.bonferroni(confidence, total) if confidence is not None else None
    op, low, high = threshold
    fast = _gap_threshold(measure, op, low, high)
    if keep is None or fast is None:
        judged = [_judge(a, b, measure, kind, per_pair, threshold) for a, b in combinations(stats, 2)]
        judged.sort(key=lambda item: _rank(item, measure))
        fails = sum(1 for _, o in judged if o == "fail")
        unsure = sum(1 for _, o in judged if o == "inconclusive")
        return PairSummary(tuple(judged if keep is None else judged[:keep]), total, fails, unsure)
    sides: list[_Side] = []
    special: list[S.GroupStat] = []
    for g in stats:
        side = _side(g, measure, kind, per_pair)
        if side is None:
            special.append(g)
        else:
            sides.append(side)
    return _summarise(sides, special, (measure, kind, per_pair, threshold), fast, keep)


class _Sweep:
    """One stratum's between-groups sweep: the groups sorted by θ and by θ − h⁻, and the pairs
    judged one by one so far (by name, for the worst list; by figures, for the counts)."""

    def __init__(
        self,
        sides: list[_Side],
        judging: tuple[S.Measure, S.Kind, float | None, tuple[str, float, float | None]],
        c: float,
    ) -> None:
        self.sides = sorted(sides, key=lambda s: (s.theta, s.group.name))
        self.judging = judging
        self.c = c
        self.thetas = [s.theta for s in self.sides]
        self.by_floor = sorted(range(len(self.sides)), key=lambda j: self.sides[j].theta - self.sides[j].down)
        self.floor_of = [s.theta - s.down for s in self.sides]
        self.floors = [self.floor_of[j] for j in self.by_floor]
        self.best_above = _suffix_best(self.by_floor, self.thetas)
        self.margin = _MARGIN * (1.0 + abs(c) + max((abs(t) for t in self.thetas), default=0.0))
        self.judged: dict[tuple[str, str], tuple[S.Comparison, S.Outcome]] = {}
        self.outcomes: dict[tuple[object, object], S.Outcome] = {}

    def judge(self, a: S.GroupStat, b: S.GroupStat) -> tuple[S.Comparison, S.Outcome]:
        """The pair judged (and kept for the worst list)."""
        key = (a.name, b.name) if a.name <= b.name else (b.name, a.name)
        if key not in self.judged:
            self.judged[key] = _judge(a, b, *self.judging)
        return self.judged[key]

    def outcome(self, a: S.GroupStat, b: S.GroupStat) -> S.Outcome:
        """The verdict alone, shared by pairs of groups with the same figures (ties are common)."""
        measure, kind = self.judging[0], self.judging[1]
        low, high = S.orient(a, b, measure, kind)
        key = (_signature(low), _signature(high))
        if key not in self.outcomes:
            self.outcomes[key] = _judge(low, high, *self.judging)[1]
        return self.outcomes[key]

    def point_fails(self, i: int) -> int:
        """Partners above group i whose point fails: beyond the gap, or within the margin and judged so."""
        a, c, margin = self.sides[i], self.c, self.margin
        start = max(i + 1, bisect_left(self.thetas, a.theta + c - margin))
        sure = max(i + 1, bisect_right(self.thetas, a.theta + c + margin))
        near = sum(self.outcome(a.group, self.sides[j].group) != "pass" for j in range(start, sure))
        return len(self.sides) - sure + near

    def interval_fails(self, i: int) -> int:
        """Partners above group i whose interval fails: sure ones counted, the band judged one by one."""
        a, c, margin = self.sides[i], self.c, self.margin
        bound = a.theta + a.up + c
        sure = bisect_right(self.floors, bound + margin)
        if sure < len(self.floors):
            self.judge(a.group, self.sides[self.best_above[sure]].group)  # this group's most extreme sure fail
        # the band: floor in (θ + c, bound] and θ above bound; walk whichever ordering is shorter
        first_floor = bisect_left(self.floors, a.theta + c - margin)
        first_theta = max(i + 1, bisect_left(self.thetas, bound - margin))
        if sure - first_floor <= len(self.sides) - first_theta:
            band = [j for j in self.by_floor[first_floor:sure] if j > i and self.thetas[j] > bound - margin]
        else:
            low, high = a.theta + c - margin, bound + margin
            band = [j for j in range(first_theta, len(self.sides)) if low <= self.floor_of[j] <= high]
        failing = [j for j in band if self.outcome(a.group, self.sides[j].group) == "fail"]
        for j in failing:
            self.judge(a.group, self.sides[j].group)
        return len(self.floors) - sure + len(failing)


def _summarise(
    sides: list[_Side],
    special: Sequence[S.GroupStat],
    judging: tuple[S.Measure, S.Kind, float | None, tuple[str, float, float | None]],
    c: float,
    keep: int,
) -> PairSummary:
    sweep = _Sweep(sides, judging, c)
    ordered = sweep.sides
    point_fails = sum(sweep.point_fails(i) for i in range(len(ordered)))
    with_intervals = judging[2] is not None
    fails = sum(sweep.interval_fails(i) for i in range(len(ordered))) if with_intervals else point_fails
    extremes = ordered[:keep] + ordered[max(keep, len(ordered) - keep) :]
    for a, b in combinations(extremes, 2):
        sweep.judge(a.group, b.group)
    others = [s.group for s in ordered]
    for i, g in enumerate(special):
        for h in [*others, *special[i + 1 :]]:
            verdict = sweep.judge(g, h)[1]
            fails += verdict == "fail"
            point_fails += verdict != "pass"
    worst = sorted(sweep.judged.values(), key=lambda item: _rank(item, judging[0]))
    total = (len(ordered) + len(special)) * (len(ordered) + len(special) - 1) // 2
    return PairSummary(tuple(worst[:keep]), total, fails, point_fails - fails)


def _signature(g: S.GroupStat) -> tuple[object, ...]:
    return (g.n, g.successes, g.value, g.variance, g.skewness, g.interval)


def _suffix_best(order: Sequence[int], thetas: Sequence[float]) -> list[int]:
    """For each position p of ``order``, the index (into ``thetas``) with the largest θ among
    ``order[p:]``: the most extreme partner among a group's sure fails."""
    best: list[int] = [0] * len(order)
    current = -1
    for p in range(len(order) - 1, -1, -1):
        j = order[p]
        if current < 0 or thetas[j] >= thetas[current]:
            current = j
        best[p] = current
    return best
