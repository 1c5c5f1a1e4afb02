"""Rule cases (Semgrep-style): ``rules/cases/<ID>.cases.json`` holds vendor-shaped records tagged
``expect: finding | ok | todo``; each is checked alone against the standard pack. Ticket records
(``format: tickets``) are written as JSON lines, each repeated ``count`` times.

``finding``: the rule must fail on the record (guards against false negatives); ``ok``: the rule
must not fail (guards against false positives); ``todo``: a known gap, expected to fail strictly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditrules.api import check
from auditrules.findings import Status

CASES_DIR = Path(__file__).resolve().parent.parent / "rules" / "cases"


def _cases() -> list[Any]:
    out = []
    for path in sorted(CASES_DIR.glob("*.cases.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        for case in spec["cases"]:
            marks = [pytest.mark.xfail(strict=True, reason="known gap")] if case["expect"] == "todo" else []
            out.append(pytest.param(spec["rule"], case, id=f"{spec['rule']}:{case['name']}", marks=marks))
    return out


def _write_tickets(case: dict[str, Any], tmp: Path) -> Path:
    """Ticket records as JSON lines: each record repeated ``count`` times with a ticket id added."""
    path = tmp / "tickets.jsonl"
    lines = []
    for record in case["tickets"]:
        fields = {k: v for k, v in record.items() if k != "count"}
        for _ in range(record.get("count", 1)):
            lines.append(json.dumps({"ticket_id": f"T{len(lines) + 1}", **fields}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write(case: dict[str, Any], tmp: Path) -> Path:
    if case["format"] == "canonical":
        path = tmp / "routing.yaml"
        path.write_text(yaml.safe_dump({"auditrules": "routing/v1", **case["routing"]}), encoding="utf-8")
        return path
    if case["format"] == "zendesk":
        for key, value in case["routing"].items():
            (tmp / f"{key}.json").write_text(json.dumps({key: value}, indent=2), encoding="utf-8")
        return tmp
    if case["format"] == "freshdesk":  # GET /api/v2/sla_policies and /api/v2/automations/1/rules
        for key, name in (("sla_policies", "sla_policies.json"), ("rules", "ticket_creation_rules.json")):
            if key in case["routing"]:
                (tmp / name).write_text(json.dumps(case["routing"][key], indent=2), encoding="utf-8")
        return tmp
    path = tmp / ("queues.json" if case["format"] == "genesys" else "workflow.json")
    path.write_text(json.dumps(case["routing"], indent=2), encoding="utf-8")
    return path


def test_every_standard_routing_rule_has_cases() -> None:
    assert {p.name.split(".")[0] for p in CASES_DIR.glob("*.cases.json")} >= {"FAIR-001", "FAIR-002", "FAIR-009"}


@pytest.mark.parametrize(("rule_id", "case"), _cases())
def test_case(rule_id: str, case: dict[str, Any], tmp_path: Path) -> None:
    if case["format"] == "tickets":
        report = check(tickets=[str(_write_tickets(case, tmp_path))])
    else:
        report = check(routing=[_write(case, tmp_path)])
    statuses = {f.status for f in report.findings if f.rule_id == rule_id}
    if case["expect"] in ("finding", "todo"):
        assert Status.FAIL in statuses, statuses
    else:
        assert Status.FAIL not in statuses and Status.PASS in statuses, statuses


RULE_TESTS = CASES_DIR.parent / "tests"


def _examples() -> list[Any]:
    out = []
    for rule_dir in sorted(RULE_TESTS.glob("FAIR-*")):
        for status_dir in sorted(p for p in rule_dir.iterdir() if p.is_dir()):
            for example in sorted(status_dir.iterdir()):
                if example.suffix in (".yaml", ".yml", ".json") or example.is_dir():
                    out.append(
                        pytest.param(
                            rule_dir.name,
                            status_dir.name,
                            example,
                            id=f"{rule_dir.name}/{status_dir.name}/{example.name}",
                        )
                    )
    return out


@pytest.mark.parametrize(("rule_id", "status", "example"), _examples())
def test_rule_examples(rule_id: str, status: str, example: Path) -> None:
    """``rules/tests/<ID>/<status>/<example>``: routing evidence that gives the rule that status."""
    report = check(routing=[example])
    (verdict,) = [v for v in report.verdicts if v.rule.id == rule_id]
    assert verdict.status.value == status, [f.message for f in verdict.findings]
