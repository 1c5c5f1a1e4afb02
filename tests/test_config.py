"""The configuration file: discovery walking up, pyproject.toml, --config/--no-config, paths relative to
the file, the command line overriding it, `auditrules init`, declared channels and the report section."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditrules.cli import cli
from auditrules.config import discover, find_config
from auditrules.errors import AuditError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A team repository: the Acme routing export under exports/, a subdirectory to work from."""
    shutil.copy(ROOT / "examples" / "acme" / "routing.yaml", tmp_path / "routing.yaml")
    (tmp_path / "exports").mkdir()
    shutil.copy(ROOT / "examples" / "acme" / "routing.yaml", tmp_path / "exports" / "acme.yaml")
    (tmp_path / "docs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _json(result: object) -> dict[str, object]:
    return json.loads(result.stdout)  # type: ignore[attr-defined,no-any-return]


def test_init_then_check_with_no_flags(repo: Path, runner: CliRunner) -> None:
    (repo / "routing.yaml").unlink()
    init = runner.invoke(cli, ["init"])
    assert init.exit_code == 0, init.output
    config = (repo / ".auditrules.yaml").read_text(encoding="utf-8")
    assert "exports/acme.yaml" in config and config.count("#") > 10, config
    assert (repo / "rules" / "team.rules").is_file()
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 1, result.output  # Acme is unfair: the check ran and failed
    assert "FAIR-001" in result.stdout and "TEAM-001" in result.stdout
    again = runner.invoke(cli, ["init"])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_config_in_root_applies_from_subdirectory(
    repo: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / ".auditrules.yaml").write_text(
        "routing: exports/acme.yaml\nformat: json\nfail-on: never\n", encoding="utf-8"
    )
    monkeypatch.chdir(repo / "docs" / "deep")
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 0, result.output  # fail-on never from the file
    data = _json(result)
    assert data["fail_on"] == "never"
    paths = [i["path"] for i in data["inputs"]]  # type: ignore[index]
    assert str(Path("..") / ".." / "exports" / "acme.yaml") in paths


def test_command_line_overrides_config(repo: Path, runner: CliRunner) -> None:
    (repo / ".auditrules.yaml").write_text("routing: exports/acme.yaml\nfail-on: never\n", encoding="utf-8")
    assert runner.invoke(cli, ["check"]).exit_code == 0
    assert runner.invoke(cli, ["check", "--fail-on", "high"]).exit_code == 1
    # positional routing paths (pre-commit) replace the file's routing
    fair = ROOT / "examples" / "acme-fair" / "routing.yaml"
    assert runner.invoke(cli, ["check", str(fair), "--fail-on", "low"]).exit_code == 0


def test_no_config_and_explicit_config(repo: Path, runner: CliRunner) -> None:
    (repo / ".auditrules.yaml").write_text("routing: exports/acme.yaml\n", encoding="utf-8")
    assert runner.invoke(cli, ["check", "--no-config"]).exit_code == 2  # nothing to check
    other = repo / "docs" / "other.yaml"
    other.write_text("routing: ../exports/acme.yaml\nfail-on: never\n", encoding="utf-8")
    assert runner.invoke(cli, ["check", "--config", str(other)]).exit_code == 0
    missing = runner.invoke(cli, ["check", "--config", "nope.yaml"])
    assert missing.exit_code == 2 and "AR001" in missing.stderr


def test_pyproject_tool_table(repo: Path, runner: CliRunner) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.auditrules]\nrouting = ["exports/acme.yaml"]\nselect = ["FAIR-002"]\nformat = "json"\n',
        encoding="utf-8",
    )
    assert find_config(repo / "docs") == repo / "pyproject.toml"
    result = runner.invoke(cli, ["check"])
    assert [r["rule_id"] for r in _json(result)["rules"]] == ["FAIR-002"]  # type: ignore[index]


def test_pyproject_without_table_is_skipped(repo: Path) -> None:
    (repo / "docs" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (repo / ".auditrules.yaml").write_text("fail-on: high\n", encoding="utf-8")
    assert find_config(repo / "docs" / "deep") == repo / ".auditrules.yaml"


def test_invalid_config_points_at_the_line(repo: Path, runner: CliRunner) -> None:
    (repo / ".auditrules.yaml").write_text("routing: exports/acme.yaml\nfail_on: high\n", encoding="utf-8")
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        ".auditrules.yaml:2:10: error[AR411]: /fail_on: unknown key 'fail_on' (did you mean 'fail-on'?)"
    ), result.stderr
    assert "Traceback" not in result.stderr
    (repo / "pyproject.toml").write_text('[tool.auditrules]\nengine = "postgres"\n', encoding="utf-8")
    (repo / ".auditrules.yaml").unlink()
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 2 and result.stderr.startswith("pyproject.toml:2:1: error[AR411]: /engine:")


