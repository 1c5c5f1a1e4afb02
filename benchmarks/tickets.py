"""Ticket benchmark: N synthetic tickets → a table of wall time and peak memory per variant.

``python benchmarks/tickets.py --rows 1000000`` writes seeded data as Parquet and CSV into
``benchmarks/data/`` (gitignored), then runs each variant in its own subprocess (so ru_maxrss is
that variant's peak), in interleaved rounds (every expert variant, then the whole
``auditrules check --tickets`` CLI; again ``--repeat`` times) on Parquet and on CSV. The expert
DuckDB baseline (see EXPERT_* below) comes in three variants: straight from the Parquet file, and
parsed once into a typed table in memory or in a scratch database file (Parquet and CSV). Then
(b) pandas groupby and (c) Fairlearn's MetricFrame when installed. It prints every row's medians,
and the CLI against the fastest expert variant per format (the median of the per-round time
ratios, the ratio of median peak RSS), and checks the figures: every expert variant's, and
auditrules' per-group values and censored intervals, equal the straight-from-Parquet expert's to
1e-9 (and pandas equals it on the figures it computes the same way); exit 1, loudly, when not.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
PACK = ROOT / "rules" / "fairness.rules"
CHUNK = 1_000_000


def _demo() -> Any:
    spec = importlib.util.spec_from_file_location("make_demo_tickets", ROOT / "benchmarks" / "make_demo_tickets.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_data(rows: int) -> tuple[Path, Path]:
    """Parquet and CSV of ``rows`` two-tier tickets (generated in 1M-row chunks, seeded)."""
    import duckdb
    import pyarrow.parquet as pq

    DATA.mkdir(parents=True, exist_ok=True)
    parquet, csv = DATA / f"tickets_{rows}.parquet", DATA / f"tickets_{rows}.csv"
    if not parquet.exists():
        demo = _demo()
        tmp = parquet.with_suffix(".tmp")
        writer = None
        done = 0
        while done < rows:
            n = min(CHUNK, rows - done)
            table = demo.to_arrow(demo.generate(n, seed=1000 + done // CHUNK, fair=False))
            writer = writer or pq.ParquetWriter(str(tmp), table.schema, compression="zstd")
            writer.write_table(table)
            done += n
        assert writer is not None
        writer.close()
        tmp.rename(parquet)
    if not csv.exists():
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{csv}' (HEADER, DELIMITER ',')")
    return parquet, csv


# ---------------------------------------------------------------- variants (run in a child process)

#: The expert baseline: what a DuckDB expert writes for the same figures as auditrules (the
#: standard pack's per-group values and intervals), with the same honesty: per-requirement row
#: conditions (a row leaves only the figures whose columns it spoils), unanswered tickets censored
#: (Kaplan–Meier with Brookmeyer–Crowley quantile intervals and log–log share intervals, Wilson's
#: where S(t) is 0 or 1, at the pack's Bonferroni confidences), and the third moment of FAIR-007's amounts for the skew gate.
#: Decile and quartile edges and the as-of time first in one scan, the uncensored figures in one
#: GROUPING SETS scan with FILTER, one Kaplan–Meier query (life table + window sums, the same
#: formulation as auditrules' own) per censored requirement. Two ways to feed them:
#:
#: * straight from the file (Parquet only): each query reads only the columns it needs and cleans
#:   them inline (:data:`RAW`), so text timestamps are parsed in each query that reads them;
#: * parsed once: the needed columns, cleaned and typed (:data:`RAW`), loaded once into a DuckDB
#:   table — in memory or in a scratch database file (compressed on disk) — and the same queries
#:   run on its plain columns (:data:`LOADED`). This is what an expert does with a CSV.
TS = "try_cast(nullif(trim({c}), '') AS TIMESTAMP)"
#: Each cleaned column the queries read: its expression over the source file.
RAW = {
    "ch": "lower(nullif(trim(channel), ''))",
    "pr": "lower(nullif(trim(priority), ''))",
    "status": "lower(trim(status))",
    "outcome": "lower(trim(outcome))",
    "tier": "lower(trim(agent_tier))",
    "created": "created_at",
    "resolved": "resolved_at",
    "first_response": "first_response",
    "influence_score": "influence_score",
    "compensation": "compensation",
}
#: The same columns in the table loaded once (already cleaned and typed).
LOADED = {k: k for k in RAW}
#: Rows a first-response figure may read: a usable duration, or a creation time to censor it at.
#: (Timestamps are parsed only for unanswered tickets: OR and CASE evaluate lazily.)
FIRST = "NOT coalesce(first_response < 0, false) AND (first_response IS NOT NULL OR {created} IS NOT NULL)"
EXPERT_EDGES = """
SELECT quantile_cont(influence_score, [0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9]) FILTER (influence_score IS NOT NULL),
       quantile_cont(influence_score, [0.25,0.5,0.75]) FILTER (compensation > 0 AND influence_score IS NOT NULL),
       greatest(max({created}), max({resolved})),
       count(DISTINCT {ch}) FILTER ({status} <> 'spam'), count(DISTINCT {pr}) FILTER ({status} <> 'spam')
