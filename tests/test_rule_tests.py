"""`auditrules test`: the standard pack's examples hold; a wrong expectation fails naming the example."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditrules.api import load_policies
from auditrules.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.mark.parametrize("rule", [r.id for lp in load_policies() for r in lp.policy.rules])
def test_every_standard_rule_has_a_fail_and_a_pass_example(rule: str) -> None:
    for status in ("fail", "pass"):
        folder = RULES / "tests" / rule / status
        assert folder.is_dir() and any(folder.iterdir()), f"missing {folder.relative_to(ROOT)}/<example>"


def test_standard_pack_examples_hold(runner: CliRunner, in_root: Path) -> None:
    result = runner.invoke(cli, ["test", "rules/"])
    assert result.exit_code == 0, result.output
    assert "ok    FAIR-001 fail          rules/tests/FAIR-001/fail/follower-fast-lane.yaml" in result.stdout
    assert "ok    FAIR-008 inconclusive  rules/tests/FAIR-008/inconclusive/small-gap.csv" in result.stdout
    assert "FAIL" not in result.stdout and "note" not in result.stdout


def _copy_pack(tmp: Path) -> Path:
    shutil.copy(RULES / "fairness.rules", tmp / "fairness.rules")
    shutil.copytree(RULES / "tests" / "FAIR-002", tmp / "tests" / "FAIR-002")
    return tmp / "fairness.rules"


def test_wrong_expectation_fails_naming_the_example(runner: CliRunner, tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    wrong = tmp_path / "tests" / "FAIR-002" / "pass" / "social-sla.yaml"
    shutil.move(tmp_path / "tests" / "FAIR-002" / "fail" / "social-sla.yaml", wrong)
    result = runner.invoke(cli, ["test", str(pack)])
    assert result.exit_code == 1, result.output
    assert f"FAIL  FAIR-002 pass          {wrong}: expected pass, got fail" in result.stdout
    assert "      - status: pass\n      + status: fail\n      +   fail: first_response target" in result.stdout
    assert "note  FAIR-001 has no examples" in result.stdout


def test_layout_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (tmp_path / "tests" / "FAIR-002" / "failing").mkdir()
    (tmp_path / "tests" / "NOPE-001" / "pass").mkdir(parents=True)
    result = runner.invoke(cli, ["test", str(pack)])
    assert result.exit_code == 2, result.output
    assert "failing: expected a directory named one of fail, pass, inconclusive, not_evaluated" in result.stdout
    assert "NOPE-001: no rule NOPE-001 in the rules files given" in result.stdout


def test_broken_example_is_an_input_error(runner: CliRunner, tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (tmp_path / "tests" / "FAIR-002" / "fail" / "broken.yaml").write_text(
        "auditrules: routing/v1\nrules: [\n", encoding="utf-8"
    )
    result = runner.invoke(cli, ["test", str(pack)])
    assert result.exit_code == 2
    assert "ERROR FAIR-002 fail" in result.stdout and "error[AR201]" in result.stdout


def test_ticket_example_with_its_own_mapping(runner: CliRunner, tmp_path: Path) -> None:
    shutil.copy(RULES / "fairness.rules", tmp_path / "fairness.rules")
    folder = tmp_path / "tests" / "FAIR-005" / "fail"
    folder.mkdir(parents=True)
    source = (RULES / "tests" / "FAIR-005" / "fail" / "two-tier.csv").read_text(encoding="utf-8")
    (folder / "export.csv").write_text(source.replace("channel,outcome", "Source,Result", 1), encoding="utf-8")
    (folder / "export.mapping.yaml").write_text(
        "auditrules: mapping/v1\nname: spreadsheet\ncolumns:\n  channel: Source\n  outcome: Result\n", encoding="utf-8"
    )
    result = runner.invoke(cli, ["test", str(tmp_path / "fairness.rules")])
    assert f"ok    FAIR-005 fail          {folder / 'export.csv'}" in result.stdout, result.output
    assert "export.mapping.yaml" not in result.stdout  # the mapping is not an example
    assert result.exit_code == 0
