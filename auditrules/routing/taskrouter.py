"""TaskRouter workflow JSON (a Workflow resource, a list response, or a bare configuration) → RoutingModel.

Filter and target expressions are parsed with ``taskrouter.lark`` into frozen dataclasses whose spans
point into the file, even when the expression sits in a JSON string inside the JSON-encoded
``configuration`` string. Filters are evaluated first-match-wins; a filter after one that always
matches is reported unreachable (AR208).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditrules.documents import Document, line_starts, load_json_document, read_text
from auditrules.errors import AuditError, Span
from auditrules.findings import Diagnostic, InputFile, Location
from auditrules.routing.model import Effect, Read, RoutingModel, RoutingRule

if TYPE_CHECKING:
    from lark import Lark

# --- expression tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TRAttribute:
    """A JSON key: ``scope`` is ``task`` or ``worker`` when written (``task.x``), None when bare (``x``)."""

    span: Span = field(compare=False, repr=False)
    scope: str | None
    path: tuple[str, ...]

    @property
    def name(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class TRLiteral:
    """A constant: string, number, boolean or null."""

    span: Span = field(compare=False, repr=False)
    value: str | int | float | bool | None


@dataclass(frozen=True)
class TRList:
    """A list of constants: ``['en', 'es']``."""

    span: Span = field(compare=False, repr=False)
    items: tuple[TRLiteral, ...]


@dataclass(frozen=True)
class TRCompare:
    """``left op right``; ``op`` is upper-case: == != > >= < <= CONTAINS HAS IN, NOT IN/CONTAINS/HAS."""

    span: Span = field(compare=False, repr=False)
    op: str
    left: TROperand
    right: TROperand


@dataclass(frozen=True)
class TRLogical:
    """``left AND right`` or ``left OR right`` (left-associative)."""

    span: Span = field(compare=False, repr=False)
    op: str
    left: TRExpr
    right: TRExpr


TROperand = TRAttribute | TRLiteral | TRList
TRExpr = TRLogical | TRCompare | TRAttribute | TRLiteral | TRList

#: Terminal names → words for error messages.
_TERMINAL_WORDS: dict[str, str] = {
    "PATH": "an attribute",
    "STRING": "a string",
    "NUMBER": "a number",
    "TRUE": "true",
    "FALSE": "false",
    "NULL": "null",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "EQ": "'=='",
    "NE": "'!='",
    "GE": "'>='",
    "LE": "'<='",
    "GT": "'>'",
    "LT": "'<'",
    "AND": "AND",
    "OR": "OR",
    "NOT": "NOT",
    "IN": "IN",
    "HAS": "HAS",
    "CONTAINS": "CONTAINS",
    "$END": "end of expression",
}
_OPERATOR_TERMINALS = {"EQ", "NE", "GE", "LE", "GT", "LT", "IN", "HAS", "CONTAINS", "NOT"}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    from lark import Lark

    grammar = (Path(__file__).with_name("taskrouter.lark")).read_text(encoding="utf-8")
    # the basic lexer keeps AND/OR/IN/... reserved words everywhere (the contextual one would read a
    # misplaced keyword as an attribute name)
    return Lark(grammar, parser="lalr", lexer="basic", propagate_positions=True, maybe_placeholders=False)


def parse_expression(text: str, span_base: Span, columns: Sequence[int] | None = None) -> TRExpr:
    """Parse one TaskRouter expression; spans are on ``span_base.line``.

    ``columns[i]`` is the file column of character ``i`` of ``text`` (``len(text) + 1`` entries) when the
    expression was decoded from a JSON string with escapes; otherwise character ``i`` is at
    ``span_base.column + i``. A syntax error raises AuditError AR209 pointing at the offending column.
    """
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    def col(offset: int) -> int:
        if columns is not None:
            return columns[min(max(offset, 0), len(columns) - 1)]
        return span_base.column + offset

    if not text.strip():
        raise AuditError("AR209", "empty TaskRouter expression", Span(span_base.path, span_base.line, col(0)))
    try:
        tree = _parser().parse(text)
    except UnexpectedCharacters as exc:
        offset = exc.pos_in_stream or 0
        message = f"unexpected character {text[offset]!r} in TaskRouter expression"
        raise _expr_error(message, span_base, col(offset), col(offset + 1)) from None
    except UnexpectedToken as exc:
        tok = exc.token
        if tok.type == "$END":
            offset, end = len(text), len(text) + 1
            message = f"TaskRouter expression ends too early{_expected(exc.expected)}"
        else:
            offset = tok.start_pos if tok.start_pos is not None else 0
            end = tok.end_pos if tok.end_pos is not None else offset + 1
            message = f"unexpected {str(tok)!r} in TaskRouter expression{_expected(exc.expected)}"
        raise _expr_error(message, span_base, col(offset), col(end)) from None
    except UnexpectedEOF as exc:
        message = f"TaskRouter expression ends too early{_expected(set(exc.expected))}"
        raise _expr_error(message, span_base, col(len(text)), col(len(text))) from None
    except LarkError as exc:  # pragma: no cover - any other parser failure still becomes AR209
        raise _expr_error(f"TaskRouter expression does not parse: {exc}", span_base, col(0), col(1)) from None
    return _Builder(span_base.path, span_base.line, col).build(tree)


def _expected(names: set[str]) -> str:
    if not names:
        return ""
    if names & _OPERATOR_TERMINALS and len(names & _OPERATOR_TERMINALS) >= 5:
        words = {"a comparison operator"} | {_TERMINAL_WORDS.get(n, n) for n in names - _OPERATOR_TERMINALS}
    else:
        words = {_TERMINAL_WORDS.get(n, n) for n in names if not n.startswith("__")}
    return " (expected " + ", ".join(sorted(words)) + ")" if words else ""


def _expr_error(message: str, base: Span, column: int, end_column: int) -> AuditError:
    end = end_column if end_column > column else column + 1
    return AuditError("AR209", message, Span(base.path, base.line, column, base.line, end))


class _Builder:
    """Parse tree → TR* dataclasses with file spans."""

    def __init__(self, path: str, line: int, col: Callable[[int], int]) -> None:
        self.path = path
        self.line = line
        self.col = col

    def span(self, start: int, end: int) -> Span:
        return Span(self.path, self.line, self.col(start), self.line, self.col(end))

    def build(self, node: Any) -> TRExpr:
        from lark import Token, Tree

        if isinstance(node, Token):  # pragma: no cover - the grammar wraps every token
            raise AuditError("AR209", f"unexpected token {node!s}", self.span(node.start_pos or 0, 0))
        assert isinstance(node, Tree)
        kind = node.data
        meta = node.meta
        start = getattr(meta, "start_pos", 0)
        end = getattr(meta, "end_pos", start)
        if kind == "logical":
            left, op_tok, right = node.children
            return TRLogical(self.span(start, end), str(op_tok).upper(), self.build(left), self.build(right))
        if kind == "compare":
            left, op_node, right = node.children
            return TRCompare(
                self.span(start, end), _op_text(op_node), self.operand(left), self.operand(right)
            )
        return self.operand(node)

    def operand(self, node: Any) -> TROperand:
        from lark import Token, Tree

        assert isinstance(node, Tree)
        kind = node.data
        if kind == "attribute":
            tok = node.children[0]
            assert isinstance(tok, Token)
            parts = tuple(str(tok).split("."))
            span = self.span(tok.start_pos or 0, tok.end_pos or 0)
            if len(parts) > 1 and parts[0] in ("task", "worker"):
                return TRAttribute(span, parts[0], parts[1:])
            return TRAttribute(span, None, parts)
        if kind == "list_":
            items = tuple(self.literal(child) for child in node.children)
            meta = node.meta
            return TRList(self.span(meta.start_pos, meta.end_pos), items)
        if kind == "literal":
            return self.literal(node)
        if kind in ("compare", "logical"):
            # ``(a == 1) == b`` is not TaskRouter; the grammar never produces it.
            raise AuditError(
                "AR209", "a comparison cannot be an operand", self.span(0, 1)
            )  # pragma: no cover
        raise AuditError("AR209", f"unexpected {kind}", self.span(0, 1))  # pragma: no cover

    def literal(self, node: Any) -> TRLiteral:
        tok = node.children[0]
        span = self.span(tok.start_pos, tok.end_pos)
        text = str(tok)
        if tok.type == "STRING":
            return TRLiteral(span, text[1:-1])
        if tok.type == "NUMBER":
            if re.fullmatch(r"-?\d+", text):
                return TRLiteral(span, int(text))
            return TRLiteral(span, float(text))
        if tok.type == "TRUE":
            return TRLiteral(span, True)
        if tok.type == "FALSE":
            return TRLiteral(span, False)
        return TRLiteral(span, None)


def _op_text(node: Any) -> str:
    if node.data == "not_in":
        return "NOT IN"
    if node.data == "not_contains":
        return "NOT CONTAINS"
    if node.data == "not_has":
        return "NOT HAS"
    text = str(node.children[0]).upper()
    return "==" if text == "=" else text


# --- formatting and evaluation -----------------------------------------------------------------------

_PRECEDENCE = {"OR": 1, "AND": 2}


def format_expression(expr: TRExpr) -> str:
    """The canonical text of an expression: ``parse_expression(format_expression(e)) == e``."""
    if isinstance(expr, TRLogical):
        prec = _PRECEDENCE[expr.op]
        left = format_expression(expr.left)
        right = format_expression(expr.right)
        if isinstance(expr.left, TRLogical) and _PRECEDENCE[expr.left.op] < prec:
            left = f"({left})"
        if isinstance(expr.right, TRLogical) and _PRECEDENCE[expr.right.op] <= prec:
            right = f"({right})"
        return f"{left} {expr.op} {right}"
    if isinstance(expr, TRCompare):
        return f"{format_expression(expr.left)} {expr.op} {format_expression(expr.right)}"
    if isinstance(expr, TRAttribute):
        return ".".join(((expr.scope,) if expr.scope else ()) + expr.path)
    if isinstance(expr, TRList):
        return "[" + ", ".join(format_expression(i) for i in expr.items) + "]"
    return _format_literal(expr.value)


def _format_literal(value: str | int | float | bool | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if "'" in value:
        return f'"{value}"'
    return f"'{value}'"


def constant_truth(expr: TRExpr) -> bool | None:
    """True/False when the expression's value does not depend on any attribute (``1==1``), else None."""
    if isinstance(expr, TRLogical):
        left, right = constant_truth(expr.left), constant_truth(expr.right)
        if expr.op == "OR":
            if left is True or right is True:
                return True
            return False if left is False and right is False else None
        if left is False or right is False:
            return False
        return True if left is True and right is True else None
    if isinstance(expr, TRLiteral):
        return expr.value if isinstance(expr.value, bool) else None
    if isinstance(expr, TRCompare):
        if isinstance(expr.left, TRLiteral) and isinstance(expr.right, TRLiteral):
            a, b = expr.left.value, expr.right.value
            if expr.op == "==":
                return (a == b and type(a) is type(b)) or _numbers_equal(a, b)
            if expr.op == "!=":
                return not ((a == b and type(a) is type(b)) or _numbers_equal(a, b))
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
                ops: dict[str, Callable[[float, float], bool]] = {
                    ">": lambda x, y: x > y,
                    ">=": lambda x, y: x >= y,
                    "<": lambda x, y: x < y,
                    "<=": lambda x, y: x <= y,
                }
                if expr.op in ops:
                    return ops[expr.op](a, b)
        if (
            isinstance(expr.left, TRLiteral)
            and isinstance(expr.right, TRList)
            and expr.op in ("IN", "NOT IN")
        ):
            inside = any(i.value == expr.left.value for i in expr.right.items)
            return inside if expr.op == "IN" else not inside
    return None