FROM {src}
"""
EXPERT_SHARES = """
SELECT {ch} AS ch, {pr} AS pr, CASE WHEN influence_score IS NULL THEN NULL {quartiles} ELSE 3 END AS qu,
  grouping(ch, pr, qu) AS g,
  count(*) FILTER ({status} <> 'spam') AS n8,
  avg(({outcome} = 'resolved')::DOUBLE) FILTER ({status} <> 'spam') AS resolved,
  avg(({tier} = 'senior')::DOUBLE) AS senior,
  avg(({outcome} = 'deflected')::DOUBLE) FILTER ({ch} IN ('twitter', 'facebook', 'instagram', 'social'))
    AS deflected,
  count(compensation) FILTER (compensation > 0) AS n7, avg(compensation) FILTER (compensation > 0) AS comp,
  var_samp(compensation) FILTER (compensation > 0) AS comp_var,
  skewness(compensation) FILTER (compensation > 0) AS comp_skew
FROM {src}
GROUP BY GROUPING SETS ((ch), (ch, pr), (), (qu))
HAVING (g = 3 AND ch IS NOT NULL) OR (g = 1 AND ch IS NOT NULL AND pr IS NOT NULL) OR g = 7 OR (g = 6 AND qu IS NOT NULL)
"""
#: Kaplan–Meier per group: the life table (one row per group and distinct wait), the number at
#: risk (a descending running sum), log S and Greenwood's sum (running sums), the log–log band.
EXPERT_KM = """
WITH lt AS (
  SELECT {keys}, {cap_open}CASE WHEN first_response IS NOT NULL THEN first_response
           ELSE greatest(epoch(coalesce({resolved}, TIMESTAMP '{as_of}')) - epoch({created}), 0.0) END{cap_close} AS t,
         count(first_response) AS d, count(*) AS m
  FROM {src} WHERE {valid} AND FIRST_ROWS GROUP BY ALL),
rk AS (SELECT *, sum(m) OVER (PARTITION BY {part} ORDER BY t DESC ROWS UNBOUNDED PRECEDING) AS r FROM lt),
km AS (
  SELECT *, sum(CASE WHEN d < r THEN ln(1 - d / r) ELSE 0 END) OVER w AS log_s, r + sum(d) OVER w - d AS obs,
         sum(CASE WHEN d < r THEN d / (r * (r - d)) ELSE 0 END) OVER w AS gw,
         bool_or(d = r AND d > 0) OVER w AS wiped,
         max(CASE WHEN d > 0 THEN t END) OVER (PARTITION BY {part}) AS last_t
  FROM rk WINDOW w AS (PARTITION BY {part} ORDER BY t ROWS UNBOUNDED PRECEDING)),
b AS (SELECT *, CASE WHEN wiped THEN 0 ELSE exp(log_s) END AS s, {band} FROM km)
SELECT {part}, sum(m) AS n, min(t) FILTER (s <= {level}) AS q, min(t) FILTER (lo <= {level}) AS q_lo,
       min(t) FILTER (hi <= {level}) AS q_hi,
       min(t) FILTER (m > d AND (last_t IS NULL OR t >= last_t)) AS waiting,
       coalesce(min(s) FILTER (t <= {at}), 1.0) AS s_at, coalesce(max(gw) FILTER (t <= {at}), 0.0) AS gw_at,
       sum(m) - coalesce(sum(m - d) FILTER (t < {at}), 0) AS observed_at, sum(m) - sum(d) AS censored
FROM b GROUP BY ALL
""".replace("FIRST_ROWS", FIRST)
#: Order statistics at 1-based ranks per group (a VALUES relation ``r`` of keys and ranks), for the
#: groups of a censored requirement that have no censored ticket (every wait observed): the i-th
#: smallest wait is the first distinct wait whose running count reaches i.
EXPERT_ORDER = """
WITH r({part}, k1, k2, lo, hi) AS (VALUES {ranks}),
lt AS (SELECT {keys}, first_response AS t, count(*) AS m FROM {src} WHERE {valid} AND first_response >= 0 GROUP BY ALL),
c AS (SELECT lt.*, k1, k2, lo, hi, sum(m) OVER (PARTITION BY {part} ORDER BY t ROWS UNBOUNDED PRECEDING) AS c
      FROM lt JOIN r USING ({part}))
SELECT {part}, min(t) FILTER (c >= k1), min(t) FILTER (c >= k2), min(t) FILTER (c >= lo), min(t) FILTER (c >= hi)
FROM c GROUP BY ALL
"""
#: The log–log band of S, needed for quantile intervals only (a share's comes from S(t) and Greenwood's sum);
#: where S is 0 or 1 the Wilson bound of none or all of the ``obs`` tickets observed through t.
BAND = """CASE WHEN wiped THEN 0 WHEN log_s = 0 THEN obs / (obs + {z} * {z})
       ELSE exp(-exp(ln(-log_s) - {z} * sqrt(gw) / log_s)) END AS lo,
  CASE WHEN wiped THEN {z} * {z} / (obs + {z} * {z}) WHEN log_s = 0 THEN 1
       ELSE exp(-exp(ln(-log_s) + {z} * sqrt(gw) / log_s)) END AS hi"""


def _cases(edges: list[float]) -> str:
    return " ".join(f"WHEN influence_score <= {e!r} THEN {i}" for i, e in enumerate(edges))


def _z(confidence: float) -> float:
    return statistics.NormalDist().inv_cdf(0.5 + confidence / 2)


def _loglog(s: float, gw: float, z: float, observed: int) -> tuple[float, float]:
    """The log–log interval of a share done within t, 1 − S(t), from S(t) and Greenwood's sum; at
    S(t) = 1 or 0 (none or all done) Wilson's over the ``observed`` tickets not censored before t."""
    if s >= 1.0 or s <= 0.0:
        return _wilson(0 if s >= 1.0 else observed, observed, z) if observed else (0.0, 1.0)
    v = math.log(s)
    spread = z * math.sqrt(gw) / v
    return 1 - math.exp(-math.exp(math.log(-v) + spread)), 1 - math.exp(-math.exp(math.log(-v) - spread))


