"""Routing priority parity: ``routing priority must be equal across channel|SET``.

A routing rule whose conditions restrict the channel (its ``channels`` scope) and that sets a
priority gives that channel's work a place in the queue. Channels are compared like for like:
live channels (phone, callback, chat, video) with each other, asynchronous ones (email, web,
messaging, social) with each other — serving a caller on the line before an email is how
contact centres work, serving Twitter before email is a two-tier service.

Priorities are compared through :class:`~auditrules.routing.model.Priority` ranks (lower is
served first), so TaskRouter's "higher first" and Salesforce's "lower first" read the same way.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditrules import evidence as E
from auditrules.channels import canonical_channel, is_channel_field, like_for_like
from auditrules.findings import Finding, Location, Status
from auditrules.lang import ast
from auditrules.routing.model import Effect, Priority, PriorityScale, RoutingModel, RoutingRule

if TYPE_CHECKING:
    from auditrules.routing.analysis import RuleContext

#: What a channel gets when no channel-specific rule sets its priority.
UNSET = "not set by channel"


def expression_channels(expr: ast.Expr, universe: Collection[str]) -> tuple[str, ...] | None:
    """The channels a rule-language condition keeps (``channel == "twitter"``,
    ``channel in ("chat", "phone")``, their and/or/not), sorted; None when it does not restrict
    the channel by values this function can read (a set reference, an unknown spelling)."""
    scope = _scope(expr, frozenset(universe))
    return None if scope is None else tuple(sorted(scope))


def _values(expr: ast.Expr) -> tuple[str, ...] | None:
    """The literal channel values a leaf condition on a channel field compares with."""
    if isinstance(expr, ast.Compare) and expr.op in ("==", "!="):
        name, lit = (expr.left, expr.right) if isinstance(expr.left, ast.Name) else (expr.right, expr.left)
        if isinstance(name, ast.Name) and isinstance(lit, ast.Literal) and is_channel_field(name.name):
            return (str(lit.value),)
    if (
        isinstance(expr, ast.InList)
        and isinstance(expr.left, ast.Name)
        and is_channel_field(expr.left.name)
        and not isinstance(expr.values, ast.SetRef)
    ):
        return tuple(str(v.value) for v in expr.values)
    return None


def _scope(expr: ast.Expr, universe: frozenset[str]) -> frozenset[str] | None:
    if isinstance(expr, ast.And):
        left, right = _scope(expr.left, universe), _scope(expr.right, universe)
        return right if left is None else left if right is None else left & right
    if isinstance(expr, ast.Or):
        left, right = _scope(expr.left, universe), _scope(expr.right, universe)
        return None if left is None or right is None else left | right
    if isinstance(expr, ast.Not):
        inner = _scope(expr.operand, universe)
        return None if inner is None else universe - inner
    raw = _values(expr)
    if raw is None:
        return None
    chans = [canonical_channel(v) for v in raw]
    if any(c is None for c in chans):
        return None
    kept = frozenset(c for c in chans if c is not None)
    negated = (isinstance(expr, ast.Compare) and expr.op == "!=") or (isinstance(expr, ast.InList) and expr.negated)
    return universe - kept if negated else kept


@dataclass(frozen=True, repr=False)
class Assignment:
    """``rule`` sets ``priority`` (None: a value that is no priority we understand) via ``effect``."""

    rule: RoutingRule
    effect: Effect
    priority: Priority | None

    def row(self) -> E.PriorityRow:
        p = self.priority
        return E.PriorityRow(
            self.rule.id,
            self.rule.name,
            self.rule.kind,
            self.effect.value,
            None if p is None else p.rank,
            None if p is None else p.scale,
        )


def _profile(assignments: Sequence[Assignment]) -> frozenset[tuple[str, float]]:
    return frozenset((a.priority.scale, a.priority.rank) for a in assignments if a.priority is not None)


def _label(assignments: Sequence[Assignment], scale: PriorityScale) -> str:
    known = sorted((a for a in assignments if a.priority is not None), key=lambda a: a.priority.rank)  # type: ignore[union-attr]
    if not known:
        return UNSET
    raws = list(dict.fromkeys(scale.describe(a.effect.value) for a in known))
    rules = list(dict.fromkeys(f"{a.rule.kind} '{a.rule.name}'" for a in known))
    return f"{' / '.join(raws)} by {', '.join(rules)}"


def _notes(per: dict[str, list[Assignment]], chans: Sequence[str], scale: PriorityScale, known: bool) -> list[Location]:
    """One location per priority effect, naming the compared channels it applies to."""
    where: dict[Effect, tuple[Assignment, list[str]]] = {}
    for c in chans:
        for a in per[c]:
            if (a.priority is not None) == known:
                where.setdefault(a.effect, (a, []))[1].append(c)
    out = []
    for effect, (a, cs) in where.items():
        loc = effect.location
        note = f"{a.rule.name}: priority {scale.describe(effect.value)} for {', '.join(cs)}"
        out.append(Location(loc.path, loc.line, loc.column, loc.pointer, note))
    return out


def channel_assignments(
    model: RoutingModel, channels: Sequence[str]
) -> tuple[dict[str, list[Assignment]], list[RoutingRule]]:
    """Each channel's channel-specific priority assignments, and the priority-setting rules that
    read the channel but whose scope the adapter could not tell."""
    per: dict[str, list[Assignment]] = {c: [] for c in channels}
    unknown_scope: list[RoutingRule] = []
    setting = (r for r in model.rules if r.active and any(e.kind == "priority" for e in r.effects))
    for rule in sorted(setting, key=lambda r: (r.order, r.id)):  # only the rules that set a priority
        effects = [e for e in rule.effects if e.kind == "priority"]
        if rule.channels is None:
            if any(is_channel_field(rd.field) for rd in rule.reads):
                unknown_scope.append(rule)
            continue  # applies to every channel alike
        for e in effects:
            a = Assignment(rule, e, model.priority_of(e))
            for c in rule.channels:
                if c in per:
                    per[c].append(a)
    return per, unknown_scope


def _channels(ctx: RuleContext, st: ast.PriorityEqual, model: RoutingModel) -> tuple[list[str], str]:
    """The channels to compare and where they come from: the channel universe (declared, or the
    vendor's out-of-the-box list, so a Zendesk trigger making Twitter urgent is compared with email
    even if nothing mentions email) plus any channel a rule's scope names; or the policy's set."""
    if st.across is not None:
        return list(ctx.channels(st.across)), f"the policy's set '{st.across.name}'"
    universe = ctx.universe()
    out = list(universe.channels)
    out += sorted({c for r in model.rules if r.active and r.channels for c in r.channels} - set(out))
    return out, universe.source


@dataclass(frozen=True, repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class _Judged:
    """What every finding of one statement shares: its wording and the input it is about."""

    statement: str
    routing: str
    format: str
    source: str

    def none(self) -> E.RoutingStatement:
        return E.RoutingStatement(self.statement, self.routing, self.format)

    def priorities(
        self, cls: str, rows: tuple[E.ChannelPriorities, ...], unresolved: tuple[str, ...]
    ) -> E.RoutingPriorities:
        return E.RoutingPriorities(self.statement, self.routing, self.format, cls, rows, self.source, unresolved)


def priority_equal(ctx: RuleContext, st: ast.PriorityEqual, model: RoutingModel) -> list[Finding]:
    across = "channel" if st.across is None else st.across.name
    statement = f"routing priority must be equal across {across}"
    if not model.has_priority_data:
        message = f"the {model.format} export '{model.name}' carries no routing priorities to compare"
        return [ctx.finding(Status.NOT_EVALUATED, message, E.RoutingStatement(statement, model.name, model.format))]
    channels, source = _channels(ctx, st, model)
    judged = _Judged(statement, model.name, model.format, source)
    groups = like_for_like(channels)
    if not groups:
        message = f"no two channels of one class to compare ({', '.join(channels) or 'no channels'}; from {source})"
        return [ctx.finding(Status.NOT_EVALUATED, message, judged.none())]
    per, unknown_scope = channel_assignments(model, channels)
    findings: list[Finding] = []
    for cls, chans in groups:
        findings.extend(_compare_class(ctx, judged, (cls, chans, model.priority_scale), per))
    if unknown_scope:
        names = ", ".join(f"{r.kind} '{r.name}'" for r in unknown_scope)
        evidence = judged.priorities("any", (), tuple(r.id for r in unknown_scope))
        message = f"{names} set a priority on a channel condition the {model.format} reader cannot resolve"
        findings.append(ctx.finding(Status.INCONCLUSIVE, message, evidence, [r.location for r in unknown_scope]))
    if not findings:
        set_count = sum(len(v) for v in per.values())
        summary = "; ".join(f"{cls}: {', '.join(chans)}" for cls, chans in groups)
        message = (
            f"every channel gets the same routing priority as the others of its class ({summary}; from {source})"
            if set_count
            else f"no routing rule sets a priority for one channel and not another ({summary}; from {source})"
        )
        equal = E.RoutingPrioritiesEqual(
            statement, model.name, model.format, {c: tuple(ch) for c, ch in groups}, set_count, source
        )
        findings.append(ctx.finding(Status.PASS, message, equal))
    return findings


def _compare_class(
    ctx: RuleContext,
    judged: _Judged,
    group: tuple[str, Sequence[str], PriorityScale],
    per: dict[str, list[Assignment]],
) -> list[Finding]:
    cls, chans, scale = group
    profiles = {c: _profile(per[c]) for c in chans}
    unknown = [c for c in chans if any(a.priority is None for a in per[c])]
    rows = tuple(E.ChannelPriorities(c, tuple(a.row() for a in per[c])) for c in chans)
    evidence = judged.priorities(cls, rows, ())
    if len(set(profiles.values())) > 1:
        groups: dict[str, list[str]] = {}
        for c in chans:
            groups.setdefault(_label(per[c], scale), []).append(c)
        parts = [f"{', '.join(cs)}: {label}" for label, cs in sorted(groups.items(), key=lambda kv: kv[1][0])]
        message = f"routing priority differs between {cls} channels — " + "; ".join(parts)
        return [ctx.finding(Status.FAIL, message, evidence, _notes(per, chans, scale, True))]
    if unknown:
        values = ", ".join(sorted({a.effect.value for c in unknown for a in per[c] if a.priority is None}))
        message = (
            f"the routing priority of {', '.join(unknown)} is set to {values}, which is decided outside the "
            f"export; it cannot be compared with the other {cls} channels"
        )
        return [ctx.finding(Status.INCONCLUSIVE, message, evidence, _notes(per, unknown, scale, False))]
    return []


__all__ = ["Assignment", "channel_assignments", "expression_channels", "priority_equal"]
