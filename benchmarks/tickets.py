"""Ticket benchmark: N synthetic tickets → a table of wall time and peak memory per variant.

``python benchmarks/tickets.py --rows 1000000`` writes seeded data as Parquet and CSV into
``benchmarks/data/`` (gitignored), then runs each variant in its own subprocess (so ru_maxrss is
that variant's peak): auditrules' ``evaluate_tickets`` on Parquet and on CSV, the CLI when it
exists, the expert DuckDB baseline (see EXPERT_* below), (b) pandas groupby, (c) Fairlearn's
MetricFrame when installed. The expert and the auditrules CLI run interleaved (A, B, A, B ...); it
prints medians, the median of the per-pair time ratios and peak RSS of each process, and checks
that both the expert's and auditrules' per-group figures equal pandas' to 1e-9.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
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

#: The expert baseline: what a DuckDB expert writes for the same figures. Read straight from the
#: file (no materialised copy, only the columns each query needs), cleaning inlined, decile and
#: quartile edges computed first in one scan and applied with CASE, one query per grouping with
#: GROUPING SETS and FILTER so that each scan serves every figure of that grouping.
CLEAN = """
  NOT (created_at IS NOT NULL AND try_cast(created_at AS TIMESTAMP) IS NULL)
  AND NOT (resolved_at IS NOT NULL AND try_cast(resolved_at AS TIMESTAMP) IS NULL)
  AND NOT coalesce(first_response < 0 OR try_cast(resolved_at AS TIMESTAMP) < try_cast(created_at AS TIMESTAMP), false)
"""
EXPERT_EDGES = """
SELECT quantile_cont(influence_score, [0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9]) FILTER (influence_score IS NOT NULL),
       quantile_cont(influence_score, [0.25,0.5,0.75]) FILTER (compensation > 0 AND influence_score IS NOT NULL)
FROM {src} WHERE {clean}
"""
EXPERT_CHANNEL = """
SELECT lower(trim(channel)) AS ch, lower(trim(priority)) AS pr, grouping(ch, pr) AS g,
  quantile_cont(first_response, 0.9) FILTER (status_ <> 'spam' AND first_response IS NOT NULL) AS p90,
  avg(coalesce(first_response <= 14400, false)::DOUBLE) FILTER (status_ <> 'spam') AS fr4h,
  avg(coalesce(lower(trim(outcome)) = 'resolved', false)::DOUBLE) FILTER (status_ <> 'spam') AS resolved,
  avg(coalesce(lower(trim(agent_tier)) = 'senior', false)::DOUBLE) AS senior,
  avg(coalesce(lower(trim(outcome)) = 'deflected', false)::DOUBLE)
    FILTER (lower(trim(channel)) IN ('twitter', 'facebook', 'instagram')) AS deflected
FROM (SELECT *, lower(trim(status)) AS status_ FROM {src}) WHERE {clean}
GROUP BY GROUPING SETS ((ch), (ch, pr), ())
"""
EXPERT_INFLUENCE = """
SELECT CASE {deciles} ELSE 9 END AS dec, CASE {quartiles} ELSE 3 END AS qu, lower(trim(priority)) AS pr,
  grouping(dec, qu, pr) AS g,
  median(first_response) FILTER (first_response IS NOT NULL) AS med,
  avg(compensation) FILTER (compensation > 0) AS comp
FROM {src} WHERE {clean} AND influence_score IS NOT NULL
GROUP BY GROUPING SETS ((dec, pr), (qu))
"""


def _cases(edges: list[float]) -> str:
    return " ".join(f"WHEN influence_score <= {e!r} THEN {i}" for i, e in enumerate(edges))


def expert_figures(con: Any, src: str) -> dict[str, float]:
    """The standard pack's per-group figures, keyed like :func:`_figures_from_findings`."""
    dec_edges, q_edges = con.execute(EXPERT_EDGES.format(src=src, clean=CLEAN)).fetchone()
    out: dict[str, float] = {}
    for ch, pr, g, p90, fr4h, resolved, senior, deflected in con.execute(
        EXPERT_CHANNEL.format(src=src, clean=CLEAN)
    ).fetchall():
        if g == 3:
            out["FAIR-005/3/all/"] = deflected
        elif ch is None:
            continue
        elif g == 1:
            if p90 is not None:
                out[f"FAIR-003/0/{ch}/"] = p90
            out[f"FAIR-006/4/{ch}/"] = senior
        elif pr is not None:
            out[f"FAIR-003/1/{ch}/{pr}"] = fr4h
            out[f"FAIR-008/6/{ch}/{pr}"] = resolved
    sql = EXPERT_INFLUENCE.format(src=src, clean=CLEAN, deciles=_cases(dec_edges), quartiles=_cases(q_edges))
    for dec, qu, pr, g, med, comp in con.execute(sql).fetchall():
        if g == 2 and pr is not None and med is not None:
            out[f"FAIR-004/2/D{dec + 1}/{pr}"] = med
        elif g == 5 and comp is not None:
            out[f"FAIR-007/5/Q{qu + 1}/"] = comp
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
    out: dict[str, float] = {}
    for i, f in enumerate(findings):
        for g in f.evidence.get("groups", []):
            stratum = ",".join(f"{v}" for v in (g["stratum"] or {}).values())
            out[f"{f.rule_id}/{i}/{g['group']}/{stratum}"] = g["value"]
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
    """The standard pack's per-group figures with pandas (reading only the needed columns)."""
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
    s = k[k["channel"].isin(["twitter", "facebook", "instagram"])]
    out["FAIR-005/3/all/"] = float((s["outcome"] == "deflected").mean())
    e = k.dropna(subset=["channel"])
    for ch, v in (e["agent_tier"] == "senior").groupby(e["channel"]).mean().items():
        out[f"FAIR-006/4/{ch}/"] = float(v)
    f = k[k["compensation"] > 0]
    qedges = np.quantile(f["influence_score"].dropna().to_numpy(), [0.25, 0.5, 0.75])
    f = f.dropna(subset=["influence_score"])
    qb = np.searchsorted(qedges, f["influence_score"].to_numpy(), side="left")
    for qi, v in f.groupby(qb)["compensation"].mean().items():
        out[f"FAIR-007/5/Q{qi + 1}/"] = float(v)
    g = not_spam.dropna(subset=["channel", "priority"])
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
    # figures: the expert query and auditrules both equal pandas' to 1e-9
    ref: dict[str, float] = others[0][1]["figures"]
    ok = True
    for label, variant in (("expert SQL", "expert"), ("auditrules", "auditrules")):
        got: dict[str, float] = measure(variant, str(parquet))["figures"]
        missing = sorted(set(ref) ^ set(got))
        worst = max((abs(got[k] - ref[k]) / max(1.0, abs(ref[k])) for k in ref if k in got), default=0.0)
        print(f"{label} vs pandas: {len(ref)} figures; keys differing: {len(missing)}; max relative error {worst:.2e}")
        if missing:
            print("  differing keys:", missing[:10])
        ok = ok and not missing and worst <= 1e-9
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
