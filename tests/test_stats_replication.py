"""Replication tests: how often ``at 95% confidence`` raises a false alarm, and how often it
catches a real gap, over many seeded synthetic ticket histories.

The pipeline is the one the engine runs for
``require across channel [vs REF]: ratio|difference(share(...)) CMP VALUE within priority at 95% confidence``:
per stratum, :func:`compare_groups` at ``bonferroni(0.95, strata)``, then :func:`verdict` on every
comparison; the rule fails when any comparison fails.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from auditrules.tickets import stats
from auditrules.tickets.stats import GroupStat

CONFIDENCE = 0.95
CHANNELS = ("email", "phone", "chat", "twitter")
# The true share of resolved tickets per priority stratum; the same in every channel (no unfairness).
NULL_RATES = (0.30, 0.55, 0.75)
# Between-groups comparisons with the threshold at the truth are the tight case: all 3 strata x 6
# pairs are tested, and the family-wise rate of this Bonferroni procedure is about 0.044 (for ideal
# z-tests, 1 - (1 - P(range of 4 normals > z*sqrt(2)))**3 = 0.0436 with z = 2.991, from the
# studentized range). 10,000 histories put the 0.05 bound about 3 Monte Carlo standard errors away;
# the other rules are far from the bound and use every fifth history (2,000).
NULL_REPLICATIONS = 10_000
NULL_SUBSAMPLE = 5

Rule = Callable[[np.ndarray, np.ndarray], str]


def simulate(rng: np.random.Generator, rates: np.ndarray, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """Successes and group sizes per (stratum, channel) cell; sizes uniform on [low, high]."""
    n = rng.integers(low, high + 1, size=rates.shape)
    return rng.binomial(n, rates), n


def rule_status(
    x: np.ndarray,
    n: np.ndarray,
    measure: stats.Measure,
    op: str,
    threshold: float,
    reference: str | None = None,
    adjust: bool = True,
) -> str:
    """The status of one rule over all strata: fail if any comparison fails, then inconclusive, then pass.

    ``adjust=False`` drops the Bonferroni split over strata and pairs (every comparison at 95%):
    the naive procedure, used only to show that the null test can tell the two apart.
    """
    strata = x.shape[0]
    statuses: list[str] = []
    for s in range(strata):
        groups = {
            name: GroupStat(name, int(n[s, g]), float(x[s, g] / n[s, g]), successes=int(x[s, g]))
            for g, name in enumerate(CHANNELS)
        }
        ref = reference
        if reference == "largest":  # the group with most tickets in this stratum
            ref = max(CHANNELS, key=lambda name: (groups[name].n, name))
        if adjust:
            comparisons = stats.compare_groups(groups, measure, "share", ref, stats.bonferroni(CONFIDENCE, strata))
        else:
            comparisons = [
                naive_comparison(groups[c.group], groups[c.reference], measure)
                for c in stats.compare_groups(groups, measure, "share", ref, None)
            ]
        statuses += [stats.verdict(stats.Estimate(c.value, c.interval), op, threshold) for c in comparisons]
    for status in ("fail", "inconclusive"):
        if status in statuses:
            return status
    return "pass"


def naive_comparison(group: GroupStat, reference: GroupStat, measure: str) -> stats.Comparison:
    assert group.successes is not None and reference.successes is not None
    function = stats.katz_ratio if measure == "ratio" else stats.newcombe_difference
    e = function(group.successes, group.n, reference.successes, reference.n, CONFIDENCE)
    return stats.Comparison(group.name, reference.name, e.value, e.interval)


def pooled_status(x: np.ndarray, n: np.ndarray, threshold: float) -> str:
    """``ratio(share) >= threshold`` judged on the Mantel–Haenszel pooled ratio of every pair
    (oriented lower/higher, Bonferroni over the 6 pairs)."""
    per_pair = stats.bonferroni(CONFIDENCE, len(CHANNELS) * (len(CHANNELS) - 1) // 2)
    statuses = []
    for a in range(len(CHANNELS)):
        for b in range(a + 1, len(CHANNELS)):
            strata = [(int(x[s, a]), int(n[s, a]), int(x[s, b]), int(n[s, b])) for s in range(x.shape[0])]
            e = stats.mantel_haenszel_ratio(strata, per_pair)
            if e.value > 1.0:  # orient as lower/higher, like compare_groups without a reference
                strata = [(c, d, a_, b_) for a_, b_, c, d in strata]
                e = stats.mantel_haenszel_ratio(strata, per_pair)
            statuses.append(stats.verdict(e, ">=", threshold))
    return "fail" if "fail" in statuses else "pass"


def test_null_false_fail_rate_is_at_most_five_percent() -> None:
    rng = np.random.default_rng(20240601)
    rates = np.repeat(np.array(NULL_RATES)[:, None], len(CHANNELS), axis=1)  # 3 strata × 4 channels
    tight: dict[str, Rule] = {
        # Thresholds exactly at the truth: the hardest case for false alarms.
        "ratio >= 1.0": lambda x, n: rule_status(x, n, "ratio", ">=", 1.0),
        "difference <= 0": lambda x, n: rule_status(x, n, "difference", "<=", 0.0),
    }
    loose: dict[str, Rule] = {
        # FAIR-008 as written: a true ratio of 1.0 against a threshold of 0.9 must (almost) never fail.
        "ratio >= 0.9 (FAIR-008)": lambda x, n: rule_status(x, n, "ratio", ">=", 0.9),
        "vs largest: ratio >= 1.0": lambda x, n: rule_status(x, n, "ratio", ">=", 1.0, reference="largest"),
        "vs largest: difference <= 0": lambda x, n: rule_status(x, n, "difference", "<=", 0.0, reference="largest"),
        "pooled Mantel-Haenszel ratio >= 1.0": pooled_status_at_truth,
        # The naive procedure without Bonferroni: must exceed 5%, or this test could not fail.
        "UNADJUSTED ratio >= 1.0": lambda x, n: rule_status(x, n, "ratio", ">=", 1.0, adjust=False),
    }
    fails = dict.fromkeys([*tight, *loose], 0)
    runs = dict.fromkeys([*tight, *loose], 0)
    for i in range(NULL_REPLICATIONS):
        x, n = simulate(rng, rates, 450, 550)
        rules = tight if i % NULL_SUBSAMPLE else {**tight, **loose}
        for name, rule in rules.items():
            runs[name] += 1
            fails[name] += rule(x, n) == "fail"
    observed = {name: fails[name] / runs[name] for name in fails}
    for name, rate in observed.items():
        print(f"null false-fail rate, {name}: {rate:.4f} ({fails[name]}/{runs[name]})")
    for name, rate in observed.items():
        if name.startswith("UNADJUSTED"):
            assert rate > 0.05, name
        else:
            assert rate <= 0.05, name
    assert observed["ratio >= 0.9 (FAIR-008)"] <= 0.01  # "rarely": a tolerance of 10% is never a false alarm
    assert observed["ratio >= 0.9 (FAIR-008)"] <= 0.005


def pooled_status_at_truth(x: np.ndarray, n: np.ndarray) -> str:
    return pooled_status(x, n, 1.0)


POWER_REPLICATIONS = 400


def test_power_to_catch_a_ten_point_gap() -> None:
    # One channel resolves 40% of tickets, the others 50%; 2,000 tickets per channel, one stratum.
    # An auditor who wants parity writes a tight tolerance: within 5% relative (ratio >= 0.95)
    # or within 2 points (difference <= 0.02). A real gap of 10 points (true ratio 0.8) must then
    # fail in at least 90% of histories, even with the Bonferroni split over the 6 channel pairs.
    # FAIR-008's looser ratio >= 0.9 is reported too: at this size it is the edge of what the
    # data can prove (true 0.8 vs tolerance 0.9), so its power is printed, not required.
    rng = np.random.default_rng(7)
    rates = np.array([[0.50, 0.40, 0.50, 0.50]])
    rules: dict[str, Rule] = {
        "ratio >= 0.95": lambda x, n: rule_status(x, n, "ratio", ">=", 0.95),
        "difference <= 0.02": lambda x, n: rule_status(x, n, "difference", "<=", 0.02),
        "vs largest: ratio >= 0.95": lambda x, n: rule_status(x, n, "ratio", ">=", 0.95, reference="largest"),
        "ratio >= 0.9 (FAIR-008)": lambda x, n: rule_status(x, n, "ratio", ">=", 0.9),
    }
    caught = dict.fromkeys(rules, 0)
    for _ in range(POWER_REPLICATIONS):
        x, n = simulate(rng, rates, 2000, 2000)
        for name, rule in rules.items():
            caught[name] += rule(x, n) == "fail"
    power = {name: count / POWER_REPLICATIONS for name, count in caught.items()}
    for name, rate in power.items():
        print(f"power against a 10-point gap at n=2000, {name}: {rate:.4f}")
    assert power["ratio >= 0.95"] >= 0.90
    assert power["difference <= 0.02"] >= 0.90
    assert power["vs largest: ratio >= 0.95"] >= 0.90
    assert power["ratio >= 0.9 (FAIR-008)"] >= 0.5
