"""Spark figures for docs/scale.md: start-up cost, rows per second per core, DuckDB agreement.

``python benchmarks/spark_scale.py --rows 2000000`` starts a standalone cluster on loopback (a
master and one worker with ``--cores`` cores, see tests/spark_cluster.py), then times the whole
``auditrules check --engine spark --spark-master URL`` process on the demo data (about 30,000 rows:
the start-up cost) and on ``--rows`` synthetic tickets (the same seeded Parquet file that
benchmarks/tickets.py writes), and the same check on DuckDB. It prints wall times, the marginal
rows per second per core ((rows) / (wall - start-up) / cores), and whether Spark's figures equal
DuckDB's to 1e-9. Needs Java 17+ and pyspark.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.spark_cluster import standalone_cluster  # noqa: E402
from tests.test_spark_engine import _assert_close  # noqa: E402

DEMO = ROOT / "examples" / "acme" / "tickets.parquet"


def run_check(path: Path, *engine: str) -> tuple[float, dict[str, Any]]:
    cmd = [sys.executable, "-m", "auditrules", "check", "-q", "--tickets", str(path), "--format", "json", *engine]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return wall, json.loads(proc.stdout)


def figures(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "rule": f["rule_id"],
            "status": f["status"],
            "message": f["message"],
            "evidence": {k: v for k, v in (f.get("evidence") or {}).items() if k != "sql"},
        }
        for f in report["findings"]
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--cores", type=int, default=2)
    opts = ap.parse_args()
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "tickets.py"), "--make-data", str(opts.rows)], check=True)
    data = ROOT / "benchmarks" / "data" / f"tickets_{opts.rows}.parquet"
    with tempfile.TemporaryDirectory() as logs, standalone_cluster(Path(logs), cores=opts.cores) as url:
        spark = ("--engine", "spark", "--spark-master", url)
        start_wall, _ = run_check(DEMO, *spark)
        big_wall, big_spark = run_check(data, *spark)
    duck_wall, big_duck = run_check(data)
    _assert_close(figures(big_duck), figures(big_spark))
    rate = opts.rows / max(big_wall - start_wall, 1e-9) / opts.cores
    print(f"standalone cluster: 1 worker x {opts.cores} cores, loopback")
    print(f"start-up (demo, ~30k rows):  {start_wall:7.1f} s")
    print(f"{opts.rows:,} rows on Spark:   {big_wall:7.1f} s  -> {rate:,.0f} rows/s/core beyond start-up")
    print(f"{opts.rows:,} rows on DuckDB:  {duck_wall:7.1f} s")
    print(f"Spark's findings equal DuckDB's to 1e-9: yes ({len(big_duck['findings'])} findings)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