def _numbers_equal(a: Any, b: Any) -> bool:
    numeric = (int, float)
    return (
        isinstance(a, numeric)
        and isinstance(b, numeric)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ) and a == b


def iter_comparisons(expr: TRExpr) -> Iterator[TRExpr]:
    """The leaves of the AND/OR tree: comparisons and bare operands."""
    if isinstance(expr, TRLogical):
        yield from iter_comparisons(expr.left)
        yield from iter_comparisons(expr.right)
    else:
        yield expr


def attributes(expr: TRExpr) -> Iterator[TRAttribute]:
    """Every attribute an expression names, in source order."""
    if isinstance(expr, (TRLogical, TRCompare)):
        yield from attributes(expr.left)
        yield from attributes(expr.right)
    elif isinstance(expr, TRAttribute):
        yield expr


# --- where things are in the file --------------------------------------------------------------------


def _string_offsets(raw: str) -> list[int]:
    """For the body of a JSON string token (without quotes): raw offset of each decoded char, plus end."""
    out: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        out.append(i)
        if raw[i] == "\\" and i + 1 < n:
            if raw[i + 1] == "u":
                hi = int(raw[i + 2 : i + 6], 16) if i + 6 <= n else 0
                if 0xD800 <= hi < 0xDC00 and raw[i + 6 : i + 8] == "\\u":
                    i += 12
                else:
                    i += 6
            else:
                i += 2
        else:
            i += 1
    out.append(n)
    return out


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