def _km(
    con: Any, src: str, keys: str, valid: str, cols: dict[str, str], as_of: str, z: str, p: float | None, at: float
) -> list[Any]:
    """Kaplan–Meier figures per group: the p-quantile with its interval (p None: none) at the band's
    ``z`` (an SQL expression), S(at), Greenwood's sum and the number of censored tickets."""
    part = _part(keys)
    band = BAND.format(z=z) if p is not None else "NULL::DOUBLE AS lo, NULL::DOUBLE AS hi"
    # S(at) alone needs only the waits up to ``at`` and how many are still at risk past it: the
    # waits beyond are one life-table row per group (the windows then run over far fewer rows)
    cap_open, cap_close = ("least(", f", {math.nextafter(at, math.inf)!r})") if p is None else ("", "")
    level = repr(1.0 - p + 1e-9) if p is not None else "0"
    sql = EXPERT_KM.format(
        src=src,
        keys=keys.replace(" | ", ", "),
        part=part,
        valid=valid,
        as_of=as_of,
        band=band,
        level=level,
        at=repr(at),
        cap_open=cap_open,
        cap_close=cap_close,
        **cols,
    )
    rows: list[Any] = con.execute(sql).fetchall()
    return rows


def expert_figures(con: Any, src: str, cols: dict[str, str]) -> dict[str, float | None]:
    """The standard pack's per-group figures (and censored intervals), keyed like :func:`_figures_from_findings`.

    ``cols`` are the cleaned columns' expressions over ``src`` (:data:`RAW` or :data:`LOADED`);
    timestamps stored as text are parsed where they are read."""
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {src})").fetchall())
    cols = {
        k: TS.format(c=c) if k in ("created", "resolved") and not types[c].startswith("TIMESTAMP") else c
        for k, c in cols.items()
    }
    dec_edges, q_edges, latest, channels, priorities = con.execute(EXPERT_EDGES.format(src=src, **cols)).fetchone()
    as_of = latest.strftime("%Y-%m-%d %H:%M:%S.%f")
    out: dict[str, float | None] = {}
    sql = EXPERT_SHARES.format(src=src, quartiles=_cases(q_edges), **cols)
    for ch, pr, qu, g, _n8, resolved, senior, deflected, _n7, comp, _var, _skew in con.execute(sql).fetchall():
        if g == 7:
            out["FAIR-005/3/all/"] = deflected
        elif g == 3:
            out[f"FAIR-006/4/{ch}/"] = senior
        elif g == 1:
            out[f"FAIR-008/6/{ch}/{pr}"] = resolved
        elif g == 6 and comp is not None:
            out[f"FAIR-007/5/Q{qu + 1}/"] = comp
    ch_, pr_ = cols["ch"], cols["pr"]
    not_spam = f"{cols['status']} <> 'spam' AND {ch_} IS NOT NULL"
    # FAIR-003 #1: p90 per channel, each judged (Bonferroni over the channels)
    fig = _Censored(con, src, cols, as_of)
    guess = _bonferroni(CONFIDENCE, channels)
    out |= fig.quantiles(f"{ch_} AS ch", not_spam, 0.9, "each", guess, lambda k: f"FAIR-003/0/{k[0]}/")
    # FAIR-003 #2: share answered within 4h per channel and priority (Bonferroni over the strata)
    out |= fig.shares(f"{ch_} AS ch | {pr_} AS pr", f"{not_spam} AND {pr_} IS NOT NULL", 14400.0, "FAIR-003/1")
    # FAIR-004: median per influence decile and priority; MOVER pairs at Bonferroni over the pairs
    keys = f"CASE {_cases(dec_edges)} ELSE 9 END AS dec | {pr_} AS pr"
    valid = f"influence_score IS NOT NULL AND {pr_} IS NOT NULL"
    guess = _bonferroni(_bonferroni(CONFIDENCE, priorities), 45)
    out |= fig.quantiles(keys, valid, 0.5, "across", guess, lambda k: f"FAIR-004/2/D{k[0] + 1}/{k[1]}")
    return out


# ------------------------------------------------- the expert's censored figures, as auditrules states them
#
# auditrules (docs/mappings.md, "Censored waits") takes the product-limit figure only for groups
# that HAVE censored tickets; a group whose every wait was observed keeps the usual figure: the
# linear-interpolation quantile (DuckDB's ``quantile_cont``) with the distribution-free
# order-statistic interval, and the share with its Wilson interval. A group below the rule's
# ``minimum`` is shown without an interval and is left out of the Bonferroni families, and a
# quantile needs enough tickets for an order-statistic interval (else none is shown). The expert
# does the same; in the benchmark's files of 2M rows and more every group has a censored ticket,
# so these rules matter on smaller files (at 200k rows 15 of the 75 groups have none, at 20k 55).

