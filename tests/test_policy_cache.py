"""Rules files remembered between runs (auditrules/lang/cached.py): the same policy as a fresh parse,
no Lark import when the cache answers, nothing remembered for text that does not parse, a damaged
or foreign cache file parsed around, and a cache file that is data naming only AST nodes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditrules.errors import AuditError
from auditrules.lang import ast, cached, parser
from auditrules.resources import standard_pack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "auditrules"


def test_remembered_policy_equals_a_fresh_parse(cache_home: Path) -> None:
    text = standard_pack().read_text(encoding="utf-8")
    first = cached.parse_policy(text, "rules/fairness.rules")
    stored = list(cache_home.glob("policy-*.json"))
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
    assert len(list(cache_home.glob("policy-*.json"))) == 3


def test_syntax_error_is_not_remembered(cache_home: Path) -> None:
    for _ in range(2):
        with pytest.raises(AuditError) as info:
            cached.parse_policy('rule FAIR-900 "x" {', "bad.rules")
        assert info.value.code == "AR101"
    assert not list(cache_home.glob("policy-*.json"))


def test_damaged_cache_file_is_parsed_around(cache_home: Path) -> None:
    text = standard_pack().read_text(encoding="utf-8")
    cached.parse_policy(text, "p.rules")
    (stored,) = cache_home.glob("policy-*.json")
    stored.write_bytes(b"not json")
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


def test_cache_file_is_data_that_names_only_ast_nodes(cache_home: Path) -> None:
    text = standard_pack().read_text(encoding="utf-8")
    policy = cached.parse_policy(text, "p.rules")
    (stored,) = cache_home.glob("policy-*.json")
    data = json.loads(stored.read_text(encoding="utf-8"))
    assert data["@"] == "Policy"
    named = set(re.findall(r'"@":\s*"([^"]+)"', stored.read_text(encoding="utf-8")))
    nodes = {n for n, c in vars(ast).items() if isinstance(c, type)} | ast.TICKET_NODES
    assert named <= {"Span", *nodes}
    # every field comes back, those that equality ignores (spans, source text, spellings) too
    again = cached.decode(stored.read_text(encoding="utf-8"))
    assert again is not None
    assert [(r.source, r.span) for r in again.rules] == [(r.source, r.span) for r in policy.rules]
    assert again.path == policy.path


@pytest.mark.parametrize(
    "content",
    [
        '{"@": "system", "command": "touch /tmp/owned"}',  # a name that is no AST node
        '{"@": "Rule", "id": "X"}',  # a node, but not a policy (and missing fields)
        '{"@": "Policy", "name": null, "version": null, "defines": [], "rules": [], "evil": 1}',
        "[1, 2, 3]",
        '{"name": "no class"}',
    ],
)
def test_foreign_cache_file_is_parsed_around(cache_home: Path, content: str) -> None:
    text = standard_pack().read_text(encoding="utf-8")
    cached.parse_policy(text, "p.rules")
    (stored,) = cache_home.glob("policy-*.json")
    stored.write_text(content, encoding="utf-8")
    assert cached.parse_policy(text, "p.rules") == parser.parse_policy(text, "p.rules")


def test_non_ascii_rule_text_round_trips(cache_home: Path) -> None:
    text = (
        'policy "p" version "1"\ndefine x = fields matching "*x*"\n'
        'rule R-1 "Équité 公平 ✓" {\n  severity low\n  routing must not read x\n}\n'
    )
    cached.parse_policy(text, "u.rules")
    (stored,) = cache_home.glob("policy-*.json")
    assert stored.read_bytes().isascii()
    again = cached.parse_policy(text, "u.rules")
    assert again.rules[0].title == "Équité 公平 ✓" and again == parser.parse_policy(text, "u.rules")


def test_a_policy_that_fails_its_checks_is_not_remembered(cache_home: Path) -> None:
    """Only checked policies are remembered, so one read without its ticket statements needs no
    check of them; a policy the checker refuses is parsed (and refused) afresh every run."""
    text = 'rule R-1 "t" {\n  severity low\n  routing must not read undefined_set\n}\n'
    cached.parse_policy(text, "bad.rules")
    assert list(cache_home.glob("policy-*.json")) == []
    with pytest.raises(AuditError) as info:
        load_policies_from(text, cache_home)
    assert info.value.code == "AR103"


def load_policies_from(text: str, directory: Path) -> object:
    from auditrules.api import load_policies

    rules = directory / "bad.rules"
    rules.write_text(text, encoding="utf-8")
    return load_policies([rules], ticket_statements=False)


def test_a_policy_read_without_ticket_statements(cache_home: Path) -> None:
    """A check given no ticket data reads the remembered pack with each ticket rule's statements
    left unread: its routing statements and everything the report shows stay, nothing of the ticket
    statements' classes is built, and asking for them is an error, not a silent ``None``."""
    text = standard_pack().read_text(encoding="utf-8")
    whole = cached.parse_policy(text, "p.rules")
    read = cached.parse_policy(text, "p.rules", ticket_statements=False)
    assert [r.id for r in read.rules] == [r.id for r in whole.rules]
    assert read.defines == whole.defines
    for partial, full in zip(read.rules, whole.rules, strict=True):
        assert partial.routing_statements == full.routing_statements
        assert partial.reads_tickets == (full.scope is not None)
        assert (partial.title, partial.source, partial.span, partial.docs) == (
            full.title,
            full.source,
            full.span,
            full.docs,
        )
        unread = [s for s in partial.statements if isinstance(s, ast.UnreadStatements)]
        assert [u.count for u in unread] == (
            [len(full.statements) - len(full.routing_statements)] if partial.reads_tickets else []
        )
        if partial.reads_tickets:
            with pytest.raises(RuntimeError, match="without its ticket statements"):
                _ = partial.scope
    assert cached.parse_policy(text, "p.rules") == whole  # read whole again when asked
