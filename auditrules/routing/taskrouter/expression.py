"""TaskRouter's expression language: the grammar (``expression.lark``), a tree of frozen dataclasses
with file spans, the canonical text of an expression and its constant truth (``1==1``, ``1==0``).

Expressions are bounded before they are parsed (MAX_TERMS terms, MAX_DIGITS digits per number), so
a hostile workflow gets AR209, never a RecursionError.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditrules.errors import AuditError, Span

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


#: Terms joined by AND/OR that one expression may hold: the tree is as deep as its terms, and real
#: workflow expressions hold a handful.
MAX_TERMS = 200
#: Digits a number literal may have (Python refuses to convert integers over 4,300 digits).
MAX_DIGITS = 100
_CONNECTIVE = re.compile(r"\b(?:AND|OR)\b", re.IGNORECASE)
_STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    from lark import Lark

    grammar = (Path(__file__).with_name("expression.lark")).read_text(encoding="utf-8")
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
    terms = len(_CONNECTIVE.findall(_STRING_LITERAL.sub("''", text))) + 1
    if terms > MAX_TERMS:
        message = f"TaskRouter expression has {terms} terms joined by AND/OR (at most {MAX_TERMS} are read)"
        raise _expr_error(message, span_base, col(0), col(len(text)))
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
            return TRCompare(self.span(start, end), _op_text(op_node), self.operand(left), self.operand(right))
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
            raise AuditError("AR209", "a comparison cannot be an operand", self.span(0, 1))  # pragma: no cover
        raise AuditError("AR209", f"unexpected {kind}", self.span(0, 1))  # pragma: no cover

    def literal(self, node: Any) -> TRLiteral:
        tok = node.children[0]
        span = self.span(tok.start_pos, tok.end_pos)
        text = str(tok)
        if tok.type == "STRING":
            return TRLiteral(span, text[1:-1])
        if tok.type == "NUMBER":
            if len(text) > MAX_DIGITS:
                raise AuditError("AR209", f"number literal of {len(text)} characters (at most {MAX_DIGITS})", span)
            if re.fullmatch(r"-?\d+", text):
                return TRLiteral(span, int(text))
            number = float(text)
            if not math.isfinite(number):
                raise AuditError("AR209", f"number literal {text} is out of range", span)
            return TRLiteral(span, number)
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


#: Order comparisons a constant expression may hold.
_ORDER: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def constant_truth(expr: TRExpr) -> bool | None:
    """True/False when the expression's value does not depend on any attribute (``1==1``), else None.

    Recursion is bounded: an expression holds at most MAX_TERMS terms.
    """
    if isinstance(expr, TRLogical):
        return _logical_truth(expr.op, constant_truth(expr.left), constant_truth(expr.right))
    if isinstance(expr, TRLiteral):
        return expr.value if isinstance(expr.value, bool) else None
    if isinstance(expr, TRCompare):
        return _compare_truth(expr)
    return None


def _logical_truth(op: str, left: bool | None, right: bool | None) -> bool | None:
    decisive = op == "OR"  # the value that settles the result on either side
    if left is decisive or right is decisive:
        return decisive
    return (not decisive) if left is (not decisive) and right is (not decisive) else None


def _compare_truth(expr: TRCompare) -> bool | None:
    left, right = expr.left, expr.right
    if isinstance(left, TRLiteral) and isinstance(right, TRList) and expr.op in ("IN", "NOT IN"):
        inside = any(i.value == left.value for i in right.items)
        return inside if expr.op == "IN" else not inside
    if not (isinstance(left, TRLiteral) and isinstance(right, TRLiteral)):
        return None
    a, b = left.value, right.value
    equal = (a == b and type(a) is type(b)) or _numbers_equal(a, b)
    if expr.op in ("==", "!="):
        return equal if expr.op == "==" else not equal
    numeric = isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool)
    if numeric and expr.op in _ORDER:
        assert isinstance(a, (int, float)) and isinstance(b, (int, float))
        return _ORDER[expr.op](a, b)
    return None


def _numbers_equal(a: Any, b: Any) -> bool:
    numeric = (int, float)
    return (
        isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and not isinstance(b, bool)
    ) and a == b


def iter_comparisons(expr: TRExpr) -> Iterator[TRExpr]:
    """The leaves of the AND/OR tree, left to right: comparisons and bare operands (no recursion)."""
    stack: list[TRExpr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, TRLogical):
            stack.append(node.right)
            stack.append(node.left)
        else:
            yield node


def attributes(expr: TRExpr) -> Iterator[TRAttribute]:
    """Every attribute an expression names, in source order."""
    if isinstance(expr, (TRLogical, TRCompare)):
        yield from attributes(expr.left)
        yield from attributes(expr.right)
    elif isinstance(expr, TRAttribute):
        yield expr


__all__ = [
    "MAX_TERMS",
    "TRAttribute",
    "TRCompare",
    "TRExpr",
    "TRList",
    "TRLiteral",
    "TRLogical",
    "attributes",
    "constant_truth",
    "format_expression",
    "iter_comparisons",
    "parse_expression",
]
