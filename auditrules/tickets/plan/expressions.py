"""Rule expressions → sqlglot conditions, and which columns a rule reads.

Missing values never compare true (SQL NULL semantics); string literals compared with a
categorical column are lower-cased like the column's values. A name the clean view does not
have raises :class:`Unavailable`, and the rule is reported as not evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping as TMapping
from dataclasses import dataclass

from sqlglot import exp

from auditrules.columns import CATEGORICAL
from auditrules.lang import ast
from auditrules.tickets.plan.sql import col, double, is_null, lit, text


@dataclass(eq=False)
class Unavailable(Exception):
    """A rule names a column the clean view does not have (not frozen: Python writes to exceptions)."""

    column: str


def column_ref(name: str, columns: TMapping[str, str]) -> exp.Expr:
    """A reference to clean-view column ``name``; raises :class:`Unavailable` when the view lacks it."""
    if name not in columns:
        raise Unavailable(name)
    return col(name)


def _literal_for(node: ast.Literal, against: str | None) -> exp.Expr:
    v = node.value
    if isinstance(v, str) and against in CATEGORICAL:
        v = v.lower()
    return lit(v)


def _operand(node: ast.Expr, columns: TMapping[str, str], other: ast.Expr | None) -> exp.Expr:
    if isinstance(node, ast.Name):
        ref = column_ref(node.name, columns)
        if columns.get(node.name) == "raw" and isinstance(other, ast.Literal):
            if other.unit in {"number", "duration", "percent"}:
                return double(ref)
            if other.unit == "string":
                return text(ref)
        return ref
    if isinstance(node, ast.Literal):
        against = other.name if isinstance(other, ast.Name) else None
        return _literal_for(node, against)
    return compile_expr(node, columns, None)


_COMPARE: dict[str, type[exp.Binary]] = {
    "==": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}


def glob_to_like(pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch in "%_\\":
            out.append("\\" + ch)
        elif ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        else:
            out.append(ch)
    return "".join(out)


def compile_expr(node: ast.Expr, columns: TMapping[str, str], policy: ast.Policy | None) -> exp.Expr:
    """A rule-language expression → a sqlglot condition with SQL NULL semantics.

    Missing values never compare true: ``NULL != "spam"`` and ``not (NULL == x)`` are NULL, and
    callers wrap conditions in ``COALESCE(…, FALSE)`` where a definite boolean is needed.
    """
    if isinstance(node, ast.Compare):
        left = _operand(node.left, columns, node.right)
        right = _operand(node.right, columns, node.left)
        return _COMPARE[node.op](this=left, expression=right)
    if isinstance(node, ast.InList):
        left = _operand(node.left, columns, None)
        against = node.left.name if isinstance(node.left, ast.Name) else None
        if isinstance(node.values, ast.SetRef):
            values = _set_values(node.values, policy)
            items = [lit(v.lower() if against in CATEGORICAL else v) for v in values]
        else:
            items = [_literal_for(v, against) for v in node.values]
        cond: exp.Expr = left.isin(*items) if items else exp.false()
        return exp.not_(cond) if node.negated else cond
    if isinstance(node, ast.IsNull):
        operand = _operand(node.operand, columns, None)
        isnull = is_null(operand)
        return exp.not_(isnull) if node.negated else isnull
    if isinstance(node, ast.Matches):
        operand = text(_operand(node.operand, columns, None))
        categorical = isinstance(node.operand, ast.Name) and node.operand.name in CATEGORICAL
        pattern = node.pattern.lower() if categorical else node.pattern  # values are lower-cased too
        return exp.Escape(
            this=exp.Like(this=operand, expression=exp.Literal.string(glob_to_like(pattern))),
            expression=exp.Literal.string("\\"),
        )
    if isinstance(node, ast.And):
        return exp.and_(compile_expr(node.left, columns, policy), compile_expr(node.right, columns, policy))
    if isinstance(node, ast.Or):
        return exp.or_(compile_expr(node.left, columns, policy), compile_expr(node.right, columns, policy))
    if isinstance(node, ast.Not):
        return exp.not_(exp.Paren(this=compile_expr(node.operand, columns, policy)))
    if isinstance(node, ast.Name):
        return column_ref(node.name, columns)
    if isinstance(node, ast.Literal):
        return lit(node.value)
    raise TypeError(f"unsupported expression node {type(node).__name__}")


def _set_values(ref: ast.SetRef, policy: ast.Policy | None) -> tuple[str, ...]:
    define = policy.define(ref.name) if policy is not None else None
    if define is None or not isinstance(define.value, ast.ChannelSet):
        raise Unavailable(f"set {ref.name}")
    return define.value.channels


def names_in(node: ast.Expr | None) -> set[str]:
    """Column names an expression reads."""
    if node is None:
        return set()
    if isinstance(node, ast.Name):
        return {node.name}
    if isinstance(node, ast.Compare):
        return names_in(node.left) | names_in(node.right)
    if isinstance(node, ast.InList):
        return names_in(node.left)
    if isinstance(node, (ast.IsNull, ast.Matches, ast.Not)):
        return names_in(node.operand)
    if isinstance(node, (ast.And, ast.Or)):
        return names_in(node.left) | names_in(node.right)
    return set()


def rule_columns(rule: ast.Rule) -> set[str]:
    """Every column a ticket rule reads."""
    out = names_in(rule.scope.where if rule.scope else None)
    for req in rule.requires:
        out |= requirement_columns(req) | names_in(req.aggregate.predicate)
    return out


def requirement_columns(req: ast.Require) -> set[str]:
    """Columns a requirement needs non-null in a row for the row to count (group, strata, aggregate).

    Columns inside ``share(PRED)`` are not among them: a ticket whose ``first_response`` is
    missing stays in the denominator of ``share(first_response <= 4h)`` and counts as not
    answered in time (missing values never compare true). Dropping it would flatter the slowest
    channel, whose unanswered tickets would vanish from its share.
    """
    out: set[str] = set()
    if req.aggregate.column is not None:
        out.add(req.aggregate.column.name)
    if req.group is not None:
        out.add(req.group.column.name)
    for s in req.strata:
        out.add(s.column.name)
    return out
