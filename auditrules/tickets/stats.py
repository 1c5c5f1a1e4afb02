"""Statistics: per-group aggregates to estimates, confidence intervals and verdicts.

Everything here works on per-group aggregates that the engine has already computed
(counts, means, sample variances, order statistics); no function sees ticket rows.
The module is pure and deterministic and uses only :mod:`math` at runtime: the normal
and Student-t quantiles and the binomial distribution are implemented below and are
checked against scipy in ``tests/test_stats.py``.

Which interval answers which question:

============================  =========================================================
share of one group            :func:`wilson` (Wilson score interval)
ratio of two shares           :func:`katz_ratio` (Katz log interval)
difference of two shares      :func:`newcombe_difference` (Newcombe hybrid score)
mean of one group             :func:`skewed_mean_interval` (Johnson's modified t, Hall's
                              monotone form), gated by :func:`cochran_minimum` of a
                              :func:`pooled_skewness`;
                              :func:`mean_interval` (Student t) without a skewness
difference of two means       :func:`mover_difference` of the groups' skew-aware intervals;
                              :func:`welch_difference` (Welch–Satterthwaite) without
ratio of two means            :func:`mover_ratio` (the same on the log scale);
                              :func:`ratio_of_means` (delta method) without
quantile of one group         :func:`quantile_ranks` (distribution-free order statistics),
                              none below :func:`quantile_minimum` tickets
ratio/difference of quantiles :func:`mover_ratio`, :func:`mover_difference` of the groups'
                              order-statistic intervals
shares pooled over strata     :func:`mantel_haenszel_ratio`, :func:`mantel_haenszel_difference`
============================  =========================================================

``at P% confidence`` is judged by :func:`verdict`: a rule fails only when the whole
interval lies past the threshold, is ``inconclusive`` when only the point estimate does,
and passes otherwise. :func:`compare_groups` applies the comparison modes of the rule
language and keeps the family-wise false-alarm rate of a rule at or below ``1 - P``
with Bonferroni's inequality.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Literal

__all__ = [
    "Comparison",
    "Estimate",
    "GroupStat",
    "Interval",
    "Kind",
    "Measure",
    "Op",
    "Outcome",
    "binomial_cdf",
    "bonferroni",
    "cochran_minimum",
    "compare_groups",
    "compare_pair",
    "figure",
    "katz_ratio",
    "mantel_haenszel_difference",
    "mantel_haenszel_ratio",
    "mean_interval",
    "mover_difference",
    "mover_ratio",
    "newcombe_difference",
    "normal_quantile",
    "orient",
    "orient_between",
    "point_verdict",
    "pooled_skewness",
    "quantile_interval_from_values",
    "quantile_minimum",
    "quantile_ranks",
    "ratio_of_means",
    "skewed_mean_interval",
    "t_quantile",
    "t_value",
    "verdict",
    "welch_difference",
    "wilson",
    "wilson_bounds",
    "z_value",
]

#: The comparison operators of ``require ... CMP VALUE`` (``between`` takes a second bound).
Op = Literal[">=", ">", "<=", "<", "between"]
#: How two groups are compared: ``group / reference`` or ``group - reference``.
Measure = Literal["ratio", "difference"]
#: What the compared aggregate is, which decides the interval method.
Kind = Literal["share", "mean", "quantile"]
#: The statistical verdict of one comparison; the engine maps it onto ``findings.Status``.
Outcome = Literal["pass", "fail", "inconclusive"]

_NAN = float("nan")
# Degrees of freedom above which the Cornish-Fisher expansion of the t quantile is used;
# its first omitted term is O(df**-5), far below double precision there.
_T_EXPANSION_DF = 1.0e4


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[low, high]``; bounds may be infinite but never inverted."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"interval bounds are inverted: [{self.low}, {self.high}]")

    def contains(self, x: float) -> bool:
        """Whether ``low <= x <= high`` (closed on both ends)."""
        return self.low <= x <= self.high


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    ``value`` is ``nan`` when the quantity is undefined (for example a ratio 0/0);
    ``interval`` is ``None`` when no interval was asked for or none can be given honestly
    (too few observations, undefined quantity).
    """

    value: float
    interval: Interval | None


@dataclass(frozen=True)
class GroupStat:
    """The aggregate of one group that :func:`compare_groups` compares.

    Fields:
        name: the group's label (a channel, a decile, ...).
        n: the number of tickets evaluated in the group.
        value: the group's figure: ``successes / n`` for shares, the sample mean for means,
            the sample quantile (linear interpolation) for quantiles.
        successes: for shares, the number of tickets where the predicate holds.
        variance: for means, the sample variance with ``ddof=1``.
        interval: for quantiles, the group's order-statistic interval, computed at the
            confidence of one comparison (see :func:`compare_groups`).
        skewness: for means, the sample skewness G1; when given (for every group), means
            are compared with skew-aware intervals (:func:`skewed_mean_interval` combined
            by :func:`mover_difference` / :func:`mover_ratio`) instead of Welch / delta.
    """

    name: str
    n: int
    value: float
    successes: int | None = None
    variance: float | None = None
    interval: Interval | None = None
    skewness: float | None = None


@dataclass(frozen=True)
class Comparison:
    """One comparison between two groups: ``value`` is ``group / reference`` for ratios
    and ``group - reference`` for differences, with its (family-wise adjusted) interval."""

    group: str
    reference: str
    value: float
    interval: Interval | None


# --------------------------------------------------------------------------- checks


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")


def _check_count(successes: int, n: int) -> None:
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"counts must satisfy 0 <= successes <= n, got {successes} of {n}")


# --------------------------------------------------------------------------- normal


# Wichura (1988), Algorithm AS 241 PPND16, Applied Statistics 37(3):477-484.
_AS241_A = (
    3.3871328727963666080e0,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
)
_AS241_B = (
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
)
_AS241_C = (
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
)
_AS241_D = (
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
)
_AS241_E = (
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
)
_AS241_F = (
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
)


def _poly(coefficients: tuple[float, ...], x: float) -> float:
    result = 0.0
    for c in reversed(coefficients):
        result = result * x + c
    return result


