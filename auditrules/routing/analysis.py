"""Static analysis: (rule-language rule, RoutingModel) → findings.

* ``routing must not read SET``: taint propagates from fields matching SET through every tag or
  field a rule writes after reading a tainted name, to a fixed point; a rule that reads a tainted
  name and changes a routing effect fails, with the derivation chain and each step's location.
  Derivations that no routing rule reads yet are ``warn``.
* ``routing may read only SET``: every name a routing rule reads must match SET, or be derived
  only from names that do.
* ``sla must cover every channel`` / ``sla targets must be equal across … per priority``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditrules.findings import Finding, Location, Severity, Status
from auditrules.lang import ast
from auditrules.routing.model import Read, RoutingModel, RoutingRule, SlaPolicy, SlaTarget, Write

ALL_PRIORITIES = "*"


def name_variants(name: str) -> list[str]:
    """The spellings a field pattern is matched against: the full name and every dotted suffix.

    ``customer.klout_score`` → ``customer.klout_score``, ``klout_score``; ``tag:vip`` → ``tag:vip``, ``vip``.
    """
    lowered = name.lower()
    if lowered.startswith("tag:"):
        return [lowered, lowered[4:]]
    parts = lowered.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def matches_set(name: str, patterns: Sequence[str]) -> str | None:
    """The first pattern of ``patterns`` that ``name`` matches (case-insensitive glob), or None."""
    return _match(name, tuple(patterns))


@lru_cache(maxsize=65536)
def _match(name: str, patterns: tuple[str, ...]) -> str | None:
    variants = name_variants(name)
    for pattern, regex in zip(patterns, _compiled(patterns), strict=True):
        if any(regex.match(v) for v in variants):
            return pattern
    return None


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(fnmatch.translate(p.lower())) for p in patterns)


@dataclass(frozen=True)
class Step:
    """One link of a taint chain: ``rule`` reads ``read`` and writes ``write`` (None at the end)."""

    rule: RoutingRule
    read: Read
    write: Write | None
    pattern: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "rule_name": self.rule.name,
            "kind": self.rule.kind,
            "reads": self.read.field,
            "condition": self.read.text,
            "read_at": self.read.location.to_json(),
            "writes": self.write.target if self.write else None,
            "write_at": self.write.location.to_json() if self.write else None,
            "matched_pattern": self.pattern,
        }


@dataclass(frozen=True)
class _Origin:
    """Why a derived name is tainted: ``step`` wrote it after reading a tainted name."""

    step: Step


def taint(model: RoutingModel, patterns: Sequence[str]) -> dict[str, _Origin]:
    """Derived names tainted by ``patterns``, each with the first derivation found (fixed point)."""
    tainted: dict[str, _Origin] = {}
    rules = [r for r in sorted(model.rules, key=lambda r: r.order) if r.active and r.writes]
    changed = True
    while changed:
        changed = False
        for rule in rules:
            source = next(
                (rd for rd in rule.reads if matches_set(rd.field, patterns) or rd.field.lower() in tainted), None
            )
            if source is None:
                continue
            for w in rule.writes:
                key = w.target.lower()
                if key not in tainted and key != source.field.lower():
                    tainted[key] = _Origin(Step(rule, source, w, matches_set(source.field, patterns)))
                    changed = True
    return tainted


def chain(read: Read, rule: RoutingRule, tainted: dict[str, _Origin], patterns: Sequence[str]) -> list[Step]:
    """The derivation chain ending in ``rule`` reading ``read``: origin first, the routing rule last."""
    steps: list[Step] = [Step(rule, read, None, matches_set(read.field, patterns))]
    seen: set[str] = set()
    name = read.field.lower()
    while name in tainted and name not in seen:
        seen.add(name)
        origin = tainted[name].step
        steps.insert(0, origin)
        name = origin.read.field.lower()
    return steps


def _describe_chain(steps: Sequence[Step]) -> str:
    parts: list[str] = []
    for step in steps:
        where = f"{step.rule.kind} '{step.rule.name}' ({step.read.location})"
        if step.write is not None:
            parts.append(f"{where} reads {step.read.field} and writes {step.write.target}")
        else:
            parts.append(f"{where} routes on {step.read.field}")
    return " → ".join(parts)


def _effects_text(rule: RoutingRule) -> str:
    return ", ".join(f"{e.kind} {e.value}" for e in rule.effects)


class RuleContext:
    """The rule being evaluated plus its policy, to resolve sets and build findings."""

    def __init__(self, policy: ast.Policy, rule: ast.Rule) -> None:
        self.policy = policy
        self.rule = rule
        self.severity = Severity(rule.severity)

    def patterns(self, ref: ast.SetRef) -> tuple[str, ...]:
        d = self.policy.define(ref.name)
        assert d is not None and isinstance(d.value, ast.FieldSet), "checked by lang.check"
        return d.value.patterns

    def channels(self, ref: ast.SetRef) -> tuple[str, ...]:
        d = self.policy.define(ref.name)
        assert d is not None and isinstance(d.value, ast.ChannelSet), "checked by lang.check"
        return tuple(c.lower() for c in d.value.channels)

    def finding(
        self, status: Status, message: str, evidence: dict[str, Any], locations: Iterable[Location] = ()
    ) -> Finding:
        unique: list[Location] = []
        for loc in locations:
            if loc not in unique:
                unique.append(loc)
        return Finding(self.rule.id, self.rule.title, self.severity, status, message, evidence, tuple(unique))


def evaluate_routing(policy: ast.Policy, rule: ast.Rule, model: RoutingModel) -> list[Finding]:
    """All findings of ``rule``'s routing statements on ``model``."""
    ctx = RuleContext(policy, rule)
    findings: list[Finding] = []
    for st in rule.routing_statements:
        if isinstance(st, ast.MustNotRead):
            findings.extend(must_not_read(ctx, st, model))
        elif isinstance(st, ast.MayReadOnly):
            findings.extend(may_read_only(ctx, st, model))
        elif isinstance(st, ast.SlaCoverage):
            findings.extend(sla_coverage(ctx, model))
        elif isinstance(st, ast.SlaEqual):
            findings.extend(sla_equal(ctx, st, model))
    return findings