@dataclass
class _Frame:
    """A JSON text (the file, or a configuration string decoded from it) and how its offsets map to the file.

    ``to_file(offset)`` gives the file (line, column) of a character of this frame's text.
    ``prefix`` is prepended to pointers so a Location names the configuration string it is in.
    """

    doc: Document
    to_file: Callable[[int], tuple[int, int]]
    prefix: str = ""
    note: str | None = None
    _starts: list[int] | None = None

    def offset_of(self, pointer: str) -> int | None:
        pos = self.doc.position_of(pointer)
        if pos is None:
            return None
        if self._starts is None:
            self._starts = line_starts(self.doc.text)
        line, col = pos
        return self._starts[line - 1] + col - 1

    def location(self, pointer: str) -> Location:
        off = self.offset_of(pointer)
        full = self.prefix + pointer
        if off is None:
            return Location(self.doc.path, None, None, full, self.note)
        line, col = self.to_file(off)
        return Location(self.doc.path, line, col, full, self.note)

    def string_columns(self, pointer: str) -> tuple[int, list[int]] | None:
        """For the string value at ``pointer``: its file line and the file column of each decoded char."""
        off = self.offset_of(pointer)
        if off is None:
            return None
        m = _JSON_STRING.match(self.doc.text, off)
        if m is None:
            return None
        rel = _string_offsets(m.group()[1:-1])
        positions = [self.to_file(off + 1 + r) for r in rel]
        return positions[0][0], [c for _line, c in positions]

    def sub_frame(self, pointer: str, text: str, prefix: str, note: str) -> _Frame | None:
        """A frame for the JSON text held in the string at ``pointer`` (a configuration string)."""
        off = self.offset_of(pointer)
        if off is None:
            return None
        m = _JSON_STRING.match(self.doc.text, off)
        if m is None:
            return None
        rel = _string_offsets(m.group()[1:-1])
        base = off + 1
        outer = self.to_file

        def to_file(offset: int) -> tuple[int, int]:
            return outer(base + rel[min(max(offset, 0), len(rel) - 1)])

        inner = Document(self.doc.path, text, None, {}, self.doc.sha256)
        return _Frame(inner, to_file, prefix, note)