def normal_quantile(p: float) -> float:
    """The standard normal quantile Φ⁻¹(p) for ``0 < p < 1``.

    Wichura's rational approximations (AS 241, PPND16), relative accuracy about 1e-16:
    Wichura, M. J. (1988) "Algorithm AS 241: The percentage points of the normal
    distribution", Applied Statistics 37(3), 477-484.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie strictly between 0 and 1, got {p}")
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _poly(_AS241_A, r) / _poly(_AS241_B, r)
    r = math.sqrt(-math.log(p if q < 0.0 else 1.0 - p))
    if r <= 5.0:
        r -= 1.6
        x = _poly(_AS241_C, r) / _poly(_AS241_D, r)
    else:
        r -= 5.0
        x = _poly(_AS241_E, r) / _poly(_AS241_F, r)
    return -x if q < 0.0 else x


def _normal_upper(tail: float) -> float:
    """The z with P(Z > z) = tail, precise for tiny tails."""
    return -normal_quantile(tail)


def z_value(confidence: float) -> float:
    """The two-sided normal critical value z with P(|Z| <= z) = confidence.

    z = Φ⁻¹(1 − α/2) with α = 1 − confidence, computed as −Φ⁻¹(α/2) so that
    confidences close to 1 keep full precision.
    """
    _check_confidence(confidence)
    return _normal_upper((1.0 - confidence) / 2.0)


# --------------------------------------------------------------------------- Student t


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularized incomplete beta (modified Lentz).

    Press et al., Numerical Recipes (3rd ed., 2007), §6.4 ``betacf``; converges fast
    for ``x < (a + 1) / (a + b + 2)``.
    """
    tiny = 1.0e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = tiny if abs(d) < tiny else d
    d = 1.0 / d
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) <= 1.0e-16:
            return h
    raise ArithmeticError("incomplete beta continued fraction did not converge")  # pragma: no cover


def _t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0: ½·I_x(df/2, ½) with x = df/(df + t²).

    The logarithms of x and 1 − x are taken with ``log1p`` so that large ``df`` keep
    their precision; the continued fraction is evaluated on whichever side converges.
    """
    if t <= 0.0:
        return 0.5
    a, b = df / 2.0, 0.5
    u = t * t / df
    log_x = -math.log1p(u)  # log(df / (df + t²))
    log_1mx = math.log(u) - math.log1p(u)  # log(t² / (df + t²))
    x = math.exp(log_x)
    one_minus_x = u / (1.0 + u)
    log_front = a * log_x + b * log_1mx - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return 0.5 * front * _betacf(a, b, x) / a
    return 0.5 * (1.0 - front * _betacf(b, a, one_minus_x) / b)


def _t_density(t: float, df: float) -> float:
    log_norm = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1.0) / 2.0 * math.log1p(t * t / df))


def _t_cornish_fisher(z: float, df: float) -> float:
    """The t quantile from the normal one, Abramowitz & Stegun 26.7.5 (four terms)."""
    z2 = z * z
    g1 = z * (z2 + 1.0) / 4.0
    g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0
    g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0
    g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df


def _t_upper(tail: float, df: float) -> float:
    """The t with P(T > t) = tail for 0 < tail <= 1/2."""
    if tail >= 0.5:
        return 0.0
    if df == 1.0:  # Cauchy: t = tan(π(½ − tail)) = 1 / tan(π·tail)
        return 1.0 / math.tan(math.pi * tail)
    if df == 2.0:  # closed form: t = (1 − 2·tail) / sqrt(2·tail·(1 − tail))
        return (1.0 - 2.0 * tail) / math.sqrt(2.0 * tail * (1.0 - tail))
    z = _normal_upper(tail)
    if df >= _T_EXPANSION_DF:
        return _t_cornish_fisher(z, df)
    # Safeguarded Newton on P(T > t) = tail, bracketed by [lo, hi].
    lo, hi = 0.0, max(_t_cornish_fisher(z, df), z, 1.0)
    while _t_upper_tail(hi, df) > tail:
        lo, hi = hi, hi * 2.0
    t = min(max(_t_cornish_fisher(z, df), lo), hi)
    for _ in range(200):
        excess = _t_upper_tail(t, df) - tail
        if excess > 0.0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        step = excess / _t_density(t, df)
        candidate = t + step
        if not lo < candidate < hi:
            candidate = (lo + hi) / 2.0
        if abs(candidate - t) <= 1.0e-15 * candidate or hi - lo <= 1.0e-15 * hi:
            return candidate
        t = candidate
    return t  # pragma: no cover


def t_quantile(p: float, df: float) -> float:
    """The Student-t quantile F⁻¹(p) with ``df > 0`` degrees of freedom (df may be fractional).

    The upper tail P(T > t) = ½·I_{df/(df+t²)}(df/2, ½) (Abramowitz & Stegun 26.7.1 with
    26.5) is evaluated with the incomplete-beta continued fraction and inverted by
    safeguarded Newton steps; df = 1 and 2 use their closed forms and df ≥ 10⁴ the
    Cornish–Fisher expansion (A&S 26.7.5).
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie strictly between 0 and 1, got {p}")
    if not df > 0.0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    if p < 0.5:
        return -_t_upper(p, df)
    return _t_upper(1.0 - p, df)


def t_value(confidence: float, df: float) -> float:
    """The two-sided Student-t critical value t with P(|T| <= t) = confidence.

    t = F⁻¹(1 − α/2) with α = 1 − confidence, computed from the tail α/2 directly.
    """
    _check_confidence(confidence)
    if not df > 0.0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    return _t_upper((1.0 - confidence) / 2.0, df)


# --------------------------------------------------------------------------- binomial


def _log_binomial_pmf(k: int, n: int, p: float) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)


def _binomial_mode(n: int, p: float) -> int:
    return min(n, math.floor((n + 1) * p))


def _sum_down(k: int, n: int, p: float) -> float:
    """Σ_{j ≤ k} P(B = j) for k at or below the mode, summing outward from k.

    The pmf is log-concave, so once the ratio r = P(j−1)/P(j) is below 1 the remaining
    mass is at most P(j)·r/(1 − r); summation stops when that bound is negligible.
    """
    term = math.exp(_log_binomial_pmf(k, n, p))
    total = 0.0
    j = k
    odds = (1.0 - p) / p
    while True:
        total += term
        if j == 0:
            return total
        ratio = j * odds / (n - j + 1)
        term *= ratio
        j -= 1
        if ratio < 1.0 and term / (1.0 - ratio) <= 1.0e-17 * total:
            return total + term / (1.0 - ratio)


