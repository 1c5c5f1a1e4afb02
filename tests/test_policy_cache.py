"""Rules files remembered between runs (auditrules/lang/cached.py): the same policy as a fresh parse,
no Lark import when the cache answers, nothing remembered for text that does not parse, and a
damaged cache file parsed around."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditrules.errors import AuditError
from auditrules.lang import cached, parser
from auditrules.resources import standard_pack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "auditrules"


def test_remembered_policy_equals_a_fresh_parse(cache_home: Path) -> None:
    text = standard_pack().read_text(encoding="utf-8")
    first = cached.parse_policy(text, "rules/fairness.rules")
    stored = list(cache_home.glob("policy-*.pickle"))
    assert len(stored) == 1
    again = cached.parse_policy(text, "rules/fairness.rules")
    assert again == first == parser.parse_policy(text, "rules/fairness.rules")
    assert again is not first  # read back from the file


def test_path_and_text_are_part_of_the_key(cache_home: Path) -> None:
    text = standard_pack().read_text(encoding="utf-8")
    a = cached.parse_policy(text, "a.rules")
    b = cached.parse_policy(text, "b.rules")
    assert a.path == "a.rules" and b.path == "b.rules"
    cached.parse_policy(text + "\n# a comment\n", "a.rules")
    assert len(list(cache_home.glob("policy-*.pickle"))) == 3


def test_syntax_error_is_not_remembered(cache_home: Path) -> None:
    for _ in range(2):
        with pytest.raises(AuditError) as info:
            cached.parse_policy('rule FAIR-900 "x" {', "bad.rules")
        assert info.value.code == "AR101"
    assert not list(cache_home.glob("policy-*.pickle"))


def test_damaged_cache_file_is_parsed_around(cache_home: Path) -> None:
    text = standard_pack().read_text(encoding="utf-8")
    cached.parse_policy(text, "p.rules")
    (stored,) = cache_home.glob("policy-*.pickle")
    stored.write_bytes(b"not a pickle")
    assert cached.parse_policy(text, "p.rules") == parser.parse_policy(text, "p.rules")
    stored.write_bytes(b"")  # a half-written file (another process's crash)
    assert cached.parse_policy(text, "p.rules") == parser.parse_policy(text, "p.rules")


def test_a_second_run_imports_no_lark(tmp_path: Path) -> None:
    code = "import sys\nfrom auditrules.api import load_policies\nload_policies(())\nprint('lark' in sys.modules)\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)}
    runs = [
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    assert runs == ["True\n", "False\n"]