def _file_frame(doc: Document) -> _Frame:
    starts = line_starts(doc.text)

    def to_file(offset: int) -> tuple[int, int]:
        line = bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    return _Frame(doc, to_file, "", None, starts)


# --- workflows ---------------------------------------------------------------------------------------

DEFAULT_CHANNELS: tuple[str, ...] = ("chat", "email", "phone", "sms")
#: TaskRouter task channel unique names → canonical channels.
TASK_CHANNELS: dict[str, str] = {
    "voice": "phone",
    "phone": "phone",
    "chat": "chat",
    "sms": "sms",
    "email": "email",
    "video": "video",
    "whatsapp": "whatsapp",
    "messenger": "facebook",
    "facebook": "facebook",
    "twitter": "twitter",
    "instagram": "instagram",
    "web": "web",
}
_CHANNEL_ATTRIBUTES = frozenset({"channel", "task_channel", "channel_type", "task_channel_unique_name"})
_TASK_ATTRIBUTE = re.compile(r"\btask\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)")


def is_taskrouter(path: str | Path) -> bool:
    """Whether ``path`` is a JSON file that looks like a TaskRouter workflow or configuration."""
    p = Path(path)
    if not p.is_file() or p.suffix.lower() != ".json":
        return False
    try:
        with open(p, encoding="utf-8", errors="replace") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return bool(re.search(r'"(task_routing|workflows)"\s*:|"configuration"\s*:\s*["{]', head))


