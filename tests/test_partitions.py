"""Partitioned evaluation judges each partition exactly as a file of its rows alone is judged."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from auditrules.api import load_policies
from auditrules.tickets import evaluate_tickets
from auditrules.tickets.partitions import evaluate_partitions

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_demo_tickets", ROOT / "benchmarks" / "make_demo_tickets.py")
assert _spec is not None and _spec.loader is not None
demo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(demo)


def comparable(evidence: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in evidence.items() if k != "sql"}


def test_partitions_are_judged_as_separate_files(tmp_path: Path) -> None:
    rules = [(p.policy, r) for p in load_policies([]) for r in p.policy.rules if r.requires]
    tables = []
    for history, (seed, fair) in enumerate([(1, True), (2, False), (3, True)]):
        table = demo.to_arrow(demo.generate(3000, seed=seed, fair=fair))
        pq.write_table(table, str(tmp_path / f"h{history}.parquet"))
        tables.append(table.append_column("history", pa.array([history] * table.num_rows, type=pa.int32())))
    pq.write_table(pa.concat_tables(tables), str(tmp_path / "all.parquet"))
    together = evaluate_partitions(rules, [str(tmp_path / "all.parquet")], partition="history")
    assert sorted(together) == [0, 1, 2]
    for history in range(3):
        alone = evaluate_tickets(rules, [str(tmp_path / f"h{history}.parquet")]).findings
        got = together[history]
        assert [f.status for f in got] == [f.status for f in alone]
        assert [f.message for f in got] == [f.message for f in alone]
        assert [comparable(dict(f.evidence)) for f in got] == [comparable(dict(f.evidence)) for f in alone]
