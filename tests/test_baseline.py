"""Baselines survive real edits: findings are fingerprinted by each adapter's own identity of the
offending element (canonical rule id, Zendesk trigger/automation id, TaskRouter workflow sid + filter
name) and the condition's text, never by list position; baselined findings that disappear are noted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from auditrules.cli import cli
from auditrules.fingerprints import fingerprint

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _run(args: list[str]) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def _baseline(tmp: Path, routing: Path) -> Path:
    base = tmp / "baseline.json"
    code, data = _run(["check", str(routing)])
    assert code == 1
    base.write_text(json.dumps(data), encoding="utf-8")
    return base


def _statuses(data: dict[str, object]) -> list[str]:
    return sorted({f["status"] for f in data["findings"] if f["rule_id"] in ("FAIR-001", "FAIR-002")})  # type: ignore[attr-defined,index]


def test_canonical_twenty_rules_inserted_above_the_offender(tmp_path: Path) -> None:
    routing = tmp_path / "routing.yaml"
    shutil.copy(EXAMPLES / "acme" / "routing.yaml", routing)
    base = _baseline(tmp_path, routing)
    filler = "".join(f'  - id: topic-{i}\n    when: product == "p{i}"\n    route: {{queue: q{i}}}\n' for i in range(20))
    routing.write_text(
        routing.read_text(encoding="utf-8").replace("rules:\n", "rules:\n" + filler, 1), encoding="utf-8"
    )
    code, data = _run(["check", str(routing), "--baseline", str(base)])
    assert code == 0, data["findings"]
    assert "fail" not in _statuses(data)
    assert not [d for d in data["diagnostics"] if d["code"] == "AR410"]  # type: ignore[attr-defined,index]


def test_canonical_condition_rewritten_is_new(tmp_path: Path) -> None:
    routing = tmp_path / "routing.yaml"
    shutil.copy(EXAMPLES / "acme" / "routing.yaml", routing)
    base = _baseline(tmp_path, routing)
    text = routing.read_text(encoding="utf-8").replace("customer.klout_score >= 40", "customer.klout_score >= 30")
    routing.write_text(text, encoding="utf-8")
    code, data = _run(["check", str(routing), "--baseline", str(base)])
    assert code == 1
    failing = [f["evidence"]["routing_rule"] for f in data["findings"] if f["status"] == "fail"]  # type: ignore[attr-defined,index]
    assert failing == ["social-fast-lane"]
    gone = [d["message"] for d in data["diagnostics"] if d["code"] == "AR410"]  # type: ignore[attr-defined,index]
    assert len(gone) == 1 and "social elite team" in gone[0]


def test_zendesk_triggers_reordered(tmp_path: Path) -> None:
    export = tmp_path / "zendesk"
    shutil.copytree(EXAMPLES / "zendesk-twotier", export)
    base = _baseline(tmp_path, export)
    for name, key in (
        ("triggers.json", "triggers"),
        ("automations.json", "automations"),
        ("sla_policies.json", "sla_policies"),
    ):
        path = export / name
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc[key] = list(reversed(doc[key]))
        path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    code, data = _run(["check", str(export), "--baseline", str(base)])
    assert code == 0, [f["message"] for f in data["findings"] if f["status"] == "fail"]  # type: ignore[attr-defined,index]


def test_taskrouter_filter_inserted_before(tmp_path: Path) -> None:
    workflow = tmp_path / "workflow.json"
    shutil.copy(EXAMPLES / "taskrouter-vip" / "workflow.json", workflow)
    base = _baseline(tmp_path, workflow)
    doc = json.loads(workflow.read_text(encoding="utf-8"))
    config = json.loads(doc["configuration"])
    config["task_routing"]["filters"].insert(
        0, {"filter_friendly_name": "Outages", "expression": "task.topic == 'outage'", "targets": [{"queue": "WQ0"}]}
    )
    doc["configuration"] = json.dumps(config)
    workflow.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    code, data = _run(["check", str(workflow), "--baseline", str(base)])
    assert code == 0, [f["message"] for f in data["findings"] if f["status"] == "fail"]  # type: ignore[attr-defined,index]


def test_fingerprint_is_in_the_report_and_ignores_positions() -> None:
    finding = {
        "rule_id": "FAIR-001",
        "message": "m",
        "locations": [{"path": "w.json", "pointer": "/configuration/x/filters/3"}],
        "evidence": {
            "statement": "s",
            "routing": "r",
            "routing_rule": "WW1/filters/3",
            "chain": [{"rule": "WW1/filters/3", "rule_name": "VIP", "condition": "task.vip == 1"}],
        },
    }
    moved = json.loads(json.dumps(finding).replace("filters/3", "filters/0"))
    assert fingerprint(finding) == fingerprint(moved)
    renamed = json.loads(json.dumps(finding).replace('"VIP"', '"VIP lane"'))
    assert fingerprint(finding) != fingerprint(renamed)
    _, data = _run(["check", str(EXAMPLES / "acme" / "routing.yaml")])
    assert all(len(f["fingerprint"]) == 32 for f in data["findings"])  # type: ignore[attr-defined,index]
