"""The Spark engine runs the same plan as DuckDB and must give the same numbers.

pyspark is part of the ``dev`` extra (it needs Java 17+, which CI's machines have); this module
starts one local Spark session, so it takes a few seconds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditrules.findings import Finding
from auditrules.lang.parser import parse_policy
from auditrules.resources import standard_pack
from auditrules.tickets import evaluate_tickets

ROOT = Path(__file__).resolve().parent.parent


def _figures(findings: tuple[Finding, ...]) -> dict[str, Any]:
    """Everything numeric or categorical a finding reports, except the SQL text (dialects differ)."""
    out: dict[str, Any] = {}
    for i, f in enumerate(findings):
        ev = {k: v for k, v in f.evidence.items() if k != "sql"}
        out[f"{i}:{f.rule_id}"] = {"status": f.status.value, "message": f.message, "evidence": ev}
    return out


def _assert_close(a: Any, b: Any, where: str = "") -> None:
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
        assert abs(a - b) <= 1e-9 * max(1.0, abs(a)), f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), where
        for k in a:
            _assert_close(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_close(x, y, f"{where}/{i}")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def test_spark_gives_the_same_findings_as_duckdb(tmp_path: Path) -> None:
    text = standard_pack().read_text(encoding="utf-8")
    policy = parse_policy(text)
    rules = [(policy, r) for r in policy.rules if r.scope is not None]
    source = str(ROOT / "examples" / "acme" / "tickets.parquet")
    duck = evaluate_tickets(rules, [source], engine="duckdb")
    spark = evaluate_tickets(rules, [source], engine="spark")
    assert len(duck.findings) == len(spark.findings) == sum(len(r.requires) for _, r in rules)
    _assert_close(_figures(duck.findings), _figures(spark.findings))
    # and the SQL really was rendered for each dialect
    assert json.dumps(duck.findings[0].evidence["sql"]) != json.dumps(spark.findings[0].evidence["sql"])


def test_spark_reads_offsets_censoring_envelopes_and_joins_as_duckdb(tmp_path: Path) -> None:
    """Mixed offsets, zone names and naive times; unanswered tickets censored; a Zendesk envelope
    joined with its ticket metrics: both engines give the same figures."""
    from tests.test_ticket_inputs import _zoned_file
    from tests.ticket_exports import zendesk_export

    text = (
        'rule Z-1 "z" {\n  severity low\n  tickets\n  require each channel: median(first_response) <= 4h\n}\n'
        'rule Z-2 "z" {\n  severity low\n  tickets\n  require each channel: p90(first_response) <= 24h at 95% confidence\n}\n'
    )
    policy = parse_policy(text)
    rules = [(policy, r) for r in policy.rules]
    zoned = [str(_zoned_file(tmp_path))]
    duck = evaluate_tickets(rules, zoned, engine="duckdb")
    spark = evaluate_tickets(rules, zoned, engine="spark")
    _assert_close(_figures(duck.findings), _figures(spark.findings))
    tickets, metrics = zendesk_export(tmp_path, n=400)
    both = [str(tickets), str(metrics)]
    duck = evaluate_tickets(rules, both, mapping="zendesk", engine="duckdb")
    spark = evaluate_tickets(rules, both, mapping="zendesk", engine="spark")
    _assert_close(_figures(duck.findings), _figures(spark.findings))
