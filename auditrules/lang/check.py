"""Semantic check: a parsed :class:`~auditrules.lang.ast.Policy` → the same policy, or an AuditError.

One function per check, each documented like a lint rule (What / Why / Example / Use instead) and
registered under its code in :data:`CHECKS`. :func:`check_policies` runs them all in a fixed order
and raises the first error found (errors are ordered by file position).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from auditrules.errors import AuditError, Span
from auditrules.lang import ast

#: Aggregates the language defines (``p1`` … ``p99`` are added by :func:`is_aggregate`).
AGGREGATES: tuple[str, ...] = ("count", "share", "mean", "median", "min", "max", "sum")
AGGREGATE_HELP = "count, share, mean, median, p1..p99, min, max, sum"

_PERCENTILE = re.compile(r"p[1-9][0-9]?")


def is_aggregate(func: str) -> bool:
    if func in AGGREGATES:
        return True
    return _PERCENTILE.fullmatch(func) is not None


def _error(code: str, message: str, span: Span) -> AuditError:
    return AuditError(code, message, span)


# ---------------------------------------------------------------- traversal


def _expressions(expr: ast.Expr | None) -> Iterator[ast.Expr]:
    if expr is None:
        return
    yield expr
    if isinstance(expr, (ast.And, ast.Or)):
        yield from _expressions(expr.left)
        yield from _expressions(expr.right)
    elif isinstance(expr, ast.Not):
        yield from _expressions(expr.operand)
    elif isinstance(expr, ast.Compare):
        yield from _expressions(expr.left)
        yield from _expressions(expr.right)
    elif isinstance(expr, (ast.InList,)):
        yield from _expressions(expr.left)
    elif isinstance(expr, (ast.IsNull, ast.Matches)):
        yield from _expressions(expr.operand)


def _rule_expressions(rule: ast.Rule) -> Iterator[ast.Expr]:
    for st in rule.statements:
        if isinstance(st, ast.TicketScope):
            yield from _expressions(st.where)
        elif isinstance(st, ast.Require):
            yield from _expressions(st.aggregate.predicate)


# ---------------------------------------------------------------- checks


def check_aggregates(policy: ast.Policy) -> Iterator[AuditError]:
    """AR102 unknown aggregate.

    What it does: refuses an aggregate the language does not define, and a wrong argument.
    Why is this bad? An unknown aggregate cannot be computed; guessing would give a verdict on
    something the author did not write.
    Example: ``require each channel: p100(first_response) <= 4h``
    Use instead: ``require each channel: max(first_response) <= 4h``
    """
    for rule in policy.rules:
        for req in rule.requires:
            agg = req.aggregate
            if not is_aggregate(agg.func):
                sp = agg.span
                name_span = Span(sp.path, sp.line, sp.column, sp.line, sp.column + len(agg.func))
                yield _error("AR102", f"unknown aggregate '{agg.func}' (expected {AGGREGATE_HELP})", name_span)
            elif agg.func == "share" and agg.predicate is None:
                yield _error("AR102", 'share needs a condition, e.g. share(outcome == "resolved")', agg.span)
            elif agg.func == "count" and (agg.column or agg.predicate):
                yield _error("AR102", "count takes no argument; use share(condition) for a proportion", agg.span)
            elif agg.func not in ("share", "count") and agg.column is None:
                yield _error("AR102", f"{agg.func} needs a column, e.g. {agg.func}(first_response)", agg.span)


def check_names(policy: ast.Policy) -> Iterator[AuditError]:
    """AR103 undefined name / AR108 wrong kind of set.

    What it does: every set named in a statement must be ``define``d in the same file, with the
    right kind (fields for ``routing … read``, channels for ``in`` and ``across``).
    Why is this bad? An undefined set would match nothing and the rule would pass vacuously.
    Example: ``routing must not read influence`` with no ``define influence = ...``
    Use instead: ``define influence = fields matching "*klout*"``.
    """
    defined = {d.name: d for d in policy.defines}

    def lookup(ref: ast.SetRef, kind: type | tuple[type, ...], what: str) -> Iterator[AuditError]:
        d = defined.get(ref.name)
        if d is None:
            known = ", ".join(sorted(defined)) or "none defined"
            yield _error("AR103", f"undefined set '{ref.name}' (defined: {known})", ref.span)
        elif not isinstance(d.value, kind):
            yield _error("AR108", f"'{ref.name}' is not a {what} set", ref.span)

    for rule in policy.rules:
        for st in rule.statements:
            if isinstance(st, ast.MustNotRead):
                yield from lookup(st.fields, (ast.FieldSet, ast.ValueSet), "field or value")
            elif isinstance(st, ast.MayReadOnly):
                yield from lookup(st.fields, ast.FieldSet, "field")
            elif isinstance(st, (ast.SlaEqual, ast.PriorityEqual)) and st.across is not None:
                yield from lookup(st.across, ast.ChannelSet, "channel")
        for expr in _rule_expressions(rule):
            if isinstance(expr, ast.InList) and isinstance(expr.values, ast.SetRef):
                yield from lookup(expr.values, ast.ChannelSet, "channel")


def check_duplicate_defines(policy: ast.Policy) -> Iterator[AuditError]:
    """AR107 duplicate definition.

    What it does: a ``define`` name may be given once per file.
    Why is this bad? With two definitions, readers and the engine could disagree on which applies.
    """
    seen: set[str] = set()
    for d in policy.defines:
        if d.name in seen:
            yield _error("AR107", f"'{d.name}' is defined twice", d.span)
        seen.add(d.name)
        if d.name == "channels" and not isinstance(d.value, ast.ChannelSet):
            yield _error("AR108", "'channels' declares the channels served: it must be a channel set", d.span)


def _unit_of_expr(expr: ast.Expr) -> str | None:
    if isinstance(expr, ast.Literal):
        return expr.unit
    if isinstance(expr, ast.Name):
        from auditrules.columns import literal_unit  # ticket columns: only ticket statements need them

        return literal_unit(expr.name)
    return None


def _compatible(column_unit: str | None, value_unit: str) -> bool:
    if column_unit is None or value_unit == "null":
        return True
    if column_unit == "duration":
        return value_unit == "duration"
    if column_unit == "number":
        return value_unit in ("number", "percent")
    if column_unit == "string":
        return value_unit == "string"
    if column_unit == "timestamp":
        return value_unit == "string"
    return True


def _aggregate_unit(agg: ast.Aggregate) -> str | None:
    if agg.func == "count":
        return "number"
    if agg.func == "share":
        return "fraction"
    if agg.column is not None:
        from auditrules.columns import literal_unit

        return literal_unit(agg.column.name)
    return None


def check_units(policy: ast.Policy) -> Iterator[AuditError]:
    """AR105 unit mismatch.

    What it does: a comparison must compare like with like: a duration with a duration
    (``4h``), a share with a percentage or a fraction, a ratio with a plain number.
    Why is this bad? ``p90(first_response) <= 10%`` has no meaning; silently reading it as
    0.1 seconds would give a wrong verdict.
    Example: ``require each channel: p90(first_response) <= 90%``
    Use instead: ``require each channel: p90(first_response) <= 24h``
    """
    for rule in policy.rules:
        for expr in _rule_expressions(rule):
            if isinstance(expr, ast.Compare):
                left, right = _unit_of_expr(expr.left), _unit_of_expr(expr.right)
                if isinstance(expr.right, ast.Literal) and not _compatible(left, expr.right.unit):
                    yield _error(
                        "AR105",
                        f"cannot compare {left} column '{_name(expr.left)}' with {expr.right.unit} "
                        f"{expr.right.text or expr.right.value!r}",
                        expr.right.span,
                    )
                elif isinstance(expr.left, ast.Literal) and not _compatible(right, expr.left.unit):
                    yield _error("AR105", f"cannot compare {expr.left.unit} with {right} column", expr.left.span)
            elif isinstance(expr, ast.InList) and isinstance(expr.values, tuple):
                col = _unit_of_expr(expr.left)
                for v in expr.values:
                    if not _compatible(col, v.unit):
                        yield _error("AR105", f"cannot compare {col} column with {v.unit} {v.text}", v.span)
        for req in rule.requires:
            yield from _threshold_units(req)


def _name(expr: ast.Expr) -> str:
    return expr.name if isinstance(expr, ast.Name) else "?"


def _threshold_units(req: ast.Require) -> Iterator[AuditError]:
    if req.threshold.op in ("==", "!="):
        yield _error(
            "AR109",
            f"a requirement cannot use '{req.threshold.op}': estimates are compared with <, <=, >, >= or between",
            req.threshold.span,
        )
        return
    agg_unit = _aggregate_unit(req.aggregate)
    values = [req.threshold.value] + ([req.threshold.high] if req.threshold.high else [])
    for v in values:
        if req.measure == "ratio":
            ok = v.unit in ("number", "percent")
            want = "a plain number or a percentage (ratios have no unit)"
        elif agg_unit == "fraction":
            ok = v.unit == "percent" or (v.unit == "number" and isinstance(v.value, float) and -1 <= v.value <= 1)
            want = "a percentage or a fraction between 0 and 1"
        elif agg_unit == "duration":
            ok = v.unit == "duration"
            want = "a duration such as 4h"
        elif agg_unit == "number":
            ok = v.unit in ("number", "percent")
            want = "a number"
        else:
            ok = v.unit != "string"
            want = "a number or a duration"
        if not ok:
            what = f"{req.measure}({req.aggregate.func})" if req.measure else req.aggregate.func
            yield _error("AR105", f"{what} is compared with {v.unit} {v.text}; expected {want}", v.span)
    if req.threshold.high is not None:
        lo, hi = req.threshold.value.value, req.threshold.high.value
        if isinstance(lo, float) and isinstance(hi, float) and lo > hi:
            yield _error(
                "AR109",
                f"'between {req.threshold.value.text} and {req.threshold.high.text}' is empty",
                req.threshold.span,
            )


def check_minimum(policy: ast.Policy) -> Iterator[AuditError]:
    """AR106 minimum without groups / AR109 invalid value.

    What it does: ``minimum N tickets per group`` needs a ``require each`` or ``require across``
    in the same rule, and N ≥ 1.
    Why is this bad? Without groups the minimum applies to nothing and gives false comfort.
    """
    for rule in policy.rules:
        for st in rule.statements:
            if isinstance(st, ast.Minimum):
                if not any(r.mode != "overall" or r.strata for r in rule.requires):
                    yield _error("AR106", f"'minimum' in rule {rule.id}, which compares no groups", st.span)
                if st.count < 1:
                    yield _error("AR109", "minimum must be at least 1 ticket", st.span)


def check_buckets(policy: ast.Policy) -> Iterator[AuditError]:
    """AR109 invalid value: bucket edges must be increasing numbers.

    Example: ``buckets(influence_score, 100, 10)`` Use instead: ``buckets(influence_score, 10, 100)``
    """
    for rule in policy.rules:
        for req in rule.requires:
            for g in (req.group, *req.strata):
                if g is None or g.kind != "buckets":
                    continue
                values = [e.value for e in g.edges]
                if not all(isinstance(v, float) for v in values) or values != sorted(set(values)):  # type: ignore[type-var]
                    yield _error("AR109", "bucket edges must be increasing numbers", g.span)


def check_ticket_scope(policy: ast.Policy) -> Iterator[AuditError]:
    """AR110 ticket statement without scope.

    What it does: ``require`` and ``minimum`` need a ``tickets`` line in the same rule.
    Why is this bad? The line states which tickets the requirement is about; leaving it implicit
    hides the filter from the reader.
    Use instead: ``tickets`` (all tickets) or ``tickets where status != "spam"``.
    """
    for rule in policy.rules:
        scopes = [s for s in rule.statements if isinstance(s, ast.TicketScope)]
        if len(scopes) > 1:
            yield _error("AR107", f"rule {rule.id} has two 'tickets' lines", scopes[1].span)
        if not scopes:
            for st in rule.statements:
                if isinstance(st, (ast.Require, ast.Minimum)):
                    yield _error(
                        "AR110", f"rule {rule.id} has no 'tickets' line to say which tickets it is about", st.span
                    )
                    break


CHECKS: dict[str, Callable[[ast.Policy], Iterator[AuditError]]] = {
    "AR102": check_aggregates,
    "AR103": check_names,
    "AR105": check_units,
    "AR106": check_minimum,
    "AR107": check_duplicate_defines,
    "AR109": check_buckets,
    "AR110": check_ticket_scope,
}


def check_policy(policy: ast.Policy, source: str | None = None) -> ast.Policy:
    """Run every check on one policy; raise the first error (by position) with its source."""
    errors = [err for check in CHECKS.values() for err in check(policy)]
    if errors:
        first = min(errors, key=lambda e: (e.span.line, e.span.column) if e.span else (0, 0))
        raise first.with_source(source) if source is not None else first
    return policy


def _read_partly(policy: ast.Policy) -> bool:
    return any(isinstance(s, ast.UnreadStatements) for rule in policy.rules for s in rule.statements)


def check_policies(policies: Sequence[tuple[ast.Policy, str]]) -> None:
    """Check each policy and that rule IDs are unique across all of them (AR104). A policy read without
    its ticket statements (a remembered one, see :mod:`auditrules.lang.cached`) passed its own checks
    before it was remembered, and is checked across files only."""
    seen: dict[str, ast.Rule] = {}
    for policy, source in policies:
        if not _read_partly(policy):  # remembered only after passing every check (ast.UnreadStatements)
            check_policy(policy, source)
        for rule in policy.rules:
            if rule.id in seen:
                first = seen[rule.id]
                raise AuditError("AR104", f"rule ID {rule.id} is already used at {first.span}", rule.span, source)
            seen[rule.id] = rule
