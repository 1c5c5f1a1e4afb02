"""Replication: the coverage of every interval type on skewed and small groups.

Each test draws seeded samples (vectorised numpy), computes the interval with
:mod:`auditrules.tickets.stats` exactly as the judge does, and prints its coverage per cell
(``pytest -s`` shows the table). The goal is 93–97% at 95% confidence for n ≥ 30; a test fails
when a cell that the interval is meant for falls below 92%.

Means of skewed data are the hard case: no interval reaches 95% on lognormal σ = 1.5 at
n = 30. The judge therefore uses a skew-aware interval (Johnson's modified t in Hall's monotone
form) *and* Cochran's gate n > 25·G1²: below it the verdict is withheld (``inconclusive``). The
mean tests print the interval's own coverage, how often the gate lets a verdict through, the
coverage where it does, and the rate that matters to an auditee: how often a verdict rests on an
interval that missed (``wrong``), and how often a rule whose threshold is the true mean fails.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from auditrules.tickets import stats
from auditrules.tickets.stats import Estimate

CONFIDENCE = 0.95
FLOOR = 0.92
REPS = 4000
SMALL_AND_SKEWED = [(1.0, 30), (1.0, 100), (1.0, 300), (1.5, 30), (1.5, 100), (1.5, 300)]


def lognormal_mean(sigma: float) -> float:
    return math.exp(sigma * sigma / 2.0)


def moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row mean, sample variance (ddof 1) and skewness G1 — the figures the engine's scan returns."""
    return x.mean(axis=1), x.var(axis=1, ddof=1), sps.skew(x, axis=1, bias=False)


def mover_hits(pairs: list[tuple[Estimate, Estimate]]) -> tuple[float, float]:
    """How often the MOVER ratio interval holds 1 and the difference interval holds 0 (equal truths)."""
    ratio_hits = difference_hits = 0
    for a, b in pairs:
        ratio, difference = stats.mover_ratio(a, b), stats.mover_difference(a, b)
        ratio_hits += ratio.interval is not None and ratio.interval.contains(1.0)
        difference_hits += difference.interval is not None and difference.interval.contains(0.0)
    return ratio_hits / len(pairs), difference_hits / len(pairs)


