"""A process that ends with its command (``main(end_process=True)``: the ``auditrules`` command,
``python -m auditrules``) ends at once after a one-shot routing check: exit handlers run and the
output is complete, but the interpreter's teardown is skipped. Every other command ends by raising
``SystemExit`` as before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from auditrules.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXPORT = str(ROOT / "examples" / "zendesk-twotier")

CODE = """
import atexit, sys
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
from auditrules.cli import main
sys.argv = ["auditrules", *{args!r}]
try:
    main(end_process=True)
except SystemExit as done:
    print(f"raised SystemExit({{done.code}})", file=sys.stderr)
    raise
"""


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = CODE.format(args=args)
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)


def test_routing_check_ends_the_process_after_its_report(tmp_path: Path) -> None:
    args = ["check", "--quiet", "--routing", EXPORT]
    proc = _run(args, tmp_path)
    expected = CliRunner().invoke(cli, args)
    assert proc.returncode == expected.exit_code == 1
    assert proc.stdout == expected.output  # every byte written before the process ended
    assert "exit handler ran" in proc.stderr
    assert "raised SystemExit" not in proc.stderr


def test_report_written_to_a_file_is_complete(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = _run(["check", "--quiet", "--format", "json", "-o", str(out), EXPORT], tmp_path)
    expected = CliRunner().invoke(cli, ["check", "--quiet", "--format", "json", EXPORT])
    assert proc.returncode == 1 and "raised SystemExit" not in proc.stderr
    assert out.read_text(encoding="utf-8") == expected.output


def test_other_commands_end_by_raising_system_exit(tmp_path: Path) -> None:
    missing = _run(["check", "--quiet", "--routing", str(tmp_path / "missing")], tmp_path)
    assert missing.returncode == 2 and "raised SystemExit(2)" in missing.stderr
    version = _run(["--version"], tmp_path)
    assert version.returncode == 0 and "raised SystemExit(0)" in version.stderr
