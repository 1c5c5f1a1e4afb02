"""Censored durations: the product-limit estimator against lifelines, the engine's SQL against
Python, and the coverage of its intervals by replication (printed)."""

from __future__ import annotations

import math
import random

import duckdb
import lifelines  # dev extra: the independent reference implementation; never skipped
import numpy as np
import pytest
from sqlglot import exp

from auditrules.tickets import survival as K
from auditrules.tickets.stats import z_value


def _sample(seed: int, n: int, censor_share: float = 0.3, ties: bool = False) -> tuple[list[float], list[bool]]:
    rng = random.Random(seed)
    durations, observed = [], []
    for _ in range(n):
        t = rng.lognormvariate(1.0, 1.0)
        c = rng.expovariate(censor_share / 4.0) if censor_share else math.inf
        value = min(t, c)
        if ties:
            value = float(round(value))
        durations.append(value)
        observed.append(t <= c)
    return durations, observed


def _lifelines_fit(durations: list[float], observed: list[bool], conf: float) -> object:
    kmf = lifelines.KaplanMeierFitter(alpha=1 - conf)
    kmf.fit(np.array(durations), np.array(observed, dtype=bool))
    return kmf


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ties", [False, True])
def test_curve_and_band_match_lifelines(seed: int, ties: bool) -> None:
    durations, observed = _sample(seed, 150, ties=ties)
    kmf = _lifelines_fit(durations, observed, 0.95)
    curve = K.product_limit(K.LifeTable.from_durations(durations, observed))
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    z = z_value(0.95)
    for t in curve.table.times:
        s, gw = K.survival_at(curve, t)
        assert s == pytest.approx(float(sf.loc[t]), abs=1e-12)
        low, high = K.loglog_band(s, gw, z)
        assert low == pytest.approx(float(ci.iloc[:, 0].loc[t]), abs=1e-9)
        assert high == pytest.approx(float(ci.iloc[:, 1].loc[t]), abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("p", [0.5, 0.9])
def test_quantile_and_interval_match_lifelines(seed: int, p: float) -> None:
    from lifelines.utils import qth_survival_time

    durations, observed = _sample(seed, 200, censor_share=0.25, ties=seed % 2 == 0)
    kmf = _lifelines_fit(durations, observed, 0.95)
    curve = K.product_limit(K.LifeTable.from_durations(durations, observed))
    q = K.quantile(curve, p, 0.95)
    expected = qth_survival_time(1 - p, kmf.survival_function_)
    ci = kmf.confidence_interval_
    exp_low = qth_survival_time(1 - p, ci.iloc[:, [0]])  # the lower band reaches the level first
    exp_high = qth_survival_time(1 - p, ci.iloc[:, [1]])
    if math.isinf(expected):
        assert not q.reached
    else:
        assert q.reached and q.value == pytest.approx(expected)
    assert (q.low if q.low is not None else math.inf) == pytest.approx(exp_low)
    assert q.high == pytest.approx(exp_high)


# lifelines warns that its percentile reads the fitted curve; an unreached quantile is inf either way
@pytest.mark.filterwarnings("ignore::lifelines.exceptions.ApproximationWarning")
def test_quantile_never_reached_is_bounded_by_waiting_tickets() -> None:
    # a quarter of the tickets waited 30 days and were never answered; the rest answered in 1h
    day = 86400.0
    durations = [3600.0] * 75 + [30 * day + i for i in range(25)]
    observed = [True] * 75 + [False] * 25
    curve = K.product_limit(K.LifeTable.from_durations(durations, observed))
    q = K.quantile(curve, 0.9, 0.95)
    assert not q.reached
    assert q.value == 30 * day  # the shortest follow-up of the tickets still waiting
    assert q.value > 24 * 3600  # so `p90 <= 24h` fails
    assert math.isinf(q.high)
    kmf = _lifelines_fit(durations, observed, 0.95)
    assert math.isinf(kmf.percentile(0.1))


def test_share_within_is_one_minus_survival() -> None:
    durations, observed = _sample(3, 300)
    kmf = _lifelines_fit(durations, observed, 0.9)
    curve = K.product_limit(K.LifeTable.from_durations(durations, observed))
    s, gw = K.survival_at(curve, 4.0)
    share = K.share_within(s, gw, 0.9, K.observed_through(curve.table, 4.0))
    assert share.value == pytest.approx(1 - float(kmf.predict(4.0)), abs=1e-12)
    ci = kmf.confidence_interval_
    last = ci.loc[ci.index <= 4.0].iloc[-1]
    assert share.low == pytest.approx(1 - float(last.iloc[1]), abs=1e-9)
    assert share.high == pytest.approx(1 - float(last.iloc[0]), abs=1e-9)


def _run_sql(
    rows: list[tuple[str, float | None, bool]], p: float | None, at: float | None, conf: float = 0.95
) -> dict[str, dict[str, object]]:
    con = duckdb.connect()
    con.execute("CREATE TABLE tickets (g VARCHAR, x DOUBLE, e BOOLEAN)")
    con.executemany("INSERT INTO tickets VALUES (?, ?, ?)", rows)
    q = K.survival_query(
        exp.to_table("tickets"),
        [("k0", exp.column("g"))],
        exp.column("x"),
        exp.column("e"),
        exp.true(),
        p,
        z_value(conf),
        at,
    )
    for dialect in ("duckdb", "spark"):
        assert q.sql(dialect=dialect)  # renders for both engines
    cur = con.execute(q.sql(dialect="duckdb"))
    names = [d[0] for d in cur.description]
    return {str(r[0]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}


@pytest.mark.parametrize("seed", range(5))
def test_engine_query_matches_python(seed: int) -> None:
    rows: list[tuple[str, float | None, bool]] = []
    samples = {}
    for j, g in enumerate(("email", "phone", "chat")):
        d, o = _sample(seed * 10 + j, 120 + 40 * j, censor_share=0.2 + 0.2 * j, ties=j == 1)
        samples[g] = (d, o)
        rows += [(g, t, e) for t, e in zip(d, o, strict=True)]
    rows.append(("email", None, False))  # no duration: left out
    result = _run_sql(rows, 0.9, 4.0)
    for g, (d, o) in samples.items():
        curve = K.product_limit(K.LifeTable.from_durations(d, o))
        got = K.read_row(result[g], 0.9)
        want = K.quantile(curve, 0.9, 0.95)
        assert got.n == len(d) and got.events == sum(o) and got.censored == len(d) - sum(o)
        assert got.quantile is not None
        assert got.quantile.reached == want.reached
        assert got.quantile.value == pytest.approx(want.value)
        assert got.quantile.low == pytest.approx(want.low)
        assert got.quantile.high == pytest.approx(want.high)
        s, gw = K.survival_at(curve, 4.0)
        assert got.s_at == pytest.approx(s, rel=1e-9)
        assert got.greenwood_at == pytest.approx(gw, rel=1e-9)


def test_engine_query_unreached_and_all_events() -> None:
    rows = [("a", 3600.0, True)] * 75 + [("a", 30 * 86400.0 + i, False) for i in range(25)]
    rows += [("b", float(i), True) for i in range(1, 41)]  # no censoring: S reaches 0
    result = _run_sql(rows, 0.9, 24 * 3600.0)
    a = K.read_row(result["a"], 0.9)
    assert a.quantile is not None and not a.quantile.reached
    assert a.quantile.value == 30 * 86400.0 and math.isinf(a.quantile.high)
    assert a.s_at == pytest.approx(0.25)
    b = K.read_row(result["b"], 0.9)
    curve = K.product_limit(K.LifeTable.from_durations([float(i) for i in range(1, 41)], [True] * 40))
    want = K.quantile(curve, 0.9, 0.95)
    assert b.quantile == want
    assert b.censored == 0


def test_replication_coverage() -> None:
    """Coverage of the 95% intervals on censored lognormal waits (printed)."""
    rng = random.Random(20261201)
    mu, sigma = 1.0, 1.0
    true_q = {p: math.exp(mu + sigma * _probit(p)) for p in (0.5, 0.9)}
    t0 = 4.0
    true_share = _phi((math.log(t0) - mu) / sigma)
    reps, n = 400, 200
    hits = {"p50": 0, "p90": 0, "share<=4": 0}
    for _ in range(reps):
        durations, observed = [], []
        for _ in range(n):
            t = rng.lognormvariate(mu, sigma)
            c = rng.uniform(0, 40.0)  # about 20% censored, more in the tail
            durations.append(min(t, c))
            observed.append(t <= c)
        curve = K.product_limit(K.LifeTable.from_durations(durations, observed))
        for p, name in ((0.5, "p50"), (0.9, "p90")):
            q = K.quantile(curve, p, 0.95)
            low = q.low if q.low is not None else math.inf
            hits[name] += low <= true_q[p] <= q.high
        s, gw = K.survival_at(curve, t0)
        share = K.share_within(s, gw, 0.95, K.observed_through(curve.table, t0))
        hits["share<=4"] += share.low <= true_share <= share.high
    coverage = {k: v / reps for k, v in hits.items()}
    print(f"\nproduct-limit 95% interval coverage over {reps} censored lognormal samples of {n}: {coverage}")
    for name, c in coverage.items():
        assert c >= 0.92, f"{name} covered only {c:.1%}"


def _probit(p: float) -> float:
    from auditrules.tickets.stats import normal_quantile

    return normal_quantile(p)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))