#: The pack's ``minimum 30 tickets per group`` (FAIR-003, FAIR-004).
MINIMUM = 30
#: The pack's ``at 95% confidence``.
CONFIDENCE = 0.95
#: FAIR-003's ``each channel: p90(first_response) <= 24h``: a p90 the curve never reaches is known
#: only to exceed a bound; past this limit it fails on the bound (interval [bound, ∞)), otherwise
#: the group has no interval.
P90_LIMIT = 86400.0

Key = tuple[Any, ...]


def _part(keys: str) -> str:
    return ", ".join(k.rsplit(" AS ", 1)[-1] for k in keys.split(" | "))


def _bonferroni(confidence: float, k: int) -> float:
    return 1.0 - (1.0 - confidence) / k


def _confidences(ns: dict[Key, int], mode: str, pairs: bool) -> dict[Key, float]:
    """Each eligible group's interval confidence (keys end with the stratum in ``across`` mode):
    ``each``: Bonferroni over the eligible groups; ``across``: over the strata with two eligible
    groups or more, and for quantiles (``pairs``) again over each stratum's pairs."""
    eligible = [k for k, n in ns.items() if n >= MINIMUM]
    if mode == "each":
        return {k: _bonferroni(CONFIDENCE, max(len(eligible), 1)) for k in eligible}
    strata: dict[Any, list[Key]] = {}
    for k in eligible:
        strata.setdefault(k[-1], []).append(k)
    family = _bonferroni(CONFIDENCE, max(sum(1 for ks in strata.values() if len(ks) >= 2), 1))
    out: dict[Key, float] = {}
    for ks in strata.values():
        m = len(ks) * (len(ks) - 1) // 2
        out |= {k: _bonferroni(family, m) if pairs and m else family for k in ks}
    return out


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of x/n (Wilson 1927), closed at 0 and 1 when x is 0 or n."""
    p, z2n = x / n, z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    return (0.0 if x == 0 else max(0.0, centre - half)), (1.0 if x == n else min(1.0, centre + half))


def _better(a: tuple[int, float, float], b: tuple[int, float, float]) -> bool:
    """Narrower, then more even tails, then higher coverage; tails equal to rounding are a tie."""
    if a[0] != b[0]:
        return a[0] < b[0]
    tol = 1e-9 * max(a[2], b[2])
    if abs(a[1] - b[1]) > tol:
        return a[1] < b[1]
    return a[2] < b[2] - tol


def _has_ranks(n: int, q: float, confidence: float) -> bool:
    """Whether any order statistics bracket the q-quantile at ``confidence``: (1, n) does, with
    probability 1 − qⁿ − (1 − q)ⁿ (a relative tolerance of 1e-9 against rounding)."""
    return n >= 2 and q**n + (1.0 - q) ** n <= (1.0 - confidence) * (1.0 + 1e-9)


def _order_ranks(n: int, q: float, confidence: float) -> tuple[int, int] | None:
    """1-based ranks (l, u) of the narrowest distribution-free interval [x₍ₗ₎, x₍ᵤ₎] for the
    q-quantile: with B ~ Binomial(n, q), P(B ≤ l − 1) + P(B ≥ u) ≤ 1 − confidence (Hahn & Meeker
    §5.2); ties to the more even tails, then the higher coverage, then the lower ranks. None when
    even (1, n) falls short. The pmf is summed over nq ± 12 standard deviations."""
    if not _has_ranks(n, q, confidence):
        return None
    alpha = (1.0 - confidence) * (1.0 + 1e-9)
    sd = math.sqrt(n * q * (1.0 - q))
    lo, hi = max(0, math.floor(n * q - 12 * sd - 12)), min(n, math.ceil(n * q + 12 * sd + 12))
    c, lq, lp = math.lgamma(n + 1), math.log(q), math.log1p(-q)
    pmf = [math.exp(c - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * lq + (n - k) * lp) for k in range(lo, hi + 1)]
    below, above = [0.0], [0.0]  # P(B < lo + i), P(B ≥ hi + 1 − i), each summed from its small end
    for a, b in zip(pmf, reversed(pmf), strict=True):
        below.append(below[-1] + a)
        above.append(above[-1] + b)
    above.reverse()

    def tails(r: int) -> tuple[float, float]:  # P(B ≤ r − 1), P(B ≥ r)
        i = min(max(r - lo, 0), len(pmf))
        return below[i], above[i]

    best: tuple[int, float, float, int, int] | None = None
    u = 2
    for first in range(max(1, lo), min(n - 1, hi + 1) + 1):
        low_tail = tails(first)[0]
        if low_tail > alpha:
            break
        u = max(u, first + 1)
        while u <= n and tails(u)[1] > alpha - low_tail:
            u += 1
        if u > n:
            continue
        high_tail = tails(u)[1]
        key = (u - first, abs(low_tail - high_tail), low_tail + high_tail)
        if best is None or _better(key, best[:3]):
            best = (*key, first, u)
    return None if best is None else (best[3], best[4])


def _literal(v: Any) -> str:
    return "'" + v.replace("'", "''") + "'" if isinstance(v, str) else repr(v)


def _z_sql(names: list[str], zs: dict[Key, float]) -> str:
    """One z for every group, or a CASE over the groups' keys (the others get 0: no interval shown)."""
    if len(set(zs.values())) <= 1:
        return repr(next(iter(zs.values()), 0.0))
    whens = " ".join(
        f"WHEN {' AND '.join(f'{n} = {_literal(v)}' for n, v in zip(names, k, strict=True))} THEN {z!r}"
        for k, z in zs.items()
    )
    return f"(CASE {whens} ELSE 0.0 END)"


