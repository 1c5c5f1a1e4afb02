"""Ticket benchmark: N synthetic tickets → a table of wall time and peak memory per variant.

``python benchmarks/tickets.py --rows 1000000`` writes seeded data as Parquet and CSV into
``benchmarks/data/`` (gitignored), then runs each variant in its own subprocess (so ru_maxrss is
that variant's peak): the expert DuckDB baseline (see EXPERT_* below) and the whole
``auditrules check --tickets`` CLI, interleaved (A, B, A, B ...) on Parquet and on CSV, then
(b) pandas groupby and (c) Fairlearn's MetricFrame when installed. It prints medians, the median
of the per-pair time ratios and the median peak RSS of each, and checks the figures: auditrules'
per-group values and censored intervals equal the expert's to 1e-9 (and pandas equals the
expert on the figures it computes the same way); exit 1, loudly, when they do not.
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
#: (Kaplan–Meier with Brookmeyer–Crowley quantile intervals and log–log share intervals at the
#: pack's Bonferroni confidences), and the third moment of FAIR-007's amounts for the skew gate.
#: Read straight from the file (only the columns each query needs), decile and quartile edges and
#: the as-of time first in one scan, the uncensored figures in one GROUPING SETS scan with FILTER,
#: one Kaplan–Meier query (life table + window sums) per censored requirement.
#: Text timestamps are parsed in each query (as the CSV reader types a clean column, it is used as is).
TS = "try_cast(nullif(trim({c}), '') AS TIMESTAMP)"
CREATED, RESOLVED = "{created}", "{resolved}"
CH, PR, STATUS = "lower(nullif(trim(channel), ''))", "lower(nullif(trim(priority), ''))", "lower(trim(status))"
#: Rows a first-response figure may read: a usable duration, or a creation time to censor it at.
#: (Timestamps are parsed only for unanswered tickets: OR and CASE evaluate lazily.)
FIRST = "NOT coalesce(first_response < 0, false) AND (first_response IS NOT NULL OR {created} IS NOT NULL)"
EXPERT_EDGES = f"""
SELECT quantile_cont(influence_score, [0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9]) FILTER (influence_score IS NOT NULL),
       quantile_cont(influence_score, [0.25,0.5,0.75]) FILTER (compensation > 0 AND influence_score IS NOT NULL),
       greatest(max({CREATED}), max({RESOLVED})),
       count(DISTINCT {CH}) FILTER ({STATUS} <> 'spam'), count(DISTINCT {PR}) FILTER ({STATUS} <> 'spam')
FROM {{src}}
"""
EXPERT_SHARES = f"""
SELECT {CH} AS ch, {PR} AS pr, CASE WHEN influence_score IS NULL THEN NULL {{quartiles}} ELSE 3 END AS qu,
  grouping(ch, pr, qu) AS g,
  count(*) FILTER ({STATUS} <> 'spam') AS n8,
  avg((lower(trim(outcome)) = 'resolved')::DOUBLE) FILTER ({STATUS} <> 'spam') AS resolved,
  avg((lower(trim(agent_tier)) = 'senior')::DOUBLE) AS senior,
  avg((lower(trim(outcome)) = 'deflected')::DOUBLE) FILTER ({CH} IN ('twitter', 'facebook', 'instagram', 'social'))
    AS deflected,
  count(compensation) FILTER (compensation > 0) AS n7, avg(compensation) FILTER (compensation > 0) AS comp,
  var_samp(compensation) FILTER (compensation > 0) AS comp_var,
  skewness(compensation) FILTER (compensation > 0) AS comp_skew
FROM {{src}}
GROUP BY GROUPING SETS ((ch), (ch, pr), (), (qu))
HAVING (g = 3 AND ch IS NOT NULL) OR (g = 1 AND ch IS NOT NULL AND pr IS NOT NULL) OR g = 7 OR (g = 6 AND qu IS NOT NULL)
"""
#: Kaplan–Meier per group: the life table (one row per group and distinct wait), the number at
#: risk (a descending running sum), log S and Greenwood's sum (running sums), the log–log band.
EXPERT_KM = f"""
WITH lt AS (
  SELECT {{keys}}, {{cap_open}}CASE WHEN first_response IS NOT NULL THEN first_response
           ELSE greatest(epoch(coalesce({RESOLVED}, TIMESTAMP '{{as_of}}')) - epoch({CREATED}), 0.0) END{{cap_close}} AS t,
         count(first_response) AS d, count(*) AS m
  FROM {{src}} WHERE {{valid}} AND {FIRST} GROUP BY ALL),