def _sum_up(k: int, n: int, p: float) -> float:
    """Σ_{j ≥ k} P(B = j) for k at or above the mode (mirror of :func:`_sum_down`)."""
    return _sum_down(n - k, n, 1.0 - p)


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(B ≤ k) for B ~ Binomial(n, p).

    Sums the smaller tail term by term from the log pmf
    log C(n, j) + j·log p + (n − j)·log(1 − p) (``math.lgamma``), so small tail
    probabilities keep their relative precision.
    """
    if n < 0 or not 0.0 <= p <= 1.0:
        raise ValueError(f"need n >= 0 and 0 <= p <= 1, got n={n}, p={p}")
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if p == 0.0:
        return 1.0
    if p == 1.0:
        return 0.0
    if k < _binomial_mode(n, p):
        return _sum_down(k, n, p)
    return 1.0 - _sum_up(k + 1, n, p)


def _binomial_window(n: int, p: float) -> tuple[int, list[float]]:
    """The pmf of Binomial(n, p) on the range outside of which the mass is below ~1e-17.

    Returns ``(lo, pmf)`` with ``pmf[i] = P(B = lo + i)``.
    """
    mode = _binomial_mode(n, p)
    peak = math.exp(_log_binomial_pmf(mode, n, p))
    odds = (1.0 - p) / p
    below: list[float] = []
    term, j = peak, mode
    while j > 0:
        ratio = j * odds / (n - j + 1)
        term *= ratio
        j -= 1
        below.append(term)
        if ratio < 1.0 and term / (1.0 - ratio) <= 1.0e-18:
            break
    above: list[float] = []
    term, j = peak, mode
    while j < n:
        ratio = (n - j) / ((j + 1) * odds)
        term *= ratio
        j += 1
        above.append(term)
        if ratio < 1.0 and term / (1.0 - ratio) <= 1.0e-18:
            break
    below.reverse()
    return mode - len(below), [*below, peak, *above]


# --------------------------------------------------------------------------- shares


def wilson(successes: int, n: int, confidence: float) -> Estimate:
    """The share ``successes / n`` with its Wilson score interval.

    With p̂ = x/n and z = z_value(confidence):
    centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z/(1 + z²/n) · sqrt(p̂(1 − p̂)/n + z²/4n²).
    Wilson, E. B. (1927) "Probable inference, the law of succession, and statistical
    inference", JASA 22:209-212. ``n = 0`` gives ``nan`` and no interval.
    """
    _check_confidence(confidence)
    _check_count(successes, n)
    if n == 0:
        return Estimate(_NAN, None)
    low, high = wilson_bounds(successes, n, z_value(confidence))
    return Estimate(successes / n, Interval(low, high))


def wilson_bounds(successes: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of ``successes / n`` at the normal quantile ``z`` (``n > 0``),
    closed at 0 and 1 when ``successes`` is 0 or ``n``: :func:`wilson`'s bounds, for callers that
    hold a z (the product-limit bands of :mod:`auditrules.tickets.survival`)."""
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def katz_ratio(x1: int, n1: int, x2: int, n2: int, confidence: float) -> Estimate:
    """The ratio of shares p₁/p₂ with the Katz log interval.

    log(p̂₁/p̂₂) ± z·sqrt(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂) (Katz, Baptista, Azen & Pike (1978)
    "Obtaining confidence intervals for the risk ratio in cohort studies", Biometrics
    34:469-474; the method of ``scipy.stats.contingency.relative_risk``).

    Zero counts: when exactly one of x₁, x₂ is 0 the raw ratio is 0 or ∞ and the Katz
    variance is infinite, so both the estimate and the interval use the Haldane–Anscombe
    correction (x + ½ successes out of n + 1 in each group); the corrected estimate is
    then reported instead of 0 or ∞. Both shares at 0% or both at 100% are equal shares:
    the observed figure is reported (0/0 and 1/1 alike as the ratio 1) and the interval is
    the Katz interval of the corrected counts around it, never the collapsed [1, 1] that
    both 100% gives uncorrected (its variance is 0). An empty group (n = 0) gives ``nan``
    and no interval.
    """
    _check_confidence(confidence)
    _check_count(x1, n1)
    _check_count(x2, n2)
    if n1 == 0 or n2 == 0:
        return Estimate(_NAN, None)
    a, m1, b, m2 = float(x1), float(n1), float(x2), float(n2)
    z = z_value(confidence)
    if (x1 == 0 and x2 == 0) or (x1 == n1 and x2 == n2):
        a, m1, b, m2 = a + 0.5, m1 + 1.0, b + 0.5, m2 + 1.0
        half = z * math.sqrt(1.0 / a - 1.0 / m1 + 1.0 / b - 1.0 / m2)
        return Estimate(1.0, Interval(math.exp(-half), math.exp(half)))
    if x1 == 0 or x2 == 0:
        a, m1, b, m2 = a + 0.5, m1 + 1.0, b + 0.5, m2 + 1.0
    log_ratio = math.log(a / m1) - math.log(b / m2)
    se = math.sqrt(1.0 / a - 1.0 / m1 + 1.0 / b - 1.0 / m2)
    return Estimate(math.exp(log_ratio), Interval(math.exp(log_ratio - z * se), math.exp(log_ratio + z * se)))


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, confidence: float) -> Estimate:
    """The difference of shares p₁ − p₂ with Newcombe's hybrid score interval (method 10).

    With Wilson intervals (l₁, u₁) and (l₂, u₂) at the same confidence and d = p̂₁ − p̂₂:
    L = d − sqrt((p̂₁ − l₁)² + (u₂ − p̂₂)²), U = d + sqrt((u₁ − p̂₁)² + (p̂₂ − l₂)²).
    Newcombe, R. G. (1998) "Interval estimation for the difference between independent
    proportions: comparison of eleven methods", Statistics in Medicine 17:873-890.
    """
    first = wilson(x1, n1, confidence)
    second = wilson(x2, n2, confidence)
    if first.interval is None or second.interval is None:
        return Estimate(_NAN, None)
    p1, p2 = first.value, second.value
    l1, u1 = first.interval.low, first.interval.high
    l2, u2 = second.interval.low, second.interval.high
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Estimate(d, Interval(max(-1.0, low), min(1.0, high)))


# --------------------------------------------------------------------------- means


