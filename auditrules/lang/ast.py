"""AST of the rule language: frozen dataclasses whose last field, ``span``, is excluded from equality.

Two trees that differ only in positions compare equal, which is what ``parse(fmt(x)) == parse(x)``
relies on. Values carry their unit (``number``, ``duration`` in seconds, ``percent`` as a fraction,
``string``, ``null``, ``bool``) so the checker can refuse comparisons across units.

This module holds policies, rules, definitions and routing statements. The nodes of ticket
statements (expressions, aggregates, groupings, thresholds, ``tickets``/``minimum``/``require``)
are in :mod:`auditrules.lang.ticket_ast` and are reached here by name all the same
(``ast.Require``): that module is imported when one of them is first used, so that a routing check
given no ticket data, which reads its remembered policy without the ticket rules' statements,
never creates their classes (each dataclass costs every start a third of a millisecond).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from auditrules.errors import Span

if TYPE_CHECKING:  # re-exported: every node is a name of this module (see the docstring)
    from auditrules.lang.ticket_ast import (
        Aggregate,
        And,
        Compare,
        Expr,
        GroupBy,
        InList,
        IsNull,
        Literal,
        Matches,
        Minimum,
        Name,
        Not,
        Or,
        Reference,
        Require,
        Threshold,
        TicketScope,
        TicketStatement,
    )

NOSPAN = Span("<none>", 0, 0)


# ---------------------------------------------------------------- set references and sets


@dataclass(frozen=True)
class SetRef:
    """A reference to a ``define``d set, e.g. ``social``."""

    name: str
    span: Span = field(default=NOSPAN, compare=False, repr=False)


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
class UnreadStatements:
    """Where a rule's ticket statements (``count`` of them) were left unread.

    A check given no ticket data judges no ticket rule; it only says it could not. It reads its
    remembered policy (:mod:`auditrules.lang.cached`) without the ticket statements, so that it
    never creates their classes: each ticket rule keeps its routing statements and this one node
    instead of the others. Such a rule still :attr:`Rule.reads_tickets`; asking it for its ticket
    statements (``scope``, ``requires``, ``minimum``) is an error. Only policies that passed every
    check are remembered, so nothing is left unchecked.
    """

    count: int
    span: Span = field(default=NOSPAN, compare=False, repr=False)


RoutingStatement = MustNotRead | MayReadOnly | SlaCoverage | SlaEqual | PriorityEqual
#: The routing statement classes (every other statement is a ticket statement).
ROUTING_STATEMENTS: tuple[type, ...] = (MustNotRead, MayReadOnly, SlaCoverage, SlaEqual, PriorityEqual)
if TYPE_CHECKING:
    Statement: TypeAlias = RoutingStatement | TicketStatement | UnreadStatements


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
        from auditrules.lang.ticket_ast import TicketScope  # ticket nodes: see the module docstring

        return next((s for s in self._read_statements() if isinstance(s, TicketScope)), None)

    @property
    def minimum(self) -> int | None:
        from auditrules.lang.ticket_ast import Minimum

        return next((s.count for s in self._read_statements() if isinstance(s, Minimum)), None)

    @property
    def requires(self) -> tuple[Require, ...]:
        from auditrules.lang.ticket_ast import Require

        return tuple(s for s in self._read_statements() if isinstance(s, Require))

    def _read_statements(self) -> tuple[Statement, ...]:
        """The statements, all of them read (an error for a rule read without its ticket statements)."""
        if any(isinstance(s, UnreadStatements) for s in self.statements):
            raise RuntimeError(f"rule {self.id} was read without its ticket statements")
        return self.statements

    @property
    def routing_statements(self) -> tuple[RoutingStatement, ...]:
        return tuple(
            s
            for s in self.statements
            if isinstance(s, (MustNotRead, MayReadOnly, SlaCoverage, SlaEqual, PriorityEqual))
        )

    @property
    def reads_tickets(self) -> bool:
        """Whether the rule is judged on ticket data: it has a statement that is not a routing one
        (read, or left unread: :class:`UnreadStatements`)."""
        return any(not isinstance(s, ROUTING_STATEMENTS) for s in self.statements)


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


#: The node classes of :mod:`auditrules.lang.ticket_ast`, reached as names of this module.
TICKET_NODES: frozenset[str] = frozenset(
    {
        "Literal",
        "Name",
        "Compare",
        "InList",
        "IsNull",
        "Matches",
        "And",
        "Or",
        "Not",
        "Aggregate",
        "GroupBy",
        "Threshold",
        "Reference",
        "TicketScope",
        "Minimum",
        "Require",
    }
)

if not TYPE_CHECKING:  # type checkers see the names through the imports at the top

    def __getattr__(name: str) -> Any:
        """A ticket statements' node (or ``Expr``, ``TicketStatement``, ``Statement``), from
        :mod:`auditrules.lang.ticket_ast`, imported when one is first used (see the module docstring)."""
        if name in TICKET_NODES or name in ("Expr", "TicketStatement"):
            from auditrules.lang import ticket_ast

            return getattr(ticket_ast, name)
        if name == "Statement":
            from auditrules.lang.ticket_ast import TicketStatement

            return RoutingStatement | TicketStatement
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "NOSPAN",
    "ROUTING_STATEMENTS",
    "TICKET_NODES",
    "Aggregate",
    "And",
    "ChannelSet",
    "Compare",
    "Define",
    "Expr",
    "FieldSet",
    "GroupBy",
    "InList",
    "IsNull",
    "Literal",
    "Matches",
    "MayReadOnly",
    "Minimum",
    "MustNotRead",
    "Name",
    "Not",
    "Or",
    "Policy",
    "PriorityEqual",
    "Reference",
    "Require",
    "RoutingStatement",
    "Rule",
    "SetRef",
    "SlaCoverage",
    "SlaEqual",
    "Statement",
    "Threshold",
    "TicketScope",
    "TicketStatement",
    "UnreadStatements",
    "ValueSet",
]