rk AS (SELECT *, sum(m) OVER (PARTITION BY {{part}} ORDER BY t DESC ROWS UNBOUNDED PRECEDING) AS r FROM lt),
km AS (
  SELECT *, sum(CASE WHEN d < r THEN ln(1 - d / r) ELSE 0 END) OVER w AS log_s,
         sum(CASE WHEN d < r THEN d / (r * (r - d)) ELSE 0 END) OVER w AS gw,
         bool_or(d = r AND d > 0) OVER w AS wiped,
         max(CASE WHEN d > 0 THEN t END) OVER (PARTITION BY {{part}}) AS last_t
  FROM rk WINDOW w AS (PARTITION BY {{part}} ORDER BY t ROWS UNBOUNDED PRECEDING)),
b AS (SELECT *, CASE WHEN wiped THEN 0 ELSE exp(log_s) END AS s, {{band}} FROM km)
SELECT {{part}}, sum(m) AS n, min(t) FILTER (s <= {{level}}) AS q, min(t) FILTER (lo <= {{level}}) AS q_lo,
       min(t) FILTER (hi <= {{level}}) AS q_hi,
       min(t) FILTER (m > d AND (last_t IS NULL OR t >= last_t)) AS waiting,
       coalesce(min(s) FILTER (t <= {{at}}), 1.0) AS s_at, coalesce(max(gw) FILTER (t <= {{at}}), 0.0) AS gw_at
FROM b GROUP BY ALL
"""
#: The log–log band of S, needed for quantile intervals only (a share's comes from S(t) and Greenwood's sum).
BAND = """CASE WHEN wiped THEN 0 WHEN log_s = 0 THEN 1 ELSE exp(-exp(ln(-log_s) - {z} * sqrt(gw) / log_s)) END AS lo,
  CASE WHEN wiped THEN 0 WHEN log_s = 0 THEN 1 ELSE exp(-exp(ln(-log_s) + {z} * sqrt(gw) / log_s)) END AS hi"""


def _cases(edges: list[float]) -> str:
    return " ".join(f"WHEN influence_score <= {e!r} THEN {i}" for i, e in enumerate(edges))


def _z(confidence: float) -> float:
    return statistics.NormalDist().inv_cdf(0.5 + confidence / 2)


def _loglog(s: float, gw: float, z: float) -> tuple[float, float]:
    """The log–log interval of a share done within t, 1 − S(t), from S(t) and Greenwood's sum."""
    if s >= 1.0:
        return 0.0, 0.0
    if s <= 0.0:
        return 1.0, 1.0
    v = math.log(s)
    spread = z * math.sqrt(gw) / v
    return 1 - math.exp(-math.exp(math.log(-v) + spread)), 1 - math.exp(-math.exp(math.log(-v) - spread))


def _km(
    con: Any, src: str, keys: str, valid: str, ts: dict[str, str], as_of: str, z: float, p: float | None, at: float
) -> list[Any]:
    """Kaplan–Meier figures per group: the p-quantile with its interval (p None: none), S(at) and Greenwood's sum."""
    part = ", ".join(k.rsplit(" AS ", 1)[-1] for k in keys.split(" | "))
    band = BAND.format(z=repr(z)) if p is not None else "NULL::DOUBLE AS lo, NULL::DOUBLE AS hi"
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
        **ts,
    )
    rows: list[Any] = con.execute(sql).fetchall()
    return rows


