"""Calibration of the standard pack: false fails at each threshold, on fair companies, and power.

``python benchmarks/calibration.py`` simulates ticket histories of a company with 4 channels
(email, phone, chat, twitter) × 3 priorities, lognormal first-response times (σ = 1) and an
influence score independent of everything, and judges every history with the standard pack
exactly as ``auditrules check`` does (the shipped rules file, the shipped judge). It prints:

- per rule, the **false-fail rate** on histories whose truth sits exactly at that rule's
  threshold (goal ≤ 5%);
- the **pack-level false-fail rate** on fair histories with no difference anywhere: the share
  of histories in which at least one rule fails (goal ≤ 5%);
- per rule, the **power**: the share of histories that fail when a violation is planted
  10 points beyond the threshold (ratios 0.1 lower, shares and differences 10 percentage
  points higher, durations 10% longer) at 2,000 tickets per compared group (goal ≥ 90%);
- extra rows without a goal (``extra`` in the scenario name), for what the goals leave out;
- FAIR-007's **power bound**: how often the best level-5% test, told the variance (and, in a
  second row, the distribution), would catch the planted compensation ratio at the same size,
  and how many tickets per quartile would reach 90% (:func:`fair007_bounds`).

Histories are judged many at a time: each scenario's histories are one table with a
``history`` column, and the engine evaluates them as independent partitions of one run
(:func:`auditrules.tickets.partitions.evaluate_partitions`), so a thousand histories cost a few
queries, not a thousand runs. ``--histories`` and ``--power-histories`` set the counts.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "rules" / "fairness.rules"

CHANNELS = ("email", "phone", "chat", "twitter")
PRIORITIES = ("low", "normal", "high")
HOUR = 3600.0
SIGMA = 1.0
# Median first response per priority (hours): p90 of the mix ≈ 12h, share answered in 4h 50–76%.
MEDIAN_HOURS = {"low": 4.0, "normal": 3.0, "high": 2.0}
RESOLVED, DEFLECTED = 0.85, 0.03
SENIOR = 0.30
COMPENSATED = 0.40  # share of tickets with compensation > 0
COMPENSATION_MEDIAN = 20.0
REOPENED = 0.10  # share of solved tickets reopened (FAIR-010, when the pack has it)
GOAL_FALSE_FAIL, GOAL_POWER = 0.05, 0.90
POWER_PER_CELL = 2000  # tickets per (channel, priority) in the power scenarios


def normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def normal_ppf(p: float) -> float:
    """Φ⁻¹ by bisection on :func:`normal_cdf` (only a handful of calls: no scipy needed)."""
    low, high = -40.0, 40.0
    for _ in range(200):
        mid = (low + high) / 2.0
        low, high = (mid, high) if normal_cdf(mid) < p else (low, mid)
    return (low + high) / 2.0


@dataclass(frozen=True)
class World:
    """The truth of one simulated company; every history of a scenario is drawn from it.

    ``response`` multiplies first-response times per (channel, priority); ``top_decile_response``
    multiplies them for customers in the top tenth of influence; the shares are per channel.
    """

    response: Mapping[tuple[str, str], float] = field(default_factory=dict)
    top_decile_response: float = 1.0
    resolved: Mapping[str, float] = field(default_factory=dict)
    deflected: Mapping[str, float] = field(default_factory=dict)
    senior: Mapping[str, float] = field(default_factory=dict)
    top_quartile_compensation: float = 1.0
    reopened: Mapping[str, float] = field(default_factory=dict)

    def median(self, channel: str, priority: str) -> float:
        return MEDIAN_HOURS[priority] * HOUR * self.response.get((channel, priority), 1.0)


FAIR = World()


def mixture_quantile(world: World, channel: str, q: float) -> float:
    """The q-quantile of a channel's first response over the equal priority mix (bisection)."""

    def cdf(t: float) -> float:
        return sum(normal_cdf((math.log(t) - math.log(world.median(channel, p))) / SIGMA) for p in PRIORITIES) / len(
            PRIORITIES
        )

    low, high = 1.0, 1.0e9
    for _ in range(200):
        mid = math.sqrt(low * high)
        low, high = (mid, high) if cdf(mid) < q else (low, mid)
    return math.sqrt(low * high)