def test_channels_and_report_section(repo: Path, runner: CliRunner) -> None:
    (repo / "docs" / "logo.png").write_bytes(b"\x89PNG\r\n")
    (repo / ".auditrules.yaml").write_text(
        "routing: exports/acme.yaml\nformat: json\nchannels: [Email, phone, Twitter, chat]\n"
        "report:\n  client: Acme Ltd\n  auditor: {name: J. Doe, firm: Fair & Co}\n  period: 2026 H1\n"
        "  date: '2026-07-01'\n  paper: Letter\n  logo: docs/logo.png\n",
        encoding="utf-8",
    )
    config = discover(None, False)
    declared = config.declared_channels()
    assert declared is not None and declared.channels == ("email", "phone", "twitter", "chat")
    assert declared.source == "channels: in .auditrules.yaml:3"
    opts = config.report_options()
    assert (opts.client, opts.auditor_firm, opts.paper, opts.logo) == (
        "Acme Ltd",
        "Fair & Co",
        "Letter",
        "docs/logo.png",
    )
    data = _json(runner.invoke(cli, ["check"]))
    assert data["inputs"] and "report" not in data  # the JSON report stays as it was
    from auditrules.pipeline import CheckOptions, run

    report = run(CheckOptions(routing=("exports/acme.yaml",), report=opts))
    assert report.report_options.client == "Acme Ltd" and report.report_options.date == "2026-07-01"
    (repo / "docs" / "logo.png").unlink()
    with pytest.raises(AuditError) as err:
        discover(None, False)
    assert err.value.code == "AR411" and err.value.message == "/report/logo: no such file: docs/logo.png"
    assert err.value.span is not None and err.value.span.line == 10
    (repo / ".auditrules.yaml").write_text("channels: [pigeon]\n", encoding="utf-8")
    with pytest.raises(AuditError) as err:
        discover(None, False)
    assert err.value.code == "AR411" and "unknown channel 'pigeon'" in err.value.message


def test_declared_channels_reach_the_analysis(repo: Path, runner: CliRunner) -> None:
    # Acme's export lists chat, which no SLA covers; a team that declares it does not serve chat
    (repo / ".auditrules.yaml").write_text(
        "routing: exports/acme.yaml\nselect: FAIR-002\nformat: json\nchannels: [email, phone, twitter, facebook]\n",
        encoding="utf-8",
    )
    messages = [f["message"] for f in _json(runner.invoke(cli, ["check"]))["findings"]]  # type: ignore[index]
    assert not any("channel chat" in m for m in messages), messages


def test_a_configuration_validated_before_skips_jsonschema(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    (tmp_path / ".auditrules.yaml").write_text("fail-on: high\nselect: [FAIR-001]\n", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    code = (
        "import sys; from pathlib import Path; from auditrules.config import load_config; "
        "c = load_config(Path('.auditrules.yaml')); print(c.values['fail-on'], 'jsonschema' in sys.modules)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [["high", "True"], ["high", "False"]]


def test_init_finds_each_kind_of_export(tmp_path: Path) -> None:
    from auditrules.starter import find_evidence

    shutil.copytree(ROOT / "examples" / "zendesk-fair", tmp_path / "exports" / "zendesk")
    shutil.copy(ROOT / "examples" / "taskrouter-vip" / "workflow.json", tmp_path / "exports" / "workflow.json")
    shutil.copy(ROOT / "examples" / "acme" / "routing.yaml", tmp_path / "routing.yaml")
    shutil.copy(ROOT / "tests" / "fixtures" / "tickets" / "twitter_support.csv", tmp_path / "tickets.csv")
    (tmp_path / "node_modules").mkdir()
    shutil.copy(ROOT / "examples" / "acme" / "routing.yaml", tmp_path / "node_modules" / "ignored.yaml")
    (tmp_path / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    found = find_evidence(tmp_path)
    assert sorted(found.routing) == ["exports/workflow.json", "exports/zendesk/", "routing.yaml"]
    assert found.tickets == ("tickets.csv",)
