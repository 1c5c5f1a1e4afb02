"""Tests for auditrules.tickets.stats: every interval against an independent computation.

scipy is the reference where it has the method; otherwise the formula is written out
again here with numpy (independently of the module) or a published worked example is used.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from scipy.stats.contingency import relative_risk

from auditrules.tickets import stats
from auditrules.tickets.stats import Comparison, Estimate, GroupStat, Interval

CONFIDENCES = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1 - 0.05 / 66)


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b) if b != 0 else abs(a)


# --------------------------------------------------------------------------- quantile functions


@pytest.mark.parametrize(
    "p",
    [1e-300, 1e-50, 1e-12, 1e-6, 1e-3, 0.02, 0.0749, 0.075, 0.2, 0.3, 0.49, 0.51, 0.7, 0.925, 0.975, 1 - 1e-9],
)
def test_normal_quantile_matches_scipy(p: float) -> None:
    assert rel(stats.normal_quantile(p), float(sps.norm.ppf(p))) <= 1e-12


def test_normal_quantile_median_is_zero() -> None:
    assert stats.normal_quantile(0.5) == 0.0


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_z_value_matches_scipy(confidence: float) -> None:
    assert rel(stats.z_value(confidence), float(sps.norm.isf((1 - confidence) / 2))) <= 1e-12


def test_z_value_95() -> None:
    assert stats.z_value(0.95) == pytest.approx(1.959963984540054, rel=1e-14)


DFS = (1, 1.5, 2, 2.5, 3, 4.7, 5, 9, 29.3, 100, 999.5, 9999, 1e4, 1e5, 1e7, 1e12)


@pytest.mark.parametrize("df", DFS)
@pytest.mark.parametrize("confidence", (*CONFIDENCES, 0.01, 1 - 1e-8))
def test_t_value_matches_scipy(df: float, confidence: float) -> None:
    # isf of the tail (not ppf of 1 - tail) keeps scipy's own answer precise near 1.
    expected = float(sps.t.isf((1 - confidence) / 2, df))
    assert rel(stats.t_value(confidence, df), expected) <= 1e-9


@pytest.mark.parametrize("df", DFS)
@pytest.mark.parametrize("p", (0.001, 0.1, 0.3, 0.5, 0.6, 0.9, 0.995))
def test_t_quantile_matches_scipy(df: float, p: float) -> None:
    expected = float(sps.t.ppf(p, df))
    got = stats.t_quantile(p, df)
    assert abs(got - expected) <= 1e-9 * max(abs(expected), 1e-3)


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [
        (3, 10, 0.5),
        (0, 100, 0.3),
        (10, 1000, 0.3),
        (299, 1000, 0.3),
        (350, 1000, 0.3),
        (400, 1000, 0.3),
        (5, 40, 0.9),
        (39, 40, 0.9),
        (0, 1, 0.5),
        (4990, 10000, 0.5),
        (20, 2000, 0.01),
        (1, 7, 0.999),
    ],
)
def test_binomial_cdf_matches_scipy(k: int, n: int, p: float) -> None:
    assert rel(stats.binomial_cdf(k, n, p), float(sps.binom.cdf(k, n, p))) <= 1e-9


def test_binomial_cdf_edges() -> None:
    assert stats.binomial_cdf(-1, 10, 0.3) == 0.0
    assert stats.binomial_cdf(10, 10, 0.3) == 1.0
    assert stats.binomial_cdf(3, 10, 0.0) == 1.0
    assert stats.binomial_cdf(3, 10, 1.0) == 0.0


def test_invalid_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="confidence"):
        stats.z_value(1.0)
    with pytest.raises(ValueError, match="degrees of freedom"):
        stats.t_value(0.95, 0)
    with pytest.raises(ValueError, match="successes"):
        stats.wilson(5, 4, 0.95)
    with pytest.raises(ValueError, match="inverted"):
        Interval(2.0, 1.0)


# --------------------------------------------------------------------------- shares


WILSON_CASES = [(0, 10), (1, 10), (5, 10), (10, 10), (3, 7), (0, 1), (1, 1), (123, 500), (499, 500), (2, 10_000)]


@pytest.mark.parametrize(("x", "n"), WILSON_CASES)
@pytest.mark.parametrize("confidence", (0.8, 0.95, 0.99, 1 - 0.05 / 18))
def test_wilson_matches_scipy(x: int, n: int, confidence: float) -> None:
    ci = sps.binomtest(x, n).proportion_ci(confidence_level=confidence, method="wilson")
    estimate = stats.wilson(x, n, confidence)
    assert estimate.value == x / n
    assert estimate.interval is not None
    assert estimate.interval.low == pytest.approx(ci.low, abs=1e-12)
    assert estimate.interval.high == pytest.approx(ci.high, abs=1e-12)


def test_wilson_empty_group() -> None:
    estimate = stats.wilson(0, 0, 0.95)
    assert math.isnan(estimate.value) and estimate.interval is None


def katz_by_hand(x1: float, n1: float, x2: float, n2: float, confidence: float) -> tuple[float, float, float]:
    """Katz et al. (1978), written out again: exp(log RR ± z·sqrt(1/x1 − 1/n1 + 1/x2 − 1/n2))."""
    rr = (x1 / n1) / (x2 / n2)
    se = np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    z = float(sps.norm.ppf(0.5 + confidence / 2))
    return rr, float(rr * np.exp(-z * se)), float(rr * np.exp(z * se))


KATZ_CASES = [
    (10, 50, 20, 50),
    (56, 70, 48, 80),
    (1, 3, 2, 3),
    (250, 500, 200, 500),
    (30, 30, 10, 40),
    (7, 900, 9, 1100),
]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), KATZ_CASES)
@pytest.mark.parametrize("confidence", (0.9, 0.95, 0.99))
def test_katz_matches_scipy_relative_risk(x1: int, n1: int, x2: int, n2: int, confidence: float) -> None:
    result = relative_risk(x1, n1, x2, n2)
    ci = result.confidence_interval(confidence_level=confidence)
    # scipy's interval is the Katz interval: check the method before trusting it as the reference.
    _, low, high = katz_by_hand(x1, n1, x2, n2, confidence)
    assert (ci.low, ci.high) == pytest.approx((low, high), rel=1e-9)
    estimate = stats.katz_ratio(x1, n1, x2, n2, confidence)
    assert estimate.value == pytest.approx(result.relative_risk, rel=1e-12)
    assert estimate.interval is not None
    assert estimate.interval.low == pytest.approx(ci.low, rel=1e-9)
    assert estimate.interval.high == pytest.approx(ci.high, rel=1e-9)


def test_katz_zero_count_uses_haldane_correction() -> None:
    # scipy gives ratio 0 with interval (0, nan) here; the module adds 1/2 to every cell.
    rr, low, high = katz_by_hand(0.5, 11, 3.5, 11, 0.95)
    estimate = stats.katz_ratio(0, 10, 3, 10, 0.95)
    assert estimate.value == pytest.approx(rr, rel=1e-12)
    assert estimate.interval is not None
    assert (estimate.interval.low, estimate.interval.high) == pytest.approx((low, high), rel=1e-12)
    flipped = stats.katz_ratio(3, 10, 0, 10, 0.95)
    assert flipped.value == pytest.approx(1 / rr, rel=1e-12)
    assert flipped.interval is not None
    assert flipped.interval.low == pytest.approx(1 / high, rel=1e-12)


def test_katz_undefined_ratio() -> None:
    for args in [(3, 10, 0, 0), (0, 0, 3, 10)]:
        estimate = stats.katz_ratio(*args, 0.95)
        assert math.isnan(estimate.value) and estimate.interval is None


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10.
NEWCOMBE_PUBLISHED = [
    ((56, 70, 48, 80), 0.2, 0.0524, 0.3339),
    ((9, 10, 3, 10), 0.6, 0.1705, 0.8090),
    ((5, 56, 0, 29), 0.0893, -0.0381, 0.1926),
    ((0, 10, 0, 20), 0.0, -0.1611, 0.2775),
    ((0, 10, 0, 10), 0.0, -0.2775, 0.2775),
    ((10, 10, 0, 20), 1.0, 0.6791, 1.0),
    ((10, 10, 0, 10), 1.0, 0.6075, 1.0),
]


@pytest.mark.parametrize(("counts", "value", "low", "high"), NEWCOMBE_PUBLISHED)
def test_newcombe_published_examples(counts: tuple[int, int, int, int], value: float, low: float, high: float) -> None:
    estimate = stats.newcombe_difference(*counts, 0.95)
    assert estimate.value == pytest.approx(value, abs=5e-5)
    assert estimate.interval is not None
    assert round(estimate.interval.low, 4) == pytest.approx(low, abs=1e-9)
    assert round(estimate.interval.high, 4) == pytest.approx(high, abs=1e-9)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), KATZ_CASES)
def test_newcombe_from_scipy_wilson(x1: int, n1: int, x2: int, n2: int) -> None:
    c = 0.99
    w1 = sps.binomtest(x1, n1).proportion_ci(confidence_level=c, method="wilson")
    w2 = sps.binomtest(x2, n2).proportion_ci(confidence_level=c, method="wilson")
    p1, p2 = x1 / n1, x2 / n2
    low = p1 - p2 - math.hypot(p1 - w1.low, w2.high - p2)
    high = p1 - p2 + math.hypot(w1.high - p1, p2 - w2.low)
    estimate = stats.newcombe_difference(x1, n1, x2, n2, c)
    assert estimate.interval is not None
    assert (estimate.interval.low, estimate.interval.high) == pytest.approx((low, high), abs=1e-12)
    swapped = stats.newcombe_difference(x2, n2, x1, n1, c)
    assert swapped.interval is not None
    assert swapped.interval.low == pytest.approx(-estimate.interval.high, abs=1e-12)


# --------------------------------------------------------------------------- means


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("confidence", (0.9, 0.95, 0.99))
def test_welch_matches_scipy_ttest(seed: int, confidence: float) -> None:
    rng = np.random.default_rng(seed)
    a = rng.lognormal(1.0, 0.8, size=int(rng.integers(3, 60)))
    b = rng.lognormal(1.3, 0.4, size=int(rng.integers(3, 60)))
    ci = sps.ttest_ind(a, b, equal_var=False).confidence_interval(confidence_level=confidence)
    estimate = stats.welch_difference(
        float(a.mean()), float(a.var(ddof=1)), len(a), float(b.mean()), float(b.var(ddof=1)), len(b), confidence
    )
    assert estimate.value == pytest.approx(float(a.mean() - b.mean()), rel=1e-12)
    assert estimate.interval is not None
    assert estimate.interval.low == pytest.approx(float(ci.low), rel=1e-9)
    assert estimate.interval.high == pytest.approx(float(ci.high), rel=1e-9)


def test_welch_degenerate_cases() -> None:
    assert stats.welch_difference(3.0, 1.0, 1, 2.0, 1.0, 10, 0.95) == Estimate(1.0, None)
    assert stats.welch_difference(3.0, 0.0, 5, 2.0, 0.0, 10, 0.95) == Estimate(1.0, Interval(1.0, 1.0))
    assert math.isnan(stats.welch_difference(3.0, 1.0, 0, 2.0, 1.0, 10, 0.95).value)


@pytest.mark.parametrize(("n", "confidence"), [(2, 0.95), (5, 0.9), (30, 0.99), (1000, 0.95)])
def test_mean_interval_matches_scipy(n: int, confidence: float) -> None:
    low, high = sps.t.interval(confidence, n - 1, loc=4.2, scale=math.sqrt(2.5 / n))
    estimate = stats.mean_interval(4.2, 2.5, n, confidence)
    assert estimate.interval is not None
    assert (estimate.interval.low, estimate.interval.high) == pytest.approx((low, high), rel=1e-10)
    assert stats.mean_interval(4.2, 0.0, 1, confidence) == Estimate(4.2, None)


def test_ratio_of_means_formula() -> None:
    m1, v1, n1, m2, v2, n2 = 12.0, 30.0, 40, 10.0, 12.0, 25
    a, b = v1 / (n1 * m1**2), v2 / (n2 * m2**2)
    df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
    half = float(sps.t.isf(0.025, df)) * math.sqrt(a + b)
    estimate = stats.ratio_of_means(m1, v1, n1, m2, v2, n2, 0.95)
    assert estimate.value == pytest.approx(1.2)
    assert estimate.interval is not None
    assert estimate.interval.low == pytest.approx(1.2 * math.exp(-half), rel=1e-10)
    assert estimate.interval.high == pytest.approx(1.2 * math.exp(half), rel=1e-10)
    swapped = stats.ratio_of_means(m2, v2, n2, m1, v1, n1, 0.95)
    assert swapped.interval is not None
    assert swapped.interval.low == pytest.approx(1 / estimate.interval.high, rel=1e-12)
    assert stats.ratio_of_means(-1.0, 1.0, 10, 2.0, 1.0, 10, 0.95) == Estimate(-0.5, None)


def test_ratio_of_means_coverage() -> None:
    rng = np.random.default_rng(7)
    reps, covered = 2000, 0
    true_ratio = 2.0 / 3.0  # exponential means 2 and 3
    for _ in range(reps):
        a, b = rng.exponential(2.0, 150), rng.exponential(3.0, 200)
        e = stats.ratio_of_means(
            float(a.mean()), float(a.var(ddof=1)), 150, float(b.mean()), float(b.var(ddof=1)), 200, 0.95
        )
        assert e.interval is not None
        covered += e.interval.contains(true_ratio)
    # delta-method interval: asymptotic, so allow 3 Monte Carlo standard errors (0.015) below nominal
    assert covered / reps >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / reps)


# --------------------------------------------------------------------------- quantiles


def coverage_scipy(n: int, q: float, lo: int, hi: int) -> float:
    """P(X_(lo) <= ξ_q <= X_(hi)) = P(lo <= B <= hi - 1), B ~ Binomial(n, q)."""
    return float(sps.binom.cdf(hi - 1, n, q) - sps.binom.cdf(lo - 1, n, q))


@pytest.mark.parametrize("q", (0.1, 0.25, 0.5, 0.9, 0.95, 0.99))
@pytest.mark.parametrize("confidence", (0.8, 0.95, 0.99))
def test_quantile_ranks_cover_and_are_narrowest(q: float, confidence: float) -> None:
    for n in range(1, 80):
        ranks = stats.quantile_ranks(n, q, confidence)
        # brute force over every pair of ranks: coverage[l, u] = F(u - 1) - F(l - 1) for ranks first = l, last = u
        cdf = sps.binom.cdf(np.arange(-1, n + 1), n, q)  # cdf[k + 1] = F(k)
        first, last = np.meshgrid(np.arange(1, n + 1), np.arange(1, n + 1), indexing="ij")
        coverage = cdf[last] - cdf[first]
        ok = (last > first) & (coverage >= confidence - 1e-12)
        if not ok.any():
            assert ranks is None, (n, q, confidence)
            continue
        assert ranks is not None, (n, q, confidence)
        lo, hi = ranks
        assert 1 <= lo < hi <= n
        assert coverage_scipy(n, q, lo, hi) >= confidence - 1e-12
        assert hi - lo == int((last - first)[ok].min()), (n, q, confidence, ranks)


@pytest.mark.parametrize("n", (500, 20_000, 1_000_000))
def test_quantile_ranks_large_n(n: int) -> None:
    for q in (0.5, 0.9, 0.99):
        ranks = stats.quantile_ranks(n, q, 0.95)
        assert ranks is not None
        lo, hi = ranks
        assert coverage_scipy(n, q, lo, hi) >= 0.95 - 1e-9
        # one rank narrower on either side no longer reaches the confidence
        assert coverage_scipy(n, q, lo + 1, hi) < 0.95 or coverage_scipy(n, q, lo, hi - 1) < 0.95
        assert lo <= n * q <= hi


def test_quantile_ranks_too_small() -> None:
    # 1 - 2 * 0.5**5 = 0.9375 < 0.95: five tickets cannot bracket a median at 95%
    assert stats.quantile_ranks(5, 0.5, 0.95) is None
    assert stats.quantile_ranks(6, 0.5, 0.95) == (1, 6)
    assert stats.quantile_ranks(10, 0.5, 0.95) == (2, 9)


@pytest.mark.parametrize("q", (0.1, 0.5, 0.73, 0.9, 0.99))
def test_quantile_point_is_numpy_linear(q: float) -> None:
    values = sorted(np.random.default_rng(3).exponential(5.0, 301).tolist())
    estimate = stats.quantile_interval_from_values(values, q, 0.95)
    assert estimate.value == pytest.approx(float(np.quantile(values, q)), rel=1e-12)
    ranks = stats.quantile_ranks(301, q, 0.95)
    assert ranks is not None
    assert estimate.interval == Interval(values[ranks[0] - 1], values[ranks[1] - 1])


def test_quantile_interval_small_samples() -> None:
    assert stats.quantile_interval_from_values([1.0, 2.0, 4.0], 0.5, 0.95) == Estimate(2.0, None)
    assert math.isnan(stats.quantile_interval_from_values([], 0.5, 0.95).value)
    with pytest.raises(ValueError, match="sorted"):
        stats.quantile_interval_from_values([2.0, 1.0], 0.5, 0.95)


@pytest.mark.parametrize(
    ("name", "n", "q", "draw", "truth"),
    [
        ("exponential median", 41, 0.5, lambda rng, n: rng.exponential(1.0, n), math.log(2.0)),
        ("normal p90", 60, 0.9, lambda rng, n: rng.normal(0.0, 1.0, n), float(sps.norm.ppf(0.9))),
        ("lognormal p25", 25, 0.25, lambda rng, n: rng.lognormal(0.0, 1.0, n), math.exp(float(sps.norm.ppf(0.25)))),
    ],
)
def test_quantile_interval_coverage_simulation(name: str, n: int, q: float, draw: object, truth: float) -> None:
    rng = np.random.default_rng(2024)
    reps, covered = 4000, 0
    for _ in range(reps):
        sample = sorted(draw(rng, n).tolist())  # type: ignore[operator]
        estimate = stats.quantile_interval_from_values(sample, q, 0.95)
        assert estimate.interval is not None
        covered += estimate.interval.contains(truth)
    observed = covered / reps
    ranks = stats.quantile_ranks(n, q, 0.95)
    assert ranks is not None
    exact = coverage_scipy(n, q, *ranks)
    se = math.sqrt(exact * (1 - exact) / reps)
    print(f"{name}: observed coverage {observed:.4f}, exact {exact:.4f}")
    assert exact >= 0.95
    # Monte Carlo noise: the observed rate sits within 4 standard errors of the exact coverage,
    # and so is not below nominal by more than that noise.
    assert abs(observed - exact) <= 4 * se, name
    assert observed >= 0.95 - 3 * se, name


# --------------------------------------------------------------------------- strata


STRATA = [(10, 50, 5, 50), (20, 40, 10, 60)]


def test_mantel_haenszel_ratio_hand_computed() -> None:
    # R = 10·50/100 + 20·60/100 = 5 + 12 = 17;  S = 5·50/100 + 10·40/100 = 2.5 + 4 = 6.5
    # Greenland-Robins numerator: (50·50·15/100² − 10·5/100) + (40·60·30/100² − 20·10/100) = 3.25 + 5.2
    rr = 17 / 6.5
    se = math.sqrt((3.25 + 5.2) / (17 * 6.5))
    z = 1.959963984540054
    estimate = stats.mantel_haenszel_ratio(STRATA, 0.95)
    assert estimate.value == pytest.approx(rr, rel=1e-12)
    assert estimate.interval is not None
    assert estimate.interval.low == pytest.approx(rr * math.exp(-z * se), rel=1e-12)
    assert estimate.interval.high == pytest.approx(rr * math.exp(z * se), rel=1e-12)
    assert round(estimate.interval.low, 4) == 1.5211 and round(estimate.interval.high, 4) == 4.4970


def mh_ratio_numpy(strata: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Greenland & Robins (1985), vectorised and written independently of the module."""
    a, n1, b, n0 = (strata[:, i].astype(float) for i in range(4))
    t = n1 + n0
    r, s = np.sum(a * n0 / t), np.sum(b * n1 / t)
    var = np.sum((n1 * n0 * (a + b) - a * b * t) / t**2) / (r * s)
    z = sps.norm.ppf(0.5 + confidence / 2)
    return (
        float(r / s),
        float(np.exp(np.log(r / s) - z * np.sqrt(var))),
        float(np.exp(np.log(r / s) + z * np.sqrt(var))),
    )


