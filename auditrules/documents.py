"""Input documents with source positions: bytes on disk → data plus a JSON-pointer → (line, column) map.

YAML is read with ``yaml.SafeLoader`` only, through ``compose`` so that every node keeps its mark;
size, nesting depth and alias count are limited before any value is built.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditrules.errors import AuditError, Span, fail

MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 100
_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge")
)


@dataclass(frozen=True)
class Document:
    """A parsed input file: its text, its data, and where each JSON pointer starts (1-based)."""

    path: str
    text: str
    data: Any
    positions: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)
    sha256: str = ""

    def line_of(self, pointer: str) -> int | None:
        """The line of ``pointer``, or of its nearest ancestor that has a position."""
        pos = self.position_of(pointer)
        return pos[0] if pos else None

    def position_of(self, pointer: str) -> tuple[int, int] | None:
        p = pointer
        while True:
            if p in self.positions:
                return self.positions[p]
            if not p:
                return None
            p = p.rsplit("/", 1)[0]

    def span_of(self, pointer: str) -> Span:
        pos = self.position_of(pointer) or (1, 1)
        return Span(self.path, pos[0], pos[1])


def escape_pointer_token(token: str | int) -> str:
    """RFC 6901 escaping of one reference token."""
    return str(token).replace("~", "~0").replace("/", "~1")


def read_text(path: str | Path, max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """Read a UTF-8 file (a BOM is dropped); returns (text, sha256 of the bytes)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise fail("AR001", f"no such file: {path}") from None
    except OSError as exc:
        raise fail("AR002", f"cannot read {path}: {exc.strerror}") from None
    if size > max_bytes:
        raise fail("AR003", f"{path} is {size} bytes; the limit is {max_bytes}", Span(str(path), 1, 1))
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise fail("AR002", f"cannot read {path}: {exc.strerror}") from None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail("AR002", f"{path} is not UTF-8 (byte {exc.start})", Span(str(path), 1, 1)) from None
    return text, digest


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_yaml_document(path: str | Path, text: str | None = None, digest: str = "") -> Document:
    """Parse YAML safely into a :class:`Document` with positions for every node."""
    spath = str(path)
    if text is None:
        text, digest = read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = Span(spath, mark.line + 1, mark.column + 1) if mark else Span(spath, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise AuditError("AR201", f"invalid YAML: {problem}", span, text) from None
    except yaml.YAMLError as exc:
        raise AuditError("AR201", f"invalid YAML: {exc}", Span(spath, 1, 1), text) from None
    positions: dict[str, tuple[int, int]] = {}
    if node is None:
        return Document(spath, text, None, positions, digest)
    builder = _YamlBuilder(spath, text, positions)
    data = builder.build(node, "", 0)
    return Document(spath, text, data, positions, digest)


class _YamlBuilder:
    """Turn a composed YAML node tree into plain data, recording positions and enforcing limits."""

    def __init__(self, path: str, text: str, positions: dict[str, tuple[int, int]]) -> None:
        self.path = path
        self.text = text
        self.positions = positions
        self.seen: dict[int, int] = {}
        self.aliases = 0
        self.constructor = yaml.SafeLoader("")

    def fail(self, code: str, message: str, node: yaml.Node) -> AuditError:
        m = node.start_mark
        return AuditError(code, message, Span(self.path, m.line + 1, m.column + 1), self.text)

    def build(self, node: yaml.Node, pointer: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail("AR003", f"nesting deeper than {MAX_DEPTH} levels", node)
        if id(node) in self.seen:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise self.fail("AR003", f"more than {MAX_ALIASES} aliases", node)
        self.seen[id(node)] = 1
        if node.tag not in _SAFE_TAGS:
            raise self.fail("AR201", f"unsupported YAML tag {node.tag!r}: input files are data only", node)
        self.positions[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail("AR201", "merge keys ('<<') are not supported", key_node)
                key = self.build(key_node, pointer + "/~key", depth + 1)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise self.fail("AR201", "mapping keys must be scalars", key_node)
                if key in out:
                    raise self.fail("AR201", f"duplicate key {key!r}", key_node)
                child = f"{pointer}/{escape_pointer_token(str(key))}"
                out[key] = self.build(value_node, child, depth + 1)
                self.positions.setdefault(child, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            self.positions.pop(pointer + "/~key", None)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, f"{pointer}/{i}", depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.constructor.construct_object(node, deep=True)


# --- JSON -------------------------------------------------------------------------------------------

# One token per value start or container end; ':' ',' and whitespace are skipped by finditer.
# Valid JSON is guaranteed by json.loads first, so the token stream alone decides what is a key.
_JSON_TOKEN_RE = r'"(?:[^"\\]|\\.)*"|[{}\[\]]|[^\s,:\[\]{}"]+'


def load_json_document(path: str | Path, text: str | None = None, digest: str = "") -> Document:
    """Parse JSON into a :class:`Document` with the (line, column) where every value starts.

    ``json.loads`` builds the data (and reports syntax errors); one tokenizer pass over the text then
    records each value's JSON pointer, keeping a stack of open containers. Keys are told from values
    by position (an object alternates key, value), so ``:`` and ``,`` need no token.
    """
    import json

    spath = str(path)
    if text is None:
        text, digest = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        span = Span(spath, exc.lineno, exc.colno)
        raise AuditError("AR205", f"invalid JSON: {exc.msg}", span, text) from None
    except RecursionError:
        raise AuditError("AR003", "JSON nested too deeply", Span(spath, 1, 1), text) from None
    positions = _json_positions(spath, text)
    return Document(spath, text, data, positions, digest)


def _json_positions(path: str, text: str) -> dict[str, tuple[int, int]]:
    import json
    import re
    from bisect import bisect_right

    offsets: list[tuple[str, int]] = []
    append = offsets.append
    # stack entries: [pointer, is_object, next_index_or_pending_key, expecting_key]
    stack: list[list[Any]] = []
    pointer = ""
    for m in re.finditer(_JSON_TOKEN_RE, text):
        tok = m.group()
        c = tok[0]
        if c == "}" or c == "]":
            stack.pop()
            continue
        if stack:
            top = stack[-1]
            if top[1]:
                if top[3]:  # an object key
                    key = json.loads(tok) if "\\" in tok else tok[1:-1]
                    if "~" in key or "/" in key:
                        key = escape_pointer_token(key)
                    top[2] = key
                    top[3] = False
                    continue
                pointer = top[0] + "/" + top[2]
                top[3] = True
            else:
                pointer = top[0] + "/" + str(top[2])
                top[2] += 1
        else:
            pointer = ""
        append((pointer, m.start()))
        if c == "{" or c == "[":
            if len(stack) >= MAX_DEPTH:
                span = _offset_span(path, text, m.start())
                raise AuditError("AR003", f"nesting deeper than {MAX_DEPTH} levels", span, text)
            stack.append([pointer, True, "", True] if c == "{" else [pointer, False, 0, False])
    starts = line_starts(text)
    positions: dict[str, tuple[int, int]] = {}
    line = 0
    next_start = starts[1] if len(starts) > 1 else len(text) + 1
    for ptr, off in offsets:  # offsets ascend: walk lines forward, bisect only on big jumps
        if off >= next_start:
            line = bisect_right(starts, off) - 1
            next_start = starts[line + 1] if line + 1 < len(starts) else len(text) + 1
        positions[ptr] = (line + 1, off - starts[line] + 1)
    return positions


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` starts (``\\n`` line ends; ``\\r\\n`` works too)."""
    import re

    return [0, *(m.end() for m in re.finditer("\n", text))]


def _offset_span(path: str, text: str, offset: int) -> Span:
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(path, line + 1, col)
