"""Documentation stays in step with the code: error codes, rule pages and ``auditrules explain``.

* every code in :data:`auditrules.errors.CODES` has its own section in ``docs/errors.md``;
* every rule of the standard pack has ``rules/docs/<ID>.md`` whose title and severity match the
  rule and which has the required headings;
* ``auditrules explain`` prints that page (and exits 0), and refuses an unknown ID with AR004.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditrules.cli import cli
from auditrules.errors import CODES
from auditrules.lang import ast
from auditrules.lang.parser import parse_policy

ROOT = Path(__file__).resolve().parent.parent
ERRORS_DOC = ROOT / "docs" / "errors.md"
RULE_DOCS = ROOT / "rules" / "docs"
STANDARD_PACK = ROOT / "rules" / "fairness.rules"

#: Headings every rule page must have, in this order (``Known limits`` is recommended, not required).
REQUIRED_HEADINGS = ("What it checks", "Why it matters", "Example of a violation", "How to fix", "References")


def _standard_rules() -> list[ast.Rule]:
    text = STANDARD_PACK.read_text(encoding="utf-8")
    return list(parse_policy(text, "rules/fairness.rules").rules)


RULES = _standard_rules()


# ---------------------------------------------------------------- docs/errors.md


def _error_headings() -> set[str]:
    text = ERRORS_DOC.read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,4} (AR\d{3})\b", text, flags=re.MULTILINE))


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_error_code_has_a_section(code: str) -> None:
    assert code in _error_headings(), f"docs/errors.md has no heading for {code} ({CODES[code][0]})"


def test_errors_doc_documents_no_unknown_codes() -> None:
    stale = sorted(_error_headings() - set(CODES))
    assert stale == [], f"docs/errors.md documents codes that are not in CODES: {stale}"


@pytest.mark.parametrize("code", sorted(CODES))
def test_error_section_title_matches_codes_table(code: str) -> None:
    title = CODES[code][0]
    text = ERRORS_DOC.read_text(encoding="utf-8")
    assert re.search(rf"^#{{2,4}} {code}: {re.escape(title)}\s*$", text, flags=re.MULTILINE), (
        f"docs/errors.md heading for {code} should read '{code}: {title}'"
    )


# ---------------------------------------------------------------- rules/docs/<ID>.md


def test_standard_pack_has_rules() -> None:
    assert RULES, "rules/fairness.rules defines no rules"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_has_a_doc_page(rule: ast.Rule) -> None:
    page = RULE_DOCS / f"{rule.id}.md"
    assert page.is_file(), f"missing rule documentation {page.relative_to(ROOT)}"
    text = page.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == f"# {rule.id}: {rule.title}", "first line must be '# ID: title' as in the rule"
    assert lines[1].startswith(f"Severity: {rule.severity} · Evidence: "), (
        "second line must be 'Severity: <severity> · Evidence: …' with the rule's severity"
    )
    headings = re.findall(r"^## (.+?)\s*$", text, flags=re.MULTILINE)
    missing = [h for h in REQUIRED_HEADINGS if h not in headings]
    assert missing == [], f"{page.name} lacks headings {missing}"
    positions = [headings.index(h) for h in REQUIRED_HEADINGS]
    assert positions == sorted(positions), f"{page.name}: headings out of order {headings}"
    assert "Use instead:" in text, f"{page.name}: 'How to fix' should end with 'Use instead:' and a snippet"


def test_no_doc_page_without_a_rule() -> None:
    ids = {r.id for r in RULES}
    orphans = sorted(p.stem for p in RULE_DOCS.glob("*.md") if p.stem not in ids)
    assert orphans == [], f"rules/docs has pages for rules the standard pack does not define: {orphans}"


# ---------------------------------------------------------------- auditrules explain


def test_explain_prints_the_doc_page() -> None:
    result = CliRunner().invoke(cli, ["explain", "FAIR-001"])
    assert result.exit_code == 0, result.output
    assert "# FAIR-001: Routing may not read influence signals" in result.stdout
    assert "## What it checks" in result.stdout
    assert "routing must not read influence_signals" in result.stdout  # the rule source follows


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_explain_every_standard_rule(rule: ast.Rule) -> None:
    result = CliRunner().invoke(cli, ["explain", rule.id.lower()])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"# {rule.id}: {rule.title}\n")


def test_explain_unknown_rule_exits_2_with_ar004() -> None:
    result = CliRunner().invoke(cli, ["explain", "FAIR-999"])
    assert result.exit_code == 2
    assert "error[AR004]" in result.stderr
    assert "FAIR-999" in result.stderr
    assert result.stdout == ""
