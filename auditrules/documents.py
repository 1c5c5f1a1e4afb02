"""Input documents with source positions: bytes on disk → data plus a JSON-pointer → (line, column) map.

YAML is read with ``yaml.SafeLoader`` only, through ``compose`` so that every node keeps its mark;
size, nesting depth and alias count are limited before any value is built.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def read_head(path: str | Path, size: int = 65536) -> str:
    """The first ``size`` characters of a file, for cheap format detection ("" when unreadable)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(size)
    except OSError:
        return ""


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_yaml_document(path: str | Path, text: str | None = None, digest: str = "") -> Document:
    """Parse YAML safely into a :class:`Document` with positions for every node."""
    import yaml

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
        import yaml

        self.yaml = yaml
        self.constructor = yaml.SafeLoader("")

    def fail(self, code: str, message: str, node: Any) -> AuditError:
        m = node.start_mark
        return AuditError(code, message, Span(self.path, m.line + 1, m.column + 1), self.text)

    def build(self, node: Any, pointer: str, depth: int) -> Any:
        yaml = self.yaml
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


def load_json_document(path: str | Path, text: str | None = None, digest: str = "") -> Document:
    """Parse JSON into a :class:`Document` with the (line, column) where every value starts.

    ``json.loads`` builds the data (and reports syntax errors). Positions are found lazily: looking
    up a pointer scans only the containers on its path, each once, with the C decoder skipping over
    values; a multi-MB export whose findings name a few places costs a few small scans.
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
    except ValueError:  # an integer longer than sys.get_int_max_str_digits() (4,300 digits)
        m = re.search(r"\d{4301,}", text)
        off = m.start() if m else 0
        line = text.count("\n", 0, off) + 1
        span = Span(spath, line, off - (text.rfind("\n", 0, off) + 1) + 1)
        raise AuditError("AR205", "invalid JSON: a number with more than 4,300 digits", span, text) from None
    _check_depth(spath, text, data)
    positions = JsonPositions(spath, text, data)
    return Document(spath, text, data, positions, digest)


def _check_depth(path: str, text: str, data: Any) -> None:
    """AR003 when containers nest deeper than MAX_DEPTH (an iterative walk over containers only)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise AuditError("AR003", f"nesting deeper than {MAX_DEPTH} levels", Span(path, 1, 1), text)
        children = value.values() if value.__class__ is dict else value if value.__class__ is list else ()
        stack.extend((c, depth + 1) for c in children if c.__class__ is dict or c.__class__ is list)


_WS = re.compile(r"[ \t\n\r]*")


def _skip_ws(text: str, i: int) -> int:
    """The first offset at or after ``i`` that is not JSON white space."""
    m = _WS.match(text, i)
    return m.end() if m else i


class JsonPositions(dict[str, tuple[int, int]]):
    """JSON pointer → (line, column) of the value's first character, 1-based.

    A position is computed when it is first looked up (``in``, ``[]``, ``get``) by scanning the
    containers on the pointer's path, and then kept. Iterating shows only positions computed so far.
    """

    def __init__(self, path: str, text: str, data: Any) -> None:
        super().__init__()
        import json

        self._text = text
        self._starts: list[int] | None = None
        self._offsets: dict[str, int] = {}
        self._scanned: set[str] = set()
        self._cursor: dict[str, tuple[int, int, bool, bool]] = {}
        self._decode = json.JSONDecoder().raw_decode
        start = len(text) - len(text.lstrip())
        if text.strip():
            self._offsets[""] = start
            dict.__setitem__(self, "", self._line_col(start))

    def _line_col(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_right

        if self._starts is None:
            self._starts = line_starts(self._text)
        line = bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def __missing__(self, key: str) -> tuple[int, int]:
        pos = self._resolve(key)
        if pos is None:
            raise KeyError(key)
        return pos

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        return isinstance(key, str) and self._resolve(key) is not None

    def get(self, key: str, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        pos = self._resolve(key)
        return default if pos is None else pos

    def _resolve(self, key: str) -> tuple[int, int] | None:
        offset = self._offset(key)
        if offset is None:
            return None
        pos = self._line_col(offset)
        dict.__setitem__(self, key, pos)
        return pos

    def _offset(self, key: str) -> int | None:
        found = self._offsets.get(key)
        if found is not None or not key or "/" not in key:
            return found
        parent = key.rsplit("/", 1)[0]
        if self._offset(parent) is None or parent in self._scanned:
            return None
        self._scan(parent, key)
        return self._offsets.get(key)

    def _scan(self, parent: str, wanted: str) -> None:
        """Record the start offsets of the children of ``parent`` up to ``wanted``.

        Scanning stops at ``wanted`` (without decoding its value) and resumes there on the next
        lookup, so finding ``/triggers/57`` never decodes the ``triggers`` array as a whole.
        """
        text, scan, offsets = self._text, self._decode, self._offsets
        n = len(text)
        state = self._cursor.get(parent)
        if state is None:
            i = offsets[parent]
            if text[i] not in "{[":
                self._scanned.add(parent)
                return
            state = (_skip_ws(text, i + 1), 0, False, text[i] == "{")
        i, index, pending, is_object = state
        if pending:  # skip the value of the child found last time
            _value, i = scan(text, i)
            i = _skip_ws(text, i)
            if i < n and text[i] == ",":
                i = _skip_ws(text, i + 1)
        while i < n and text[i] not in "}]":
            if is_object:
                key, i = scan(text, i)
                i = _skip_ws(text, i)
                i = _skip_ws(text, i + 1)  # past ':'
                child = f"{parent}/{escape_pointer_token(key)}"
            else:
                child = f"{parent}/{index}"
            index += 1
            offsets.setdefault(child, i)
            if child == wanted:
                self._cursor[parent] = (i, index, True, is_object)
                return
            _value, i = scan(text, i)
            i = _skip_ws(text, i)
            if i < n and text[i] == ",":
                i = _skip_ws(text, i + 1)
        self._scanned.add(parent)
        self._cursor.pop(parent, None)


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` starts (``\\n`` line ends; ``\\r\\n`` works too)."""
    return [0, *[m.end() for m in re.finditer("\n", text)]]
