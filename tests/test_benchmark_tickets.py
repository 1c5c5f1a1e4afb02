"""The ticket benchmark's expert baseline: every variant computes the same figures.

The benchmark compares auditrules with the fastest of three expert variants (straight from the
Parquet file; parsed once into an in-memory table; parsed once into a scratch database file, the
last two from Parquet and from CSV). Its timings mean something only if they compute the same
265 figures, which this checks on a small seeded file (the timings themselves are benchmarks).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bench = _load("tickets")
demo = _load("make_demo_tickets")


def test_expert_variants_give_the_same_figures(tmp_path: Path) -> None:
    table = demo.to_arrow(demo.generate(30_000, seed=7, fair=False))
    parquet, csv = tmp_path / "t.parquet", tmp_path / "t.csv"
    pq.write_table(table, parquet)
    pacsv.write_csv(table, csv)
    reference = bench.run_expert_direct(str(parquet))["figures"]
    assert len(reference) > 100
    for run in (bench.run_expert_memory, bench.run_expert_file):
        for path in (parquet, csv):
            got = run(str(path))["figures"]
            assert set(got) == set(reference), (run.__name__, path.suffix)
            for key, value in reference.items():
                if value is None:
                    assert got[key] is None, key
                else:
                    assert abs(got[key] - value) <= 1e-9 * max(1.0, abs(value)), (run.__name__, path.suffix, key)
