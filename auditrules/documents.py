"""Input documents with source positions: bytes on disk → data plus a JSON-pointer → (line, column) map.

YAML is read with ``yaml.SafeLoader`` only, through ``compose`` so that every node keeps its mark;
size, nesting depth and alias count are limited before any value is built.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, chain, compress
from operator import not_
from pathlib import Path
from typing import Any

from auditrules.errors import AuditError, Span, fail

MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 100
_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge")
)


@dataclass(frozen=True, repr=False)
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
    """Read a UTF-8 file (a BOM is dropped); returns (text, sha256 of the bytes).

    Only regular files are read (a FIFO, device or directory is AR002, checked on the open file, so
    a symlink to ``/dev/zero`` is refused too), and the limit counts bytes actually read, not what
    ``st_size`` claims. Line endings are normalised: ``\\r\\n`` and a lone ``\\r`` (old Mac files)
    become ``\\n``, so every parser and every line number sees the same lines.
    """
    raw = read_bytes(path, max_bytes)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail("AR002", f"{path} is not UTF-8 (byte {exc.start})", Span(str(path), 1, 1)) from None
    return normalise_newlines(text), digest


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` → ``\\n``."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def open_regular(path: str | Path) -> int:
    """Open ``path`` for reading and return the descriptor; AR001/AR002 unless it is a regular file.

    The open does not block (a FIFO with no writer would hang a plain ``open``) and the type is
    checked with ``fstat`` on the opened descriptor, so a symlink swapped in between cannot slip by.
    """
    import os
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise fail("AR001", f"no such file: {path}") from None
    except IsADirectoryError:
        raise fail("AR002", f"cannot read {path}: it is a directory, not a file") from None
    except OSError as exc:
        raise fail("AR002", f"cannot read {path}: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise fail("AR002", f"cannot read {path}: it is {_file_kind(mode)}, not a regular file")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd


def require_regular(path: str | Path) -> None:
    """AR001/AR002 unless ``path`` is a regular file (checked without blocking on a FIFO)."""
    import os

    os.close(open_regular(path))


def _file_kind(mode: int) -> str:
    import stat

    for test, word in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return word
    return "a special file"


def read_bytes(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file; AR003 as soon as more than ``max_bytes`` have been read."""
    import os

    fd = open_regular(path)
    chunks: list[bytes] = []
    total = 0
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise fail("AR003", f"{path} is {size} bytes; the limit is {max_bytes}", Span(str(path), 1, 1))
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise fail("AR003", f"{path} is larger than the limit of {max_bytes} bytes", Span(str(path), 1, 1))
            chunks.append(chunk)
    except OSError as exc:
        raise fail("AR002", f"cannot read {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_head(path: str | Path, size: int = 65536) -> str:
    """The first ``size`` characters of a regular file, for cheap format detection ("" when it is
    unreadable or not a regular file: a FIFO is never waited on)."""
    import os

    try:
        fd = open_regular(path)
    except AuditError:
        return ""
    try:
        with os.fdopen(fd, encoding="utf-8", errors="replace") as fh:
            return fh.read(size)
    except OSError:
        return ""


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a regular file, read in chunks (any size; AR002 for FIFOs, devices, directories)."""
    return sha256_descriptor(open_regular(path), path)


def sha256_descriptor(fd: int, path: str | Path) -> str:
    """SHA-256 of what is left to read from ``fd`` (from :func:`open_regular`), which is closed after."""
    import os

    h = hashlib.sha256()
    try:
        for chunk in iter(lambda: os.read(fd, 1 << 20), b""):
            h.update(chunk)  # hashlib releases the GIL for large chunks: other threads run meanwhile
    except OSError as exc:
        raise fail("AR002", f"cannot read {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    return h.hexdigest()


def load_yaml_document(path: str | Path, text: str | None = None, digest: str = "") -> Document:
    """Parse YAML safely into a :class:`Document` with positions for every node."""
    import yaml

    spath = str(path)
    if text is None:
        text, digest = read_text(path)
    text = normalise_newlines(text)
    try:
        node = yaml.compose(text, Loader=_depth_limited_loader())
    except _TooDeep as exc:
        span = Span(spath, exc.line, exc.column)
        raise AuditError("AR003", f"nesting deeper than {MAX_DEPTH} levels", span, text) from None
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


class _TooDeep(Exception):
    """Raised by the composer before it recurses past MAX_DEPTH (``yaml.compose`` is recursive)."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line = line
        self.column = column


@cache
def _depth_limited_loader() -> Any:
    """``yaml.SafeLoader`` whose composer refuses to nest deeper than MAX_DEPTH before recursing."""
    import yaml

    class Loader(yaml.SafeLoader):
        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self._depth += 1
            try:
                if self._depth > MAX_DEPTH + 1:
                    mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                    raise _TooDeep(mark.line + 1, mark.column + 1)
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return Loader


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
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail("AR201", "a mapping key is a collection, not a name", key_node)
                # keys are names: ``yes:``, ``1:`` and ``~:`` are the names "yes", "1" and "~" (an
                # Architect flow's ``yes:``/``no:`` branches), never booleans, numbers or null
                self.build(key_node, pointer + "/~key", depth + 1)
                key = str(key_node.value)
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
        try:
            value = self.constructor.construct_object(node, deep=True)
        except ValueError:  # an integer of more than 4,300 digits (Python's conversion limit)
            raise self.fail("AR003", f"number of {len(node.value)} characters is too long", node) from None
        except yaml.YAMLError as exc:
            raise self.fail("AR201", f"invalid YAML value: {getattr(exc, 'problem', None) or exc}", node) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail("AR201", f"number {node.value!r} is not finite", node)
        return value


# --- JSON -------------------------------------------------------------------------------------------


def load_json_document(path: str | Path, text: str | None = None, digest: str = "") -> Document:
    """Parse JSON into a :class:`Document` with the (line, column) where every value starts.

    The text is decoded once (:func:`loads_json_located`), which notes on the way where the top
    container's children and the items of its arrays start (the records of an export: triggers,
    policies, rows). Deeper positions are found when looked up: only the item on the pointer's path
    is scanned, so a multi-MB export whose findings name a few places never decodes anything twice
    but those few records.
    """
    spath = str(path)
    if text is None:
        text, digest = read_text(path)
    text = normalise_newlines(text)
    data, starts = loads_json_located(text, spath)
    return Document(spath, text, data, JsonPositions(text, starts), digest)


class _JsonRefusal(Exception):
    """Raised from the decoder's hooks; turned into an AuditError with a position by loads_json."""


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _JsonRefusal("duplicate")
    return out


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JsonRefusal("float")
    return value


def _no_constant(_name: str) -> Any:
    raise _JsonRefusal("constant")


def loads_json(text: str, path: str, code: str = "AR205", label: str = "invalid JSON") -> Any:
    """Strict JSON → data, or AuditError ``code`` (AR003 for limits) with the line and column.

    Refused beyond what ``json.loads`` refuses: a key given twice in one object (the last value
    would silently win), ``NaN``/``Infinity`` and numbers too large for a float; and (AR003, limits)
    integers of more than 4,300 digits and nesting deeper than MAX_DEPTH.
    """
    import json

    try:
        data = json.loads(
            text, object_pairs_hook=_unique_object, parse_float=_finite_float, parse_constant=_no_constant
        )
    except json.JSONDecodeError as exc:
        raise AuditError(code, f"{label}: {exc.msg}", Span(path, exc.lineno, exc.colno), text) from None
    except RecursionError:
        raise AuditError("AR003", f"JSON nested deeper than {MAX_DEPTH} levels", Span(path, 1, 1), text) from None
    except _JsonRefusal as exc:
        raise _json_refusal(str(exc), text, path, code, label) from None
    except ValueError:  # int() of more than 4,300 digits
        line, col = _offset_line_col(text, _first_match(r"\d{4301,}", text))
        raise AuditError("AR003", "a number with more than 4,300 digits", Span(path, line, col), text) from None
    _check_depth(path, text, data)
    return data


class _NotLocated(Exception):
    """The text is not a container of records decoded item by item; :func:`loads_json` decides."""


#: ``,`` between two values, and ``:`` after a key, with the white space around them.
_COMMA = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")


#: Decodes one value at an offset: (value, offset after it).
_Scan = Callable[[str, int], tuple[Any, int]]


@cache
def _item_scanner() -> _Scan:
    """The C decoder with the refusals of :func:`loads_json`, decoding one value at an offset: its
    scanner itself (``raw_decode`` only wraps it; where no value starts it raises StopIteration)."""
    import json

    decoder = json.JSONDecoder(object_pairs_hook=_unique_object, parse_float=_finite_float, parse_constant=_no_constant)
    scan: _Scan = vars(decoder)["scan_once"]
    return scan


@cache
def _plain_scanner() -> _Scan:
    """The C decoder's scanner without hooks, for skipping values of a text already decoded (and so
    valid): ``raw_decode`` would add a Python call to each value skipped."""
    import json

    scan: _Scan = vars(json.JSONDecoder())["scan_once"]
    return scan


@dataclass(frozen=True, repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class ValueStarts:
    """Where values of a JSON text start (character offsets), as noted while decoding it.

    ``values``: JSON pointer → offset (the top value and, when the top is an object, its children);
    ``items``: pointer of an array → the offset of each of its items (the top array, or the arrays
    among the top object's children). With ``records`` set, the children of the top value and of
    those arrays are all known: looking one up never scans.
    """

    values: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[int]] = field(default_factory=dict)
    records: bool = False


def loads_json_located(text: str, path: str) -> tuple[Any, ValueStarts]:
    """:func:`loads_json`, noting where the records start: the data and its :class:`ValueStarts`.

    The top container and its arrays are walked here, every other value is decoded by the C decoder
    with the same refusals, so each character is decoded once. Text that is anything else, or that
    anything refuses, is decoded by :func:`loads_json`, which reports the error exactly as it would
    on its own (the starts then hold the top value only).
    """
    records = _Records(text, _item_scanner())
    try:
        data = records.decode()
    except (_NotLocated, _JsonRefusal, ValueError, IndexError, StopIteration, RecursionError):
        data = loads_json(text, path)
        start = _skip_ws(text, 0)
        return data, ValueStarts({"": start} if start < len(text) else {})
    for value, depth in records.deep:
        _check_depth(path, text, value, depth)
    return data, records.starts


@dataclass(repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class _Records:
    """Decodes a JSON text record by record (see :func:`loads_json_located`).

    Nesting is checked without walking every record: a value holding ``n`` opening brackets
    (counted in its text, strings included) nests at most ``n`` levels, so only a value with more
    brackets than the levels left below MAX_DEPTH is walked (``deep``: the value and its depth).
    """

    text: str
    scan: _Scan
    starts: ValueStarts = field(default_factory=lambda: ValueStarts(records=True))
    deep: list[tuple[Any, int]] = field(default_factory=list)

    def decode(self) -> Any:
        text = self.text
        i = _skip_ws(text, 0)
        self.starts.values[""] = i
        if text[i] == "[":
            data: Any
            data, i = self.array(i, "", 1)
        elif text[i] == "{":
            data, i = self.object(i)
        else:
            raise _NotLocated
        if _skip_ws(text, i) != len(text):
            raise _NotLocated  # extra data: loads_json names it
        return data

    def object(self, i: int) -> tuple[dict[str, Any], int]:
        """The top object starting at ``i``: each array child item by item, other children whole."""
        text, scan = self.text, self.scan
        out: dict[str, Any] = {}
        i = _skip_ws(text, i + 1)
        if text[i] == "}":
            return out, i + 1
        while True:
            if text[i] != '"':
                raise _NotLocated
            key, i = scan(text, i)
            i = _skip_ws(text, i)
            if text[i] != ":" or key in out:
                raise _NotLocated  # a missing colon, or a key given twice: loads_json says where
            i = _skip_ws(text, i + 1)
            pointer = "/" + escape_pointer_token(key)
            self.starts.values[pointer] = i
            if text[i] == "[":
                out[key], i = self.array(i, pointer, 2)
            else:
                start = i
                out[key], i = scan(text, i)
                self.check(start, i, out[key], 1)
            m = _COMMA.match(text, i)
            if m is None:
                break
            i = m.end()
        return out, self.close(i, "}")

    def array(self, i: int, pointer: str, depth: int) -> tuple[list[Any], int]:
        """The array starting at ``i``, item by item (each at ``depth``), noting where each starts."""
        text, scan = self.text, self.scan
        items: list[Any] = []
        starts = self.starts.items[pointer] = []
        i = _skip_ws(text, i + 1)
        if text[i] == "]":
            return items, i + 1
        append, note, comma, count = items.append, starts.append, _COMMA.match, text.count
        levels = MAX_DEPTH + 1 - depth  # brackets an item may hold without a walk
        while True:
            note(i)
            value, end = scan(text, i)
            append(value)
            if count("{", i, end) + count("[", i, end) > levels:
                self.deep.append((value, depth))
            m = comma(text, end)
            if m is None:
                break
            i = m.end()
        return items, self.close(end, "]")

    def close(self, i: int, bracket: str) -> int:
        """The offset after the ``bracket`` closing a container (white space before it skipped)."""
        i = _skip_ws(self.text, i)
        if self.text[i] != bracket:
            raise _NotLocated
        return i + 1

    def check(self, start: int, end: int, value: Any, depth: int) -> None:
        """Note ``value`` (at ``depth``, text ``start:end``) for a walk when it may nest too deep."""
        if self.text.count("{", start, end) + self.text.count("[", start, end) > MAX_DEPTH + 1 - depth:
            self.deep.append((value, depth))


def _json_refusal(kind: str, text: str, path: str, code: str, label: str) -> AuditError:
    if kind == "duplicate":
        offset, key = _duplicate_key(text)
        line, col = _offset_line_col(text, offset)
        return AuditError(code, f"duplicate key {key!r} in one object", Span(path, line, col), text)
    pattern = r"-?(NaN|Infinity)\b" if kind == "constant" else r"-?\d+(\.\d+)?[eE][-+]?\d{3,}|-?\d{309,}"
    offset = _first_match(pattern, text)
    line, col = _offset_line_col(text, offset)
    return AuditError(code, f"{label}: a number that is not finite", Span(path, line, col), text)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]')


def _duplicate_key(text: str) -> tuple[int, str]:
    """The offset and name of the first key repeated within one object (a lexical scan)."""
    import json

    stack: list[set[str] | None] = []  # a set of keys per open object, None per open array
    expect_key = False
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok == "{":
            stack.append(set())
            expect_key = True
        elif tok == "[":
            stack.append(None)
        elif tok in "]}":
            if stack:
                stack.pop()
            expect_key = False
        elif tok == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif tok == ":":
            expect_key = False
        elif expect_key and stack and stack[-1] is not None:
            key = json.loads(tok)
            if key in stack[-1]:
                return m.start(), key
            stack[-1].add(key)
            expect_key = False
    return 0, "?"


def _first_match(pattern: str, text: str) -> int:
    m = re.search(pattern, text)
    return m.start() if m else 0


def _offset_line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_IS_CONTAINER = (dict, list).__contains__
_IS_DICT = (dict,).__contains__


def _check_depth(path: str, text: str, data: Any, depth: int = 0) -> None:
    """AR003 when containers nest deeper than MAX_DEPTH (``data`` at ``depth``): a walk level by level
    over containers only, each level's children gathered and filtered by C-level iterators (no
    Python call per value)."""
    level = [data] if _IS_CONTAINER(type(data)) else []
    while level:
        if depth > MAX_DEPTH:
            raise AuditError("AR003", f"nesting deeper than {MAX_DEPTH} levels", Span(path, 1, 1), text)
        dicts = list(map(_IS_DICT, map(type, level)))
        children = list(
            chain(
                chain.from_iterable(map(dict.values, compress(level, dicts))),
                chain.from_iterable(compress(level, map(not_, dicts))),
            )
        )
        level = list(compress(children, map(_IS_CONTAINER, map(type, children))))
        depth += 1


_WS = re.compile(r"[ \t\n\r]*")


def _skip_ws(text: str, i: int) -> int:
    """The first offset at or after ``i`` that is not JSON white space."""
    m = _WS.match(text, i)
    return m.end() if m else i


#: Characters per block when counting line feeds (:meth:`JsonPositions._line_col`).
_BLOCK = 1 << 12


class JsonPositions(dict[str, tuple[int, int]]):
    """JSON pointer → (line, column) of the value's first character, 1-based.

    A position is computed when it is first looked up (``in``, ``[]``, ``get``) by scanning the
    containers on the pointer's path, and then kept. Iterating shows only positions computed so far.
    """

    def __init__(self, text: str, starts: ValueStarts) -> None:
        """``starts``: where values are already known to start (a lookup under the top value, or
        under an array whose items are noted, never scans)."""
        super().__init__()
        self._text = text
        self._blocks: list[int] | None = None
        self._offsets = dict(starts.values)
        self._items = starts.items
        self._scanned = {"", *starts.items} if starts.records else set()
        self._cursor: dict[str, tuple[int, int, bool, bool]] = {}

    def _line_col(self, offset: int) -> tuple[int, int]:
        """Line and column of ``offset``: line feeds counted block by block (a findings report names
        a few places of a multi-MB export; no table of every line start is built for them)."""
        text = self._text
        if self._blocks is None:  # line feeds before the start of each block
            self._blocks = list(
                accumulate((text.count("\n", i, i + _BLOCK) for i in range(0, len(text), _BLOCK)), initial=0)
            )
        block = offset // _BLOCK
        line = self._blocks[block] + text.count("\n", block * _BLOCK, offset) + 1
        return line, offset - text.rfind("\n", 0, offset)

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
        parent, _, last = key.rpartition("/")
        items = self._items.get(parent)
        if items is not None:  # an item noted while decoding ("01" names no item)
            index = int(last) if last.isascii() and last.isdigit() and len(last) < 19 and str(int(last)) == last else -1
            if not 0 <= index < len(items):
                return None
            self._offsets[key] = items[index]
            return items[index]
        if self._offset(parent) is None or parent in self._scanned:
            return None
        self._scan(parent, key)
        return self._offsets.get(key)

    def _scan(self, parent: str, wanted: str) -> None:
        """Record the start offsets of the children of ``parent`` up to ``wanted``.

        Scanning stops at ``wanted`` (without decoding its value) and resumes there on the next
        lookup, so finding ``/triggers/57`` never decodes the ``triggers`` array as a whole.
        """
        text, scan, offsets = self._text, _plain_scanner(), self._offsets
        n = len(text)
        state = self._cursor.get(parent)
        if state is None:
            i = offsets[parent]
            if text[i] not in "{[":
                self._scanned.add(parent)
                return
            state = (_skip_ws(text, i + 1), 0, False, text[i] == "{")
        i, index, pending, is_object = state
        comma, colon = _COMMA.match, _COLON.match
        if pending:  # skip the value of the child found last time
            _value, i = scan(text, i)
            m = comma(text, i)
            i = m.end() if m else _skip_ws(text, i)
        while i < n and text[i] not in "}]":
            if is_object:
                key, i = scan(text, i)
                m = colon(text, i)
                i = m.end() if m else i
                child = f"{parent}/{escape_pointer_token(key) if '~' in key or '/' in key else key}"
            else:
                child = f"{parent}/{index}"
            index += 1
            offsets.setdefault(child, i)
            if child == wanted:
                self._cursor[parent] = (i, index, True, is_object)
                return
            _value, i = scan(text, i)
            m = comma(text, i)
            i = m.end() if m else _skip_ws(text, i)
        self._scanned.add(parent)
        self._cursor.pop(parent, None)


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` starts (``\\n`` line ends; ``\\r\\n`` works too)."""
    return [0, *[m.end() for m in re.finditer("\n", text)]]
