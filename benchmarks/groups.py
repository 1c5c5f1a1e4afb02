"""Many groups: wall time, peak memory and JSON report size as the number of groups grows.

``python benchmarks/groups.py`` writes seeded ticket files of ``--rows`` rows (default 1M) spread
over 1,000 … 10,000 channels into ``benchmarks/data/`` (gitignored) and runs
``auditrules check --format json`` on each in its own subprocess (so ru_maxrss is that run's
peak), with two between-groups rules (a share and a median with its order-statistic intervals):
every pair of channels is compared (k(k−1)/2 pairs,
50 million at 10,000 groups). The report keeps every group's figures, the worst comparisons
and the counts, so its size grows linearly with the groups; ``--all-comparisons`` would keep
every pair. Budget: 10,000 groups over 1M rows within 10 s and 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
RULES = """policy "Many groups" version "1"

rule G-1 "Every channel resolves alike" {
  severity low
  tickets
  require across channel: ratio(share(outcome == "resolved")) >= 0.8 at 95% confidence
}

rule G-2 "Every channel answers alike" {
  severity low
  tickets
  require across channel: ratio(median(first_response)) >= 0.5 at 95% confidence
}
"""


def make_data(rows: int, groups: int, seed: int = 5) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"groups2_{groups}_{rows}.parquet"
    if not path.exists():
        rng = np.random.default_rng(seed)
        channel = rng.integers(0, groups, rows)
        names = np.array([f"c{i:05d}" for i in range(groups)])
        outcome = np.where(rng.uniform(size=rows) < 0.85, "resolved", "unresolved")
        first = rng.lognormal(np.log(3 * 3600.0), 1.0, rows).round(0)
        table = pa.table(
            {
                "ticket_id": np.arange(rows).astype(str),
                "channel": names[channel],
                "outcome": outcome,
                "first_response": first,
            }
        )
        pq.write_table(table, str(path))
    return path


def run_one(tickets: Path, rules: Path, report: Path) -> tuple[float, float, int, dict[str, int]]:
    """(seconds, peak MB, report bytes, comparison counts summed over the rules) of one run."""
    code = (
        "import resource, sys, time\n"
        "from auditrules.cli import cli\n"
        "t = time.perf_counter()\n"
        "try:\n"
        f"    cli(['check', '--rules', {str(rules)!r}, '--tickets', {str(tickets)!r}, '--format', 'json',"
        f" '-o', {str(report)!r}, '-q'], prog_name='auditrules')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    seconds, peak_kb = out.stdout.split()[-2:]
    counts: dict[str, int] = {}
    for finding in json.loads(report.read_text(encoding="utf-8"))["findings"]:
        for key, value in (finding["evidence"].get("comparison_counts") or {}).items():
            counts[key] = counts.get(key, 0) + value
    return float(seconds), int(peak_kb) / 1024.0, report.stat().st_size, counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--groups", type=int, nargs="*", default=[1_000, 2_500, 5_000, 10_000])
    args = ap.parse_args(argv)
    rules = DATA / "groups.rules"
    DATA.mkdir(parents=True, exist_ok=True)
    rules.write_text(RULES, encoding="utf-8")
    print("| groups | rows | pairs | failing | inconclusive | wall | peak RSS | JSON report |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in args.groups:
        tickets = make_data(args.rows, k)
        seconds, peak, size, counts = run_one(tickets, rules, DATA / f"groups_{k}.json")
        print(
            f"| {k:,} | {args.rows:,} | {counts.get('total', 0):,} | {counts.get('failing', 0):,} | "
            f"{counts.get('inconclusive', 0):,} | {seconds:.1f} s | {peak:.0f} MB | {size / 1e6:.1f} MB |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
