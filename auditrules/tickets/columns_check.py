"""Columns ticket rules name: typos are errors, unknown names are warnings, absent canonical columns are gaps.

A column a rule names is one of three things:

* a canonical ticket column (:mod:`auditrules.columns`): when the data lacks it (no
  ``influence_score`` in a tweet corpus) its requirements are ``not_evaluated``;
* a column of the ticket data that is not canonical (a pass-through column): read as it is;
* neither — almost always a typo (``chanel``, ``first_respnse``). That is error AR312 with the
  closest names, because a misspelt column would otherwise read as "not evaluated" and let
  ``check`` exit 0.

``lint`` has no data, so it warns on every non-canonical column (:func:`lint_warnings`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence

from auditrules.columns import KINDS
from auditrules.errors import AuditError, fail
from auditrules.lang import ast


def _names(node: ast.Expr | None) -> Iterator[ast.Name]:
    if node is None:
        return
    if isinstance(node, ast.Name):
        yield node
    elif isinstance(node, ast.Compare):
        yield from _names(node.left)
        yield from _names(node.right)
    elif isinstance(node, ast.InList):
        yield from _names(node.left)
    elif isinstance(node, (ast.IsNull, ast.Matches, ast.Not)):
        yield from _names(node.operand)
    elif isinstance(node, (ast.And, ast.Or)):
        yield from _names(node.left)
        yield from _names(node.right)


def rule_names(rule: ast.Rule) -> list[ast.Name]:
    """Every column reference of a ticket rule, with its place in the rules file, in source order."""
    out = list(_names(rule.scope.where if rule.scope else None))
    for req in rule.requires:
        if req.group is not None:
            out.append(req.group.column)
        out += [s.column for s in req.strata]
        if req.aggregate.column is not None:
            out.append(req.aggregate.column)
        out += list(_names(req.aggregate.predicate))
    return out


def suggestion(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or an empty string."""
    close = difflib.get_close_matches(name, sorted(set(known)), n=2, cutoff=0.75)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


def check_columns(rules: Sequence[tuple[ast.Policy, ast.Rule]], source_columns: Mapping[str, str]) -> None:
    """AR312 for the first column a rule names that is neither canonical nor in the ticket data."""
    for _, rule in rules:
        for name in rule_names(rule):
            if name.name in KINDS or name.name in source_columns:
                continue
            hint = suggestion(name.name, [*KINDS, *source_columns])
            raise unknown_column(rule, name, hint)


def unknown_column(rule: ast.Rule, name: ast.Name, hint: str) -> AuditError:
    span = name.span if name.span.line else rule.span
    return fail(
        "AR312",
        f"rule {rule.id} names column '{name.name}', which is neither a canonical ticket column nor in the "
        f"ticket data{hint}",
        span,
    )


def lint_warnings(policies: Iterable[ast.Policy]) -> list[str]:
    """``path:line:col: warning: …`` for each non-canonical column a ticket rule names."""
    out = []
    for policy in policies:
        for rule in policy.rules:
            for name in rule_names(rule):
                if name.name in KINDS:
                    continue
                where = f"{name.span}: " if name.span.line else f"{rule.span}: "
                out.append(
                    f"{where}warning: rule {rule.id} names column '{name.name}', which is not a canonical ticket "
                    f"column{suggestion(name.name, KINDS)}; it must then be a column of the ticket data"
                )
    return out


__all__ = ["check_columns", "lint_warnings", "rule_names", "suggestion", "unknown_column"]
