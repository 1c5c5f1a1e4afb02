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


# --- records decoded once: the top container's children and its arrays' items, item by item ---------


def _error(call: Any) -> tuple[str, str, int, int]:
    with pytest.raises(AuditError) as info:
        call()
    err = info.value
    assert err.span is not None
    return err.code, err.message, err.span.line, err.span.column


@pytest.mark.parametrize(
    "text",
    [
        '{"triggers": [{"id": 1}, {"id": 2, "id": 3}]}',  # a key twice in an item
        '{"triggers": [], "triggers": []}',  # a key twice in the top object
        '{"a": {"b": 1, "b": 2}}',  # in an object that is not an array item
        '[{"x": [{"k": 1, "k": 1}]}]',  # deep in an item of a top array
        '{"triggers": [{"id": 1} {"id": 2}]}',  # no comma between items
        '{"triggers": [{"id": 1},]}',  # trailing comma
        '{"triggers": []} []',  # extra data
        '{"triggers" []}',  # no colon
        '{"triggers": [NaN]}',
        '{"triggers": [1e999]}',
        '{"triggers": [' + "9" * 5000 + "]}",
        '{"triggers": [' + "[" * 70 + "]" * 70 + "]}",  # too deep inside an item
        '{"t": "a\x01b"}',  # a control character in a string
        '{"t": [1, 2',  # cut short
        "",
        "   ",
        '\ufeff{"a": 1}',
        '{"a": 1',
        "[1, 2,]",
    ],
)
def test_refusals_match_the_whole_text_decoder(text: str) -> None:
    """Whatever decoding record by record refuses is reported exactly as decoding the whole text does."""
    from auditrules.documents import loads_json

    assert _error(lambda: load_json_document("x.json", text)) == _error(lambda: loads_json(text, "x.json"))


def test_duplicate_key_in_a_record_is_located_exactly() -> None:
    text = json.dumps({"triggers": [{"id": 1}, {"id": 2, "title": "t"}]}, indent=2).replace('"title"', '"id"')
    code, message, line, col = _error(lambda: load_json_document("x.json", text))
    assert (code, message) == ("AR205", "duplicate key 'id' in one object")
    assert text.splitlines()[line - 1][col - 1 :].startswith('"id": "t"')


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2]), st.data())
def test_generated_duplicate_keys_are_found_where_they_are(value: Any, indent: int | None, data: st.DataObject) -> None:
    """A key repeated in any object of a generated document: AR205 at the repeated key's line and column."""
    objects = [(p, v) for p, v in walk({"records": [value]}) if isinstance(v, dict) and v]
    pointer, obj = data.draw(st.sampled_from(objects))
    key = data.draw(st.sampled_from(sorted(obj)))
    text = json.dumps({"records": [value]}, indent=indent, ensure_ascii=False)
    # repeat the key: write the object's last member a second time, under the repeated key
    located = load_json_document("x.json", text)
    line, col = located.positions[pointer]
    starts = line_starts(text)
    begin = starts[line - 1] + col - 1
    _obj, end = json.JSONDecoder().raw_decode(text, begin)
    dup = f", {json.dumps(key, ensure_ascii=False)}: 0"
    broken = text[: end - 1].rstrip() + dup + text[end - 1 :]
    code, message, eline, ecol = _error(lambda: load_json_document("x.json", broken))
    assert code == "AR205" and message.startswith("duplicate key")
    at = line_starts(broken)[eline - 1] + ecol - 1
    assert broken.startswith(json.dumps(key, ensure_ascii=False), at)
    assert begin < at < end + len(dup)


def test_records_are_located_without_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    """The items of the top object's arrays were located while decoding: finding the last one, or a
    condition inside it, scans nothing but that item."""
    from auditrules.documents import JsonPositions

    triggers = [{"id": i, "conditions": {"all": [{"field": "status", "value": "new"}]}} for i in range(300)]
    text = json.dumps({"triggers": triggers, "count": 300}, indent=2)
    doc = load_json_document("x.json", text)
    scanned: list[str] = []
    original = JsonPositions._scan

    def spy(self: JsonPositions, parent: str, wanted: str) -> None:
        scanned.append(parent)
        original(self, parent, wanted)

    monkeypatch.setattr(JsonPositions, "_scan", spy)
    assert doc.positions["/triggers/299"] == (text[: text.index('"id": 299')].count("\n"), 5)
    assert doc.positions["/count"][0] == text.count("\n") - 0
    assert scanned == []
    assert "/triggers/300" not in doc.positions and "/triggers/01" not in doc.positions
    assert doc.positions["/triggers/299/conditions/all/0"][0] > doc.positions["/triggers/299"][0]
    assert all(p.startswith("/triggers/299") for p in scanned)
    assert_every_value_located(text)


def _outcome(call: Any) -> tuple[str, str] | None:
    try:
        call()
    except AuditError as err:
        return err.code, err.message
    return None


@pytest.mark.parametrize(
    "shape",
    [
        '{{"triggers": [1, {nested}, 2]}}',  # an item of an array of the top object (depth 2)
        "[0, {nested}]",  # an item of a top array (depth 1)
        '{{"meta": {nested}, "views": []}}',  # a child of the top object that is not an array (depth 1)
        '{{"a": [[{nested}]]}}',  # inside an item
        "{nested}",  # the top value itself
    ],
)
@pytest.mark.parametrize("levels", [1, 60, 61, 62, 63, 64, 65, 66, 70])
def test_nesting_limit_is_exact_on_every_record(shape: str, levels: int) -> None:
    """Records are walked only when their brackets could nest too deep; the limit stays exact."""
    from auditrules.documents import loads_json

    for opener, closer in (("[", "]"), ('{"k": ', "}")):
        nested = opener * levels + "0" + closer * levels
        text = shape.format(nested=nested)
        assert _outcome(lambda t=text: load_json_document("x.json", t)) == _outcome(  # type: ignore[misc]
            lambda t=text: loads_json(t, "x.json")
        ), (shape, levels, opener)


def test_brackets_in_strings_are_not_nesting() -> None:
    text = json.dumps({"triggers": [{"title": "{[" * 100, "id": 1}]})
    assert load_json_document("x.json", text).data["triggers"][0]["id"] == 1