class _Censored:
    """The figures of requirements on a censored wait (``first_response``), per group."""

    def __init__(self, con: Any, src: str, cols: dict[str, str], as_of: str) -> None:
        self.con, self.src, self.cols, self.as_of = con, src, cols, as_of

    def _km(self, keys: str, valid: str, z: str, p: float | None, at: float) -> dict[Key, tuple[Any, ...]]:
        rows = _km(self.con, self.src, keys, valid, self.cols, self.as_of, z, p, at)
        k = len(keys.split(" | "))
        return {tuple(r[:k]): tuple(r[k:]) for r in rows}

    def quantiles(
        self, keys: str, valid: str, p: float, mode: str, guess: float, name: Callable[[Key], str]
    ) -> dict[str, Any]:
        """The p-quantile per group and its interval; ``name`` gives a group's figure key.

        The query runs at ``guess``, the confidence when every group has the minimum (as at large
        sizes), and again, each group at its own z, when the groups' sizes say otherwise."""
        groups = self._km(keys, valid, repr(_z(guess)), p, 0.0)
        conf = _confidences({k: g[0] for k, g in groups.items()}, mode, pairs=mode == "across")
        zs = {k: _z(c) for k, c in conf.items()}
        if any(z != _z(guess) for z in zs.values()):
            groups = self._km(keys, valid, _z_sql(_part(keys).split(", "), zs), p, 0.0)
        plain = {k: (g[0], conf.get(k)) for k, g in groups.items() if g[-1] == 0}
        order = self._order(keys, valid, p, plain) if plain else {}
        out: dict[str, Any] = {}
        for k, (n, q, lo, hi, waiting, _s, _gw, _obs, censored) in groups.items():
            shown = k in conf and _has_ranks(n, p, conf[k])  # an interval needs an order-statistic one
            if not censored:
                value, lo, hi = order[k]
            elif q is not None or mode == "across":
                value = q if q is not None else waiting
                lo = min(lo if lo is not None else value, value)
            else:  # unreached, judged alone (FAIR-003's p90): see P90_LIMIT
                value, lo, hi = waiting, waiting, None
                shown = shown and waiting > P90_LIMIT
            key = name(k)
            out[key], out[f"{key}/censored"] = value, censored
            out[f"{key}/lo"], out[f"{key}/hi"] = (lo, hi) if shown else (None, None)
        return out

    def _order(self, keys: str, valid: str, p: float, plain: dict[Key, tuple[int, float | None]]) -> dict[Key, Any]:
        """Groups without a censored ticket: the linear-interpolation p-quantile (h = (n − 1)p,
        between the ⌊h⌋+1-th and ⌊h⌋+2-th smallest waits) and the order-statistic interval."""
        values, frac = [], {}
        for k, (n, conf) in plain.items():
            h = (n - 1) * p
            ranks = _order_ranks(n, p, conf) if conf is not None else None
            lo, hi = ranks or (0, 0)
            frac[k] = h - math.floor(h)
            ranks_sql = [math.floor(h) + 1, min(math.floor(h) + 2, n), lo, hi]
            values.append(f"({', '.join([*map(_literal, k), *map(str, ranks_sql)])})")
        sql = EXPERT_ORDER.format(
            src=self.src, keys=keys.replace(" | ", ", "), part=_part(keys), valid=valid, ranks=", ".join(values)
        )
        out: dict[Key, Any] = {}
        for row in self.con.execute(sql).fetchall():
            k, (below, above, lo, hi) = tuple(row[: len(row) - 4]), row[len(row) - 4 :]
            out[k] = (below + frac[k] * (above - below), lo, hi)
        return out

    def shares(self, keys: str, valid: str, at: float, rule: str) -> dict[str, Any]:
        """The share done within ``at`` per group (keys: group, stratum) and its interval."""
        groups = self._km(keys, valid, "0.0", None, at)
        conf = _confidences({k: g[0] for k, g in groups.items()}, "across", pairs=False)
        out: dict[str, Any] = {}
        for k, (n, _q, _lo, _hi, _w, s, gw, observed, censored) in groups.items():
            # the figure is the share's count round((1 − S(t))·n) over n, as auditrules compares them
            x = round((1.0 - s) * n)
            key = f"{rule}/{'/'.join(map(str, k))}"
            out[key], out[f"{key}/censored"] = x / n, censored
            if k not in conf:
                out[f"{key}/lo"], out[f"{key}/hi"] = None, None
            else:
                band = _loglog(s, gw, _z(conf[k]), observed) if censored else _wilson(x, n, _z(conf[k]))
                out[f"{key}/lo"], out[f"{key}/hi"] = band
        return out


def _expert_connection(database: str = ":memory:") -> Any:
    import duckdb

    con = duckdb.connect(database)
    con.execute("SET preserve_insertion_order = false")
    return con


def run_expert_direct(path: str) -> dict[str, Any]:
    """Straight from the Parquet file: each query reads the columns it needs and cleans them inline."""
    con = _expert_connection()
    return {"figures": expert_figures(con, f"read_parquet('{path}')", RAW)}