def mean_interval(mean: float, var: float, n: int, confidence: float) -> Estimate:
    """A mean with its Student-t interval: x̄ ± t_{n−1}·sqrt(s²/n).

    ``var`` is the sample variance (ddof = 1). Fewer than two observations give no
    interval (``n = 0`` also gives ``nan``). Student (1908), Biometrika 6:1-25.
    """
    _check_confidence(confidence)
    if n < 0 or var < 0.0:
        raise ValueError(f"need n >= 0 and var >= 0, got n={n}, var={var}")
    if n == 0:
        return Estimate(_NAN, None)
    if n < 2:
        return Estimate(mean, None)
    half = t_value(confidence, n - 1) * math.sqrt(var / n)
    return Estimate(mean, Interval(mean - half, mean + half))


def _welch_df(a: float, n1: int, b: float, n2: int) -> float:
    """Welch–Satterthwaite degrees of freedom for a variance sum a + b of two groups."""
    return (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))


def welch_difference(
    mean1: float, var1: float, n1: int, mean2: float, var2: float, n2: int, confidence: float
) -> Estimate:
    """The difference of means x̄₁ − x̄₂ with the Welch–Satterthwaite t interval.

    d ± t_ν·sqrt(s₁²/n₁ + s₂²/n₂) with ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)).
    Welch, B. L. (1947) Biometrika 34:28-35; Satterthwaite, F. E. (1946) Biometrics
    Bulletin 2:110-114; the interval of ``scipy.stats.ttest_ind(equal_var=False)``.
    Either group with fewer than two observations gives no interval; two constant
    groups (both variances 0) give the degenerate interval [d, d].
    """
    _check_confidence(confidence)
    if n1 < 0 or n2 < 0 or var1 < 0.0 or var2 < 0.0:
        raise ValueError("counts and variances must be non-negative")
    if n1 == 0 or n2 == 0:
        return Estimate(_NAN, None)
    d = mean1 - mean2
    if n1 < 2 or n2 < 2:
        return Estimate(d, None)
    a, b = var1 / n1, var2 / n2
    if a + b == 0.0:
        return Estimate(d, Interval(d, d))
    half = t_value(confidence, _welch_df(a, n1, b, n2)) * math.sqrt(a + b)
    return Estimate(d, Interval(d - half, d + half))


def ratio_of_means(
    mean1: float, var1: float, n1: int, mean2: float, var2: float, n2: int, confidence: float
) -> Estimate:
    """The ratio of positive means x̄₁/x̄₂ with a delta-method interval on the log scale.

    log(x̄₁/x̄₂) ± t_ν·sqrt(a + b), a = s₁²/(n₁x̄₁²), b = s₂²/(n₂x̄₂²) (the delta-method
    variances of log x̄ᵢ), exponentiated. Instead of z the Welch–Satterthwaite t quantile
    with ν = (a + b)²/(a²/(n₁−1) + b²/(n₂−1)) is used, which widens the interval for small
    groups and tends to z for large ones. The log scale keeps the interval positive and
    symmetric under swapping the groups (the interval of x̄₂/x̄₁ is the reciprocal).
    Reference: Casella & Berger, Statistical Inference (2nd ed.), §5.5.4 (delta method).
    Non-positive means give the plain ratio (``nan`` if x̄₂ = 0) without an interval;
    fewer than two observations in a group give no interval.
    """
    _check_confidence(confidence)
    if n1 < 0 or n2 < 0 or var1 < 0.0 or var2 < 0.0:
        raise ValueError("counts and variances must be non-negative")
    if n1 == 0 or n2 == 0 or mean2 == 0.0:
        return Estimate(_NAN, None)
    value = mean1 / mean2
    if mean1 <= 0.0 or mean2 <= 0.0 or n1 < 2 or n2 < 2:
        return Estimate(value, None)
    a = var1 / (n1 * mean1 * mean1)
    b = var2 / (n2 * mean2 * mean2)
    if a + b == 0.0:
        return Estimate(value, Interval(value, value))
    half = t_value(confidence, _welch_df(a, n1, b, n2)) * math.sqrt(a + b)
    log_value = math.log(mean1) - math.log(mean2)
    return Estimate(value, Interval(math.exp(log_value - half), math.exp(log_value + half)))


# --------------------------------------------------------------------------- skewed means

#: Cochran's rule for the mean of skewed data: the normal approximation to the sampling
#: distribution of a mean is adequate when n > 25·G1² (Cochran, Sampling Techniques, 3rd ed.,
#: 1977, §2.15; also Boos & Hughes-Oliver (2000), The American Statistician 54:121-128).
COCHRAN_FACTOR = 25.0


def cochran_minimum(skewness: float) -> int:
    """The fewest tickets a group needs for its mean to be judged: the smallest n > 25·G1².

    ``skewness`` is the sample skewness G1 (adjusted Fisher–Pearson, what DuckDB's
    ``skewness`` and ``scipy.stats.skew(bias=False)`` return); a ``nan`` skewness (constant
    data) needs no more than 2 tickets.
    """
    if math.isnan(skewness):
        return 2
    return max(2, math.floor(COCHRAN_FACTOR * skewness * skewness) + 1)


def pooled_skewness(groups: Sequence[tuple[int, float, float]]) -> float:
    """The sample skewness G1 of several groups' tickets pooled around each group's own mean.

    ``groups`` holds each group's (n, sample variance with ddof 1, sample skewness G1), the
    figures of one scan. Each group's central moments are recovered as m₂ = s²·(n − 1)/n and
    m₃ = g₁·m₂^{3/2} with g₁ = G1·(n − 2)/√(n(n − 1)); the pooled moments are the
    ticket-weighted means M₂ = Σnm₂/N, M₃ = Σnm₃/N (N = Σn), and the result is
    G1 = M₃/M₂^{3/2}·√(N(N − 1))/(N − 2), so one group gives back its own G1. Combining
    central moments of partitions this way is exact when the groups share a mean and the
    within-group skewness otherwise (Chan, Golub & LeVeque (1983) "Algorithms for computing
    the sample variance", The American Statistician 37:242-247; Pébay (2008) "Formulas for
    robust, one-pass parallel computation of covariances and arbitrary-order statistical
    moments", Sandia report SAND2008-6212). Groups with fewer than 3 tickets or an undefined
    skewness are left out (constant groups count, with m₂ = m₃ = 0); ``nan`` when nothing is
    left or the pooled variance is 0.
    """
    total = sum_m2 = sum_m3 = 0.0
    for n, var, skewness in groups:
        if n < 3:
            continue
        m2 = var * (n - 1) / n
        if m2 > 0.0 and math.isnan(skewness):
            continue
        g1 = 0.0 if m2 == 0.0 else skewness * (n - 2) / math.sqrt(n * (n - 1))
        total += n
        sum_m2 += n * m2
        sum_m3 += n * g1 * m2 * math.sqrt(m2)
    if total < 3 or sum_m2 <= 0.0:
        return _NAN
    m2, m3 = sum_m2 / total, sum_m3 / total
    return m3 / (m2 * math.sqrt(m2)) * math.sqrt(total * (total - 1.0)) / (total - 2.0)


