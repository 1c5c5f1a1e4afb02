"""load_json_document: data plus (line, column) of every value's JSON pointer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditrules.documents import escape_pointer_token, line_starts, load_json_document
from auditrules.errors import AuditError


def walk(data: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    yield pointer, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk(value, f"{pointer}/{i}")


def assert_every_value_located(text: str) -> None:
    doc = load_json_document("x.json", text)
    starts = line_starts(text)
    decoder = json.JSONDecoder()
    for pointer, value in walk(doc.data):
        assert pointer in doc.positions, pointer
        line, col = doc.positions[pointer]
        got, _end = decoder.raw_decode(text, starts[line - 1] + col - 1)
        assert got == value, (pointer, line, col)


SAMPLE: dict[str, Any] = {
    "triggers": [
        {
            "id": 1,
            "title": "Tag {influencers} [x]",
            "conditions": {
                "all": [{"field": "requester_twitter_followers_count", "operator": "greater_than", "value": "5000"}],
                "any": [],
            },
            "actions": [
                {"field": "notification_user", "value": ["requester_id", 'Re: "{{ticket.title}}"', "Body\nline"]}
            ],
            "active": True,
            "position": None,
        }
    ],
    "a/b~c": {"nested": [[1, 2], {"k": -1.5e3}, "s", [], {}]},
    "unicode": "caf\u00e9 \u2603",
    "next_page": None,
}


def test_pretty_printed_positions_are_exact() -> None:
    text = json.dumps(SAMPLE, indent=2)
    doc = load_json_document("x.json", text)
    assert doc.positions[""] == (1, 1)
    assert doc.positions["/triggers"] == (2, 15)
    assert doc.positions["/triggers/0"] == (3, 5)
    # the exact condition object, the way the Zendesk adapter locates reads
    assert doc.positions["/triggers/0/conditions/all/0"] == (8, 11)
    assert doc.positions["/triggers/0/conditions/all/0/value"] == (11, 22)
    assert_every_value_located(text)


def test_single_line_positions_are_exact() -> None:
    text = json.dumps(SAMPLE)
    doc = load_json_document("x.json", text)
    assert all(line == 1 for line, _col in (doc.positions[p] for p, _v in walk(doc.data)))
    col = doc.positions["/triggers/0/conditions/all/0"][1]
    assert text[col - 1 :].startswith('{"field": "requester_twitter_followers_count"')
    assert_every_value_located(text)


def test_pointer_escaping_and_scalars_in_mixed_arrays() -> None:
    text = json.dumps(SAMPLE, indent=1)
    doc = load_json_document("x.json", text)
    assert "/a~1b~0c/nested/1/k" in doc.positions
    assert "/a~1b~0c/nested/2" in doc.positions  # a scalar between containers
    assert doc.position_of("/a~1b~0c/nested/4")[0] > doc.position_of("/a~1b~0c/nested/2")[0]  # type: ignore[index]
    assert_every_value_located(text)


def test_missing_pointer_falls_back_to_ancestor() -> None:
    doc = load_json_document("x.json", json.dumps(SAMPLE, indent=2))
    assert doc.line_of("/triggers/0/nope/deeper") == doc.line_of("/triggers/0")
    assert "/triggers/0/nope" not in doc.positions
    assert doc.positions.get("/triggers/9") is None
    with pytest.raises(KeyError):
        doc.positions["/triggers/9"]


def test_crlf_and_bom_free_text() -> None:
    text = json.dumps(SAMPLE, indent=2).replace("\n", "\r\n")
    assert_every_value_located(text)
    assert load_json_document("x.json", text).positions["/triggers/0"] == (3, 5)


@pytest.mark.parametrize("text", ["42", '"just a string"', "null", "[]", "{}", "  [1, [2, [3]]]  "])
def test_top_level_values(text: str) -> None:
    assert_every_value_located(text)


def test_invalid_json_is_ar205_with_position() -> None:
    text = '{\n  "triggers": [\n    {"id": 1,}\n  ]\n}'
    with pytest.raises(AuditError) as info:
        load_json_document("export/triggers.json", text)
    err = info.value
    assert err.code == "AR205"
    assert err.message.startswith("invalid JSON: ")
    assert err.span is not None and (err.span.path, err.span.line, err.span.column) == ("export/triggers.json", 3, 14)
    assert "^" in str(err)


def test_too_deep_is_ar003() -> None:
    with pytest.raises(AuditError) as info:
        load_json_document("deep.json", "[" * 70 + "]" * 70)
    assert info.value.code == "AR003"


def test_reads_the_file_and_hashes_it(tmp_path: Path) -> None:
    p = tmp_path / "t.json"
    p.write_text('{"views": []}', encoding="utf-8")
    doc = load_json_document(p)
    assert doc.data == {"views": []}
    assert len(doc.sha256) == 64


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet='ab/~"{}[]: \\,', max_size=4), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2]))
def test_generated_documents_locate_every_value(value: Any, indent: int | None) -> None:
    assert_every_value_located(json.dumps(value, indent=indent, ensure_ascii=False))