def mean_intervals(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, high, G1) per sample (last axis), from :func:`stats.skewed_mean_interval`."""
    n = x.shape[-1]
    flat = x.reshape(-1, n)
    mean, var, skew = moments(flat)
    low, high = np.empty(len(flat)), np.empty(len(flat))
    for i in range(len(flat)):
        estimate = stats.skewed_mean_interval(float(mean[i]), float(var[i]), float(skew[i]), n, confidence)
        assert estimate.interval is not None
        low[i], high[i] = estimate.interval.low, estimate.interval.high
    shape = x.shape[:-1]
    return low.reshape(shape), high.reshape(shape), skew.reshape(shape)


def passes_gate(n: int, skewness: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda g: n >= stats.cochran_minimum(float(g)))(skewness)


GROUPS = 4  # groups per requirement: the judge gates each with the largest skewness among them
MEAN_CELLS = [*SMALL_AND_SKEWED, (1.0, 1000), (1.5, 1000), (1.5, 3000)]


@pytest.mark.parametrize(("sigma", "n"), MEAN_CELLS)
def test_skew_aware_mean_interval_and_cochran_gate(sigma: float, n: int) -> None:
    rng = np.random.default_rng(int(sigma * 1000) + n)
    truth = lognormal_mean(sigma)
    reps = REPS // GROUPS if n <= 300 else (500 if n <= 1000 else 250)
    low, high, skew = mean_intervals(rng.lognormal(0.0, sigma, size=(reps, GROUPS, n)), CONFIDENCE)
    covered = (low <= truth) & (truth <= high)
    own = passes_gate(n, skew)
    gate = np.broadcast_to(passes_gate(n, np.abs(skew).max(axis=1, keepdims=True)), own.shape)
    wrong = float((gate & ~covered).mean())  # a verdict resting on an interval that missed
    false_fail_at_least = float((gate & (high < truth)).mean())  # `mean >= truth at 95% confidence` fails
    false_fail_at_most = float((gate & (low > truth)).mean())  # `mean <= truth at 95% confidence` fails
    given_own = float(covered[own].mean()) if own.any() else math.nan
    given = float(covered[gate].mean()) if gate.any() else math.nan
    student = sps.t.ppf(0.5 + CONFIDENCE / 2, n - 1)
    mean, var, _ = moments(rng.lognormal(0.0, sigma, size=(reps * GROUPS, n)))
    half = student * np.sqrt(var / n)
    student_coverage = float(((mean - half <= truth) & (truth <= mean + half)).mean())
    print(
        f"mean, lognormal sigma={sigma} n={n}: skew-aware interval covers {covered.mean():.3f} "
        f"(Student t {student_coverage:.3f}); Cochran's gate on the group's own G1 passes {own.mean():.3f}, "
        f"covered there {given_own:.3f}; on the largest G1 of {GROUPS} groups passes {gate.mean():.3f}, "
        f"covered there {given:.3f}; wrong verdicts {wrong:.3f}; false fails at the true mean: "
        f">= {false_fail_at_least:.3f}, <= {false_fail_at_most:.3f}"
    )
    # the procedure (interval + gate) rests a verdict on a missing interval at most 8% of the time ...
    assert 1.0 - wrong >= FLOOR
    # ... and a rule whose threshold is the true mean fails at most 5% of the time
    assert max(false_fail_at_least, false_fail_at_most) <= 0.05
    if n >= 100:
        assert covered.mean() >= FLOOR
    if gate.sum() >= 400:  # where the gate lets verdicts through, the interval covers
        assert given >= 0.90
    assert covered.mean() >= student_coverage - 0.02  # never clearly worse than Student t


@pytest.mark.parametrize(("sigma", "n"), [(1.0, 30), (1.0, 100), (1.0, 300), (1.5, 300)])
def test_mover_comparisons_of_skewed_means(sigma: float, n: int) -> None:
    """Two groups with the same lognormal distribution: the ratio interval should hold 1, the difference 0."""
    rng = np.random.default_rng(99 + n)
    reps = 2000
    ma, va, sa = moments(rng.lognormal(0.0, sigma, size=(reps, n)))
    mb, vb, sb = moments(rng.lognormal(0.0, sigma, size=(reps, n + 50)))
    ratio, difference = mover_hits(
        [
            (
                stats.skewed_mean_interval(float(ma[i]), float(va[i]), float(sa[i]), n, CONFIDENCE),
                stats.skewed_mean_interval(float(mb[i]), float(vb[i]), float(sb[i]), n + 50, CONFIDENCE),
            )
            for i in range(reps)
        ]
    )
    print(
        f"means compared, lognormal sigma={sigma} n={n} vs {n + 50}: MOVER ratio covers {ratio:.3f}, difference {difference:.3f}"
    )
    assert ratio >= FLOOR and difference >= FLOOR


@pytest.mark.parametrize("n", (30, 100, 300))
@pytest.mark.parametrize("p", (0.05, 0.3, 0.8))
def test_share_intervals(n: int, p: float) -> None:
    rng = np.random.default_rng(int(p * 100) + n)
    x1 = rng.binomial(n, p, REPS)
    x2 = rng.binomial(n + 20, p, REPS)
    wilson = katz = newcombe = 0
    for a, b in zip(x1.tolist(), x2.tolist(), strict=True):
        w = stats.wilson(a, n, CONFIDENCE)
        k = stats.katz_ratio(a, n, b, n + 20, CONFIDENCE)
        d = stats.newcombe_difference(a, n, b, n + 20, CONFIDENCE)
        assert w.interval is not None and k.interval is not None and d.interval is not None
        wilson += w.interval.contains(p)
        katz += k.interval.contains(1.0)
        newcombe += d.interval.contains(0.0)
    print(
        f"shares p={p} n={n}: Wilson {wilson / REPS:.3f}, Katz ratio {katz / REPS:.3f}, "
        f"Newcombe difference {newcombe / REPS:.3f}"
    )
    for rate in (wilson, katz, newcombe):
        assert rate / REPS >= FLOOR


@pytest.mark.parametrize(("sigma", "n"), SMALL_AND_SKEWED)
@pytest.mark.parametrize("q", (0.5, 0.9))
def test_quantile_intervals_on_skewed_data(sigma: float, n: int, q: float) -> None:
    ranks = stats.quantile_ranks(n, q, CONFIDENCE)
    if ranks is None:
        print(f"p{round(q * 100)}, n={n}: no interval (needs {stats.quantile_minimum(q, CONFIDENCE)} tickets)")
        return
    rng = np.random.default_rng(int(sigma * 10) + n + int(q * 100))
    x = np.sort(rng.lognormal(0.0, sigma, size=(REPS, n)), axis=1)
    truth = math.exp(sigma * float(sps.norm.ppf(q)))
    low, high = x[:, ranks[0] - 1], x[:, ranks[1] - 1]
    coverage = float(((low <= truth) & (truth <= high)).mean())
    exact = float(sps.binom.cdf(ranks[1] - 1, n, q) - sps.binom.cdf(ranks[0] - 1, n, q))
    print(
        f"p{round(q * 100)}, lognormal sigma={sigma} n={n}: order statistics cover {coverage:.3f} (exact {exact:.3f})"
    )
    assert exact >= CONFIDENCE
    assert coverage >= FLOOR


@pytest.mark.parametrize(("sigma", "n"), [(1.0, 30), (1.0, 100), (1.5, 300)])
@pytest.mark.parametrize("q", (0.5, 0.9))
def test_mover_comparisons_of_quantiles(sigma: float, n: int, q: float) -> None:
    """Two groups with the same lognormal distribution; group intervals at the comparison's confidence."""
    ranks = stats.quantile_ranks(n, q, CONFIDENCE)
    if ranks is None:
        print(f"p{round(q * 100)} compared, n={n}: no interval (needs {stats.quantile_minimum(q, CONFIDENCE)})")
        return
    rng = np.random.default_rng(n + int(q * 10))
    a = np.sort(rng.lognormal(0.0, sigma, size=(REPS, n)), axis=1)
    b = np.sort(rng.lognormal(0.0, sigma, size=(REPS, n)), axis=1)
    qa, qb = np.quantile(a, q, axis=1), np.quantile(b, q, axis=1)
    ratio, difference = mover_hits(
        [
            (
                Estimate(float(qa[i]), stats.Interval(a[i, ranks[0] - 1], a[i, ranks[1] - 1])),
                Estimate(float(qb[i]), stats.Interval(b[i, ranks[0] - 1], b[i, ranks[1] - 1])),
            )
            for i in range(REPS)
        ]
    )
    print(
        f"p{round(q * 100)} compared, lognormal sigma={sigma} n={n}: MOVER ratio covers {ratio:.3f}, difference {difference:.3f}"
    )
    assert ratio >= FLOOR and difference >= FLOOR


def test_mantel_haenszel_pooled_intervals() -> None:
    rng = np.random.default_rng(5)
    rates = (0.2, 0.5, 0.8)
    sizes = ((40, 60), (80, 30), (50, 50))
    reps = 2000
    ratio_hits = difference_hits = 0
    for _ in range(reps):
        strata = [
            (int(rng.binomial(n1, p)), n1, int(rng.binomial(n2, p)), n2)
            for p, (n1, n2) in zip(rates, sizes, strict=True)
        ]
        ratio = stats.mantel_haenszel_ratio(strata, CONFIDENCE)
        difference = stats.mantel_haenszel_difference(strata, CONFIDENCE)
        ratio_hits += ratio.interval is not None and ratio.interval.contains(1.0)
        difference_hits += difference.interval is not None and difference.interval.contains(0.0)
    print(
        f"Mantel-Haenszel over 3 strata: ratio covers {ratio_hits / reps:.3f}, difference {difference_hits / reps:.3f}"
    )
    assert ratio_hits / reps >= FLOOR
    assert difference_hits / reps >= FLOOR