def _cube_root(x: float) -> float:
    return math.copysign(abs(x) ** (1.0 / 3.0), x)


def skewed_mean_interval(mean: float, var: float, skewness: float | None, n: int, confidence: float) -> Estimate:
    """A mean with a skewness-corrected t interval: Johnson's modified t in Hall's monotone form.

    Johnson, N. J. (1978) "Modified t tests and confidence intervals for asymmetrical
    populations", JASA 73:536-544, corrects the Student t statistic for the skewness of the
    data; Hall, P. (1992) "On the removal of skewness by transformation", JRSS B 54:221-228,
    makes that correction a monotone (hence invertible) transformation of T = (x̄ − μ)/s:

        g(T) = T + γT²/3 + γ²T³/27 + γ/(6n),  g⁻¹(u) = (3/γ)·(∛(1 + γ(u − γ/(6n))) − 1),

    with γ = g₁ = m₃/m₂^{3/2} the sample skewness (biased form, from G1 as
    g₁ = G1·(n − 2)/√(n(n − 1))). The interval is [x̄ − s·g⁻¹(t/√n), x̄ − s·g⁻¹(−t/√n)]
    with t = t_{n−1} at ``confidence``: for right-skewed data it reaches further above the
    mean than below it, where Student t's symmetric interval under-covers. With γ = 0 (or
    no skewness given, or n < 3) it is the Student t interval of :func:`mean_interval`.
    Its coverage on lognormal data is printed by ``tests/test_interval_coverage.py``.
    """
    _check_confidence(confidence)
    if n < 3 or skewness is None or math.isnan(skewness) or var <= 0.0:
        return mean_interval(mean, var, n, confidence)
    gamma = skewness * (n - 2) / math.sqrt(n * (n - 1))
    if abs(gamma) < 1.0e-9:
        return mean_interval(mean, var, n, confidence)
    s = math.sqrt(var)
    t = t_value(confidence, n - 1) / math.sqrt(n)

    def inverse(u: float) -> float:
        return 3.0 / gamma * (_cube_root(1.0 + gamma * (u - gamma / (6.0 * n))) - 1.0)

    return Estimate(mean, Interval(mean - s * inverse(t), mean - s * inverse(-t)))


def mover_difference(a: Estimate, b: Estimate) -> Estimate:
    """The difference a − b of two independent estimates from their own intervals (MOVER).

    L = d − √((â − l_a)² + (u_b − b̂)²), U = d + √((u_a − â)² + (b̂ − l_b)²) with each
    interval at the confidence wanted for the difference: Zou, G. Y. & Donner, A. (2008)
    "Construction of confidence limits about effect measures: a general approach",
    Statistics in Medicine 27:1693-1702 (Newcombe's interval is this method applied to
    Wilson intervals). It keeps the asymmetry of skew-aware group intervals.
    """
    d = a.value - b.value
    if a.interval is None or b.interval is None:
        return Estimate(d, None)
    low = d - math.hypot(a.value - a.interval.low, b.interval.high - b.value)
    high = d + math.hypot(a.interval.high - a.value, b.value - b.interval.low)
    return Estimate(d, Interval(low, high))


def mover_ratio(a: Estimate, b: Estimate) -> Estimate:
    """The ratio a/b of two independent positive estimates: :func:`mover_difference` on the
    log scale, exponentiated (Zou & Donner 2008, §3). Swapping the groups gives the reciprocal
    interval. Without positive intervals for both, no interval (``nan`` when b is 0)."""
    if b.value == 0.0 or math.isnan(a.value) or math.isnan(b.value):
        return Estimate(_NAN, None)
    value = a.value / b.value
    if a.interval is None or b.interval is None or a.interval.low <= 0.0 or b.interval.low <= 0.0:
        return Estimate(value, None)
    if a.value <= 0.0 or b.value <= 0.0:
        return Estimate(value, None)

    def logged(e: Estimate) -> Estimate:
        assert e.interval is not None
        return Estimate(math.log(e.value), Interval(math.log(e.interval.low), math.log(e.interval.high)))

    log_ratio = mover_difference(logged(a), logged(b))
    assert log_ratio.interval is not None
    return Estimate(value, Interval(math.exp(log_ratio.interval.low), math.exp(log_ratio.interval.high)))


# --------------------------------------------------------------------------- quantiles


@lru_cache(maxsize=65536)
def quantile_ranks(n: int, q: float, confidence: float) -> tuple[int, int] | None:
    """1-based ranks (l, u) of order statistics that bracket the q-quantile with ``confidence``.

    With B ~ Binomial(n, q) the number of observations below the true quantile ξ_q of a
    continuous distribution, P(X₍ₗ₎ ≤ ξ_q ≤ X₍ᵤ₎) = P(l ≤ B ≤ u − 1) (for discrete data it
    is at least that). Among all l < u with P(B ≤ l − 1) + P(B ≥ u) ≤ 1 − confidence the
    narrowest (smallest u − l) is returned; ties go to the pair whose two tail
    probabilities are most nearly equal, then to the higher coverage. Returns ``None``
    when even (1, n) does not reach the confidence (1 − qⁿ − (1 − q)ⁿ < confidence).
    The tail sums use a relative tolerance of 1e-9 against floating-point noise.
    Reference: David & Nagaraja, Order Statistics (3rd ed., 2003), §7.1;
    Hahn & Meeker, Statistical Intervals (1991), §5.2.
    """
    _check_confidence(confidence)
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must lie strictly between 0 and 1, got {q}")
    if n < 2:
        return None
    alpha = (1.0 - confidence) * (1.0 + 1.0e-9)
    lo, pmf = _binomial_window(n, q)
    hi = lo + len(pmf) - 1
    # prefix[i] = P(B < lo + i); suffix[i] = P(B >= lo + i); each summed from its small end.
    prefix = [0.0]
    for term in pmf:
        prefix.append(prefix[-1] + term)
    suffix = [0.0]
    for term in reversed(pmf):
        suffix.append(suffix[-1] + term)
    suffix.reverse()

    def below(rank: int) -> float:  # P(B <= rank - 1)
        return prefix[min(max(rank - lo, 0), len(pmf))]

    def above(rank: int) -> float:  # P(B >= rank)
        return suffix[min(max(rank - lo, 0), len(pmf))]

    best: tuple[int, float, float, int, int] | None = None
    u = 2
    for first in range(max(1, lo), min(n - 1, hi + 1) + 1):
        budget = alpha - below(first)
        if budget < 0.0:
            break
        u = max(u, first + 1)
        while u <= n and above(u) > budget:
            u += 1
        if u > n:
            continue
        lower_tail, upper_tail = below(first), above(u)
        key = (u - first, abs(lower_tail - upper_tail), lower_tail + upper_tail, first, u)
        if best is None or key < best:
            best = key
    if best is None:
        return None
    return best[3], best[4]


