"""End-to-end CLI behaviour as a new user meets it: exit codes, output, JSON schema, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from auditrules.cli import cli

ACME = "examples/acme/routing.yaml"
ACME_FAIR = "examples/acme-fair/routing.yaml"


def test_acme_fails_fair001_and_fair002_with_locations(runner: CliRunner, in_root: Path) -> None:
    result = runner.invoke(cli, ["check", "--routing", ACME])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "✗ FAIL  FAIR-001 Routing may not read influence signals (high)" in out
    assert "✗ FAIL  FAIR-002 Every channel has the same SLA targets (high)" in out
    # the offending rules' file:line, and the derivation chain's origin
    assert f"{ACME}:15:36  Influencers on Twitter go to the social elite team: customer.klout_score >= 40" in out
    assert f"{ACME}:20:11  VIP customers skip the queue: vip == true" in out
    assert f"{ACME}:10  field vip: vip derived from customer.klout_score" in out
    assert "no SLA policy covers channel chat" in out
    assert "NOT EVALUATED  FAIR-003" in out


def test_acme_fair_passes(runner: CliRunner, in_root: Path) -> None:
    result = runner.invoke(cli, ["check", "--routing", ACME_FAIR])
    assert result.exit_code == 0, result.output
    assert "✓ PASS  FAIR-001" in result.stdout and "✓ PASS  FAIR-002" in result.stdout


def test_json_report_validates_against_schema(runner: CliRunner, in_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = runner.invoke(cli, ["check", "--routing", ACME, "--format", "json", "-o", str(out)])
    assert result.exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((in_root / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["summary"]["rules"]["fail"] == 3  # FAIR-001, FAIR-002, FAIR-011
    statuses = {f["rule_id"]: f["status"] for f in data["findings"] if f["rule_id"] == "FAIR-001"}
    assert statuses == {"FAIR-001": "fail"}
    fair1 = [f for f in data["findings"] if f["rule_id"] == "FAIR-001"]
    assert {loc["line"] for f in fair1 for loc in f["locations"]} >= {10, 15, 20}
    assert all(len(i["sha256"]) == 64 for i in data["inputs"])


def test_reports_are_byte_identical(runner: CliRunner, in_root: Path, tmp_path: Path) -> None:
    outputs = []
    for i in range(2):
        out = tmp_path / f"r{i}.json"
        runner.invoke(cli, ["check", "--routing", ACME, "--format", "json", "-o", str(out)])
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"generated_at" not in outputs[0]


def test_timestamp_only_when_asked(runner: CliRunner, in_root: Path) -> None:
    result = runner.invoke(cli, ["check", "--routing", ACME, "--format", "json", "--timestamp"])
    assert "generated_at" in json.loads(result.stdout)


@pytest.mark.parametrize(("fail_on", "code"), [("low", 1), ("high", 1), ("never", 0)])
def test_fail_on(runner: CliRunner, in_root: Path, fail_on: str, code: int) -> None:
    assert runner.invoke(cli, ["check", "--routing", ACME, "--fail-on", fail_on]).exit_code == code


def test_fail_on_threshold_excludes_lower_severity(runner: CliRunner, tmp_path: Path, in_root: Path) -> None:
    rules = tmp_path / "low.rules"
    rules.write_text(
        'define inf = fields matching "*klout*"\nrule L-1 "low" {\n  severity low\n  routing must not read inf\n}\n',
        encoding="utf-8",
    )
    args = ["check", "--rules", str(rules), "--routing", ACME]
    assert runner.invoke(cli, [*args, "--fail-on", "low"]).exit_code == 1
    assert runner.invoke(cli, [*args, "--fail-on", "medium"]).exit_code == 0


def test_failed_run_writes_nothing(runner: CliRunner, in_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = runner.invoke(cli, ["check", "--routing", "no/such.yaml", "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_lint_and_fmt_check_standard_pack(runner: CliRunner, in_root: Path) -> None:
    lint = runner.invoke(cli, ["lint", "rules/"])
    rules = sum(line.startswith("rule ") for line in Path("rules/fairness.rules").read_text().splitlines())
    assert lint.exit_code == 0 and f"{rules} rule(s): ok" in lint.stdout
    fmt = runner.invoke(cli, ["fmt", "--check", "rules/"])
    assert fmt.exit_code == 0, fmt.output


def test_fmt_rewrites_and_check_detects(runner: CliRunner, tmp_path: Path) -> None:
    f = tmp_path / "a.rules"
    f.write_text('rule A-1 "t"{severity low sla must cover every channel}', encoding="utf-8")
    assert runner.invoke(cli, ["fmt", "--check", str(f)]).exit_code == 1
    assert runner.invoke(cli, ["fmt", str(f)]).exit_code == 0
    assert f.read_text(encoding="utf-8") == 'rule A-1 "t" {\n  severity low\n  sla must cover every channel\n}\n'
    assert runner.invoke(cli, ["fmt", "--check", str(f)]).exit_code == 0


def test_typo_prints_caret_and_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    f = tmp_path / "typo.rules"
    f.write_text('rule A-1 "t" {\n  severity hihg\n  sla must cover every channel\n}\n', encoding="utf-8")
    result = runner.invoke(cli, ["lint", str(f)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"{f}:2:12: error[AR101]: unexpected 'hihg'; expected low, medium or high"
    assert lines[2].endswith("^^^^")
    assert "Traceback" not in result.output


def test_explain_prints_rule(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["explain", "FAIR-001"])
    assert result.exit_code == 0
    assert "FAIR-001" in result.stdout
    assert "routing must not read influence_signals" in result.stdout


def test_report_rerenders_json(runner: CliRunner, in_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    runner.invoke(cli, ["check", "--routing", ACME, "--format", "json", "-o", str(out)])
    text = runner.invoke(cli, ["report", str(out), "--format", "text"])
    assert text.exit_code == 0
    direct = runner.invoke(cli, ["check", "--routing", ACME])
    assert text.stdout == direct.stdout


def test_check_does_not_import_the_data_stack(in_root: Path) -> None:
    """`auditrules check` on a routing config must not import duckdb, sqlglot or pyspark."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "auditrules", "check", "--routing", ACME],
        capture_output=True,
        text=True,
        cwd=in_root,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert "auditrules" in imported  # the measurement itself worked
    assert imported.isdisjoint({"duckdb", "sqlglot", "pyspark", "pandas", "numpy", "pyarrow"})