@dataclass
class _Loader:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rules: list[RoutingRule] = field(default_factory=list)
    channels: set[str] = field(default_factory=set)

    # One workflow --------------------------------------------------------------------------------

    def workflow(self, frame: _Frame, pointer: str, resource: dict[str, Any], default_key: str) -> None:
        """A Workflow resource: its configuration is a JSON string (or, in IaC copies, an object)."""
        label = _workflow_label(resource, default_key)
        key = str(resource.get("sid") or resource.get("friendly_name") or default_key)
        config = resource.get("configuration")
        cptr = f"{pointer}/configuration"
        if isinstance(config, str):
            try:
                data = json.loads(config)
            except json.JSONDecodeError as exc:
                sub = frame.sub_frame(cptr, config, frame.prefix + cptr, "inside the configuration string")
                loc = frame.location(cptr)
                if sub is not None:
                    off = _offset_in(config, exc.lineno, exc.colno)
                    line, col = sub.to_file(off)
                    loc = Location(self.path, line, col, frame.prefix + cptr, None)
                self.diagnostics.append(
                    Diagnostic(
                        "AR210",
                        "error",
                        f"workflow {label}: configuration is not valid JSON ({exc.msg} at line {exc.lineno} "
                        f"column {exc.colno} of the string); its filters were not checked",
                        loc,
                    )
                )
                return
            sub = frame.sub_frame(cptr, config, frame.prefix + cptr, "inside the configuration string")
            if sub is None:  # pragma: no cover - a string value always has a position
                sub = frame
            positions = load_json_document(self.path, config).positions
            sub.doc = Document(self.path, config, data, positions, frame.doc.sha256)
            self.configuration(sub, "", data, key, label)
        elif isinstance(config, dict):
            self.configuration(frame, cptr, config, key, label)
        else:
            self.diagnostics.append(
                Diagnostic(
                    "AR210",
                    "error",
                    f"workflow {label} has no configuration (expected a JSON string or object)",
                    frame.location(pointer),
                )
            )

    def configuration(self, frame: _Frame, pointer: str, config: Any, key: str, label: str) -> None:
        """``{"task_routing": {"filters": [...], "default_filter": {...}}}``."""
        routing = config.get("task_routing") if isinstance(config, dict) else None
        if not isinstance(routing, dict):
            self.diagnostics.append(
                Diagnostic(
                    "AR210",
                    "error",
                    f"workflow {label}: configuration has no task_routing object",
                    frame.location(pointer),
                )
            )
            return
        rptr = f"{pointer}/task_routing"
        filters = routing.get("filters", [])
        if not isinstance(filters, list):
            self._bad(frame, f"{rptr}/filters", f"workflow {label}: task_routing.filters is not a list")
            filters = []
        always: tuple[str, str] | None = None  # (name, why) of the first filter that always matches
        for i, filt in enumerate(filters):
            fptr = f"{rptr}/filters/{i}"
            if not isinstance(filt, dict):
                self._bad(frame, fptr, f"workflow {label}: filter {i} is not an object; skipped")
                continue
            name = str(filt.get("filter_friendly_name") or filt.get("friendly_name") or f"filter {i}")
            rule, matches_all = self.filter(frame, fptr, filt, f"{key}/filters/{i}", name)
            if always is not None:
                self.diagnostics.append(
                    Diagnostic(
                        "AR208",
                        "warning",
                        f"filter '{name}' can never match: the earlier filter '{always[0]}' always matches "
                        f"({always[1]}) and the first matching filter wins",
                        rule.location,
                    )
                )
                rule = RoutingRule(
                    rule.id,
                    rule.name,
                    rule.kind,
                    rule.order,
                    rule.location,
                    rule.reads,
                    rule.writes,
                    rule.effects,
                    active=False,
                )
            elif matches_all is not None:
                always = (name, matches_all)
            self.rules.append(rule)
        default = routing.get("default_filter")
        if isinstance(default, dict):
            dptr = f"{rptr}/default_filter"
            effects = self.target_effects(frame, dptr, default)
            self.rules.append(
                RoutingRule(
                    id=f"{key}/default_filter",
                    name="default_filter",
                    kind="default_filter",
                    order=len(self.rules),
                    location=frame.location(dptr),
                    effects=tuple(effects),
                )
            )
        elif default is not None:
            self._bad(frame, f"{rptr}/default_filter", f"workflow {label}: default_filter is not an object")

    def filter(
        self, frame: _Frame, fptr: str, filt: dict[str, Any], rid: str, name: str
    ) -> tuple[RoutingRule, str | None]:
        """One filter → a rule; also says why it always matches, when it does."""
        reads: list[Read] = []
        effects: list[Effect] = []
        expression = filt.get("expression")
        matches_all: str | None = None
        if expression is None or (isinstance(expression, str) and not expression.strip()):
            matches_all = "it has no expression"
        elif not isinstance(expression, str):
            self._bad(frame, f"{fptr}/expression", f"filter '{name}': expression is not a string")
        else:
            expr = self.parse(frame, f"{fptr}/expression", expression, f"filter '{name}'")
            if expr is None:
                reads.extend(self.fallback_reads(frame, f"{fptr}/expression", expression))
            else:
                reads.extend(self.reads(expr, True, frame.location(f"{fptr}/expression")))
                if constant_truth(expr) is True:
                    matches_all = f"expression '{expression.strip()}'"
        targets = filt.get("targets", [])
        if not isinstance(targets, list):
            self._bad(frame, f"{fptr}/targets", f"filter '{name}': targets is not a list")
            targets = []
        for j, target in enumerate(targets):
            tptr = f"{fptr}/targets/{j}"
            if not isinstance(target, dict):
                self._bad(frame, tptr, f"filter '{name}': target {j} is not an object; skipped")
                continue
            texpr = target.get("expression")
            parsed: TRExpr | None = None
            if isinstance(texpr, str) and texpr.strip():
                parsed = self.parse(frame, f"{tptr}/expression", texpr, f"filter '{name}' target {j}")
                if parsed is None:
                    reads.extend(self.fallback_reads(frame, f"{tptr}/expression", texpr))
            if parsed is not None and constant_truth(parsed) is False and target.get("timeout") is not None:
                continue  # a deliberate wait step: it only delays the task before the next target
            if parsed is not None:
                reads.extend(self.reads(parsed, False, frame.location(f"{tptr}/expression")))
            effects.extend(self.target_effects(frame, tptr, target))
        rule = RoutingRule(
            id=rid,
            name=name,
            kind="filter",
            order=len(self.rules),
            location=frame.location(fptr),
            reads=tuple(reads),
            effects=tuple(effects),
        )
        return rule, matches_all

    def target_effects(self, frame: _Frame, tptr: str, target: dict[str, Any]) -> list[Effect]:
        effects: list[Effect] = []
        for key, kind in (("queue", "queue"), ("priority", "priority"), ("timeout", "timeout")):
            value = target.get(key)
            if value is None or isinstance(value, (dict, list)):
                if key == "queue":
                    self._bad(frame, tptr, "target without a queue; it routes nowhere")
                continue
            effects.append(Effect(kind, _scalar_text(value), frame.location(f"{tptr}/{key}")))
        return effects

    def parse(self, frame: _Frame, pointer: str, text: str, what: str) -> TRExpr | None:
        """Parse an expression with file positions; a syntax error becomes an AR209 error diagnostic."""
        located = frame.string_columns(pointer)
        loc = frame.location(pointer)
        if located is not None:
            line, cols = located
            base = Span(self.path, line, cols[0])
        else:
            cols = None
            base = Span(self.path, loc.line or 1, loc.column or 1)
        try:
            return parse_expression(text, base, cols)
        except AuditError as err:
            span = err.span or base
            self.diagnostics.append(
                Diagnostic(
                    "AR209",
                    "error",
                    f"{what}: {err.message}: {text.strip()!r}",
                    Location(self.path, span.line, span.column, loc.pointer, loc.note),
                )
            )
            return None

    def reads(self, expr: TRExpr, bare_is_task: bool, where: Location) -> list[Read]:
        """Task attributes an expression reads; ``where`` is the expression string's location."""
        out: list[Read] = []
        for leaf in iter_comparisons(expr):
            text = format_expression(leaf)
            for attr in attributes(leaf):
                if attr.scope == "task" or (attr.scope is None and bare_is_task):
                    loc = Location(attr.span.path, attr.span.line, attr.span.column, where.pointer, where.note)
                    out.append(Read(attr.name, loc, text))
            self._channels(leaf)
        return out

    def fallback_reads(self, frame: _Frame, pointer: str, text: str) -> list[Read]:
        """``task.x`` names found in an expression that does not parse, so they are not lost."""
        loc = frame.location(pointer)
        return [
            Read(m.group(1), loc, f"{m.group(0)} (in an expression that does not parse)")
            for m in _TASK_ATTRIBUTE.finditer(text)
        ]

    def _channels(self, leaf: TRExpr) -> None:
        if not isinstance(leaf, TRCompare):
            return
        attr, other = leaf.left, leaf.right
        if not isinstance(attr, TRAttribute):
            attr, other = other, attr
        if (
            not isinstance(attr, TRAttribute)
            or attr.scope == "worker"
            or attr.path[-1] not in _CHANNEL_ATTRIBUTES
        ):
            return
        values = (
            other.items if isinstance(other, TRList) else (other,) if isinstance(other, TRLiteral) else ()
        )
        for v in values:
            if isinstance(v.value, str) and v.value.strip():
                low = v.value.strip().lower()
                self.channels.add(TASK_CHANNELS.get(low, low))

    def _bad(self, frame: _Frame, pointer: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("AR202", "warning", message, frame.location(pointer)))


