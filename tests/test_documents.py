"""Safe YAML loading with positions and limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditrules.documents import load_yaml_document
from auditrules.errors import AuditError


def test_positions(tmp_path: Path) -> None:
    f = tmp_path / "a.yaml"
    f.write_text("a: 1\nrules:\n  - id: x\n    when: y\n", encoding="utf-8")
    doc = load_yaml_document(f)
    assert doc.data == {"a": 1, "rules": [{"id": "x", "when": "y"}]}
    assert doc.position_of("/rules/0/when") == (4, 11)
    assert doc.line_of("/rules/0/missing") == 3


def test_python_tags_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "a.yaml"
    f.write_text("a: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(AuditError) as info:
        load_yaml_document(f)
    assert info.value.code == "AR201"
    assert "unsupported YAML tag" in info.value.message


def test_depth_limit(tmp_path: Path) -> None:
    f = tmp_path / "deep.yaml"
    f.write_text("a: " + "[" * 100 + "]" * 100 + "\n", encoding="utf-8")
    with pytest.raises(AuditError) as info:
        load_yaml_document(f)
    assert info.value.code == "AR003"


def test_duplicate_keys_refused(tmp_path: Path) -> None:
    f = tmp_path / "dup.yaml"
    f.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(AuditError) as info:
        load_yaml_document(f)
    assert info.value.code == "AR201" and "duplicate key 'a'" in info.value.message