def expert_figures(con: Any, src: str) -> dict[str, float]:
    """The standard pack's per-group figures (and censored intervals), keyed like :func:`_figures_from_findings`."""
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {src})").fetchall())
    stamps = {c: c if types[c].startswith("TIMESTAMP") else TS.format(c=c) for c in ("created_at", "resolved_at")}
    ts = {"created": stamps["created_at"], "resolved": stamps["resolved_at"]}
    dec_edges, q_edges, latest, channels, priorities = con.execute(EXPERT_EDGES.format(src=src, **ts)).fetchone()
    as_of = latest.strftime("%Y-%m-%d %H:%M:%S.%f")
    out: dict[str, float] = {}
    sql = EXPERT_SHARES.format(src=src, quartiles=_cases(q_edges))
    for ch, pr, qu, g, _n8, resolved, senior, deflected, _n7, comp, _var, _skew in con.execute(sql).fetchall():
        if g == 7:
            out["FAIR-005/3/all/"] = deflected
        elif g == 3:
            out[f"FAIR-006/4/{ch}/"] = senior
        elif g == 1:
            out[f"FAIR-008/6/{ch}/{pr}"] = resolved
        elif g == 6 and comp is not None:
            out[f"FAIR-007/5/Q{qu + 1}/"] = comp
    not_spam = f"{STATUS} <> 'spam' AND {CH} IS NOT NULL"
    # FAIR-003 #1: p90 per channel, each judged (Bonferroni over the channels)
    for ch, _n, q, lo, hi, waiting, _s, _gw in _km(
        con, src, f"{CH} AS ch", not_spam, ts, as_of, _z(1 - 0.05 / channels), 0.9, 0.0
    ):
        out[f"FAIR-003/0/{ch}/"] = q if q is not None else waiting
        out[f"FAIR-003/0/{ch}//lo"], out[f"FAIR-003/0/{ch}//hi"] = lo, hi
    # FAIR-003 #2: share answered within 4h per channel and priority (Bonferroni over the strata)
    z = _z(1 - 0.05 / priorities)
    for ch, pr, n, _q, _lo, _hi, _w, s, gw in _km(
        con, src, f"{CH} AS ch | {PR} AS pr", f"{not_spam} AND {PR} IS NOT NULL", ts, as_of, z, None, 14400.0
    ):
        # the figure is the share's count round((1 − S(t))·n) over n, as auditrules compares them
        out[f"FAIR-003/1/{ch}/{pr}"] = round((1.0 - s) * n) / n
        out[f"FAIR-003/1/{ch}/{pr}/lo"], out[f"FAIR-003/1/{ch}/{pr}/hi"] = _loglog(s, gw, z)
    # FAIR-004: median per influence decile and priority; MOVER pairs at Bonferroni over 45 pairs
    z = _z(1 - 0.05 / priorities / 45)
    keys = f"CASE {_cases(dec_edges)} ELSE 9 END AS dec | {PR} AS pr"
    valid = f"influence_score IS NOT NULL AND {PR} IS NOT NULL"
    for dec, pr, _n, q, lo, hi, waiting, _s, _gw in _km(con, src, keys, valid, ts, as_of, z, 0.5, 0.0):
        out[f"FAIR-004/2/D{dec + 1}/{pr}"] = q if q is not None else waiting
        out[f"FAIR-004/2/D{dec + 1}/{pr}/lo"], out[f"FAIR-004/2/D{dec + 1}/{pr}/hi"] = lo, hi
    return out


def _expert_connection() -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    return con


def run_expert_parquet(path: str) -> dict[str, Any]:
    con = _expert_connection()
    return {"figures": expert_figures(con, f"read_parquet('{path}')")}


def run_expert_csv(path: str) -> dict[str, Any]:
    """An expert with a CSV loads it once into a typed DuckDB table, then runs the same queries."""
    con = _expert_connection()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', header = true)")
    return {"figures": expert_figures(con, "t")}


def _figures_from_findings(findings: Any) -> dict[str, float]:
    """Each group's value, and the interval of censored figures (which the expert computes too)."""
    out: dict[str, float] = {}
    for i, f in enumerate(findings):
        for g in f.evidence.get("groups", []):
            stratum = ",".join(f"{v}" for v in (g["stratum"] or {}).values())
            key = f"{f.rule_id}/{i}/{g['group']}/{stratum}"
            out[key] = g["value"]
            if g.get("censored") and g.get("interval"):
                out[f"{key}/lo"], out[f"{key}/hi"] = g["interval"]
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
    "expert": run_expert_parquet,
    "expert-csv": run_expert_csv,
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


