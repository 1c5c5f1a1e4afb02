"""Between-groups summaries agree with judging every pair (:mod:`auditrules.tickets.pairs`)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from auditrules.tickets import pairs
from auditrules.tickets import stats as S


def brute_force(
    groups: dict[str, S.GroupStat],
    measure: S.Measure,
    kind: S.Kind,
    confidence: float | None,
    threshold: tuple[str, float, float | None],
) -> list[tuple[S.Comparison, str]]:
    op, low, high = threshold
    out = []
    for c in S.compare_groups(groups, measure, kind, None, confidence):
        estimate = S.Estimate(c.value, c.interval)
        verdict = (
            S.verdict(estimate, op, low, high) if confidence is not None else S.point_verdict(c.value, op, low, high)
        )
        out.append((c, verdict))
    return out


def random_groups(rng: np.random.Generator, kind: S.Kind, k: int) -> dict[str, S.GroupStat]:
    groups: dict[str, S.GroupStat] = {}
    for i in range(k):
        n = int(rng.integers(5, 400))
        name = f"g{i:03d}"
        if kind == "share":
            p = float(rng.choice([0.0, 1.0, rng.uniform(0.2, 0.9)], p=[0.05, 0.05, 0.9]))
            x = int(rng.binomial(n, p))
            groups[name] = S.GroupStat(name, n, x / n, successes=x)
        elif kind == "mean":
            sample = rng.lognormal(float(rng.uniform(0.0, 0.6)), 1.0, n)
            skew = float(((sample - sample.mean()) ** 3).mean() / sample.std() ** 3)
            groups[name] = S.GroupStat(name, n, float(sample.mean()), variance=float(sample.var(ddof=1)), skewness=skew)
        else:
            sample = np.sort(rng.lognormal(float(rng.uniform(0.0, 0.5)), 1.0, n))
            ranks = S.quantile_ranks(n, 0.5, 0.999)
            interval = None if ranks is None else S.Interval(float(sample[ranks[0] - 1]), float(sample[ranks[1] - 1]))
            groups[name] = S.GroupStat(name, n, float(np.median(sample)), interval=interval)
    return groups


CASES = [
    ("share", "ratio", (">=", 0.8, None)),
    ("share", "ratio", (">", 0.9, None)),
    ("share", "difference", ("<=", 0.1, None)),
    ("share", "ratio", ("between", 0.8, 1.25)),
    ("mean", "ratio", (">=", 0.8, None)),
    ("mean", "difference", ("<=", 0.3, None)),
    ("quantile", "ratio", (">=", 0.8, None)),
    ("quantile", "difference", ("<", 0.5, None)),
    ("share", "ratio", ("<=", 0.9, None)),  # not covered by the fast path: every pair is judged
]


@pytest.mark.parametrize(("kind", "measure", "threshold"), CASES)
@pytest.mark.parametrize("confidence", (0.95, None))
@pytest.mark.parametrize("seed", range(4))
def test_summary_agrees_with_every_pair(
    kind: S.Kind, measure: S.Measure, threshold: tuple[str, float, float | None], confidence: float | None, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    groups = random_groups(rng, kind, int(rng.integers(2, 60)))
    every = brute_force(groups, measure, kind, confidence, threshold)
    summary = pairs.between_groups(groups, measure, kind, confidence, threshold, keep=5)
    assert summary.total == len(every)
    assert summary.failing == sum(v == "fail" for _, v in every)
    assert summary.inconclusive == sum(v == "inconclusive" for _, v in every)
    full = pairs.between_groups(groups, measure, kind, confidence, threshold, keep=None)
    assert len(full.worst) == len(every)
    expected = full.worst[0]
    assert (summary.worst[0][1], summary.worst[0][0].value) == (expected[1], expected[0].value)
    assert len(summary.worst) == min(5, len(every))


def test_ten_thousand_groups_in_well_under_a_second_per_rule() -> None:
    rng = np.random.default_rng(1)
    n = 100
    groups = {}
    for i in range(10_000):
        x = int(rng.binomial(n, 0.5))
        groups[f"c{i:05d}"] = S.GroupStat(f"c{i:05d}", n, x / n, successes=x)
    started = time.perf_counter()
    summary = pairs.between_groups(groups, "ratio", "share", 0.95, (">=", 0.8, None), keep=20)
    elapsed = time.perf_counter() - started
    print(
        f"10,000 groups: {summary.total:,} pairs, {summary.failing} failing, {summary.inconclusive:,} inconclusive, {elapsed:.2f}s"
    )
    assert summary.total == 10_000 * 9_999 // 2
    assert len(summary.worst) == 20