def share_within(world: World, channel: str, priority: str, limit: float) -> float:
    """P(first response ≤ limit) in one cell (ignoring the influence effect)."""
    return normal_cdf((math.log(limit) - math.log(world.median(channel, priority))) / SIGMA)


def with_p90(world: World, hours: float) -> World:
    """Every channel's p90 first response (over its priority mix) set to ``hours``."""
    factor = hours * HOUR / mixture_quantile(world, "email", 0.9)
    return replace(world, response={(c, p): factor for c in CHANNELS for p in PRIORITIES})


def with_fast_share_ratio(world: World, channel: str, ratio: float) -> World:
    """``channel``'s share answered within 4h set to ``ratio`` × the other channels', per priority."""
    response = dict(world.response)
    for p in PRIORITIES:
        target = ratio * share_within(world, "email", p, 4 * HOUR)
        median = 4 * HOUR / math.exp(SIGMA * normal_ppf(target))
        response[(channel, p)] = median / (MEDIAN_HOURS[p] * HOUR)
    return replace(world, response=response)


# --------------------------------------------------------------------------- simulation


def simulate(world: World, histories: int, per_cell: int, seed: int) -> Any:
    """``histories`` independent histories of ``per_cell`` tickets per (channel, priority), as one
    pyarrow table with a ``history`` column and the canonical columns the standard pack reads."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    cells = [(c, p) for c in CHANNELS for p in PRIORITIES]
    per_history = len(cells) * per_cell
    n = histories * per_history
    channel = np.tile(np.repeat(np.array([c for c, _ in cells]), per_cell), histories)
    priority = np.tile(np.repeat(np.array([p for _, p in cells]), per_cell), histories)
    history = np.repeat(np.arange(histories, dtype=np.int32), per_history)
    median = np.tile(np.repeat(np.array([world.median(c, p) for c, p in cells]), per_cell), histories)
    influence = rng.uniform(0.0, 100.0, n)
    first = median * rng.lognormal(0.0, SIGMA, n)
    first = np.where(influence > 90.0, first * world.top_decile_response, first)

    def per_channel(values: Mapping[str, float], default: float) -> np.ndarray:
        table = {c: values.get(c, default) for c in CHANNELS}
        out = np.empty(n)
        for c, v in table.items():
            out[channel == c] = v
        return out

    resolved_p, deflected_p = per_channel(world.resolved, RESOLVED), per_channel(world.deflected, DEFLECTED)
    u = rng.uniform(size=n)
    outcome = np.where(u < resolved_p, "resolved", np.where(u < resolved_p + deflected_p, "deflected", "unresolved"))
    senior = rng.uniform(size=n) < per_channel(world.senior, SENIOR)
    amount = COMPENSATION_MEDIAN * rng.lognormal(0.0, SIGMA, n)
    amount = np.where(influence > 75.0, amount * world.top_quartile_compensation, amount)
    compensation = np.where(rng.uniform(size=n) < COMPENSATED, amount, 0.0)
    reopens = (rng.uniform(size=n) < per_channel(world.reopened, REOPENED)).astype(np.int64)
    return pa.table(
        {
            "history": history,
            "ticket_id": np.arange(n).astype(str),
            "channel": channel,
            "priority": priority,
            "status": np.where(outcome == "resolved", "solved", "open"),
            "first_response": first.round(0),
            "influence_score": influence,
            "outcome": outcome,
            "agent_tier": np.where(senior, "senior", "junior"),
            "compensation": compensation.round(2),
            "reopens": reopens,
        }
    )


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    """Histories drawn from one world; ``rules`` are the rule ids whose failures are counted."""

    name: str
    world: World
    rules: tuple[str, ...]
    per_cell: int


def at_threshold(per_cell: int) -> list[Scenario]:
    """Each rule's truth exactly at its threshold (rules on separate columns share a world)."""
    shares = World(
        deflected={"twitter": 0.10},  # FAIR-005: social deflection exactly 10% (taken from unresolved)
        senior={"twitter": SENIOR + 0.10},  # FAIR-006: difference exactly 10 points
        resolved={"phone": 0.9 * RESOLVED},  # FAIR-008: ratio exactly 0.9 in every priority
        top_quartile_compensation=1.25,  # FAIR-007: Q4/Q1 mean compensation exactly 1.25
        reopened={"twitter": REOPENED + 0.10},  # FAIR-010: difference exactly 10 points
    )
    return [
        Scenario("p90 first response 24h in every channel", with_p90(FAIR, 24.0), ("FAIR-003#1",), per_cell),
        Scenario(
            "phone answered within 4h 0.8x as often",
            with_fast_share_ratio(FAIR, "phone", 0.8),
            ("FAIR-003#2",),
            per_cell,
        ),
        Scenario(
            "top influence decile answered in 0.8x the time",
            replace(FAIR, top_decile_response=0.8),
            ("FAIR-004",),
            per_cell,
        ),
        Scenario(
            "shares and compensation at their thresholds",
            shares,
            ("FAIR-005", "FAIR-006", "FAIR-007", "FAIR-008", "FAIR-010"),
            per_cell,
        ),
    ]