def _base_evidence(model: RoutingModel, statement: str) -> dict[str, Any]:
    return {"statement": statement, "routing": model.name, "format": model.format}


def must_not_read(ctx: RuleContext, st: ast.MustNotRead, model: RoutingModel) -> list[Finding]:
    patterns = ctx.patterns(st.fields)
    tainted = taint(model, patterns)
    statement = f"routing must not read {st.fields.name}"
    findings: list[Finding] = []
    routing_rules = [r for r in sorted(model.rules, key=lambda r: r.order) if r.active and r.routes]
    read_names: set[str] = set()
    for rule in sorted(model.rules, key=lambda r: r.order):
        if rule.active:
            read_names.update(rd.field.lower() for rd in rule.reads)
    for rule in routing_rules:
        offending = [rd for rd in rule.reads if rd.field.lower() in tainted or matches_set(rd.field, patterns)]
        if not offending:
            continue
        steps = chain(offending[0], rule, tainted, patterns)
        origin = steps[0]
        via = [s.write.target for s in steps if s.write is not None]
        reads_text = ", ".join(sorted({rd.field for rd in offending}))
        message = f"{rule.kind} '{rule.name}' routes on {reads_text}"
        if via:
            message += f", derived from {origin.read.field} through " + " → ".join(via)
        message += f" ({_effects_text(rule)})"
        evidence = _base_evidence(model, statement)
        evidence.update(
            {
                "routing_rule": rule.id,
                "reads": sorted({rd.field for rd in offending}),
                "effects": [{"kind": e.kind, "value": e.value} for e in rule.effects],
                "chain": [s.to_json() for s in steps],
                "explanation": _describe_chain(steps),
            }
        )
        locations: list[Location] = []
        for s in steps:
            locations.append(_note(s.read.location, f"{s.rule.name}: {s.read.text or s.read.field}"))
            if s.write is not None:
                locations.append(_note(s.write.location, f"{s.rule.name}: writes {s.write.target}"))
        for rd in offending[1:]:
            locations.append(_note(rd.location, f"{rule.name}: {rd.text or rd.field}"))
        findings.append(ctx.finding(Status.FAIL, message, evidence, locations))
    failing = {f.evidence.get("routing_rule") for f in findings}
    findings.extend(not_auditable(ctx, model, statement, [r for r in routing_rules if r.id not in failing]))
    # derivations nothing reads yet
    for name, derivation in sorted(tainted.items()):
        if name in read_names:
            continue
        step = derivation.step
        assert step.write is not None
        message = (
            f"{step.rule.kind} '{step.rule.name}' derives {step.write.target} from {step.read.field}; "
            "no rule reads it yet, but any rule that does will route on influence"
        )
        evidence = _base_evidence(model, statement)
        evidence.update({"derived": step.write.target, "chain": [step.to_json()]})
        locs = [_note(step.read.location, step.read.text), _note(step.write.location, f"writes {step.write.target}")]
        findings.append(ctx.finding(Status.WARN, message, evidence, locs))
    if not any(f.status is Status.FAIL for f in findings):
        evidence = _base_evidence(model, statement)
        evidence.update(
            {
                "routing_rules_checked": len(routing_rules),
                "inactive_rules_skipped": sum(1 for r in model.rules if not r.active),
                "patterns": list(patterns),
            }
        )
        findings.insert(
            0,
            ctx.finding(
                Status.PASS,
                f"none of {len(routing_rules)} routing rules reads {st.fields.name}, directly or through a derived "
                "tag or field",
                evidence,
            ),
        )
    return findings


