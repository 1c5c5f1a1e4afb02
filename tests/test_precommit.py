"""The pre-commit hook: `--changed` judges the whole export a changed file belongs to and skips files that
are not routing exports; and the hook itself, run by the real `pre-commit` package in a temporary git
repository (skipped, saying why, when pre-commit or git is not installed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditrules.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _repo(tmp: Path, example: str) -> Path:
    repo = tmp / "team"
    shutil.copytree(EXAMPLES / example, repo / "exports" / "zendesk")
    (repo / "ci").mkdir()
    (repo / "ci" / "deploy.yaml").write_text("steps: [build, ship]\n", encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    return repo


def test_changed_file_stands_for_its_whole_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, "zendesk-twotier")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(
        cli,
        [
            "check",
            "--changed",
            "exports/zendesk/triggers.json",
            "ci/deploy.yaml",
            ".pre-commit-config.yaml",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    statuses = {r["rule_id"]: r["status"] for r in data["rules"]}
    assert statuses["FAIR-001"] == "fail" and statuses["FAIR-002"] == "fail"  # SLA files judged too
    assert "skipped ci/deploy.yaml: not a routing export" in result.stderr
    assert "skipped .pre-commit-config.yaml" in result.stderr


def test_changed_with_no_export_passes_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, "zendesk-fair")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["check", "--changed", "ci/deploy.yaml"])
    assert result.exit_code == 0
    assert "no routing export among the changed files" in result.stderr


def _tool(name: str) -> str | None:
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return found


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.skipif(_tool("pre-commit") is None, reason="pre-commit is not installed (pip install pre-commit)")
def test_hook_with_real_pre_commit(tmp_path: Path) -> None:
    pre_commit = _tool("pre-commit")
    assert pre_commit is not None
    unfair = _repo(tmp_path / "unfair", "zendesk-twotier")
    fair = _repo(tmp_path / "fair", "zendesk-fair")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    env.pop("PYTHONPATH", None)  # the hook runs auditrules from its own environment, built from this repository
    outputs = {}
    for name, repo in (("unfair", unfair), ("fair", fair)):
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
        proc = subprocess.run(
            [
                pre_commit,
                "try-repo",
                str(ROOT),
                "auditrules-routing",
                "--verbose",
                "--files",
                "exports/zendesk/triggers.json",
                "ci/deploy.yaml",
                ".pre-commit-config.yaml",
            ],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        outputs[name] = (proc.returncode, proc.stdout + proc.stderr)
    code, out = outputs["unfair"]
    assert code == 1, out
    assert "FAIR-002" in out and "FAIL" in out and "no SLA" not in out.split("FAIR-002")[0][-5:]
    assert "skipped ci/deploy.yaml" in out and ".pre-commit-config.yaml" not in out.split("auditrules routing")[-1]
    code, out = outputs["fair"]
    assert code == 0, out