def interleaved(
    pairs: list[tuple[str, Any, Any]], repeat: int
) -> list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]:
    """Each pair (name, baseline, candidate) run as A, B, A, B ... ``repeat`` times, so that drift in
    the machine's load hits both alike; returns every run."""
    runs: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {name: ([], []) for name, _, _ in pairs}
    for _ in range(repeat):
        for name, baseline, candidate in pairs:
            runs[name][0].append(baseline())
            runs[name][1].append(candidate())
    return [(name, *runs[name]) for name, _, _ in pairs]


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
    ap.add_argument("--repeat", type=int, default=5, help="interleaved runs per pair (medians are reported)")
    opts = ap.parse_args(args)
    t0 = time.perf_counter()
    # generate in a child: ru_maxrss survives fork+exec, so the parent must stay small
    subprocess.run([sys.executable, __file__, "--make-data", str(opts.rows)], check=True)
    parquet, csv = DATA / f"tickets_{opts.rows}.parquet", DATA / f"tickets_{opts.rows}.csv"
    print(
        f"data: {opts.rows:,} rows ({parquet.stat().st_size / 1e6:.0f} MB parquet, "
        f"{csv.stat().st_size / 1e6:.0f} MB csv; ready in {time.perf_counter() - t0:.1f}s)"
    )
    pairs = [
        ("Parquet", lambda: measure("expert", str(parquet)), lambda: measure_cli(str(parquet))),
        ("CSV", lambda: measure("expert-csv", str(csv)), lambda: measure_cli(str(csv))),
    ]
    print(f"\ninterleaved runs (expert, auditrules CLI) x {opts.repeat}; medians, and the median of per-pair ratios")
    print(
        f"{'source':8} {'expert s':>9} {'CLI s':>8} {'time ratio':>11} {'expert MB':>10} {'CLI MB':>8} {'mem ratio':>10}"
    )
    for name, base, cand in interleaved(pairs, opts.repeat):
        ratio = _median([c["wall"] / b["wall"] for b, c in zip(base, cand, strict=True)])
        bw, cw = _median([r["wall"] for r in base]), _median([r["wall"] for r in cand])
        bm, cm = _median([r["rss_mb"] for r in base]), _median([r["rss_mb"] for r in cand])
        print(f"{name:8} {bw:9.2f} {cw:8.2f} {ratio:10.2f}x {bm:10.0f} {cm:8.0f} {cm / bm:9.2f}x")
    others: list[tuple[str, dict[str, Any]]] = [("(b) pandas groupby, Parquet", measure("pandas", str(parquet)))]
    if importlib.util.find_spec("fairlearn") is not None:
        others.append(("(c) Fairlearn MetricFrame (FAIR-006's figure only)", measure("fairlearn", str(parquet))))
    else:
        print("note: fairlearn is not installed; variant (c) skipped")
    print()
    for name, r in others:
        print(f"{name:52} {r['wall']:8.2f} s {r['rss_mb']:8.0f} MB")
    expert: dict[str, float] = measure("expert", str(parquet))["figures"]
    ok = True
    # an independent check of the expert's SQL: pandas on the figures it computes the same way
    shared = {k: v for k, v in others[0][1]["figures"].items() if k.split("/")[0] in UNCENSORED}
    ok &= _compare("pandas vs expert SQL (FAIR-005 to FAIR-008)", shared, expert)
    auditrules: dict[str, float] = measure("auditrules", str(parquet))["figures"]
    ok &= _compare("auditrules vs expert SQL (all figures and censored intervals)", auditrules, expert)
    if not ok:
        print("FIGURES DIFFER BY MORE THAN 1e-9: the comparison above is not like for like", file=sys.stderr)
    return 0 if ok else 1


#: The rules whose figures pandas computes as auditrules does (no censored duration).
UNCENSORED = ("FAIR-005", "FAIR-006", "FAIR-007", "FAIR-008")


def _compare(label: str, got: dict[str, float], ref: dict[str, float]) -> bool:
    """Print the largest difference between two sets of figures (relative above 1); True when ≤ 1e-9."""
    keys = set(got) if label.startswith("pandas") else set(got) | set(ref)
    missing = sorted(k for k in keys if k not in got or k not in ref)
    both = [k for k in keys if k in got and k in ref]
    nones = [k for k in both if (got[k] is None) != (ref[k] is None)]
    diffs = [
        (abs(got[k] - ref[k]) / max(1.0, abs(ref[k])), k) for k in both if got[k] is not None and ref[k] is not None
    ]
    worst, where = max(diffs, default=(0.0, ""))
    print(
        f"{label}: {len(both)} figures; keys differing: {len(missing) + len(nones)}; max difference {worst:.2e} ({where})"
    )
    if missing or nones:
        print("  differing keys:", (missing + nones)[:10])
    return not missing and not nones and worst <= 1e-9


if __name__ == "__main__":
    raise SystemExit(main())
