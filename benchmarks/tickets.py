"""Ticket benchmark: N synthetic tickets → a table of wall time and peak memory per variant.

``python benchmarks/tickets.py --rows 1000000`` writes seeded data as Parquet and CSV into
``benchmarks/data/`` (gitignored), then runs each variant in its own subprocess (so ru_maxrss is
that variant's peak): auditrules' ``evaluate_tickets`` on Parquet and on CSV, the CLI when it
exists, (a) one hand-written DuckDB query computing the same aggregates, (b) pandas groupby,
(c) Fairlearn's MetricFrame when installed. It prints wall time, peak RSS and the ratio to (a),
and checks that auditrules' per-group figures equal pandas' to 1e-9.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
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

HAND_SQL = """
WITH t AS (
  SELECT lower(trim(channel)) AS channel, lower(trim(priority)) AS priority, lower(trim(status)) AS status,
         lower(trim(outcome)) AS outcome, lower(trim(agent_tier)) AS agent_tier,
         first_response, influence_score, compensation,
         try_cast(created_at AS TIMESTAMP) AS created, try_cast(resolved_at AS TIMESTAMP) AS resolved,
         created_at, resolved_at
  FROM read_parquet('{path}')
), k AS (
  SELECT * FROM t
  WHERE NOT (created_at IS NOT NULL AND created IS NULL) AND NOT (resolved_at IS NOT NULL AND resolved IS NULL)
    AND NOT coalesce(first_response < 0 OR epoch(resolved) - epoch(created) < 0, false)
), e AS (
  SELECT quantile_cont(influence_score, [0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9]) AS d
  FROM k WHERE influence_score IS NOT NULL
), q AS (
  SELECT quantile_cont(influence_score, [0.25,0.5,0.75]) AS q FROM k WHERE compensation > 0
   AND influence_score IS NOT NULL
)
SELECT 'p90' AS m, channel AS g, NULL AS s, quantile_cont(first_response, 0.9) AS v, count(*) AS n
  FROM k WHERE status <> 'spam' AND channel IS NOT NULL AND first_response IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'fr4h', channel, priority, avg(coalesce(first_response <= 14400, false)::DOUBLE), count(*)
  FROM k WHERE status <> 'spam' AND channel IS NOT NULL AND priority IS NOT NULL
  GROUP BY ALL
UNION ALL
SELECT 'median', CAST(len(list_filter(d, lambda x: x < influence_score)) AS VARCHAR), priority,
       quantile_cont(first_response, 0.5), count(*)
  FROM k, e WHERE influence_score IS NOT NULL AND priority IS NOT NULL AND first_response IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'deflected', 'all', NULL, avg(coalesce(outcome = 'deflected', false)::DOUBLE), count(*)
  FROM k WHERE channel IN ('twitter', 'facebook', 'instagram')
UNION ALL
SELECT 'senior', channel, NULL, avg(coalesce(agent_tier = 'senior', false)::DOUBLE), count(*)
  FROM k WHERE channel IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'comp', CAST(len(list_filter(q, lambda x: x < influence_score)) AS VARCHAR), NULL,
       avg(compensation), count(*)
  FROM k, q WHERE compensation > 0 AND influence_score IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'resolved', channel, priority, avg(coalesce(outcome = 'resolved', false)::DOUBLE), count(*)
  FROM k WHERE status <> 'spam' AND channel IS NOT NULL AND priority IS NOT NULL
  GROUP BY ALL
"""


def run_hand_sql(path: str) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    rows = con.execute(HAND_SQL.format(path=path)).fetchall()
    return {"groups": len(rows)}


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
    return {"figures": _figures_from_findings(res.findings),
            "statuses": [f"{f.rule_id}:{f.status.value}" for f in res.findings]}


def run_pandas(path: str) -> dict[str, Any]:
    """The standard pack's per-group figures with pandas (reading only the needed columns)."""
    import numpy as np
    import pandas as pd

    cols = ["created_at", "resolved_at", "channel", "priority", "status", "first_response", "outcome", "agent_tier",
            "influence_score", "compensation"]
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
    mf = MetricFrame(metrics={"senior": senior}, y_true=df["agent_tier"],
                     y_pred=df["agent_tier"], sensitive_features=df["channel"])
    return {"groups": len(mf.by_group)}


