"""--select / --ignore (ids and globs, also from the config), and bundled packs by name."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from auditrules.api import check
from auditrules.cli import cli

ACME = "examples/acme/routing.yaml"


def _rule_ids(result: object) -> list[str]:
    return [r["rule_id"] for r in json.loads(result.stdout)["rules"]]  # type: ignore[attr-defined]


def test_select_and_ignore(runner: CliRunner, in_root: Path) -> None:
    base = ["check", ACME, "--format", "json"]
    assert _rule_ids(runner.invoke(cli, [*base, "--select", "FAIR-001"])) == ["FAIR-001"]
    assert _rule_ids(runner.invoke(cli, [*base, "--select", "fair-00[12]"])) == ["FAIR-001", "FAIR-002"]
    only = runner.invoke(cli, [*base, "--select", "FAIR-00*", "--ignore", "FAIR-002", "--ignore", "FAIR-003"])
    assert _rule_ids(only) == ["FAIR-001", "FAIR-004", "FAIR-005", "FAIR-006", "FAIR-007", "FAIR-008", "FAIR-009"]


def test_selection_that_leaves_nothing_is_a_usage_error(runner: CliRunner, in_root: Path) -> None:
    result = runner.invoke(cli, ["check", ACME, "--select", "FAIR-9*"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error[AR007]: no rule to check after --select FAIR-9* (loaded: rules/fairness.rules)"
    )


def test_pack_by_name_combines_with_a_team_file(runner: CliRunner, tmp_path: Path, in_root: Path) -> None:
    team = tmp_path / "team.rules"
    team.write_text(
        'define vips = fields matching "*vip*"\nrule T-1 "no vip" {\n  severity low\n  routing must not read vips\n}\n',
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["check", ACME, "--rules", "fairness", "--rules", str(team), "--format", "json"])
    data = json.loads(result.stdout)
    assert [f["path"] for f in data["policy"]["files"]] == ["rules/fairness.rules", str(team)]
    assert "T-1" in _rule_ids(result)
    missing = runner.invoke(cli, ["check", ACME, "--rules", "fairnes"])
    assert missing.exit_code == 2 and "bundled rule packs: fairness" in missing.stderr


def test_api_accepts_one_path_or_a_list(in_root: Path) -> None:
    one = check(tickets="examples/acme/tickets.parquet", select="FAIR-005")
    assert [v.rule.id for v in one.verdicts] == ["FAIR-005"]
    assert one.verdicts[0].status.value == "fail"
    many = check(routing=[ACME], select=["FAIR-001", "FAIR-002"], ignore="FAIR-002")
    assert [v.rule.id for v in many.verdicts] == ["FAIR-001"]


def test_unselected_routing_rules_leave_the_export_unread(in_root: Path, tmp_path: Path) -> None:
    broken = tmp_path / "routing.yaml"
    broken.write_text("auditrules: routing/v1\nrules: [\n", encoding="utf-8")
    report = check(routing=broken, tickets="examples/acme/tickets.parquet", select="FAIR-005")
    assert [v.status.value for v in report.verdicts] == ["fail"]
    assert all(i.kind != "routing" for i in report.inputs)
