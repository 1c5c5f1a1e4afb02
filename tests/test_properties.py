"""Property tests (hypothesis) over hostile variants of real inputs.

* Rule files: mutations of the standard pack and of generated rule files never produce an internal
  error (only :class:`AuditError` with a code), and whenever a mutant loads, ``fmt`` keeps its AST.
* Reports: schema-valid mutations of a JSON report never crash ``auditrules report``, in any format.

The mutation operators are shared with the timed fuzz runner (``python -m tests.fuzz``).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from auditrules.api import load_policies
from auditrules.errors import CODES, AuditError
from auditrules.lang import ast
from auditrules.lang.format import format_policy, format_source
from auditrules.lang.parser import comments, parse_policy
from auditrules.report.json import _validator, load_report
from auditrules.report.render import render
from tests.fuzz.mutate import mutate_data, mutate_text, mutate_tokens
from tests.fuzz.targets import evaluate_rules_on_examples
from tests.test_lang import POLICIES

ROOT = Path(__file__).resolve().parent.parent
STANDARD = (ROOT / "rules" / "fairness.rules").read_text(encoding="utf-8")
REPORTS = [
    json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.json"))
]
FORMATS = ("text", "json", "markdown", "html", "sarif", "junit")
PROFILE = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _load_or_refuse(text: str, tmp_path: Path) -> list[ast.Rule] | None:
    """Load ``text`` as a rules file the way ``lint`` does; None when refused with an AR code."""
    f = tmp_path / "fuzz.rules"
    f.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        loaded = load_policies([f])
    except AuditError as exc:
        assert exc.code in CODES
        assert "\n" not in str(exc).split("\n   |", 1)[0]  # the error itself is one line
        return None
    return [r for lp in loaded for r in lp.policy.rules]


def _fmt_keeps_the_ast(text: str) -> None:
    before = parse_policy(text)
    formatted = format_source(text)
    after = parse_policy(formatted)
    assert after == before
    assert len(after.rules) == len(before.rules)
    if not comments(text):  # where comments go is settled in a second pass (lang/format.py)
        assert format_source(formatted) == formatted


@PROFILE
@given(st.randoms(use_true_random=False))
def test_mutated_standard_pack_never_crashes(tmp_path: Path, rnd: random.Random) -> None:
    text = mutate_tokens(STANDARD, rnd) if rnd.random() < 0.5 else mutate_text(STANDARD, rnd)
    rules = _load_or_refuse(text, tmp_path)
    if rules is not None:
        _fmt_keeps_the_ast(text)
        evaluate_rules_on_examples(tmp_path / "fuzz.rules")


@PROFILE
@given(POLICIES, st.randoms(use_true_random=False))
def test_mutated_generated_rule_files_never_crash(tmp_path: Path, policy: ast.Policy, rnd: random.Random) -> None:
    text = mutate_text(format_policy(policy), rnd)
    if _load_or_refuse(text, tmp_path) is not None:
        _fmt_keeps_the_ast(text)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.randoms(use_true_random=False), st.sampled_from(["\r", "\r\n", "\n"]))
def test_fmt_never_drops_a_rule_whatever_the_line_ends(rnd: random.Random, newline: str) -> None:
    lines = STANDARD.split("\n")
    text = newline.join(line + (" # note" if rnd.random() < 0.2 else "") for line in lines)
    _fmt_keeps_the_ast(text)
    assert len(parse_policy(format_source(text)).rules) == len(parse_policy(STANDARD).rules)


@settings(PROFILE, max_examples=40)  # ~0.4 s each (six renderings); the fuzz runner does volume
@given(st.sampled_from(range(len(REPORTS))), st.randoms(use_true_random=False))
def test_schema_valid_report_mutations_never_crash(tmp_path: Path, which: int, rnd: random.Random) -> None:
    data = mutate_data(REPORTS[which], rnd)
    assume(_validator().is_valid(data))
    f = tmp_path / "mutant.json"
    f.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    try:
        loaded = load_report(str(f))
    except AuditError as exc:
        assert exc.code == "AR401", exc
        return
    for fmt in FORMATS:  # validated evidence: every renderer reads it (no fallback needed)
        try:
            render(loaded, fmt)
        except AuditError as exc:
            assert exc.code == "AR401", exc


@pytest.mark.parametrize("which", range(len(REPORTS)))
def test_unaltered_reports_render_in_every_format(which: int, tmp_path: Path) -> None:
    f = tmp_path / "r.json"
    f.write_text(json.dumps(REPORTS[which]), encoding="utf-8")
    for fmt in FORMATS:
        assert render(load_report(str(f)), fmt)