def _reader(path: str) -> str:
    return f"read_csv('{path}', header = true)" if path.endswith(".csv") else f"read_parquet('{path}')"


def _load_once(con: Any, path: str, temp: bool) -> None:
    """The needed columns, cleaned and with timestamps parsed, into one typed table ``t``."""
    types = dict(
        con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {_reader(path)})").fetchall()
    )
    select = ", ".join(
        f"{TS.format(c=e) if k in ('created', 'resolved') and not types[e].startswith('TIMESTAMP') else e} AS {k}"
        for k, e in RAW.items()
    )
    con.execute(f"CREATE {'TEMP ' if temp else ''}TABLE t AS SELECT {select} FROM {_reader(path)}")


def run_expert_memory(path: str) -> dict[str, Any]:
    """Parsed once into an in-memory temporary table, then the same queries on its plain columns."""
    con = _expert_connection()
    _load_once(con, path, temp=True)
    return {"figures": expert_figures(con, "t", LOADED)}


def run_expert_file(path: str) -> dict[str, Any]:
    """Parsed once into a table of a scratch DuckDB database file (stored compressed), then the same queries."""
    with tempfile.TemporaryDirectory(prefix="expert-") as tmp:
        con = _expert_connection(os.path.join(tmp, "scratch.duckdb"))
        con.execute(f"SET temp_directory = '{tmp}'")
        _load_once(con, path, temp=False)
        figures = expert_figures(con, "t", LOADED)
        con.close()
    return {"figures": figures}


def _figures_from_findings(findings: Any) -> dict[str, float | None]:
    """Each group's value; for requirements on a censored wait (which the expert computes in full)
    also each group's interval (None when withheld) and its number of censored tickets."""
    out: dict[str, float | None] = {}
    for i, f in enumerate(findings):
        for g in f.evidence.get("groups", []):
            stratum = ",".join(f"{v}" for v in (g["stratum"] or {}).values())
            key = f"{f.rule_id}/{i}/{g['group']}/{stratum}"
            out[key] = g["value"]
            if g.get("censored") is not None:
                out[f"{key}/censored"] = g["censored"]
                out[f"{key}/lo"], out[f"{key}/hi"] = g.get("interval") or (None, None)
    return out


def run_auditrules(path: str) -> dict[str, Any]:
    from auditrules.lang.parser import parse_policy
    from auditrules.tickets import evaluate_tickets

    policy = parse_policy(PACK.read_text(encoding="utf-8"), str(PACK))
    rules = [(policy, r) for r in policy.rules if r.requires]
    res = evaluate_tickets(rules, [path])
    return {
        "figures": _figures_from_findings(res.findings),
        "statuses": [f"{f.rule_id}:{f.status.value}" for f in res.findings],
    }


def run_pandas(path: str) -> dict[str, Any]:
    """The standard pack's per-group figures with pandas (reading only the needed columns).

    FAIR-003 and FAIR-004 are complete-case figures here (answered tickets only; pandas has no
    product-limit estimator), so only the other rules' figures are compared with the expert's:
    an independent check of the expert's SQL. A row leaves only the figures whose columns it
    spoils, as in auditrules: an unparseable timestamp or a negative wait does not remove a
    ticket from FAIR-005 to FAIR-008."""
    import numpy as np
    import pandas as pd

    cols = [
        "created_at",
        "resolved_at",
        "channel",
        "priority",
        "status",
        "first_response",
        "outcome",
        "agent_tier",
        "influence_score",
        "compensation",
    ]
    df = pd.read_parquet(path, columns=cols)
    created = pd.to_datetime(df["created_at"], errors="coerce", format="%Y-%m-%d %H:%M:%S")
    resolved = pd.to_datetime(df["resolved_at"], errors="coerce", format="%Y-%m-%d %H:%M:%S")
    bad_ts = (df["created_at"].notna() & created.isna()) | (df["resolved_at"].notna() & resolved.isna())
    resolution = (resolved - created).dt.total_seconds()
    negative = (df["first_response"] < 0) | (resolution < 0)
    k = df[~bad_ts & ~negative.fillna(False)]
    out: dict[str, float] = {}
    not_spam = k[k["status"].notna() & (k["status"] != "spam")]
    a = not_spam.dropna(subset=["channel", "first_response"])
    for ch, v in a.groupby("channel")["first_response"].quantile(0.9).items():
        out[f"FAIR-003/0/{ch}/"] = float(v)
    # shares keep rows whose predicate column is missing: a missing value never compares true
    b = not_spam.dropna(subset=["channel", "priority"])
    for (ch, pr), v in (b["first_response"] <= 14400).groupby([b["channel"], b["priority"]]).mean().items():
        out[f"FAIR-003/1/{ch}/{pr}"] = float(v)
    c = k.dropna(subset=["influence_score"])
    edges = np.quantile(c["influence_score"].to_numpy(), [i / 10 for i in range(1, 10)])
    c = c.dropna(subset=["priority", "first_response"])
    dec = np.searchsorted(edges, c["influence_score"].to_numpy(), side="left")
    for (d, pr), v in c.groupby([dec, c["priority"]])["first_response"].median().items():
        out[f"FAIR-004/2/D{d + 1}/{pr}"] = float(v)
    s = df[df["channel"].isin(["twitter", "facebook", "instagram", "social"])]
    out["FAIR-005/3/all/"] = float((s["outcome"] == "deflected").mean())
    e = df.dropna(subset=["channel"])
    for ch, v in (e["agent_tier"] == "senior").groupby(e["channel"]).mean().items():
        out[f"FAIR-006/4/{ch}/"] = float(v)
    f = df[df["compensation"] > 0]
    qedges = np.quantile(f["influence_score"].dropna().to_numpy(), [0.25, 0.5, 0.75])
    f = f.dropna(subset=["influence_score"])
    qb = np.searchsorted(qedges, f["influence_score"].to_numpy(), side="left")
    for qi, v in f.groupby(qb)["compensation"].mean().items():
        out[f"FAIR-007/5/Q{qi + 1}/"] = float(v)
    g = df[df["status"].notna() & (df["status"] != "spam")].dropna(subset=["channel", "priority"])
    for (ch, pr), v in (g["outcome"] == "resolved").groupby([g["channel"], g["priority"]]).mean().items():
        out[f"FAIR-008/6/{ch}/{pr}"] = float(v)
    return {"figures": out}