def not_auditable(
    ctx: RuleContext, model: RoutingModel, statement: str, rules: Sequence[RoutingRule]
) -> list[Finding]:
    """A ``warn`` per routing rule that decides on a value the export cannot show (``Read.opaque``):
    a Lambda's answer, a formula, Apex. Such a decision is never a silent pass."""
    out: list[Finding] = []
    for rule in rules:
        opaque = [rd for rd in rule.reads if rd.opaque is not None]
        if not opaque:
            continue
        why = "; ".join(sorted({f"{rd.field}: {rd.opaque}" for rd in opaque}))
        message = (
            f"{rule.kind} '{rule.name}' decides {_effects_text(rule)} on values the export cannot show ({why}); "
            "not auditable from the file"
        )
        evidence = _base_evidence(model, statement)
        evidence.update(
            {"routing_rule": rule.id, "not_auditable": [{"field": rd.field, "why": rd.opaque} for rd in opaque]}
        )
        locs = [_note(rd.location, f"{rule.name}: {rd.text or rd.field}") for rd in opaque]
        out.append(ctx.finding(Status.WARN, message, evidence, locs))
    return out


def _note(loc: Location, note: str) -> Location:
    return Location(loc.path, loc.line, loc.column, loc.pointer, note)


def may_read_only(ctx: RuleContext, st: ast.MayReadOnly, model: RoutingModel) -> list[Finding]:
    patterns = ctx.patterns(st.fields)
    statement = f"routing may read only {st.fields.name}"
    # a derived name is allowed when every rule writing it reads only allowed names (fixed point)
    writers: dict[str, list[RoutingRule]] = {}
    for rule in model.rules:
        if rule.active:
            for w in rule.writes:
                writers.setdefault(w.target.lower(), []).append(rule)
    allowed: dict[str, bool] = {}

    def is_allowed(name: str, stack: frozenset[str] = frozenset()) -> bool:
        key = name.lower()
        if matches_set(name, patterns):
            return True
        if key in allowed:
            return allowed[key]
        if key in stack or key not in writers:
            return False
        result = all(is_allowed(rd.field, stack | {key}) for r in writers[key] for rd in r.reads)
        allowed[key] = result
        return result

    findings: list[Finding] = []
    routing_rules = [r for r in sorted(model.rules, key=lambda r: r.order) if r.active and r.routes]
    findings.extend(not_auditable(ctx, model, statement, routing_rules))
    for rule in routing_rules:
        bad = [rd for rd in rule.reads if rd.opaque is None and not is_allowed(rd.field)]
        if not bad:
            continue
        names = sorted({rd.field for rd in bad})
        evidence = _base_evidence(model, statement)
        evidence.update({"routing_rule": rule.id, "not_allowed": names, "allowed_patterns": list(patterns)})
        message = f"{rule.kind} '{rule.name}' reads {', '.join(names)}, outside {st.fields.name}"
        findings.append(
            ctx.finding(Status.FAIL, message, evidence, [_note(rd.location, rd.text or rd.field) for rd in bad])
        )
    if not any(f.status is Status.FAIL for f in findings):
        evidence = _base_evidence(model, statement)
        evidence.update({"routing_rules_checked": len(routing_rules), "allowed_patterns": list(patterns)})
        findings.append(
            ctx.finding(Status.PASS, f"all {len(routing_rules)} routing rules read only {st.fields.name}", evidence)
        )
    return findings


def _no_sla(ctx: RuleContext, model: RoutingModel, statement: str) -> Finding:
    evidence = _base_evidence(model, statement)
    return ctx.finding(
        Status.NOT_EVALUATED,
        f"the {model.format} export '{model.name}' contains no SLA policies to check",
        evidence,
    )


def _applies(policy: SlaPolicy, channel: str) -> bool:
    return policy.channels is None or channel in policy.channels


