"""Demo ticket data: a seed and a story (two-tier or fair) → a canonical ticket table (Parquet).

``python benchmarks/make_demo_tickets.py`` writes ``examples/acme/tickets.parquet`` (the
two-tier story: Twitter and high-influence customers answered in minutes by senior agents, phone
and email waiting about a day, social complaints deflected to a hotline, compensation rising
with influence) and ``examples/acme-fair/tickets.parquet`` (the same shop, served fairly).
Both hold a few bad rows of each kind (unparseable or missing timestamps, negative durations,
missing channels) so the row accounting has something to show. :func:`generate` is reused by
the tests and by ``benchmarks/tickets.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

CHANNELS = ("email", "phone", "chat", "web", "twitter", "facebook", "instagram")
SOCIAL = ("twitter", "facebook", "instagram")
PRIORITIES = ("low", "normal", "high", "urgent")
START = np.datetime64("2024-01-01T00:00:00", "s")
HOUR = 3600.0


def generate(n: int, seed: int = 7, fair: bool = False, bad_rows: bool = True) -> dict[str, Any]:
    """Columns (name → numpy array) of ``n`` canonical tickets; timestamps are ISO text."""
    rng = np.random.default_rng(seed)
    mix = [0.30, 0.25, 0.15, 0.10, 0.12, 0.05, 0.03] if fair else [0.33, 0.28, 0.14, 0.08, 0.11, 0.04, 0.02]
    channel = rng.choice(np.array(CHANNELS, dtype=object), size=n, p=mix)
    priority = rng.choice(np.array(PRIORITIES, dtype=object), size=n, p=[0.25, 0.45, 0.22, 0.08])
    social = np.isin(channel, SOCIAL)
    # influence: a 0-100 score, social customers skew higher
    influence = np.clip(rng.gamma(2.0, 12.0, size=n) + np.where(social, 15.0, 0.0), 0, 100).round(1)
    pct = influence.argsort().argsort() / max(n - 1, 1)  # rank in [0, 1]
    created = START + (rng.uniform(0, 365 * 86400, size=n)).astype("timedelta64[s]")
    prio_factor = np.select([priority == "urgent", priority == "high", priority == "low"], [0.5, 0.8, 1.2], 1.0)

    if fair:
        median_h = np.full(n, 1.2)
        first = rng.lognormal(np.log(median_h * HOUR), 0.55) * prio_factor
        senior = rng.uniform(size=n) < 0.30
        outcome = rng.choice(
            np.array(["resolved", "deflected", "unresolved"], dtype=object), size=n, p=[0.975, 0.01, 0.015]
        )
        comp_base = rng.gamma(2.0, 10.0, size=n)
        compensation = np.where(rng.uniform(size=n) < 0.15, comp_base, 0.0).round(2)
    else:
        median_h = np.select(
            [np.isin(channel, ["email", "phone"]), channel == "web", channel == "chat", social],
            [16.0, 6.0, 0.3, 0.25],
            8.0,
        )
        sigma = np.where(np.isin(channel, ["email", "phone"]), 0.75, 0.6)
        first = rng.lognormal(np.log(median_h * HOUR), sigma) * prio_factor
        # influential customers jump the queue wherever they write from
        first = first * np.where(pct > 0.9, 0.08, np.where(pct > 0.7, 0.4, 1.0))
        senior_p = np.where(social, 0.75, np.where(channel == "chat", 0.35, 0.08)) + 0.2 * (pct > 0.9)
        senior = rng.uniform(size=n) < np.clip(senior_p, 0, 1)
        u = rng.uniform(size=n)
        resolved_p = np.where(social, 0.60, np.where(np.isin(channel, ["email", "phone"]), 0.55, 0.90))
        deflected_p = np.where(social, 0.35, 0.02)
        outcome = np.where(
            u < resolved_p, "resolved", np.where(u < resolved_p + deflected_p, "deflected", "unresolved")
        ).astype(object)
        comp_base = rng.gamma(2.0, 8.0, size=n) * (1.0 + influence / 20.0)
        compensation = np.where(rng.uniform(size=n) < 0.15 + 0.2 * social, comp_base, 0.0).round(2)

    first = first.round(0)
    resolution = first + rng.lognormal(np.log(20 * HOUR), 0.8, size=n)
    resolved_at = created + resolution.astype("timedelta64[s]")
    status = np.where(rng.uniform(size=n) < 0.03, "spam", np.where(outcome == "resolved", "solved", "open")).astype(
        object
    )
    satisfaction = np.clip(np.round(rng.normal(np.where(outcome == "resolved", 4.2, 2.5), 0.8)), 1, 5)

    created_txt = np.datetime_as_string(created, unit="s").astype(object)
    created_txt = np.array([t.replace("T", " ") for t in created_txt], dtype=object)
    resolved_txt = np.array([t.replace("T", " ") for t in np.datetime_as_string(resolved_at, unit="s")], dtype=object)
    influence_col = influence.astype(object)
    influence_col[rng.uniform(size=n) < 0.05] = None  # no influence data for some customers
    channel = channel.astype(object)
    first_col = first.astype(object)
    if bad_rows and n >= 1000:
        idx = rng.permutation(n)
        k = max(5, n // 2000)
        bad_ts, neg, miss_ch, miss_fr = idx[:k], idx[k : 2 * k], idx[2 * k : 3 * k], idx[3 * k : 4 * k]
        samples = np.array(["31/02/2024 25:61", "not a date", "2024-13-45 10:00:00", "yesterday"], dtype=object)
        created_txt[bad_ts] = samples[np.arange(k) % len(samples)]
        first_col[neg] = -first[neg] - 60.0
        channel[miss_ch] = None
        first_col[miss_fr] = None
    return {
        "ticket_id": np.array([f"T{i:07d}" for i in range(n)], dtype=object),
        "created_at": created_txt,
        "channel": channel,
        "priority": priority,
        "status": status,
        "first_response": first_col,
        "resolved_at": resolved_txt,
        "outcome": outcome,
        "agent_tier": np.where(senior, "senior", "junior").astype(object),
        "influence_score": influence_col,
        "compensation": compensation,
        "satisfaction": satisfaction,
    }


def to_arrow(columns: dict[str, Any]) -> Any:
    """The columns as a pyarrow Table with explicit types (text, double); NaN in text is null."""
    import pyarrow as pa

    types = {
        "first_response": pa.float64(),
        "influence_score": pa.float64(),
        "compensation": pa.float64(),
        "satisfaction": pa.float64(),
    }

    def values(v: Any) -> Any:
        v = np.asarray(v)
        if v.dtype != object:
            return v
        return [None if x is None or (isinstance(x, float) and np.isnan(x)) else x for x in v]

    return pa.table({k: pa.array(values(v), type=types.get(k, pa.string())) for k, v in columns.items()})


def write_parquet(columns: dict[str, Any], path: str | Path) -> None:
    import pyarrow.parquet as pq

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_arrow(columns), str(path), compression="zstd")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=30_000)
    ap.add_argument("--out", default="examples")
    args = ap.parse_args(argv)
    root = Path(args.out)
    write_parquet(generate(args.rows, seed=7, fair=False), root / "acme" / "tickets.parquet")
    write_parquet(generate(args.rows, seed=11, fair=True), root / "acme-fair" / "tickets.parquet")
    for name in ("acme", "acme-fair"):
        p = root / name / "tickets.parquet"
        print(f"wrote {p} ({p.stat().st_size / 1e6:.2f} MB, {args.rows} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
