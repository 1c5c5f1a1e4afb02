"""The GitHub composite action and the GitLab CI snippet: well-formed, and their commands are ones
auditrules accepts (run here on the demo, as the action would)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from auditrules.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def test_action_is_a_composite_that_checks_and_uploads_sarif() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    check = next(s for s in steps if s.get("id") == "check")
    assert "auditrules check $ARGS --format json" in check["run"]
    assert '--format sarif --output "$SARIF"' in check["run"]
    for step in steps:  # inputs reach shell code through env, never spliced into the script
        assert "${{ inputs" not in step.get("run", "")
    assert set(action["inputs"]) >= {"args", "package", "sarif-file", "upload-sarif"}


def test_action_commands_work_on_the_demo(runner: CliRunner, in_root: Path, tmp_path: Path) -> None:
    report, sarif = tmp_path / "r.json", tmp_path / "a.sarif"
    checked = runner.invoke(cli, ["check", "examples/acme/routing.yaml", "--format", "json", "--output", str(report)])
    assert checked.exit_code == 1
    assert runner.invoke(cli, ["report", str(report), "--format", "text"]).exit_code == 0
    assert runner.invoke(cli, ["report", str(report), "--format", "sarif", "--output", str(sarif)]).exit_code == 0
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert log["runs"][0]["results"][0]["partialFingerprints"]["auditrules/v1"]


def test_gitlab_snippet_is_valid_yaml_with_a_junit_report() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# \.gitlab-ci\.yml.*?)```", text, flags=re.DOTALL)
    assert block is not None, "docs/ci.md has no .gitlab-ci.yml block"
    job = yaml.safe_load(block.group(1))["auditrules"]
    script = " ".join(job["script"])
    assert "auditrules check" in script and "--format json" in script
    assert job["artifacts"]["reports"]["junit"] == "auditrules.junit.xml"