def test_output_file_has_ordinary_permissions(runner: CliRunner, in_root: Path, tmp_path: Path) -> None:
    import os

    out = tmp_path / "r.json"
    runner.invoke(cli, ["check", "--routing", ACME, "--format", "json", "-o", str(out)])
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_explain_shows_the_users_rule_and_its_own_page(runner: CliRunner, tmp_path: Path) -> None:
    rules = tmp_path / "team.rules"
    rules.write_text(
        'define v = fields matching "*vip*"\nrule FAIR-001 "Our own FAIR-001" {\n  severity low\n'
        '  rationale "Ours."\n  routing must not read v\n}\n',
        encoding="utf-8",
    )
    plain = runner.invoke(cli, ["explain", "FAIR-001", "--rules", str(rules)])
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.startswith("# FAIR-001: Our own FAIR-001\n") and "Ours." in plain.stdout
    assert "Routing may not read influence signals" not in plain.stdout  # never the bundled page
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "FAIR-001.md").write_text(
        "# FAIR-001: Our own FAIR-001\n\nThe team's page.\n", encoding="utf-8"
    )
    paged = runner.invoke(cli, ["explain", "fair-001", "--rules", str(rules)])
    assert paged.stdout.startswith("# FAIR-001: Our own FAIR-001\n\nThe team's page.\n")
    assert f"## Rule source ({rules}:2)" in paged.stdout
    bundled = runner.invoke(cli, ["explain", "FAIR-001"])
    assert bundled.stdout.startswith("# FAIR-001: Routing may not read influence signals")
