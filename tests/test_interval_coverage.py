"""Replication: the coverage of every interval type on skewed and small groups.

Each test draws seeded samples (vectorised numpy), computes the interval with
:mod:`auditrules.tickets.stats` exactly as the judge does, and prints its coverage per cell
(``pytest -s`` shows the table). The goal is 93–97% at 95% confidence for n ≥ 30; a test fails
when a cell that the interval is meant for falls below 92%.

Means of skewed data are the hard case: no interval reaches 95% on lognormal σ = 1.5 at
n = 30. The judge therefore uses a skew-aware interval (Johnson's modified t in Hall's monotone
form) *and* Cochran's gate n > 25·G1²: below it the verdict is withheld (``insufficient_data``),
G1 taken from tickets whose luck is not the judged group's own (``judge.gate_skewness``). The
mean tests print the interval's own coverage, how often the gate gives a verdict, the coverage
where it does — what the issue promises, and what the tests assert — false fails at the true
mean and power.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from auditrules.tickets import judge, stats
from auditrules.tickets.plan.compiler import Cell
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


# ----------------------------------------------------------------------------- skewed means
#
# Each replication is one requirement: its groups drawn from one lognormal distribution. The
# intervals are stats.skewed_mean_interval and the gate is the judge's own (judge.gate_skewness
# with stats.cochran_minimum), so the figures are those of `auditrules check`. What the issue
# promises is the coverage *where a verdict is given*: a cell fails when, among the groups (or
# comparisons) the gate lets through, the interval covers less than 92% of the time. With fewer
# than FEW verdicts in a cell that share is too noisy for a fixed floor; there the cell fails when
# a one-sided binomial test rejects "coverage >= 92%" at the 1% level. Both are printed.

MEAN_REPS = 4000  # replications (requirements) per cell
FEW = 200
MEAN_CELLS = [(sigma, n) for sigma in (1.0, 1.5) for n in (30, 100, 300, 1000, 3000)]


def moment_draws(rng: np.random.Generator, sigma: float, shape: tuple[int, ...], n: int) -> tuple[np.ndarray, ...]:
    """(mean, variance, G1) of lognormal samples of n tickets, drawn in chunks to bound memory."""
    rows = int(np.prod(shape))
    chunk = max(1, 2_000_000 // n)
    parts = [moments(rng.lognormal(0.0, sigma, size=(min(chunk, rows - i), n))) for i in range(0, rows, chunk)]
    return tuple(np.concatenate([p[j] for p in parts]).reshape(shape) for j in range(3))


def gated(mode: str, n: int, var: np.ndarray, skew: np.ndarray) -> np.ndarray:
    """Whether each group of each replication (rows) passes the judge's Cochran gate."""
    out = np.empty(var.shape, dtype=bool)
    for r in range(var.shape[0]):
        groups = [
            judge.Group(str(i), (i,), (), (), Cell((i,), n, variance=float(var[r, i]), skewness=float(skew[r, i])))
            for i in range(var.shape[1])
        ]
        gate = judge.gate_skewness(mode, groups)
        out[r] = [n >= stats.cochran_minimum(gate[g.keys]) for g in groups]
    return out