def quantile_minimum(q: float, confidence: float) -> int:
    """The fewest tickets for which :func:`quantile_ranks` gives an interval: the smallest n
    with P(X₍₁₎ ≤ ξ_q ≤ X₍ₙ₎) = 1 − qⁿ − (1 − q)ⁿ ≥ ``confidence``."""
    _check_confidence(confidence)
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must lie strictly between 0 and 1, got {q}")
    alpha = (1.0 - confidence) * (1.0 + 1.0e-9)
    n = 2
    while q**n + (1.0 - q) ** n > alpha:
        n += 1
    return n


def _linear_quantile(sorted_values: Sequence[float], q: float) -> float:
    """numpy's default ('linear') quantile, the same as DuckDB's ``quantile_cont``."""
    h = (len(sorted_values) - 1) * q
    below = math.floor(h)
    above = min(below + 1, len(sorted_values) - 1)
    return sorted_values[below] + (h - below) * (sorted_values[above] - sorted_values[below])


def quantile_interval_from_values(sorted_values: Sequence[float], q: float, confidence: float) -> Estimate:
    """The q-quantile of sorted values with the order-statistic interval of :func:`quantile_ranks`.

    The point estimate is the linear-interpolation quantile (numpy's default, DuckDB's
    ``quantile_cont``): with h = (n − 1)q, x₍⌊h⌋₊₁₎ + (h − ⌊h⌋)(x₍⌊h⌋₊₂₎ − x₍⌊h⌋₊₁₎).
    The interval is [x₍ₗ₎, x₍ᵤ₎]; ``None`` when the sample is too small for the confidence.
    Meant for tests and small data: the engine fetches just the two order statistics.
    """
    _check_confidence(confidence)
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must lie strictly between 0 and 1, got {q}")
    n = len(sorted_values)
    if any(sorted_values[i] > sorted_values[i + 1] for i in range(n - 1)):
        raise ValueError("values must be sorted in ascending order")
    if n == 0:
        return Estimate(_NAN, None)
    value = _linear_quantile(sorted_values, q)
    ranks = quantile_ranks(n, q, confidence)
    if ranks is None:
        return Estimate(value, None)
    return Estimate(value, Interval(sorted_values[ranks[0] - 1], sorted_values[ranks[1] - 1]))


# --------------------------------------------------------------------------- strata


def _usable_strata(strata: Sequence[tuple[int, int, int, int]]) -> list[tuple[float, float, float, float]]:
    """Strata where both groups have tickets, as floats; strata missing a group carry no
    information about the comparison and get zero weight in every Mantel–Haenszel sum."""
    usable: list[tuple[float, float, float, float]] = []
    for x1, n1, x2, n2 in strata:
        _check_count(x1, n1)
        _check_count(x2, n2)
        if n1 > 0 and n2 > 0:
            usable.append((float(x1), float(n1), float(x2), float(n2)))
    return usable


def mantel_haenszel_ratio(strata: Sequence[tuple[int, int, int, int]], confidence: float) -> Estimate:
    """The Mantel–Haenszel pooled ratio of shares over strata (x₁, n₁, x₂, n₂).

    RR_MH = R/S with R = Σ x₁n₂/N, S = Σ x₂n₁/N, N = n₁ + n₂ per stratum; interval
    exp(log RR_MH ± z·SE) with the Greenland–Robins variance
    Var(log RR_MH) = Σ (n₁n₂(x₁ + x₂)/N² − x₁x₂/N) / (R·S).
    Greenland, S. & Robins, J. M. (1985) "Estimation of a common effect parameter from
    sparse follow-up data", Biometrics 41:55-68. With one stratum this is the Katz
    interval. If R or S is 0, every cell of every usable stratum gets the Haldane–Anscombe
    correction (x + ½ of n + 1), as in :func:`katz_ratio`; if both are 0 (no successes
    anywhere) the ratio is undefined: ``nan``, no interval.
    """
    _check_confidence(confidence)
    usable = _usable_strata(strata)

    def sums(cells: list[tuple[float, float, float, float]]) -> tuple[float, float, float]:
        r = s = v = 0.0
        for x1, n1, x2, n2 in cells:
            total = n1 + n2
            r += x1 * n2 / total
            s += x2 * n1 / total
            v += n1 * n2 * (x1 + x2) / (total * total) - x1 * x2 / total
        return r, s, v

    r, s, v = sums(usable)
    if r == 0.0 and s == 0.0:
        return Estimate(_NAN, None)
    if r == 0.0 or s == 0.0:
        r, s, v = sums([(x1 + 0.5, n1 + 1.0, x2 + 0.5, n2 + 1.0) for x1, n1, x2, n2 in usable])
    log_ratio = math.log(r) - math.log(s)
    se = math.sqrt(max(v, 0.0) / (r * s))
    z = z_value(confidence)
    return Estimate(math.exp(log_ratio), Interval(math.exp(log_ratio - z * se), math.exp(log_ratio + z * se)))


