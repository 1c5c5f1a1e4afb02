"""Formatter: a :class:`~auditrules.lang.ast.Policy` → its one canonical text layout.

``fmt(fmt(x)) == fmt(x)`` and ``parse(fmt(x)) == parse(x)``. Comments are kept, each on its own
line, in a slot decided by its line alone so that formatting twice changes nothing:

* outside rules, before the next header, define or rule (a comment trailing a define moves under it);
* inside a rule, from its opening line to its ``severity`` line: right after the opening line;
* then before the first statement that starts on or after the comment's line (a comment trailing
  a statement, or inside a statement written over several lines, goes above the next one);
* after the last statement: just before the ``}``; a comment after the ``}`` stays outside the rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from auditrules.lang import ast
from auditrules.lang.parser import comments, parse_policy

INDENT = "  "

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_PRECEDENCE = {ast.Or: 1, ast.And: 2, ast.Not: 3}


def format_source(text: str, path: str = "<string>") -> str:
    """Parse ``text`` and return it in canonical layout, keeping its comments."""
    policy = parse_policy(text, path)
    return format_policy(policy, comments(text))


def format_policy(policy: ast.Policy, notes: Sequence[tuple[int, str]] = ()) -> str:
    pending = sorted(notes)
    out: list[str] = []

    def flush(before_line: int | None, indent: str) -> None:
        while pending and (before_line is None or pending[0][0] < before_line):
            out.append(indent + pending.pop(0)[1])

    if policy.name is not None:
        flush(1 if not policy.defines and not policy.rules else _first_line(policy), "")
        if out:
            out.append("")
        header = f"policy {quote(policy.name)}"
        if policy.version is not None:
            header += f" version {quote(policy.version)}"
        out.append(header)
        out.append("")
    for d in policy.defines:
        flush(d.span.line, "")
        out.append(format_define(d))
    if policy.defines:
        out.append("")
    for rule in policy.rules:
        flush(rule.span.line, "")
        end = rule.span.end_line or rule.span.line
        inside = [c for c in pending if c[0] < end]  # a comment after the closing brace stays outside
        del pending[: len(inside)]
        out.extend(_format_rule(rule, inside))
        out.append("")
    flush(None, "")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _severity_line(rule: ast.Rule) -> int:
    """The line of the rule's ``severity`` clause (the AST keeps no span for it), found in its source."""
    for offset, line in enumerate(rule.source.splitlines()):
        code = _STRING.sub('""', line).split("#", 1)[0]
        if re.search(r"(^|[\s{])severity\s", code + " "):
            return rule.span.line + offset
    return rule.span.line


def _format_rule(rule: ast.Rule, notes: Sequence[tuple[int, str]]) -> list[str]:
    """A rule's lines, with the comments written inside it (lines ``rule.span.line`` … end) in their slots."""
    severity_line = _severity_line(rule)
    head = [text for line, text in notes if line <= severity_line]
    rest = [(line, text) for line, text in notes if line > severity_line]
    out = [f"rule {rule.id} {quote(rule.title)} {{", *(INDENT + t for t in head), f"{INDENT}severity {rule.severity}"]
    if rule.rationale is not None:
        out.append(f"{INDENT}rationale {quote(rule.rationale)}")
    if rule.remediation is not None:
        out.append(f"{INDENT}remediation {quote(rule.remediation)}")
    if rule.docs is not None:
        out.append(f"{INDENT}docs {quote(rule.docs)}")
    for st in rule.statements:
        out.extend(INDENT + text for line, text in rest if line <= st.span.line)
        rest = [(line, text) for line, text in rest if line > st.span.line]
        out.append(INDENT + format_statement(st))
    out.extend(INDENT + text for _, text in rest)
    out.append("}")
    return out


def _first_line(policy: ast.Policy) -> int:
    lines = [d.span.line for d in policy.defines] + [r.span.line for r in policy.rules]
    return min(lines) if lines else 1


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def format_define(d: ast.Define) -> str:
    if isinstance(d.value, ast.FieldSet):
        return f"define {d.name} = fields matching " + ", ".join(quote(p) for p in d.value.patterns)
    if isinstance(d.value, ast.ValueSet):
        text = f"define {d.name} = values matching " + ", ".join(quote(p) for p in d.value.patterns)
        if d.value.scope is not None:
            text += f" {d.value.scope} fields matching " + ", ".join(quote(p) for p in d.value.fields)
        return text
    return f"define {d.name} = channels " + ", ".join(quote(c) for c in d.value.channels)