def mh_difference_numpy(strata: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Sato (1989), vectorised and written independently of the module (layout as epiR)."""
    a, n1, b, n0 = (strata[:, i].astype(float) for i in range(4))
    t = n1 + n0
    w = np.sum(n1 * n0 / t)
    rd = np.sum((a * n0 - b * n1) / t) / w
    p = np.sum((n1**2 * b - n0**2 * a + 0.5 * n1 * n0 * (n0 - n1)) / t**2)
    q = np.sum((a * (n0 - b) + b * (n1 - a)) / (2 * t))
    se = np.sqrt(rd * p + q) / w
    z = sps.norm.ppf(0.5 + confidence / 2)
    return float(rd), float(rd - z * se), float(rd + z * se)


@pytest.mark.parametrize("seed", range(5))
def test_mantel_haenszel_matches_independent_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 400, size=(4, 2))
    x = rng.binomial(n, [[0.3, 0.2], [0.5, 0.45], [0.2, 0.1], [0.6, 0.5]])
    table = np.column_stack([x[:, 0], n[:, 0], x[:, 1], n[:, 1]])
    strata = [(int(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in table]
    for function, reference in [
        (stats.mantel_haenszel_ratio, mh_ratio_numpy),
        (stats.mantel_haenszel_difference, mh_difference_numpy),
    ]:
        value, low, high = reference(table, 0.9)
        estimate = function(strata, 0.9)
        assert estimate.value == pytest.approx(value, rel=1e-12)
        assert estimate.interval is not None
        assert (estimate.interval.low, estimate.interval.high) == pytest.approx((low, high), rel=1e-10)


def test_mantel_haenszel_difference_hand_computed() -> None:
    # RD = (2.5 + 8) / (25 + 24); ΣP = −1.25 − 3.2; ΣQ = 3.25 + 6  (Sato 1989)
    rd = 10.5 / 49
    se = math.sqrt(rd * -4.45 + 9.25) / 49
    estimate = stats.mantel_haenszel_difference(STRATA, 0.95)
    assert estimate.value == pytest.approx(rd, rel=1e-12)
    assert estimate.interval is not None
    assert estimate.interval.low == pytest.approx(rd - 1.959963984540054 * se, rel=1e-12)
    assert round(estimate.interval.low, 4) == 0.0991 and round(estimate.interval.high, 4) == 0.3295


def test_mantel_haenszel_single_stratum_reduces_to_two_group_intervals() -> None:
    katz = stats.katz_ratio(30, 200, 45, 260, 0.95)
    pooled = stats.mantel_haenszel_ratio([(30, 200, 45, 260)], 0.95)
    assert pooled.value == pytest.approx(katz.value, rel=1e-12)
    assert pooled.interval is not None and katz.interval is not None
    assert pooled.interval.low == pytest.approx(katz.interval.low, rel=1e-12)
    # Sato's variance equals the Wald variance for one stratum with equal group sizes
    rd = stats.mantel_haenszel_difference([(30, 200, 45, 200)], 0.95)
    wald = math.sqrt(0.15 * 0.85 / 200 + 0.225 * 0.775 / 200)
    assert rd.interval is not None
    assert rd.interval.high == pytest.approx(-0.075 + 1.959963984540054 * wald, rel=1e-12)


def test_mantel_haenszel_sparse_and_empty() -> None:
    undefined = stats.mantel_haenszel_ratio([(0, 10, 0, 10), (0, 5, 0, 7)], 0.95)
    assert math.isnan(undefined.value) and undefined.interval is None
    corrected = stats.mantel_haenszel_ratio([(0, 10, 2, 10), (0, 5, 0, 0)], 0.95)
    katz = stats.katz_ratio(0, 10, 2, 10, 0.95)  # the stratum without a second group is dropped
    assert corrected.value == pytest.approx(katz.value, rel=1e-12)
    assert math.isnan(stats.mantel_haenszel_difference([(3, 10, 0, 0)], 0.95).value)


def test_mantel_haenszel_coverage() -> None:
    rng = np.random.default_rng(5)
    rates = np.array([[0.3, 0.2], [0.5, 1 / 3], [0.15, 0.1]])  # common ratio 1.5 in every stratum
    reps, covered = 2000, 0
    for _ in range(reps):
        n = rng.integers(80, 200, size=(3, 2))
        x = rng.binomial(n, rates)
        strata = [(int(x[i, 0]), int(n[i, 0]), int(x[i, 1]), int(n[i, 1])) for i in range(3)]
        e = stats.mantel_haenszel_ratio(strata, 0.95)
        assert e.interval is not None
        covered += e.interval.contains(1.5)
    assert covered / reps >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / reps)


# --------------------------------------------------------------------------- multiplicity


def test_bonferroni() -> None:
    assert stats.bonferroni(0.95, 1) == pytest.approx(0.95)
    assert stats.bonferroni(0.95, 6) == pytest.approx(1 - 0.05 / 6)
    with pytest.raises(ValueError):
        stats.bonferroni(0.95, 0)


def est(value: float, low: float, high: float) -> Estimate:
    return Estimate(value, Interval(low, high))


VERDICTS = [
    # (estimate, op, threshold, high, expected)
    (est(0.9, 0.85, 0.95), ">=", 0.8, None, "pass"),
    (est(0.85, 0.75, 0.95), ">=", 0.8, None, "pass"),  # point meets the rule, interval straddles
    (est(0.75, 0.65, 0.85), ">=", 0.8, None, "inconclusive"),
    (est(0.7, 0.6, 0.79), ">=", 0.8, None, "fail"),
    (est(0.7, 0.6, 0.8), ">=", 0.8, None, "inconclusive"),  # 0.8 itself satisfies >=
    (est(0.7, 0.6, 0.8), ">", 0.8, None, "fail"),  # but not >
    (est(0.8, 0.7, 0.9), ">", 0.8, None, "inconclusive"),
    (est(0.9, 0.7, 1.0), ">", 0.8, None, "pass"),
    (est(0.05, 0.03, 0.12), "<=", 0.10, None, "pass"),
    (est(0.11, 0.09, 0.13), "<=", 0.10, None, "inconclusive"),
    (est(0.15, 0.10, 0.2), "<=", 0.10, None, "inconclusive"),
    (est(0.15, 0.11, 0.2), "<=", 0.10, None, "fail"),
    (est(0.15, 0.10, 0.2), "<", 0.10, None, "fail"),
    (est(0.10, 0.05, 0.2), "<", 0.10, None, "inconclusive"),
    (est(0.09, 0.05, 0.2), "<", 0.10, None, "pass"),
    (est(1.0, 0.7, 1.4), "between", 0.8, 1.25, "pass"),
    (est(1.25, 1.2, 1.3), "between", 0.8, 1.25, "pass"),  # inclusive bounds
    (est(1.3, 1.2, 1.4), "between", 0.8, 1.25, "inconclusive"),
    (est(1.4, 1.26, 1.5), "between", 0.8, 1.25, "fail"),
    (est(0.7, 0.6, 0.85), "between", 0.8, 1.25, "inconclusive"),
    (est(0.7, 0.6, 0.79), "between", 0.8, 1.25, "fail"),
    (est(0.7, 0.5, 1.5), "between", 0.8, 1.25, "inconclusive"),
]


@pytest.mark.parametrize(("estimate", "op", "threshold", "high", "expected"), VERDICTS)
def test_verdict(estimate: Estimate, op: str, threshold: float, high: float | None, expected: str) -> None:
    assert stats.verdict(estimate, op, threshold, high) == expected


@pytest.mark.parametrize(
    ("value", "op", "threshold", "high", "expected"),
    [
        (0.8, ">=", 0.8, None, "pass"),
        (0.8, ">", 0.8, None, "fail"),
        (0.1, "<=", 0.1, None, "pass"),
        (0.1, "<", 0.1, None, "fail"),
        (1.25, "between", 0.8, 1.25, "pass"),
        (0.79, "between", 0.8, 1.25, "fail"),
    ],
)
def test_point_verdict_and_verdict_without_interval(
    value: float, op: str, threshold: float, high: float | None, expected: str
) -> None:
    assert stats.point_verdict(value, op, threshold, high) == expected
    # under a confidence, a figure without an interval is neither a pass nor a fail
    assert stats.verdict(Estimate(value, None), op, threshold, high) == "inconclusive"


def test_verdict_on_undefined_value_is_inconclusive() -> None:
    assert stats.verdict(Estimate(float("nan"), None), ">=", 0.8) == "inconclusive"


def test_verdict_refuses_bad_operators() -> None:
    with pytest.raises(ValueError, match="operator"):
        stats.verdict(est(1, 0, 2), "==", 1.0)
    with pytest.raises(ValueError, match="between"):
        stats.verdict(est(1, 0, 2), "between", 1.0)


# --------------------------------------------------------------------------- group comparisons


SHARE_GROUPS = {
    "email": GroupStat("email", 400, 200 / 400, successes=200),
    "phone": GroupStat("phone", 300, 120 / 300, successes=120),
    "twitter": GroupStat("twitter", 200, 150 / 200, successes=150),
}


def test_compare_groups_between_groups_ratio() -> None:
    comparisons = stats.compare_groups(SHARE_GROUPS, "ratio", "share", None, 0.95)
    per_pair = stats.bonferroni(0.95, 3)
    assert [(c.group, c.reference) for c in comparisons] == [
        ("phone", "twitter"),
        ("email", "twitter"),
        ("phone", "email"),
    ]
    worst = comparisons[0]
    assert worst.value == pytest.approx(0.4 / 0.75)  # min/max over groups
    expected = stats.katz_ratio(120, 300, 150, 200, per_pair)
    assert worst == Comparison("phone", "twitter", expected.value, expected.interval)


def test_compare_groups_between_groups_difference() -> None:
    comparisons = stats.compare_groups(SHARE_GROUPS, "difference", "share", None, 0.95)
    assert comparisons[0].group == "twitter" and comparisons[0].reference == "phone"
    assert comparisons[0].value == pytest.approx(0.35)  # max − min
    expected = stats.newcombe_difference(150, 200, 120, 300, stats.bonferroni(0.95, 3))
    assert comparisons[0].interval == expected.interval
    assert [c.value for c in comparisons] == sorted((c.value for c in comparisons), reverse=True)


def test_compare_groups_with_reference() -> None:
    comparisons = stats.compare_groups(SHARE_GROUPS, "ratio", "share", "email", 0.9)
    assert [(c.group, c.reference) for c in comparisons] == [("phone", "email"), ("twitter", "email")]
    expected = stats.katz_ratio(150, 200, 200, 400, stats.bonferroni(0.9, 2))
    assert comparisons[1] == Comparison("twitter", "email", expected.value, expected.interval)
    with pytest.raises(ValueError, match="reference"):
        stats.compare_groups(SHARE_GROUPS, "ratio", "share", "fax", 0.9)


def test_compare_groups_without_confidence() -> None:
    comparisons = stats.compare_groups(SHARE_GROUPS, "difference", "share", "phone", None)
    assert [(c.group, round(c.value, 10), c.interval) for c in comparisons] == [
        ("twitter", 0.35, None),
        ("email", 0.1, None),
    ]


def test_compare_groups_means() -> None:
    groups = {
        "a": GroupStat("a", 50, 12.0, variance=30.0),
        "b": GroupStat("b", 40, 10.0, variance=20.0),
    }
    (ratio,) = stats.compare_groups(groups, "ratio", "mean", None, 0.95)
    assert (ratio.group, ratio.reference) == ("b", "a")
    assert ratio.interval == stats.ratio_of_means(10.0, 20.0, 40, 12.0, 30.0, 50, 0.95).interval
    (difference,) = stats.compare_groups(groups, "difference", "mean", "b", 0.95)
    assert difference.interval == stats.welch_difference(12.0, 30.0, 50, 10.0, 20.0, 40, 0.95).interval


def test_compare_groups_quantiles_use_group_intervals() -> None:
    groups = {
        "a": GroupStat("a", 100, 4.0, interval=Interval(3.0, 5.0)),
        "b": GroupStat("b", 100, 8.0, interval=Interval(6.0, 10.0)),
        "c": GroupStat("c", 100, 5.0, interval=Interval(4.0, 7.0)),
    }
    comparisons = stats.compare_groups(groups, "ratio", "quantile", None, 0.95)
    a, b = Estimate(4.0, Interval(3.0, 5.0)), Estimate(8.0, Interval(6.0, 10.0))
    assert comparisons[0] == Comparison("a", "b", 0.5, stats.mover_ratio(a, b).interval)
    (vs_b,) = [c for c in stats.compare_groups(groups, "difference", "quantile", "b", 0.95) if c.group == "c"]
    c = Estimate(5.0, Interval(4.0, 7.0))
    assert vs_b == Comparison("c", "b", -3.0, stats.mover_difference(c, b).interval)


def test_compare_groups_needs_the_right_aggregates() -> None:
    with pytest.raises(ValueError, match="successes"):
        stats.compare_groups({"a": GroupStat("a", 3, 0.5), "b": GroupStat("b", 3, 0.5)}, "ratio", "share", None, 0.95)
    assert stats.compare_groups({"a": GroupStat("a", 3, 0.5, successes=1)}, "ratio", "share", None, 0.95) == []


# --------------------------------------------------------------------------- skewed means, MOVER, Katz edges


def hall_by_hand(x: np.ndarray, confidence: float) -> tuple[float, float]:
    """Hall's (1992) transformation inverted numerically with scipy's root finder (no closed form)."""
    from scipy.optimize import brentq

    n = len(x)
    mean, s = float(x.mean()), float(x.std(ddof=1))
    gamma = float(sps.skew(x, bias=True))
    t = float(sps.t.ppf(0.5 + confidence / 2, n - 1))

    def g(big_t: float) -> float:
        return big_t + gamma * big_t**2 / 3 + gamma**2 * big_t**3 / 27 + gamma / (6 * n)

    upper_t = brentq(lambda v: math.sqrt(n) * g(v) - t, -50, 50, xtol=1e-15)
    lower_t = brentq(lambda v: math.sqrt(n) * g(v) + t, -50, 50, xtol=1e-15)
    return mean - s * upper_t, mean - s * lower_t


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n", (5, 30, 400))
def test_skewed_mean_interval_inverts_halls_transformation(seed: int, n: int) -> None:
    x = np.random.default_rng(seed).lognormal(0.0, 1.0, n)
    g1 = float(sps.skew(x, bias=False))  # what the engine's skewness() returns
    estimate = stats.skewed_mean_interval(float(x.mean()), float(x.var(ddof=1)), g1, n, 0.95)
    assert estimate.interval is not None
    low, high = hall_by_hand(x, 0.95)
    assert (estimate.interval.low, estimate.interval.high) == pytest.approx((low, high), rel=1e-9)
    # right-skewed data: the interval reaches further above the mean than below it
    assert n < 30 or estimate.interval.high - estimate.value > estimate.value - estimate.interval.low


def test_skewed_mean_interval_without_skew_is_student_t() -> None:
    low, high = sps.t.interval(0.95, 29, loc=4.0, scale=math.sqrt(2.0 / 30))
    for skew in (None, 0.0, float("nan")):
        estimate = stats.skewed_mean_interval(4.0, 2.0, skew, 30, 0.95)
        assert estimate.interval is not None
        assert (estimate.interval.low, estimate.interval.high) == pytest.approx((low, high), rel=1e-12)
    assert stats.skewed_mean_interval(4.0, 0.0, 1.0, 30, 0.95).interval == Interval(4.0, 4.0)


def test_cochran_minimum_matches_scipy_skewness() -> None:
    x = np.random.default_rng(3).lognormal(0.0, 1.0, 200)
    g1 = float(sps.skew(x, bias=False))
    need = stats.cochran_minimum(g1)
    assert need > 25 * g1**2 >= need - 1
    assert stats.cochran_minimum(0.0) == 2
    assert stats.cochran_minimum(float("nan")) == 2
    assert stats.cochran_minimum(2.0) == 101


def test_pooled_skewness_is_scipys_skewness_of_the_groups_centred_tickets() -> None:
    rng = np.random.default_rng(8)
    samples = [rng.lognormal(m, 1.0, n) for m, n in ((0.0, 40), (1.0, 300), (0.5, 7), (2.0, 1000))]
    figures = [(len(x), float(x.var(ddof=1)), float(sps.skew(x, bias=False))) for x in samples]
    centred = np.concatenate([x - x.mean() for x in samples])
    assert stats.pooled_skewness(figures) == pytest.approx(float(sps.skew(centred, bias=False)), rel=1e-10)
    for n, var, g1 in figures:  # one group gives back its own G1
        assert stats.pooled_skewness([(n, var, g1)]) == pytest.approx(g1, rel=1e-12)
    constant = (50, 0.0, float("nan"))  # a constant group adds tickets without spread
    with_constant = np.concatenate([centred, np.zeros(50)])
    assert stats.pooled_skewness([*figures, constant]) == pytest.approx(
        float(sps.skew(with_constant, bias=False)), rel=1e-10
    )
    assert math.isnan(stats.pooled_skewness([constant, (2, 1.0, float("nan"))]))
    assert math.isnan(stats.pooled_skewness([]))


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), KATZ_CASES)
def test_mover_difference_of_wilson_intervals_is_newcombe(x1: int, n1: int, x2: int, n2: int) -> None:
    w1 = sps.binomtest(x1, n1).proportion_ci(confidence_level=0.95, method="wilson")
    w2 = sps.binomtest(x2, n2).proportion_ci(confidence_level=0.95, method="wilson")
    a = Estimate(x1 / n1, Interval(w1.low, w1.high))
    b = Estimate(x2 / n2, Interval(w2.low, w2.high))
    mover = stats.mover_difference(a, b)
    newcombe = stats.newcombe_difference(x1, n1, x2, n2, 0.95)
    assert mover.interval is not None and newcombe.interval is not None
    assert (mover.interval.low, mover.interval.high) == pytest.approx(
        (newcombe.interval.low, newcombe.interval.high), abs=1e-12
    )


def test_mover_ratio_is_the_log_scale_difference_and_swaps_to_the_reciprocal() -> None:
    a, b = Estimate(12.0, Interval(9.0, 17.0)), Estimate(10.0, Interval(8.5, 12.5))
    ratio = stats.mover_ratio(a, b)
    assert ratio.value == pytest.approx(1.2)
    assert ratio.interval is not None
    low = math.log(1.2) - math.hypot(math.log(12 / 9), math.log(12.5 / 10))
    high = math.log(1.2) + math.hypot(math.log(17 / 12), math.log(10 / 8.5))
    assert (ratio.interval.low, ratio.interval.high) == pytest.approx((math.exp(low), math.exp(high)), rel=1e-12)
    swapped = stats.mover_ratio(b, a)
    assert swapped.interval is not None
    assert swapped.interval.low == pytest.approx(1 / ratio.interval.high, rel=1e-12)
    assert stats.mover_ratio(Estimate(1.0, Interval(-1.0, 3.0)), b).interval is None
    assert math.isnan(stats.mover_ratio(a, Estimate(0.0, None)).value)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(0, 40, 0, 60), (40, 40, 60, 60), (0, 5, 0, 5), (7, 7, 3, 3)])
def test_katz_with_both_shares_at_zero_or_one_reports_an_interval_around_the_observed_figure(
    x1: int, n1: int, x2: int, n2: int
) -> None:
    estimate = stats.katz_ratio(x1, n1, x2, n2, 0.95)
    assert estimate.value == 1.0  # equal shares, 0/0 or 1/1
    assert estimate.interval is not None
    a, m1, b, m2 = x1 + 0.5, n1 + 1, x2 + 0.5, n2 + 1
    half = float(sps.norm.ppf(0.975)) * math.sqrt(1 / a - 1 / m1 + 1 / b - 1 / m2)
    assert (estimate.interval.low, estimate.interval.high) == pytest.approx((math.exp(-half), math.exp(half)))
    assert estimate.interval.low < 1.0 < estimate.interval.high
    # statsmodels' adjusted-log interval collapses to [1, 1] when both shares are 100%
    from statsmodels.stats.proportion import confint_proportions_2indep

    if x1 == n1:
        low, high = confint_proportions_2indep(x1, n1, x2, n2, compare="ratio", method="log-adjusted")
        assert low == high == 1.0


@pytest.mark.parametrize("q", (0.1, 0.5, 0.9, 0.99))
@pytest.mark.parametrize("confidence", (0.9, 0.95, 0.9875))
def test_quantile_minimum_is_the_first_n_with_an_interval(q: float, confidence: float) -> None:
    need = stats.quantile_minimum(q, confidence)
    assert stats.quantile_ranks(need, q, confidence) is not None
    assert stats.quantile_ranks(need - 1, q, confidence) is None
    # scipy: the widest interval (X_(1), X_(n)) covers with 1 - F(0) - (1 - F(n - 1))
    full = float(sps.binom.cdf(need - 1, need, q) - sps.binom.cdf(0, need, q))
    assert full >= confidence * (1 - 1e-9)


def test_orient_between_makes_pooled_figures_read_like_their_message() -> None:
    # Simpson: crude shares put "a" lower, the strata put it higher; the pooled ratio is then > 1
    strata = [(9, 10, 80, 100), (20, 100, 1, 10)]
    pooled = stats.mantel_haenszel_ratio(strata, 0.95)
    assert pooled.value > 1.0 and pooled.interval is not None
    swapped, oriented = stats.orient_between(pooled, "ratio")
    assert swapped and oriented.value == pytest.approx(1.0 / pooled.value)
    assert oriented.interval is not None
    assert oriented.interval.low == pytest.approx(1.0 / pooled.interval.high)
    reverse = stats.mantel_haenszel_ratio([(x2, n2, x1, n1) for x1, n1, x2, n2 in strata], 0.95)
    assert oriented.value == pytest.approx(reverse.value) and reverse.interval is not None
    assert oriented.interval.high == pytest.approx(reverse.interval.high)
    difference = stats.mantel_haenszel_difference(strata, 0.95)
    swapped, oriented = stats.orient_between(difference, "difference")
    assert oriented.value == pytest.approx(abs(difference.value)) and swapped == (difference.value < 0)
    assert stats.orient_between(Estimate(0.5, Interval(0.4, 0.7)), "ratio") == (
        False,
        Estimate(0.5, Interval(0.4, 0.7)),
    )