def mantel_haenszel_difference(strata: Sequence[tuple[int, int, int, int]], confidence: float) -> Estimate:
    """The Mantel–Haenszel pooled difference of shares over strata (x₁, n₁, x₂, n₂).

    RD_MH = Σ (x₁n₂ − x₂n₁)/N / W with W = Σ n₁n₂/N; interval RD_MH ± z·SE (clipped to
    [−1, 1]) with Sato's variance, which stays valid for sparse strata:
    Var = (RD_MH·ΣPᵢ + ΣQᵢ)/W², Pᵢ = (n₁²x₂ − n₂²x₁ + n₁n₂(n₂ − n₁)/2)/N²,
    Qᵢ = (x₁(n₂ − x₂) + x₂(n₁ − x₁))/(2N).
    Sato, T. (1989) "On the variance estimator for the Mantel–Haenszel risk difference",
    Biometrics 45:1323-1324 (also Greenland & Robins 1985). With one stratum and equal
    group sizes it equals the Wald variance p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂. No usable stratum
    gives ``nan`` and no interval.
    """
    _check_confidence(confidence)
    usable = _usable_strata(strata)
    if not usable:
        return Estimate(_NAN, None)
    numerator = weight = p_sum = q_sum = 0.0
    for x1, n1, x2, n2 in usable:
        total = n1 + n2
        numerator += (x1 * n2 - x2 * n1) / total
        weight += n1 * n2 / total
        p_sum += (n1 * n1 * x2 - n2 * n2 * x1 + n1 * n2 * (n2 - n1) / 2.0) / (total * total)
        q_sum += (x1 * (n2 - x2) + x2 * (n1 - x1)) / (2.0 * total)
    rd = numerator / weight
    se = math.sqrt(max(rd * p_sum + q_sum, 0.0)) / weight
    z = z_value(confidence)
    return Estimate(rd, Interval(max(-1.0, rd - z * se), min(1.0, rd + z * se)))


def orient_between(estimate: Estimate, measure: Measure) -> tuple[bool, Estimate]:
    """A pair's figure oriented as the between-groups comparisons are: a ratio lower ÷ higher
    (≤ 1), a difference higher − lower (≥ 0). Returns whether the pair had to be swapped and
    the oriented estimate (reciprocal or negated, interval included). Pooled figures need this:
    the Mantel–Haenszel direction can differ from the crude shares' (Simpson's paradox)."""
    value, interval = estimate.value, estimate.interval
    if math.isnan(value):
        return False, estimate
    if measure == "ratio":
        if value <= 1.0 or value == 0.0:
            return False, estimate
        flipped = None
        if interval is not None:
            flipped = Interval(
                1.0 / interval.high if interval.high > 0.0 else math.inf,
                1.0 / interval.low if interval.low > 0.0 else math.inf,
            )
        return True, Estimate(1.0 / value, flipped)
    if value >= 0.0:
        return False, estimate
    return True, Estimate(-value, None if interval is None else Interval(-interval.high, -interval.low))


# --------------------------------------------------------------------------- multiplicity


def bonferroni(confidence: float, comparisons: int) -> float:
    """The per-comparison confidence 1 − (1 − C)/m for m comparisons.

    By Bonferroni's inequality P(any of m intervals misses) ≤ Σ (1 − C)/m = 1 − C, so the
    family-wise false-alarm rate stays at or below 1 − C whatever the dependence.
    """
    _check_confidence(confidence)
    if comparisons < 1:
        raise ValueError(f"comparisons must be at least 1, got {comparisons}")
    return 1.0 - (1.0 - confidence) / comparisons


# --------------------------------------------------------------------------- verdicts


def _satisfies(value: float, op: str, threshold: float, high: float | None) -> bool:
    if op == ">=":
        return value >= threshold
    if op == ">":
        return value > threshold
    if op == "<=":
        return value <= threshold
    if op == "<":
        return value < threshold
    if op == "between":
        assert high is not None
        return threshold <= value <= high
    raise ValueError(f"unknown comparison operator {op!r} (expected >=, >, <=, <, between)")


def _check_op(op: str, threshold: float, high: float | None) -> None:
    if op not in (">=", ">", "<=", "<", "between"):
        raise ValueError(f"unknown comparison operator {op!r} (expected >=, >, <=, <, between)")
    if op == "between" and (high is None or high < threshold):
        raise ValueError("'between' needs an upper bound at or above the lower bound")


def point_verdict(value: float, op: str, threshold: float, high: float | None = None) -> Outcome:
    """``"pass"`` if ``value op threshold`` holds (``between`` is threshold ≤ value ≤ high), else
    ``"fail"``; an undefined value (``nan``) is ``"inconclusive"``: it neither meets nor breaks
    the rule."""
    _check_op(op, threshold, high)
    if math.isnan(value):
        return "inconclusive"
    return "pass" if _satisfies(value, op, threshold, high) else "fail"


def verdict(estimate: Estimate, op: str, threshold: float, high: float | None = None) -> Outcome:
    """The verdict of ``estimate op threshold`` at the estimate's confidence.

    - ``"fail"`` only when every value of the interval breaks the rule (the whole interval
      lies past the threshold on the failing side; for ``between``, entirely below
      ``threshold`` or entirely above ``high``);
    - ``"inconclusive"`` when the point estimate breaks the rule but the interval still
      reaches values that satisfy it;
    - ``"pass"`` otherwise, i.e. whenever the point estimate satisfies the rule.

    Without an interval it is ``"inconclusive"``: a figure asked for at a confidence but
    without an interval at it is never a pass or a fail on its point (judge points with
    :func:`point_verdict`). When the interval covers the true value with probability ≥ C, a
    rule that truly holds fails with probability ≤ 1 − C.
    """
    _check_op(op, threshold, high)
    interval = estimate.interval
    if interval is None:
        return "inconclusive"
    if math.isnan(estimate.value) or math.isnan(interval.low) or math.isnan(interval.high):
        return "inconclusive"
    if _satisfies(estimate.value, op, threshold, high):
        return "pass"
    satisfiable = {
        ">=": interval.high >= threshold,
        ">": interval.high > threshold,
        "<=": interval.low <= threshold,
        "<": interval.low < threshold,
        "between": high is not None and interval.high >= threshold and interval.low <= high,
    }[op]
    return "inconclusive" if satisfiable else "fail"


# --------------------------------------------------------------------------- group comparisons