def format_statement(st: ast.Statement) -> str:
    if isinstance(st, ast.MustNotRead):
        return f"routing must not read {st.fields.name}"
    if isinstance(st, ast.MayReadOnly):
        return f"routing may read only {st.fields.name}"
    if isinstance(st, ast.SlaCoverage):
        return "sla must cover every channel"
    if isinstance(st, ast.SlaEqual):
        across = st.across.name if st.across else "channel"
        text = f"sla targets must be equal across {across} per priority"
        return text + (f" for {st.metric}" if st.metric else "")
    if isinstance(st, ast.PriorityEqual):
        return f"routing priority must be equal across {st.across.name if st.across else 'channel'}"
    if isinstance(st, ast.TicketScope):
        return "tickets" + (f" where {format_expr(st.where)}" if st.where is not None else "")
    if isinstance(st, ast.Minimum):
        return f"minimum {st.count} tickets per group"
    if isinstance(st, ast.UnreadStatements):
        raise TypeError("a rule read without its ticket statements cannot be formatted")
    return format_require(st)


def format_require(req: ast.Require) -> str:
    agg = format_aggregate(req.aggregate)
    if req.mode == "overall":
        head = f"require {agg}"
    elif req.mode == "each":
        assert req.group is not None
        head = f"require each {format_group(req.group)}: {agg}"
    else:
        assert req.group is not None
        ref = ""
        if req.reference is not None:
            ref = " vs " + (quote(req.reference.name or "") if req.reference.kind == "group" else req.reference.kind)
        head = f"require across {format_group(req.group)}{ref}: {req.measure}({agg})"
    th = req.threshold
    if th.op == "between":
        assert th.high is not None
        text = f"{head} between {format_literal(th.value)} and {format_literal(th.high)}"
    else:
        text = f"{head} {th.op} {format_literal(th.value)}"
    if req.strata:
        text += " within " + ", ".join(format_group(g) for g in req.strata)
    if req.confidence is not None:
        text += f" at {_number(req.confidence * 100)}% confidence"
    return text


def format_aggregate(agg: ast.Aggregate) -> str:
    if agg.column is not None:
        return f"{agg.func}({agg.column.name})"
    if agg.predicate is not None:
        return f"{agg.func}({format_expr(agg.predicate)})"
    return agg.func


def format_group(g: ast.GroupBy) -> str:
    if g.kind == "column":
        return g.column.name
    if g.kind == "buckets":
        return f"buckets({g.column.name}, " + ", ".join(format_literal(e) for e in g.edges) + ")"
    return f"{g.kind}({g.column.name})"


def _number(value: float) -> str:
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text


def format_literal(lit: ast.Literal) -> str:
    if lit.unit == "string":
        assert isinstance(lit.value, str)
        return quote(lit.value)
    if lit.unit in ("null", "bool"):
        return {None: "null", True: "true", False: "false"}[lit.value]  # type: ignore[index]
    if lit.text:
        return lit.text
    return _number(float(lit.value or 0))


def format_expr(expr: ast.Expr, parent: int = 0) -> str:
    if isinstance(expr, ast.Or):
        text = f"{format_expr(expr.left, 1)} or {format_expr(expr.right, 2)}"
        return f"({text})" if parent > 1 else text
    if isinstance(expr, ast.And):
        text = f"{format_expr(expr.left, 2)} and {format_expr(expr.right, 3)}"
        return f"({text})" if parent > 2 else text
    if isinstance(expr, ast.Not):
        return f"not {format_expr(expr.operand, 3)}"
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.Literal):
        return format_literal(expr)
    if isinstance(expr, ast.Compare):
        return f"{_operand(expr.left)} {expr.op} {_operand(expr.right)}"
    if isinstance(expr, ast.InList):
        op = "not in" if expr.negated else "in"
        if isinstance(expr.values, ast.SetRef):
            return f"{_operand(expr.left)} {op} {expr.values.name}"
        return f"{_operand(expr.left)} {op} (" + ", ".join(format_literal(v) for v in expr.values) + ")"
    if isinstance(expr, ast.IsNull):
        return f"{_operand(expr.operand)} is {'not ' if expr.negated else ''}null"
    if isinstance(expr, ast.Matches):
        return f"{_operand(expr.operand)} matches {quote(expr.pattern)}"
    raise TypeError(f"cannot format {type(expr).__name__}")  # pragma: no cover


def _operand(expr: ast.Expr) -> str:
    if isinstance(expr, (ast.Name, ast.Literal)):
        return format_expr(expr)
    return f"({format_expr(expr)})"