def violations(per_cell: int) -> list[Scenario]:
    """Each rule violated 10 points beyond its threshold."""
    shares = World(
        deflected={"twitter": 0.20},
        senior={"twitter": SENIOR + 0.20},
        resolved={"phone": 0.8 * RESOLVED},
        top_quartile_compensation=1.35,
        reopened={"twitter": REOPENED + 0.20},
    )
    return [
        Scenario("p90 first response 26.4h", with_p90(FAIR, 26.4), ("FAIR-003#1",), per_cell),
        Scenario(
            "phone answered within 4h 0.7x as often",
            with_fast_share_ratio(FAIR, "phone", 0.7),
            ("FAIR-003#2",),
            per_cell,
        ),
        Scenario(
            "top influence decile answered in 0.7x the time",
            replace(FAIR, top_decile_response=0.7),
            ("FAIR-004",),
            per_cell * 10 // len(CHANNELS),  # 2,000 tickets per (decile, priority) group
        ),
        Scenario(
            "shares and compensation 10 points beyond",
            shares,
            ("FAIR-005", "FAIR-006", "FAIR-007", "FAIR-008", "FAIR-010"),
            per_cell,
        ),
    ]


def extras(per_cell: int) -> list[Scenario]:
    """Informative scenarios without a goal: FAIR-007 on a violation the engine can see at this size."""
    return [
        Scenario(
            "extra, no goal: top quartile compensated 1.5x (0.25 past the bound)",
            World(top_quartile_compensation=1.5),
            ("FAIR-007",),
            per_cell,
        )
    ]


# --------------------------------------------------------------------------- judging


def load_rules(pack: Path = PACK) -> list[tuple[Any, Any]]:
    """The ticket rules of ``pack`` (the shipped standard pack by default), parsed."""
    from auditrules.api import load_policies

    return [(p.policy, r) for p in load_policies([pack]) for r in p.policy.rules if r.requires]


def finding_keys(rules: Sequence[tuple[Any, Any]]) -> list[str]:
    """One key per (rule, requirement), in the order findings come: ``FAIR-003#1`` when a rule
    has several requirements, else the rule id."""
    keys: list[str] = []
    for _, rule in rules:
        many = len(rule.requires) > 1
        keys += [f"{rule.id}#{i + 1}" if many else rule.id for i in range(len(rule.requires))]
    return keys


def judge(table: Any, rules: Sequence[tuple[Any, Any]], workdir: Path) -> dict[int, dict[str, str]]:
    """Every history of ``table`` judged by the shipped pack: history → finding key → status."""
    import pyarrow.parquet as pq

    from auditrules.tickets.partitions import evaluate_partitions

    path = workdir / "histories.parquet"
    pq.write_table(table, str(path))
    keys = finding_keys(rules)
    out: dict[int, dict[str, str]] = {}
    for history, findings in evaluate_partitions(rules, [str(path)], partition="history").items():
        out[int(history)] = {k: f.status.value for k, f in zip(keys, findings, strict=True)}
    return out


@dataclass(frozen=True)
class Row:
    """One line of the table: a rule, the scenario, how often it failed and the goal."""

    what: str
    scenario: str
    rate: float
    histories: int
    goal: str
    met: bool
    extra: bool = False  # informative rows: no goal, not counted


def fail_rates(
    scenario: Scenario, histories: int, seed: int, rules: Sequence[tuple[Any, Any]], workdir: Path
) -> dict[str, float]:
    statuses = judge(simulate(scenario.world, histories, scenario.per_cell, seed), rules, workdir)
    present = set(finding_keys(rules))  # rules other issues add are measured once the pack has them
    return {r: sum(s[r] == "fail" for s in statuses.values()) / len(statuses) for r in scenario.rules if r in present}