def run_fairlearn(path: str) -> dict[str, Any]:
    import pandas as pd
    from fairlearn.metrics import MetricFrame

    df = pd.read_parquet(path, columns=["channel", "agent_tier", "outcome"]).dropna()
    senior = lambda y, p: (y == "senior").mean()  # noqa: ARG005, E731 - fairlearn passes (y_true, y_pred)
    mf = MetricFrame(
        metrics={"senior": senior}, y_true=df["agent_tier"], y_pred=df["agent_tier"], sensitive_features=df["channel"]
    )
    return {"groups": len(mf.by_group)}


VARIANTS = {
    "expert-direct": run_expert_direct,
    "expert-memory": run_expert_memory,
    "expert-file": run_expert_file,
    "auditrules": run_auditrules,
    "pandas": run_pandas,
    "fairlearn": run_fairlearn,
}


def child(variant: str, path: str, out: str) -> None:
    t0 = time.perf_counter()
    result = VARIANTS[variant](path)
    result["seconds"] = time.perf_counter() - t0
    Path(out).write_text(json.dumps(result))


def measure(variant: str, path: str) -> dict[str, Any]:
    """Run one variant in a fresh interpreter; wall time and that child's peak RSS."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", variant, path, out])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"variant {variant} failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(Path(out).read_text())
    os.unlink(out)
    result.update(wall=wall, rss_mb=usage.ru_maxrss / 1024)
    return result


def measure_cli(path: str) -> dict[str, Any]:
    """The whole ``auditrules check --tickets`` process: wall time and peak RSS."""
    cmd = [sys.executable, "-m", "auditrules", "check", "-q", "--rules", str(PACK), "--tickets", path]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = proc.stderr.read().decode(errors="replace").strip().splitlines() if proc.stderr else []
        raise SystemExit(f"CLI run exited {code}: {err[-1] if err else ''}")
    return {"wall": wall, "rss_mb": usage.ru_maxrss / 1024}


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def interleaved(rounds: list[tuple[str, str, Any]], repeat: int) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every (source, variant, run) in turn, ``repeat`` times (A, B, C, A, B, C ...), so that drift
    in the machine's load hits all alike; returns every run of each (source, variant)."""
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {(src, v): [] for src, v, _ in rounds}
    for _ in range(repeat):
        for src, v, run in rounds:
            runs[src, v].append(run())
    return runs


#: The expert variants per source format (a CSV is not re-read per query: an expert loads it once).
EXPERTS = {"Parquet": ("expert-direct", "expert-memory", "expert-file"), "CSV": ("expert-memory", "expert-file")}
LABELS = {
    "expert-direct": "expert, straight from the file",
    "expert-memory": "expert, parsed once (in-memory table)",
    "expert-file": "expert, parsed once (scratch DB file)",
    "cli": "auditrules CLI",
}


