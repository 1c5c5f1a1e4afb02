"""Golden tests: every error code has a case under tests/errors/<CODE>/ whose exact output is pinned.

A case is ``case.json`` (``args``: the CLI arguments, run inside the case directory; ``exit``) plus
the input files it names. ``expected.txt`` holds the exact stderr for exit 2 (one line
``path:line:col: error[CODE]: message`` plus a caret excerpt where there is source text), or the
exact diagnostic lines (``level[CODE] message``) of the JSON report for codes that are reported as
diagnostics while the rest is still checked. Regenerate with ``AUDITRULES_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditrules.cli import cli
from auditrules.errors import CODES
from tests.conftest import update_golden

CASES = Path(__file__).parent / "errors"


def _run(case: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    spec = json.loads((case / "case.json").read_text(encoding="utf-8"))
    monkeypatch.chdir(case)
    for module in spec.get("hide_modules", []):  # as if an optional extra were not installed
        monkeypatch.setitem(sys.modules, module, None)
    result = CliRunner().invoke(cli, spec["args"], catch_exceptions=False)
    if spec["exit"] == 2:
        return result.exit_code, result.stderr
    report = json.loads(result.stdout)
    lines = [f"{d['level']}[{d['code']}] {d['message']}" for d in report["diagnostics"] if d["code"] == case.name]
    return result.exit_code, "\n".join(lines) + "\n"


def test_every_code_has_a_case() -> None:
    have = {p.name for p in CASES.iterdir() if (p / "case.json").exists()}
    assert sorted(set(CODES) - have) == []
    assert sorted(have - set(CODES)) == []


@pytest.mark.parametrize("code", sorted(p.name for p in CASES.iterdir() if (p / "case.json").exists()))
def test_error_message_is_pinned(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES / code
    spec = json.loads((case / "case.json").read_text(encoding="utf-8"))
    exit_code, output = _run(case, monkeypatch)
    assert exit_code == spec["exit"], output
    assert f"[{code}]" in output.splitlines()[0]
    if spec["exit"] == 2:
        assert "Traceback" not in output
        assert len([ln for ln in output.splitlines() if "error[" in ln]) == 1
    expected = case / "expected.txt"
    if update_golden() or not expected.exists():
        expected.write_text(output, encoding="utf-8")
    assert output == expected.read_text(encoding="utf-8")