def run(histories: tuple[int, int], seed: int, pack: Path, workdir: Path, say: Callable[[str], None]) -> list[Row]:
    histories, power_histories = histories
    rules = load_rules(pack)
    rows: list[Row] = []
    for i, scenario in enumerate(at_threshold(500)):
        started = time.perf_counter()
        rates = fail_rates(scenario, histories, seed + i, rules, workdir)
        say(f"  at threshold: {scenario.name} ({histories} histories, {time.perf_counter() - started:.0f}s)")
        rows += [
            Row(r, f"truth at threshold: {scenario.name}", v, histories, "<= 5%", v <= GOAL_FALSE_FAIL)
            for r, v in rates.items()
        ]
    started = time.perf_counter()
    statuses = judge(simulate(FAIR, histories, 500, seed + 100), rules, workdir)
    pack = sum(any(v == "fail" for v in s.values()) for s in statuses.values()) / len(statuses)
    say(f"  fair company ({histories} histories, {time.perf_counter() - started:.0f}s)")
    rows.append(Row("whole pack", "no difference anywhere", pack, histories, "<= 5%", pack <= GOAL_FALSE_FAIL))
    for i, scenario in enumerate(violations(POWER_PER_CELL)):
        started = time.perf_counter()
        rates = fail_rates(scenario, power_histories, seed + 200 + i, rules, workdir)
        say(f"  violation: {scenario.name} ({power_histories} histories, {time.perf_counter() - started:.0f}s)")
        rows += [
            Row(r, f"power: {scenario.name}", v, power_histories, ">= 90%", v >= GOAL_POWER) for r, v in rates.items()
        ]
    for i, scenario in enumerate(extras(POWER_PER_CELL)):
        started = time.perf_counter()
        rates = fail_rates(scenario, power_histories, seed + 300 + i, rules, workdir)
        say(f"  extra: {scenario.name} ({power_histories} histories, {time.perf_counter() - started:.0f}s)")
        rows += [Row(r, f"power: {scenario.name}", v, power_histories, "-", True, extra=True) for r, v in rates.items()]
    return rows


# --------------------------------------------------------------------------- FAIR-007's bound

FAIR007_BOUND, FAIR007_TRUTH, FAIR007_COMPARISONS = 1.25, 1.35, 3  # Q4/Q1 planted; Q2, Q3, Q4 vs Q1


@dataclass(frozen=True)
class Bound:
    """The power of one level-α test of FAIR-007's planted violation, and the tickets it needs."""

    test: str
    power: float
    per_quartile_for_90: int


def fair007_bounds(per_quartile: int, alpha: float = 0.05) -> list[Bound]:
    """How well any test can catch Q4/Q1 mean compensation 1.35 against ``<= 1.25`` at level ``alpha``.

    FAIR-007 compares the means of the *compensated* tickets (``where compensation > 0``): a share
    p of each quartile's tickets, ``COMPENSATION_MEDIAN``·lognormal(σ) each, so n = p·per_quartile
    amounts per quartile with squared coefficient of variation CV² = e^{σ²} − 1 (1.72 for σ = 1),
    and log(mean Q4 / mean Q1) has variance ≈ 2·CV²/n (delta method). A one-sided z test with that
    variance *known* is the most powerful level-α test of the means alone:
    power = Φ(δ/SE − z₁₋α), δ = ln(1.35/1.25). Knowing moreover that the amounts are lognormal with
    σ = 1 and the same σ in every quartile, the ratio of means is the ratio of the log-scale
    centres, estimated with variance 2·σ²/n (the likelihood test). The engine judges the three
    comparisons with Bonferroni two-sided intervals at 1 − α/3, i.e. one-sided tails of α/6 (its
    own level, with the variance known). Tickets per quartile for 90% power:
    V·(z₁₋α + z₀.₉)²/(δ²·p), V the variance per compensated ticket.
    """
    delta = math.log(FAIR007_TRUTH / FAIR007_BOUND)
    compensated = per_quartile * COMPENSATED
    means = 2.0 * (math.exp(SIGMA * SIGMA) - 1.0)
    lognormal = 2.0 * SIGMA * SIGMA
    z90 = normal_ppf(0.9)
    tests = [
        ("known-variance z test of the compensated means, one comparison, one-sided", means, alpha),
        ("likelihood test knowing the amounts are lognormal (sigma = 1), one-sided", lognormal, alpha),
        (
            "the engine's level: 3 comparisons, Bonferroni two-sided (one-sided alpha/6), variance known",
            means,
            alpha / (2 * FAIR007_COMPARISONS),
        ),
    ]
    out = []
    for name, variance, level in tests:
        z = normal_ppf(1.0 - level)
        power = normal_cdf(delta / math.sqrt(variance / compensated) - z)
        out.append(Bound(name, power, math.ceil(variance * (z + z90) ** 2 / delta**2 / COMPENSATED)))
    return out