VARIANTS = {"hand": run_hand_sql, "auditrules": run_auditrules, "pandas": run_pandas, "fairlearn": run_fairlearn}


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


def measure_cli(parquet: str) -> dict[str, Any] | None:
    cmd = [sys.executable, "-m", "auditrules", "check", "--rules", str(PACK), "--tickets", parquet]
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError:
        return None
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = proc.stderr.read().decode(errors="replace").strip().splitlines() if proc.stderr else []
        print(f"note: CLI run exited {code}: {err[-1] if err else ''}")
        return None
    return {"wall": wall, "rss_mb": usage.ru_maxrss / 1024}


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
    ap.add_argument("--repeat", type=int, default=1, help="runs per variant; the fastest is reported")
    opts = ap.parse_args(args)
    t0 = time.perf_counter()
    # generate in a child: ru_maxrss survives fork+exec, so the parent must stay small
    subprocess.run([sys.executable, __file__, "--make-data", str(opts.rows)], check=True)
    parquet, csv = DATA / f"tickets_{opts.rows}.parquet", DATA / f"tickets_{opts.rows}.csv"
    print(f"data: {opts.rows:,} rows ({parquet.stat().st_size / 1e6:.0f} MB parquet, "
          f"{csv.stat().st_size / 1e6:.0f} MB csv; ready in {time.perf_counter() - t0:.1f}s)")

    def best(variant: str, path: Path) -> dict[str, Any]:
        runs = [measure(variant, str(path)) for _ in range(opts.repeat)]
        return min(runs, key=lambda r: float(r["wall"]))

    results: list[tuple[str, dict[str, Any] | None]] = []
    hand = best("hand", parquet)
    results.append(("(a) hand-written DuckDB SQL, parquet", hand))
    ours = best("auditrules", parquet)
    results.append(("auditrules evaluate_tickets, parquet", ours))
    results.append(("auditrules evaluate_tickets, csv", best("auditrules", csv)))
    results.append(("auditrules check --tickets (CLI), parquet", measure_cli(str(parquet))))
    results.append(("(b) pandas groupby, parquet", best("pandas", parquet)))
    if importlib.util.find_spec("fairlearn") is not None:
        results.append(("(c) fairlearn MetricFrame (FAIR-006 only)", best("fairlearn", parquet)))
    else:
        print("note: fairlearn is not installed; variant (c) skipped")
    pandas_result = next(r for name, r in results if name.startswith("(b)"))
    assert pandas_result is not None
    print()
    print(f"{'variant':46} {'wall s':>8} {'peak RSS MB':>12} {'vs (a)':>7}")
    for name, r in results:
        if r is None:
            print(f"{name:46} {'n/a':>8}")
            continue
        print(f"{name:46} {r['wall']:8.2f} {r['rss_mb']:12.0f} {r['wall'] / hand['wall']:7.2f}")
    # figures: auditrules == pandas to 1e-9
    ref: dict[str, float] = pandas_result["figures"]
    got: dict[str, float] = ours["figures"]
    missing = sorted(set(ref) ^ set(got))
    worst = max((abs(got[k] - ref[k]) / max(1.0, abs(ref[k])) for k in ref if k in got), default=0.0)
    print()
    print(f"figures compared with pandas: {len(ref)}; keys differing: {len(missing)}; max relative error {worst:.2e}")
    print("statuses:", " ".join(ours["statuses"]))
    ok = not missing and worst <= 1e-9
    if missing:
        print("differing keys:", missing[:10])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