def compare_pair(
    group: GroupStat, reference: GroupStat, measure: Measure, kind: Kind, confidence: float | None
) -> Comparison:
    """``group`` against ``reference`` as ratio (group/reference) or difference (group − reference),
    with the interval of ``kind`` at ``confidence`` (None: the point figure only)."""
    estimate: Estimate
    if kind == "share":
        if group.successes is None or reference.successes is None:
            raise ValueError("share comparisons need the successes of every group")
        if confidence is None:
            p, r = _share(group), _share(reference)
            value = (p / r if r > 0.0 else _NAN) if measure == "ratio" else p - r
            estimate = Estimate(value, None)
        elif measure == "ratio":
            estimate = katz_ratio(group.successes, group.n, reference.successes, reference.n, confidence)
        else:
            estimate = newcombe_difference(group.successes, group.n, reference.successes, reference.n, confidence)
    elif kind == "mean":
        if confidence is None:
            estimate = _point_combination(group.value, reference.value, measure)
        else:
            if group.variance is None or reference.variance is None:
                raise ValueError("mean comparisons need the variance of every group")
            estimate = _compare_means(group, reference, measure, confidence)
    elif kind == "quantile":
        if confidence is None:
            estimate = _point_combination(group.value, reference.value, measure)
        else:
            a, b = Estimate(group.value, group.interval), Estimate(reference.value, reference.interval)
            estimate = mover_ratio(a, b) if measure == "ratio" else mover_difference(a, b)
    else:
        raise ValueError(f"unknown kind {kind!r} (expected share, mean, quantile)")
    return Comparison(group.name, reference.name, estimate.value, estimate.interval)


def _compare_means(group: GroupStat, reference: GroupStat, measure: Measure, confidence: float) -> Estimate:
    assert group.variance is not None and reference.variance is not None
    if group.skewness is None or reference.skewness is None:
        args = (group.value, group.variance, group.n, reference.value, reference.variance, reference.n)
        combine = ratio_of_means if measure == "ratio" else welch_difference
        return combine(*args, confidence)
    a = skewed_mean_interval(group.value, group.variance, group.skewness, group.n, confidence)
    b = skewed_mean_interval(reference.value, reference.variance, reference.skewness, reference.n, confidence)
    return mover_ratio(a, b) if measure == "ratio" else mover_difference(a, b)


def _share(group: GroupStat) -> float:
    assert group.successes is not None
    return group.successes / group.n if group.n > 0 else _NAN


def _point_combination(value: float, reference: float, measure: Measure) -> Estimate:
    if measure == "ratio":
        return Estimate(value / reference if reference != 0.0 else _NAN, None)
    return Estimate(value - reference, None)


def figure(group: GroupStat, kind: Kind) -> float:
    """The figure groups are ordered by: the share for shares, else ``value``."""
    return _share(group) if kind == "share" and group.successes is not None else group.value


def orient(a: GroupStat, b: GroupStat, measure: Measure, kind: Kind) -> tuple[GroupStat, GroupStat]:
    """A between-groups pair as (group, reference): ratios lower ÷ higher, differences higher −
    lower; ties and undefined figures are ordered by name."""
    fa, fb = figure(a, kind), figure(b, kind)
    low, high = (a, b) if (fa, a.name) <= (fb, b.name) else (b, a)
    if math.isnan(fa) or math.isnan(fb):
        low, high = (a, b) if a.name <= b.name else (b, a)
    return (low, high) if measure == "ratio" else (high, low)


def compare_groups(
    groups: Mapping[str, GroupStat],
    measure: Measure,
    kind: Kind,
    reference: str | None,
    confidence: float | None,
) -> list[Comparison]:
    """Compare groups as the rule language's ``across GROUP [vs REF]: ratio|difference(AGG)``.

    Without a reference (Fairlearn's between-groups): every pair {a, b} is compared once,
    oriented so that a ratio is lower/higher (≤ 1; min/max for the extreme pair) and a
    difference is higher − lower (≥ 0; max − min for the extreme pair). ``group`` is the
    numerator (ratio: the lower-valued group; difference: the higher-valued group) and
    ``reference`` the other. The list is sorted worst first — ascending ratios,
    descending differences — so element 0 is the between-groups figure.

    With a reference (Aequitas' style): every other group g is compared with it as
    g/reference or g − reference (k − 1 comparisons), sorted the same way.

    Family-wise control: share and mean comparisons are computed at the Bonferroni
    confidence ``bonferroni(confidence, m)`` with m = k(k−1)/2 pairs (or k − 1 with a
    reference), so P(any comparison interval misses its true value) ≤ 1 − confidence;
    every interval used here is symmetric under swapping the groups (the interval of
    b/a is the reciprocal of a/b's, of b − a the negation of a − b), so orienting pairs
    by the data does not change the coverage. Quantile comparisons combine the groups'
    own order-statistic intervals (``GroupStat.interval``) by MOVER (:func:`mover_ratio`,
    :func:`mover_difference`); the caller computes those at the same Bonferroni
    confidence ``bonferroni(confidence, m)``, as MOVER wants each group's interval at the
    level of the comparison. (Combining the bounds corner to corner at Šidák's per-group
    confidence C^(1/k) is valid too but so conservative that a 10-point gap over ten
    deciles of 2,000 tickets is missed one time in five.) For a rule with S strata
    (``within``), call this once per stratum with ``bonferroni(C, S)`` to keep the whole
    rule at ≤ 1 − C.

    ``confidence=None`` gives point comparisons without intervals.
    """
    if confidence is not None:
        _check_confidence(confidence)
    if measure not in ("ratio", "difference"):
        raise ValueError(f"unknown measure {measure!r} (expected ratio, difference)")
    if kind not in ("share", "mean", "quantile"):
        raise ValueError(f"unknown kind {kind!r} (expected share, mean, quantile)")
    stats = list(groups.values())
    pairs: list[tuple[GroupStat, GroupStat]] = []
    if reference is None:
        pairs = [orient(a, b, measure, kind) for a, b in combinations(stats, 2)]
    else:
        if reference not in groups:
            raise ValueError(f"reference group {reference!r} is not among the groups")
        ref = groups[reference]
        pairs = [(g, ref) for g in stats if g.name != ref.name]
    if not pairs:
        return []
    per_comparison = confidence
    if confidence is not None:
        per_comparison = bonferroni(confidence, len(pairs))
    comparisons = [compare_pair(g, r, measure, kind, per_comparison) for g, r in pairs]

    def worst_first(c: Comparison) -> tuple[bool, float, str, str]:
        order = c.value if measure == "ratio" else -c.value
        return (math.isnan(c.value), 0.0 if math.isnan(c.value) else order, c.group, c.reference)

    return sorted(comparisons, key=worst_first)