def fair007_oracle_replicated(per_quartile: int, replications: int, seed: int, alpha: float = 0.05) -> float:
    """The first bound re-measured: the known-variance z test run on simulated quartiles (Q1 and Q4),
    each with its compensated share of tickets."""
    rng = np.random.default_rng(seed)
    compensated = round(per_quartile * COMPENSATED)
    delta_variance = 2.0 * (math.exp(SIGMA * SIGMA) - 1.0) / compensated
    z = normal_ppf(1.0 - alpha)
    rejected = 0

    def mean_compensation(scale: float, shape: tuple[int, int]) -> np.ndarray:
        return (COMPENSATION_MEDIAN * scale * rng.lognormal(0.0, SIGMA, shape)).mean(axis=1)

    for start in range(0, replications, 200):
        shape = (min(200, replications - start), compensated)
        log_ratio = np.log(mean_compensation(FAIR007_TRUTH, shape)) - np.log(mean_compensation(1.0, shape))
        rejected += int(((log_ratio - math.log(FAIR007_BOUND)) / math.sqrt(delta_variance) > z).sum())
    return rejected / replications


def bounds_text(per_quartile: int, seed: int) -> str:
    """FAIR-007's power bounds as a Markdown table (the README quotes it)."""
    lines = [
        f"FAIR-007 bound: Q4/Q1 mean compensation {FAIR007_TRUTH} against <= {FAIR007_BOUND}, "
        f"{per_quartile:,} tickets per quartile ({round(per_quartile * COMPENSATED):,} compensated), level 5%",
        "",
        "| test | power | tickets per quartile for 90% |",
        "|---|---:|---:|",
    ]
    for b in fair007_bounds(per_quartile):
        lines.append(f"| {b.test} | {b.power * 100:.1f}% | {b.per_quartile_for_90:,} |")
    replicated = fair007_oracle_replicated(per_quartile, 2000, seed)
    lines.append(f"| the first test run on 2,000 simulated pairs of quartiles | {replicated * 100:.1f}% | |")
    return "\n".join(lines)


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (the README quotes it)."""
    lines = ["| rule | histories | scenario | fails | goal | met |", "|---|---:|---|---:|---|---|"]
    for r in rows:
        lines.append(
            f"| {r.what} | {r.histories:,} | {r.scenario} | {r.rate * 100:.1f}% | {r.goal} | "
            f"{'-' if r.extra else 'yes' if r.met else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--histories", type=int, default=1000, help="histories per false-fail scenario (default 1000)")
    ap.add_argument("--power-histories", type=int, default=200, help="histories per power scenario (default 200)")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--rules", type=Path, default=PACK, help="rules file to calibrate (default: the standard pack)")
    args = ap.parse_args(argv)
    import tempfile

    started = time.perf_counter()
    shown = args.rules.relative_to(ROOT) if args.rules.is_relative_to(ROOT) else args.rules
    print(f"calibrating {shown} ({datetime.now(timezone.utc):%Y-%m-%d})", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="auditrules-calibration-") as tmp:
        counts = (args.histories, args.power_histories)
        rows = run(counts, args.seed, args.rules, Path(tmp), lambda m: print(m, file=sys.stderr))
    print(table(rows))
    print()
    print(bounds_text(POWER_PER_CELL * len(CHANNELS) * len(PRIORITIES) // 4, args.seed))
    goals = [r for r in rows if not r.extra]
    print(f"\n{time.perf_counter() - started:.0f}s; {sum(not r.met for r in goals)} of {len(goals)} goals missed")
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