def sla_coverage(ctx: RuleContext, model: RoutingModel) -> list[Finding]:
    statement = "sla must cover every channel"
    if not model.has_sla_data:
        return [_no_sla(ctx, model, statement)]
    findings: list[Finding] = []
    covered: dict[str, list[str]] = {}
    for channel in model.channels:
        full = [p for p in model.sla_policies if _applies(p, channel) and not p.conditions]
        partial = [p for p in model.sla_policies if _applies(p, channel) and p.conditions]
        if full:
            covered[channel] = [p.name for p in full]
            continue
        evidence = _base_evidence(model, statement)
        evidence.update({"channel": channel, "partial_policies": [p.name for p in partial]})
        if partial:
            conds = "; ".join(f"'{p.name}' only where {' and '.join(p.conditions)}" for p in partial)
            message = f"channel {channel} is covered only in part: {conds}"
            locs = [p.location for p in partial]
        else:
            message = f"no SLA policy covers channel {channel}"
            locs = []
        findings.append(ctx.finding(Status.FAIL, message, evidence, locs))
    if not model.channels:
        evidence = _base_evidence(model, statement)
        return [ctx.finding(Status.NOT_EVALUATED, "the export names no channels to check coverage for", evidence)]
    if not findings:
        evidence = _base_evidence(model, statement)
        evidence.update({"covered": covered})
        findings.append(
            ctx.finding(Status.PASS, f"every channel ({', '.join(model.channels)}) has an SLA policy", evidence)
        )
    return findings


def format_seconds(seconds: float) -> str:
    """``3600`` → ``1h``; ``5400`` → ``90m``."""
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= max(size, 172800 if unit == "d" else 0) and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def sla_equal(ctx: RuleContext, st: ast.SlaEqual, model: RoutingModel) -> list[Finding]:
    across = "channel" if st.across is None else st.across.name
    statement = f"sla targets must be equal across {across} per priority" + (f" for {st.metric}" if st.metric else "")
    if not model.has_sla_data:
        return [_no_sla(ctx, model, statement)]
    channels = list(model.channels) if st.across is None else list(ctx.channels(st.across))
    ordered = sorted(model.sla_policies, key=lambda p: (p.order, p.name))
    # effective targets: channel -> (metric, priority) -> (target, policy); first applicable policy wins
    # a target without a priority (ALL_PRIORITIES) applies to every priority named anywhere
    named = sorted({t.priority for p in ordered for t in p.targets if t.priority != ALL_PRIORITIES})
    table: dict[str, dict[tuple[str, str], tuple[SlaTarget, SlaPolicy]]] = {c: {} for c in channels}
    for channel in channels:
        for policy in ordered:
            if not _applies(policy, channel):
                continue
            for t in policy.targets:
                if st.metric is not None and t.metric != st.metric:
                    continue
                for prio in (named or [ALL_PRIORITIES]) if t.priority == ALL_PRIORITIES else [t.priority]:
                    table[channel].setdefault((t.metric, prio), (t, policy))
    keys = sorted({k for per in table.values() for k in per})
    findings: list[Finding] = []
    for metric, priority in keys:
        row = {c: table[c].get((metric, priority)) for c in channels}
        values = {c: (v[0].seconds, v[0].business_hours) if v else None for c, v in row.items()}
        if len(set(values.values())) <= 1:
            continue
        parts = []
        locs: list[Location] = []
        groups: dict[str, list[str]] = {}
        for c in channels:
            v = row[c]
            if v is None:
                label = "none"
            else:
                label = format_seconds(v[0].seconds) + (" (business hours)" if v[0].business_hours else "")
            pol = "" if v is None else f" by '{v[1].name}'"
            groups.setdefault(f"{label}{pol}", []).append(c)
            if v is not None:
                locs.append(_note(v[0].location, f"{v[1].name}: {metric} {label} for {priority}"))
        for label, chans in sorted(groups.items(), key=lambda kv: kv[0]):
            parts.append(f"{', '.join(chans)}: {label}")
        prio = "every priority" if priority == ALL_PRIORITIES else f"priority {priority}"
        message = f"{metric} target for {prio} differs by channel — " + "; ".join(parts)
        evidence = _base_evidence(model, statement)
        evidence.update(
            {
                "metric": metric,
                "priority": priority,
                "targets": [
                    {
                        "channel": c,
                        "seconds": None if row[c] is None else row[c][0].seconds,  # type: ignore[index]
                        "business_hours": None if row[c] is None else row[c][0].business_hours,  # type: ignore[index]
                        "policy": None if row[c] is None else row[c][1].name,  # type: ignore[index]
                    }
                    for c in channels
                ],
            }
        )
        findings.append(ctx.finding(Status.FAIL, message, evidence, locs))
    if not findings:
        evidence = _base_evidence(model, statement)
        evidence.update({"targets_compared": len(keys), "channels": channels})
        findings.append(
            ctx.finding(
                Status.PASS,
                f"{len(keys)} SLA targets are the same for every channel ({', '.join(channels)})",
                evidence,
            )
        )
    return findings


__all__ = ["chain", "evaluate_routing", "matches_set", "taint"]
