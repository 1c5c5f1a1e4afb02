"""The nodes of ticket statements: expressions (``channel == "twitter"``, which canonical routing
conditions use too), aggregates, groupings, thresholds, references and the ``tickets``,
``minimum`` and ``require`` statements. Frozen dataclasses like the rest of
:mod:`auditrules.lang.ast`, whose conventions they follow (``span`` last, excluded from equality).

:mod:`auditrules.lang.ast` reaches every name here as its own (``ast.Require``) and imports this
module when one is first used: a check given no ticket data reads a remembered policy without its
ticket rules' statements (:mod:`auditrules.lang.cached`) and never creates these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditrules.errors import Span
from auditrules.lang.ast import NOSPAN, SetRef

# ---------------------------------------------------------------- values and expressions


@dataclass(frozen=True)
class Literal:
    """A constant. ``unit`` is number | duration | percent | string | null | bool.

    Durations are stored in seconds, percentages as fractions (``10%`` → 0.1); ``text`` keeps the
    spelling the author used so the formatter can reproduce it.
    """

    value: float | str | bool | None
    unit: str
    text: str = field(default="", compare=False)
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Name:
    """A column or field reference; dotted names keep their prefix (``customer.klout_score``)."""

    name: str
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Compare:
    """``left OP right`` with OP one of == != < <= > >=."""

    op: str
    left: Expr
    right: Expr
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class InList:
    """``left [not] in (v1, v2)`` or ``left [not] in SET``; ``values`` is a tuple or a SetRef."""

    left: Expr
    values: tuple[Literal, ...] | SetRef
    negated: bool = False
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class IsNull:
    """``expr is [not] null``."""

    operand: Expr
    negated: bool = False
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Matches:
    """``expr matches "glob"``."""

    operand: Expr
    pattern: str
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class And:
    """``left and right``."""

    left: Expr
    right: Expr
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Or:
    """``left or right``."""

    left: Expr
    right: Expr
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Not:
    """``not operand``."""

    operand: Expr
    span: Span = field(default=NOSPAN, compare=False, repr=False)


Expr = Literal | Name | Compare | InList | IsNull | Matches | And | Or | Not


# ---------------------------------------------------------------- aggregates, groups, comparisons


@dataclass(frozen=True)
class Aggregate:
    """``count``, ``share(PRED)``, ``mean(col)``, ``median(col)``, ``pNN(col)``, ``min``, ``max``, ``sum``.

    ``func`` is the spelling (``p90``); ``quantile`` is 0.9 for ``p90`` and 0.5 for ``median``;
    ``predicate`` is set for ``share`` only, ``column`` for the column aggregates.
    """

    func: str
    column: Name | None = None
    predicate: Expr | None = None
    quantile: float | None = None
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class GroupBy:
    """What groups are formed from: a column, ``deciles(col)``, ``quartiles(col)``,
    ``buckets(col, e1, e2, ...)``, ``month(col)``. ``kind`` is column | deciles | quartiles |
    buckets | month; ``edges`` holds bucket edges."""

    kind: str
    column: Name
    edges: tuple[Literal, ...] = ()
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Threshold:
    """``OP VALUE`` (``op`` one of <= < >= > == !=) or ``between LOW and HIGH`` (``op`` == "between")."""

    op: str
    value: Literal
    high: Literal | None = None
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Reference:
    """``vs "name"`` (kind "group", ``name`` set) or ``vs largest|lowest|highest``."""

    kind: str
    name: str | None = None
    span: Span = field(default=NOSPAN, compare=False, repr=False)


# ---------------------------------------------------------------- ticket statements


@dataclass(frozen=True)
class TicketScope:
    """``tickets [where EXPR]``: the rule is evaluated on ticket data, filtered by ``where``."""

    where: Expr | None = None
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Minimum:
    """``minimum N tickets per group``."""

    count: int
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Require:
    """A ticket requirement.

    ``mode`` is ``overall`` (``require AGG CMP``), ``each`` (``require each GROUP: AGG CMP``) or
    ``across`` (``require across GROUP [vs REF]: ratio|difference(AGG) CMP``). ``measure`` is
    ``ratio`` or ``difference`` for ``across`` and None otherwise. ``strata`` holds the
    ``within`` groupings; ``confidence`` the ``at P% confidence`` level as a fraction.
    """

    mode: str
    aggregate: Aggregate
    threshold: Threshold
    group: GroupBy | None = None
    reference: Reference | None = None
    measure: str | None = None
    strata: tuple[GroupBy, ...] = ()
    confidence: float | None = None
    span: Span = field(default=NOSPAN, compare=False, repr=False)


TicketStatement = TicketScope | Minimum | Require

__all__ = [
    "Aggregate",
    "And",
    "Compare",
    "Expr",
    "GroupBy",
    "InList",
    "IsNull",
    "Literal",
    "Matches",
    "Minimum",
    "Name",
    "Not",
    "Or",
    "Reference",
    "Require",
    "Threshold",
    "TicketScope",
    "TicketStatement",
]