def bounds(mean: np.ndarray, var: np.ndarray, skew: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of :func:`stats.skewed_mean_interval` at 95% for every sample."""
    low, high = np.empty(mean.size), np.empty(mean.size)
    for i, (m, v, g) in enumerate(zip(mean.ravel(), var.ravel(), skew.ravel(), strict=True)):
        interval = stats.skewed_mean_interval(float(m), float(v), float(g), n, CONFIDENCE).interval
        assert interval is not None
        low[i], high[i] = interval.low, interval.high
    return low.reshape(mean.shape), high.reshape(mean.shape)


def check_where_given(what: str, covered: np.ndarray, given: np.ndarray) -> None:
    """Coverage among the verdicts given, against the 92% floor (printed either way)."""
    verdicts, hits = int(given.sum()), int((covered & given).sum())
    if verdicts == 0:
        print(f"  {what}: no verdict given in {given.size}")
        return
    rate = hits / verdicts
    if verdicts >= FEW:
        print(f"  {what}: {verdicts} verdicts, covered {rate:.3f} (floor {FLOOR})")
        assert rate >= FLOOR, f"{what}: coverage where verdicts are given {rate:.3f} < {FLOOR}"
        return
    p_value = float(sps.binom.cdf(hits, verdicts, FLOOR))
    print(f"  {what}: {verdicts} verdicts, covered {rate:.3f}; P(this few covered | {FLOOR}) = {p_value:.3f}")
    assert p_value >= 0.01, f"{what}: {hits} of {verdicts} covered is significantly below {FLOOR}"


def one_sample_cell(sigma: float, n: int, groups: int) -> None:
    rng = np.random.default_rng(int(sigma * 1000) + n + groups)
    truth = lognormal_mean(sigma)
    mean, var, skew = moment_draws(rng, sigma, (MEAN_REPS, groups), n)
    low, high = bounds(mean, var, skew, n)
    covered = (low <= truth) & (truth <= high)
    given = gated("each", n, var, skew)
    half = sps.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * np.sqrt(var / n)
    student_coverage = float(((mean - half <= truth) & (truth <= mean + half)).mean())
    false_fail_at_least = float((given & (high < truth)).mean())  # `mean >= truth at 95% confidence` fails
    false_fail_at_most = float((given & (low > truth)).mean())  # `mean <= truth at 95% confidence` fails
    power = float((given & (low > truth / 1.25)).mean())  # `mean <= 0.8·truth` fails: the mean is 25% above
    print(
        f"\nmean of one group, lognormal sigma={sigma} n={n}, {groups} group(s) x {MEAN_REPS} replications: "
        f"skew-aware interval covers {covered.mean():.3f} (Student t {student_coverage:.3f}); the gate gives a "
        f"verdict for {given.mean():.3f}; false fails at the true mean >= {false_fail_at_least:.3f}, "
        f"<= {false_fail_at_most:.3f}; power on a mean 25% past the threshold {power:.3f}"
    )
    check_where_given("where the gate gives a verdict", covered, given)
    assert max(false_fail_at_least, false_fail_at_most) <= 0.05
    assert covered.mean() >= student_coverage - 0.02  # never clearly worse than Student t


GROUPS = 4  # groups per requirement, as in the standard pack's FAIR-007 (influence quartiles)


@pytest.mark.parametrize(("sigma", "n"), MEAN_CELLS)
def test_mean_of_one_group_where_the_gate_gives_a_verdict(sigma: float, n: int) -> None:
    """``require each GROUP: mean(x) >= v``: each group gated by the other groups' pooled skewness."""
    one_sample_cell(sigma, n, GROUPS)


ALONE_GAP = (
    "known gap, stated in docs/language.md: a group judged alone has no other tickets to estimate the "
    "skewness from, so its own G1 gates it and samples lacking the rare large values pass the gate"
)


def alone(sigma: float, n: int) -> Any:
    return pytest.param(sigma, n, marks=pytest.mark.xfail(strict=True, reason=ALONE_GAP))


@pytest.mark.parametrize(
    ("sigma", "n"),
    [
        *(alone(1.0, 30), alone(1.0, 100), (1.0, 300), (1.0, 1000), (1.0, 3000)),
        *(alone(1.5, 30), alone(1.5, 100), alone(1.5, 300), alone(1.5, 1000), (1.5, 3000)),
    ],
)
def test_mean_of_a_group_alone(sigma: float, n: int) -> None:
    """``require mean(x) >= v`` without groups, gated by its own G1: printed; the cells where it
    covers less than 92% are marked xfail(strict) — they fail loudly the day they pass."""
    one_sample_cell(sigma, n, 1)


@pytest.mark.parametrize(("sigma", "n"), MEAN_CELLS)
def test_comparisons_of_skewed_means_where_the_gate_gives_a_verdict(sigma: float, n: int) -> None:
    """``require across GROUP: ratio|difference(mean(x))`` over two groups of one distribution: the
    ratio interval should hold 1 and the difference 0 wherever the pooled gate lets them through."""
    rng = np.random.default_rng(99 + n + int(sigma * 10))
    ma, va, sa = moment_draws(rng, sigma, (MEAN_REPS,), n)
    mb, vb, sb = moment_draws(rng, sigma, (MEAN_REPS,), n + 50)
    ratio_hit, difference_hit, below_one, shifted_above, no_ratio = (np.zeros(MEAN_REPS, dtype=bool) for _ in range(5))
    for i in range(MEAN_REPS):
        a = stats.skewed_mean_interval(float(ma[i]), float(va[i]), float(sa[i]), n, CONFIDENCE)
        b = stats.skewed_mean_interval(float(mb[i]), float(vb[i]), float(sb[i]), n + 50, CONFIDENCE)
        ratio, difference = stats.mover_ratio(a, b).interval, stats.mover_difference(a, b).interval
        assert difference is not None and a.interval is not None
        if ratio is None:  # a group interval reaches 0: no ratio interval, so no verdict (inconclusive)
            no_ratio[i] = True
            continue
        ratio_hit[i], difference_hit[i], below_one[i] = ratio.contains(1.0), difference.contains(0.0), ratio.high < 1.0
        scaled = Estimate(a.value * 1.25, stats.Interval(a.interval.low * 1.25, a.interval.high * 1.25))
        shifted = stats.mover_ratio(scaled, b).interval  # the group's mean 1.25 times the reference's
        shifted_above[i] = shifted is not None and shifted.low > 1.0
    given = np.ones(MEAN_REPS, dtype=bool)
    for r in range(MEAN_REPS):
        groups = [
            judge.Group("a", (0,), (), (), Cell((0,), n, variance=float(va[r]), skewness=float(sa[r]))),
            judge.Group("b", (1,), (), (), Cell((1,), n + 50, variance=float(vb[r]), skewness=float(sb[r]))),
        ]
        gate = judge.gate_skewness("across", groups)
        given[r] = all(g.n >= stats.cochran_minimum(gate[g.keys]) for g in groups)
    given &= ~no_ratio
    false_fail = float((given & below_one).mean())  # `ratio >= 1 at 95% confidence` fails
    power = float((given & shifted_above).mean())  # `ratio <= 1` fails on a ratio of 1.25
    print(
        f"\nmeans compared, lognormal sigma={sigma} n={n} vs {n + 50}, {MEAN_REPS} replications: MOVER ratio covers "
        f"{ratio_hit.mean():.3f}, difference {difference_hit.mean():.3f}; the pooled gate gives a verdict for "
        f"{given.mean():.3f}; false fails of `ratio >= 1` at ratio 1: {false_fail:.3f}; power on a ratio of 1.25 "
        f"against `ratio <= 1`: {power:.3f}"
    )
    check_where_given("ratio, where the gate gives a verdict", ratio_hit, given)
    check_where_given("difference, where the gate gives a verdict", difference_hit, given)
    assert false_fail <= 0.05


@pytest.mark.parametrize(("sigma", "n"), [(1.0, 300), (1.0, 1000), (1.5, 1000), (1.5, 3000)])
def test_fair007_shape_three_ratios_against_one_reference(sigma: float, n: int) -> None:
    """FAIR-007's shape: 4 groups of one distribution, 3 ratios against the first at Bonferroni's
    per-comparison confidence. Where the pooled gate gives verdicts, all three intervals should
    hold 1 together (family-wise) at least 92% of the time; the nominal figure is 95%."""
    rng = np.random.default_rng(7 + n + int(sigma * 10))
    mean, var, skew = moment_draws(rng, sigma, (MEAN_REPS, GROUPS), n)
    per_comparison = stats.bonferroni(CONFIDENCE, GROUPS - 1)
    family_hit = np.zeros(MEAN_REPS, dtype=bool)
    defined = np.ones(MEAN_REPS, dtype=bool)
    for r in range(MEAN_REPS):
        group = [
            stats.skewed_mean_interval(float(mean[r, i]), float(var[r, i]), float(skew[r, i]), n, per_comparison)
            for i in range(GROUPS)
        ]
        ratios = [stats.mover_ratio(group[i], group[0]).interval for i in range(1, GROUPS)]
        defined[r] = all(ratio is not None for ratio in ratios)
        family_hit[r] = all(ratio is not None and ratio.contains(1.0) for ratio in ratios)
    given = gated("across", n, var, skew).all(axis=1) & defined
    print(
        f"\n3 ratios of means against one reference, lognormal sigma={sigma} n={n}, {MEAN_REPS} replications: "
        f"all three intervals hold 1 in {family_hit.mean():.3f}; the pooled gate gives a verdict for {given.mean():.3f}"
    )
    check_where_given("family of 3, where the gate gives a verdict", family_hit, given)


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
