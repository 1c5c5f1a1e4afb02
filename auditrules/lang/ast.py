"""AST of the rule language: frozen dataclasses whose last field, ``span``, is excluded from equality.

Two trees that differ only in positions compare equal, which is what ``parse(fmt(x)) == parse(x)``
relies on. Values carry their unit (``number``, ``duration`` in seconds, ``percent`` as a fraction,
``string``, ``null``, ``bool``) so the checker can refuse comparisons across units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditrules.errors import Span

NOSPAN = Span("<none>", 0, 0)


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
class SetRef:
    """A reference to a ``define``d set, e.g. ``social``."""

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


# ---------------------------------------------------------------- sets


@dataclass(frozen=True)
class FieldSet:
    """``fields matching "*klout*", ...``: glob patterns over field names."""

    patterns: tuple[str, ...]
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class ChannelSet:
    """``channels "twitter", "facebook"``."""

    channels: tuple[str, ...]
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class ValueSet:
    """``values matching "*vip*", "press" [in|outside fields matching "*tier*", ...]``.

    Glob patterns over the values a routing condition compares a field with (tag names count as
    values of the field ``tags``). ``scope`` is ``in`` (only conditions on fields matching
    ``fields``), ``outside`` (every field but those) or None (any field).
    """

    patterns: tuple[str, ...]
    fields: tuple[str, ...] = ()
    scope: str | None = None
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Define:
    """``define NAME = fields matching ... | channels ... | values matching ...``.

    A channel set named ``channels`` declares the channels the help desk serves (the channel
    universe of ``sla must cover every channel`` and ``… across channel …``).
    """

    name: str
    value: FieldSet | ChannelSet | ValueSet
    span: Span = field(default=NOSPAN, compare=False, repr=False)


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


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class MustNotRead:
    """``routing must not read SET``: SET is a field set or a value set."""

    fields: SetRef
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class MayReadOnly:
    """``routing may read only SET``."""

    fields: SetRef
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class SlaCoverage:
    """``sla must cover every channel``."""

    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class SlaEqual:
    """``sla targets must be equal across channel|SET per priority [for METRIC]``.

    ``across`` is None for every channel, otherwise a SetRef to a channel set.
    """

    across: SetRef | None = None
    metric: str | None = None
    span: Span = field(default=NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class PriorityEqual:
    """``routing priority must be equal across channel|SET``: no channel's work is given a
    higher or lower routing priority than another channel of the same class (live or async).

    ``across`` is None for every channel, otherwise a SetRef to a channel set.
    """

    across: SetRef | None = None
    span: Span = field(default=NOSPAN, compare=False, repr=False)


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


RoutingStatement = MustNotRead | MayReadOnly | SlaCoverage | SlaEqual | PriorityEqual
TicketStatement = TicketScope | Minimum | Require
Statement = RoutingStatement | TicketStatement


# ---------------------------------------------------------------- rules and policies


@dataclass(frozen=True)
class Rule:
    """``rule ID "title" { severity ...; rationale ...; remediation ...; docs ...; statements }``."""

    id: str
    title: str
    severity: str
    statements: tuple[Statement, ...]
    rationale: str | None = None
    remediation: str | None = None
    span: Span = field(default=NOSPAN, compare=False, repr=False)
    source: str = field(default="", compare=False, repr=False)
    #: ``docs "https://…"``: where the rule's documentation lives (SARIF ``helpUri``).
    docs: str | None = None

    @property
    def scope(self) -> TicketScope | None:
        return next((s for s in self.statements if isinstance(s, TicketScope)), None)

    @property
    def minimum(self) -> int | None:
        return next((s.count for s in self.statements if isinstance(s, Minimum)), None)

    @property
    def requires(self) -> tuple[Require, ...]:
        return tuple(s for s in self.statements if isinstance(s, Require))

    @property
    def routing_statements(self) -> tuple[RoutingStatement, ...]:
        return tuple(
            s
            for s in self.statements
            if isinstance(s, (MustNotRead, MayReadOnly, SlaCoverage, SlaEqual, PriorityEqual))
        )


@dataclass(frozen=True)
class Policy:
    """A parsed rules file: header, definitions and rules in source order."""

    name: str | None
    version: str | None
    defines: tuple[Define, ...]
    rules: tuple[Rule, ...]
    path: str = field(default="<string>", compare=False)
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def define(self, name: str) -> Define | None:
        return next((d for d in self.defines if d.name == name), None)