def _offset_in(text: str, lineno: int, colno: int) -> int:
    starts = line_starts(text)
    return starts[min(lineno, len(starts)) - 1] + colno - 1


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _workflow_label(resource: dict[str, Any], default: str) -> str:
    name = resource.get("friendly_name")
    sid = resource.get("sid")
    if name and sid:
        return f"'{name}' ({sid})"
    if name or sid:
        return f"'{name or sid}'"
    return f"'{default}'"


def load_taskrouter(path: str | Path) -> RoutingModel:
    """Read a TaskRouter Workflow resource, list response or bare configuration into a RoutingModel."""
    p = Path(path)
    text, digest = read_text(p)
    doc = load_json_document(p, text, digest)
    data = doc.data
    frame = _file_frame(doc)
    loader = _Loader(str(p))
    name = p.stem
    if isinstance(data, dict) and isinstance(data.get("workflows"), list):
        kind = "taskrouter:workflows"
        for i, wf in enumerate(data["workflows"]):
            if isinstance(wf, dict):
                loader.workflow(frame, f"/workflows/{i}", wf, f"workflow {i}")
            else:
                loader._bad(frame, f"/workflows/{i}", f"workflows[{i}] is not an object; skipped")
    elif isinstance(data, dict) and "configuration" in data:
        kind = "taskrouter:workflow"
        name = str(data.get("friendly_name") or p.stem)
        loader.workflow(frame, "", data, p.stem)
    elif isinstance(data, dict) and "task_routing" in data:
        kind = "taskrouter:configuration"
        loader.configuration(frame, "", data, p.stem, f"'{p.stem}'")
    else:
        raise AuditError(
            "AR204",
            f"{p} is not a TaskRouter workflow (expected 'configuration', 'task_routing' or 'workflows')",
            Span(str(p), 1, 1),
            text,
        )
    channels = tuple(sorted(loader.channels)) if loader.channels else DEFAULT_CHANNELS
    return RoutingModel(
        format="taskrouter",
        name=name,
        channels=channels,
        rules=tuple(loader.rules),
        sla_policies=(),
        inputs=(InputFile(str(p), kind, digest),),
        diagnostics=tuple(loader.diagnostics),
        field_names={},
    )


__all__ = [
    "TRAttribute",
    "TRCompare",
    "TRExpr",
    "TRList",
    "TRLiteral",
    "TRLogical",
    "constant_truth",
    "format_expression",
    "is_taskrouter",
    "load_taskrouter",
    "parse_expression",
]