def report(runs: dict[tuple[str, str], list[dict[str, Any]]], repeat: int) -> None:
    """Medians per row; the faster parsed-once storage; the CLI against the fastest expert variant
    per format (median of the per-round time ratios, ratio of median peak RSS)."""
    print(f"\ninterleaved rounds x {repeat} (each round: every expert variant, then the CLI); medians")
    print(f"{'source':8} {'variant':40} {'wall s':>8} {'peak MB':>8}")
    for (src, v), rs in runs.items():
        print(
            f"{src:8} {LABELS[v]:40} {_median([r['wall'] for r in rs]):8.2f} {_median([r['rss_mb'] for r in rs]):8.0f}"
        )
    print()
    for src, experts in EXPERTS.items():
        wall = {v: _median([r["wall"] for r in runs[src, v]]) for v in experts}
        once = min(("expert-memory", "expert-file"), key=wall.__getitem__)
        best = min((v for v in experts if v in ("expert-direct", once)), key=wall.__getitem__)
        cli = runs[src, "cli"]
        ratio = _median([c["wall"] / b["wall"] for b, c in zip(runs[src, best], cli, strict=True)])
        mem = _median([r["rss_mb"] for r in cli]) / _median([r["rss_mb"] for r in runs[src, best]])
        print(
            f"{src}: parsed once, the faster is {LABELS[once].split('(')[1].rstrip(')')}; fastest expert: "
            f"{LABELS[best]}; CLI / that expert: time {ratio:.2f}x (median of per-round ratios), memory {mem:.2f}x"
        )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--child":
        child(args[1], args[2], args[3])
        return 0
    if args and args[0] == "--make-data":
        make_data(int(args[1]))
        return 0
    ap = argparse.ArgumentParser(description="Benchmark the standard pack's ticket rules.")
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=5, help="interleaved rounds (medians are reported)")
    opts = ap.parse_args(args)
    t0 = time.perf_counter()
    # generate in a child: ru_maxrss survives fork+exec, so the parent must stay small
    subprocess.run([sys.executable, __file__, "--make-data", str(opts.rows)], check=True)
    files = {"Parquet": DATA / f"tickets_{opts.rows}.parquet", "CSV": DATA / f"tickets_{opts.rows}.csv"}
    print(
        f"data: {opts.rows:,} rows ({files['Parquet'].stat().st_size / 1e6:.0f} MB parquet, "
        f"{files['CSV'].stat().st_size / 1e6:.0f} MB csv; ready in {time.perf_counter() - t0:.1f}s)"
    )
    rounds: list[tuple[str, str, Any]] = []
    for src, experts in EXPERTS.items():
        path = str(files[src])
        rounds += [(src, v, lambda v=v, path=path: measure(v, path)) for v in experts]
        rounds.append((src, "cli", lambda path=path: measure_cli(path)))
    runs = interleaved(rounds, opts.repeat)
    report(runs, opts.repeat)
    parquet = str(files["Parquet"])
    others: list[tuple[str, dict[str, Any]]] = [("(b) pandas groupby, Parquet", measure("pandas", parquet))]
    if importlib.util.find_spec("fairlearn") is not None:
        others.append(("(c) Fairlearn MetricFrame (FAIR-006's figure only)", measure("fairlearn", parquet)))
    else:
        print("note: fairlearn is not installed; variant (c) skipped")
    print()
    for name, r in others:
        print(f"{name:52} {r['wall']:8.2f} s {r['rss_mb']:8.0f} MB")
    expert: dict[str, float] = runs["Parquet", "expert-direct"][0]["figures"]
    ok = True
    for src, experts in EXPERTS.items():
        for v in experts:
            if (src, v) != ("Parquet", "expert-direct"):
                got = runs[src, v][0]["figures"]
                ok &= _compare(f"{LABELS[v]} on {src} vs straight from Parquet", got, expert)
    # an independent check of the expert's SQL: pandas on the figures it computes the same way
    shared = {k: v for k, v in others[0][1]["figures"].items() if k.split("/")[0] in UNCENSORED}
    ok &= _compare("pandas vs expert SQL (FAIR-005 to FAIR-008)", shared, expert)
    auditrules: dict[str, float] = measure("auditrules", parquet)["figures"]
    ok &= _compare("auditrules vs expert SQL (all figures; censored waits' intervals and counts)", auditrules, expert)
    print(censoring_note(expert))
    if not ok:
        print("FIGURES DIFFER BY MORE THAN 1e-9: the comparison above is not like for like", file=sys.stderr)
    return 0 if ok else 1


#: The rules whose figures pandas computes as auditrules does (no censored duration).
UNCENSORED = ("FAIR-005", "FAIR-006", "FAIR-007", "FAIR-008")


def differences(got: dict[str, Any], ref: dict[str, Any], keys: set[str] | None = None) -> tuple[list[str], float, str]:
    """The keys (of ``keys``, default all) on one side only or None on one side, and the largest
    difference between the figures on both sides (relative above 1) with its key."""
    keys = set(got) | set(ref) if keys is None else keys
    missing = sorted(k for k in keys if k not in got or k not in ref)
    both = sorted(k for k in keys if k in got and k in ref)
    nones = [k for k in both if (got[k] is None) != (ref[k] is None)]
    diffs = [
        (abs(got[k] - ref[k]) / max(1.0, abs(ref[k])), k) for k in both if got[k] is not None and ref[k] is not None
    ]
    worst, where = max(diffs, default=(0.0, ""))
    return missing + nones, worst, where


def _compare(label: str, got: dict[str, Any], ref: dict[str, Any]) -> bool:
    """Print the largest difference between two sets of figures (relative above 1); True when ≤ 1e-9."""
    keys = set(got) if label.startswith("pandas") else set(got) | set(ref)
    differing, worst, where = differences(got, ref, keys)
    print(
        f"{label}: {len(keys) - len(differing)} figures; keys differing: {len(differing)}; "
        f"max difference {worst:.2e} ({where})"
    )
    if differing:
        print("  differing keys:", differing[:10])
    return not differing and worst <= 1e-9


def censoring_note(figures: dict[str, Any]) -> str:
    """What the figures of censored waits are made of: the groups with no censored ticket (whose
    figure is the usual one, on both sides) and the intervals withheld."""
    groups = [k.removesuffix("/censored") for k in figures if k.endswith("/censored")]
    plain = sum(1 for g in groups if figures[f"{g}/censored"] == 0)
    withheld = sum(1 for g in groups if figures[f"{g}/lo"] is None)
    return (
        f"  censored waits (FAIR-003, FAIR-004): {len(groups)} groups, {len(groups) - plain} with censored tickets "
        f"(product-limit figure); {plain} without, whose figure is the usual quantile or share with its "
        f"order-statistic or Wilson interval, as auditrules documents; {withheld} intervals withheld "
        "(group below the minimum, or too small for an interval)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
