"""Static analysis: (rule-language rule, RoutingModel) → findings.

* ``routing must not read SET``: taint propagates from fields matching SET through every tag or
  field a rule writes after reading a tainted name, to a fixed point; a rule that reads a tainted
  name and changes a routing effect fails, with the derivation chain and each step's location.
  Derivations that no routing rule reads yet are ``warn``.
* ``routing may read only SET``: every name a routing rule reads must match SET, or be derived
  only from names that do.
* ``sla must cover every channel`` / ``sla targets must be equal across … per priority``: targets
  compare like for like — within a channel class (live: seconds; async: hours) — except metrics
  that mean the same on every channel (resolution), and within each policy scope (a queue).
* ``routing priority must be equal across …``: see :mod:`auditrules.routing.parity`.
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from auditrules import evidence as E
from auditrules.channels import CROSS_CLASS_METRICS, like_for_like
from auditrules.findings import Finding, Location, Severity, Status
from auditrules.lang import ast
from auditrules.routing.model import Gap, Read, ReadIndex, RoutingModel, RoutingRule, SlaPolicy, SlaTarget, Write
from auditrules.routing.universe import ChannelUniverse, DeclaredChannels, canonical_names, channel_universe
from auditrules.units import format_duration

ALL_PRIORITIES = "*"


def name_variants(name: str) -> list[str]:
    """The spellings a field pattern is matched against: the full name and every dotted suffix.

    ``customer.klout_score`` → ``customer.klout_score``, ``klout_score``; ``tag:vip`` → ``tag:vip``, ``vip``.
    """
    lowered = name.lower()
    if lowered.startswith("tag:"):
        return [lowered, lowered[4:]]
    if "." not in lowered:
        return [lowered]
    parts = lowered.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def matches_set(name: str, patterns: Sequence[str]) -> str | None:
    """The first pattern of ``patterns`` that ``name`` matches (case-insensitive glob), or None."""
    return _match(name, tuple(patterns))


@lru_cache(maxsize=65536)
def _match(name: str, patterns: tuple[str, ...]) -> str | None:
    variants = name_variants(name)
    for pattern, test in zip(patterns, _compiled(patterns), strict=True):
        for v in variants:
            if test(v):
                return pattern
    return None


#: Whether a lower-cased text matches a lower-cased glob.
GlobTest = Callable[[str], bool]


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[GlobTest, ...]:
    return tuple(glob_test(p.lower()) for p in patterns)


#: Joins the texts :func:`_first_patterns` searches at once (a text holding it is tested alone).
_JOIN = "\x00"


def _first_patterns(texts: Sequence[str], patterns: tuple[str, ...]) -> list[int]:
    """For each of ``texts`` (lower-case), the position in ``patterns`` of the first one it matches;
    ``len(patterns)`` when none does.

    The same as testing every text against every pattern in order, but a pattern is tested only on
    the texts that hold its longest literal piece, found by searching all the texts joined into one
    string: a set's few patterns over an export's hundreds of names or values cost a few searches,
    not a test per text and pattern."""
    none = len(patterns)
    out = [none] * len(texts)
    joined = _JOIN.join(texts)
    if joined.count(_JOIN) != max(len(texts) - 1, 0):  # a text holds the joiner: no search tells texts apart
        tests = _compiled(patterns)
        return [next((n for n, test in enumerate(tests) if test(t)), none) for t in texts]
    starts = list(accumulate((len(t) + 1 for t in texts), initial=0))  # where each text starts, and the end
    for n, (pattern, test) in enumerate(zip(patterns, _compiled(patterns), strict=True)):
        for k in _holding(joined, starts, _literal_piece(pattern.lower())):
            if out[k] == none and test(texts[k]):
                out[k] = n
    return out


def _literal_piece(pattern: str) -> str:
    """The longest text every match of ``pattern`` holds ("" when it has ``?`` or ``[``)."""
    if "?" in pattern or "[" in pattern:
        return ""
    return max(pattern.split("*"), key=len)


def _holding(joined: str, starts: list[int], piece: str) -> Iterator[int]:
    """The positions of the texts (joined, starting at ``starts``) that hold ``piece``, in order."""
    if not piece:
        yield from range(len(starts) - 1)
        return
    at = joined.find(piece)
    while at >= 0:
        k = bisect_right(starts, at) - 1
        yield k
        at = joined.find(piece, starts[k + 1])  # the next text on: each is tested once


def _names_matched(names: Iterable[str], patterns: tuple[str, ...]) -> dict[str, str | None]:
    """:func:`matches_set` of each of ``names`` (every spelling of :func:`name_variants` counts), at once."""
    owners: list[str] = []
    spellings: list[str] = []
    for name in names:
        for v in name_variants(name):
            owners.append(name)
            spellings.append(v)
    found: dict[str, int] = dict.fromkeys(owners, len(patterns))
    for name, n in zip(owners, _first_patterns(spellings, patterns), strict=True):
        if n < found[name]:
            found[name] = n
    return {name: patterns[n] if n < len(patterns) else None for name, n in found.items()}


def glob_test(pattern: str) -> GlobTest:
    """A test of whether a whole text matches ``pattern`` (``fnmatch`` rules, case as given).

    A glob of ``*`` and plain text (``*vip*``, ``press_*``, ``requester_twitter_*``) — every pattern
    of the standard pack — is a test of prefix, suffix and the pieces between in order, with no
    regular expression to compile; ``?`` and ``[...]`` go through :func:`fnmatch.translate`.
    """
    if "?" in pattern or "[" in pattern:
        regex = re.compile(fnmatch.translate(pattern))
        return lambda text: regex.match(text) is not None
    if "*" not in pattern:
        return pattern.__eq__
    head, *middle, tail = pattern.split("*")
    if not middle:
        return lambda text: len(text) >= len(head) + len(tail) and text.startswith(head) and text.endswith(tail)
    if not head and not tail and len(middle) == 1:
        piece = middle[0]
        return lambda text: piece in text
    return lambda text: _pieces_match(text, head, middle, tail)


def _pieces_match(text: str, head: str, middle: Sequence[str], tail: str) -> bool:
    """``head*m1*m2*…*tail``: the head at the start, the tail at the end, the pieces between in order."""
    end = len(text) - len(tail)
    if end < len(head) or not text.startswith(head) or not text.endswith(tail):
        return False
    at = len(head)
    for piece in middle:
        found = text.find(piece, at, end)
        if found < 0:
            return False
        at = found + len(piece)
    return True


@dataclass(frozen=True, repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class Step:
    """One link of a taint chain: ``rule`` reads ``read`` and writes ``write`` (None at the end)."""

    rule: RoutingRule
    read: Read
    write: Write | None
    pattern: str | None = None

    def evidence(self) -> E.ChainStep:
        return E.ChainStep(
            rule=self.rule.id,
            rule_name=self.rule.name,
            kind=self.rule.kind,
            reads=self.read.field,
            condition=self.read.text,
            read_at=self.read.location,
            writes=self.write.target if self.write else None,
            write_at=self.write.location if self.write else None,
            matched_pattern=self.pattern,
        )


@dataclass(frozen=True, repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class _Origin:
    """Why a derived name is tainted: ``step`` wrote it after reading a tainted name."""

    step: Step


#: What a statement's set looks for in a read: the pattern it matches, or None.
Matcher = Callable[[Read], str | None]


def field_matcher(patterns: Sequence[str], names: Iterable[str] = ()) -> Matcher:
    """Reads of a field whose name matches ``patterns``; ``names``: the fields the reads will name
    (judged at once, see :func:`_first_patterns`)."""
    frozen = tuple(patterns)
    seen = _names_matched(names, frozen)  # field name → pattern, for this statement's many reads

    def match(rd: Read) -> str | None:
        name = rd.field
        if name not in seen:
            seen[name] = _match(name, frozen)
        return seen[name]

    return match


def value_matcher(values: ast.ValueSet, compared: Iterable[str] = ()) -> Matcher:
    """Reads comparing a field with a value matching the set (tags: the tag name, field ``tags``);
    ``compared``: the values the reads will compare with (judged at once, see :func:`_first_patterns`)."""
    patterns = tuple(values.patterns)
    fields = tuple(values.fields)
    scope = values.scope
    known = tuple(compared)
    first = _first_patterns([v.strip().lower() for v in known], patterns)
    value_hit = {v: patterns[n] if n < len(patterns) else None for v, n in zip(known, first, strict=True)}

    def hit_of(value: str) -> str | None:
        return value_hit[value] if value in value_hit else _match_value(value, patterns)

    # Remembered per values compared, not per (field, values): an export compares far fewer distinct
    # values than it has distinct reads, and where the field stands matters only for a hit.
    hits: dict[tuple[str, ...], str | None] = {}  # values compared → the pattern one of them matches
    inside: dict[str, bool] = {}  # field → whether it stands among the set's fields

    def match(rd: Read) -> str | None:
        found = rd.values
        if found in hits:
            hit = hits[found]
        else:
            hit = hits[found] = next((h for v in found if (h := hit_of(v)) is not None), None)
        if hit is None or scope is None:
            return hit
        field = rd.field
        within = inside.get(field)
        if within is None:
            name = "tags" if field.lower().startswith("tag:") else field
            within = inside[field] = _match(name, fields) is not None
        return hit if within == (scope == "in") else None

    return match


@lru_cache(maxsize=65536)
def _match_value(value: str, patterns: tuple[str, ...]) -> str | None:
    text = value.strip().lower()
    for pattern, test in zip(patterns, _compiled(patterns), strict=True):
        if test(text):
            return pattern
    return None


def _direct_sources(index: ReadIndex, matcher: Matcher) -> Iterator[tuple[RoutingRule, Read, str]]:
    """Each rule's first read that the set matches directly, with the pattern it matched (each
    distinct read is matched once)."""
    patterns = {key: p for key, (rd, _at) in index.reads.items() if (p := matcher(rd)) is not None}
    for rule in index.rules_reading(set(patterns)):
        rd = next(rd for rd in rule.reads if (rd.field, rd.values) in patterns)
        yield rule, rd, patterns[rd.field, rd.values]


def taint(model: RoutingModel, patterns: Sequence[str] | Matcher) -> dict[str, _Origin]:
    """Derived names tainted by ``patterns`` (field globs, or a matcher), each with a shortest derivation.

    A worklist over names: linear in the number of reads and writes of the rules that derive names.
    """
    matcher = field_matcher(patterns) if not callable(patterns) else patterns
    readers = model.deriving_readers
    tainted: dict[str, _Origin] = {}
    queue: deque[str] = deque()

    def mark(rule: RoutingRule, source: Read, pattern: str | None) -> None:
        for w in rule.writes:
            key = w.target.lower()
            if key not in tainted and key != source.field.lower():
                tainted[key] = _Origin(Step(rule, source, w, pattern))
                queue.append(key)

    for rule, rd, pattern in _direct_sources(model.deriving_reads, matcher):
        mark(rule, rd, pattern)
    while queue:
        for rule, rd in readers.get(queue.popleft(), ()):
            mark(rule, rd, None)
    return tainted


def chain(read: Read, rule: RoutingRule, tainted: dict[str, _Origin], patterns: Sequence[str] | Matcher) -> list[Step]:
    """The derivation chain ending in ``rule`` reading ``read``: origin first, the routing rule last."""
    matcher = field_matcher(patterns) if not callable(patterns) else patterns
    steps: list[Step] = [Step(rule, read, None, matcher(read))]
    seen: set[str] = set()
    current = read
    while True:
        name = current.field.lower()
        if name not in tainted or name in seen:
            break
        seen.add(name)
        origin = tainted[name].step
        steps.append(origin)
        current = origin.read
    steps.reverse()
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


@dataclass(frozen=True, repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class RoutingContext:
    """What the caller knows beyond the export: declared channels, channels seen in ticket data,
    and the input's label when several routing inputs are checked in one run."""

    declared_channels: DeclaredChannels | None = None
    ticket_channels: DeclaredChannels | None = None
    label: str | None = None
    #: Channel universes already worked out in this run, by (policy, model): each SLA and priority
    #: statement of each rule asks for one, and working it out walks every rule of the export.
    universes: dict[tuple[int, int], tuple[ast.Policy, RoutingModel, ChannelUniverse]] = field(
        default_factory=dict, init=False
    )
    #: The field names and the values compared in the distinct reads of a model's routing and
    #: deriving rules (what every field or value set of every rule is matched against), by model.
    read_texts: dict[int, tuple[RoutingModel, tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict, init=False
    )


def input_labels(models: Sequence[RoutingModel]) -> dict[int, str]:
    """Labels by ``id(model)`` when several routing inputs are checked in one run, so each finding
    names its input: the file when the input is one file, else the input's name (a directory)."""
    if len(models) < 2:
        return {}
    return {id(m): m.inputs[0].path if len(m.inputs) == 1 else m.name for m in models}


class RuleContext:
    """The rule being evaluated plus its policy and input, to resolve sets and build findings."""

    def __init__(
        self, policy: ast.Policy, rule: ast.Rule, model: RoutingModel, context: RoutingContext | None = None
    ) -> None:
        self.policy = policy
        self.rule = rule
        self.model = model
        self.context = context or RoutingContext()
        self.severity = Severity(rule.severity)

    def patterns(self, ref: ast.SetRef) -> tuple[str, ...]:
        d = self.policy.define(ref.name)
        assert d is not None and isinstance(d.value, ast.FieldSet), "checked by lang.check"
        return d.value.patterns

    def matcher(self, ref: ast.SetRef) -> tuple[Matcher, list[str], bool]:
        """The read matcher of a field or value set, its patterns (for evidence), and whether it
        matches values (findings then quote the condition, not only the field)."""
        d = self.policy.define(ref.name)
        assert d is not None and isinstance(d.value, (ast.FieldSet, ast.ValueSet)), "checked by lang.check"
        names, values = self.read_texts()
        if isinstance(d.value, ast.ValueSet):
            return value_matcher(d.value, values), list(d.value.patterns), True
        return field_matcher(d.value.patterns, names), list(d.value.patterns), False

    def read_texts(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The field names and the values compared in the model's distinct reads (worked out once a run)."""
        known = self.context.read_texts.get(id(self.model))
        # the entry holds the model it was made for, so the id cannot have been reused meanwhile
        if known is not None and known[0] is self.model:
            return known[1], known[2]
        keys = [*self.model.deriving_reads.reads, *self.model.routing_reads.reads]
        names = tuple(dict.fromkeys(name for name, _values in keys))
        values = tuple(dict.fromkeys(v for _name, found in keys for v in found))
        self.context.read_texts[id(self.model)] = (self.model, names, values)
        return names, values

    def channels(self, ref: ast.SetRef) -> tuple[str, ...]:
        d = self.policy.define(ref.name)
        assert d is not None and isinstance(d.value, ast.ChannelSet), "checked by lang.check"
        return canonical_names(d.value.channels)

    def universe(self) -> ChannelUniverse:
        ctx = self.context
        key = (id(self.policy), id(self.model))
        known = ctx.universes.get(key)
        # the entry holds the policy and model it was made for, so their ids cannot be reused meanwhile
        if known is not None and known[0] is self.policy and known[1] is self.model:
            return known[2]
        universe = channel_universe(self.policy, self.model, ctx.declared_channels, ctx.ticket_channels)
        ctx.universes[key] = (self.policy, self.model, universe)
        return universe

    def finding(
        self, status: Status, message: str, evidence: E.Evidence, locations: Iterable[Location] = ()
    ) -> Finding:
        unique = tuple(dict.fromkeys(locations))  # first occurrence of each, in order (linear)
        if self.context.label is not None:
            message = f"{self.context.label}: {message}"
        return Finding(self.rule.id, self.rule.title, self.severity, status, message, evidence, unique)


#: Which gaps concern which statement.
_GAP_SCOPES: dict[type, frozenset[str]] = {
    ast.MustNotRead: frozenset({"rules", "all"}),
    ast.MayReadOnly: frozenset({"rules", "all"}),
    ast.SlaCoverage: frozenset({"sla", "all"}),
    ast.SlaEqual: frozenset({"sla", "all"}),
    ast.PriorityEqual: frozenset({"rules", "all"}),
}


def evaluate_routing(
    policy: ast.Policy, rule: ast.Rule, model: RoutingModel, context: RoutingContext | None = None
) -> list[Finding]:
    """All findings of ``rule``'s routing statements on ``model``.

    A statement whose evidence is known to be partial or not understood (``model.gaps``) is never
    passed: its ``pass`` becomes ``inconclusive`` with the gaps as the reason.
    """
    ctx = RuleContext(policy, rule, model, context)
    findings: list[Finding] = []
    for st in rule.routing_statements:
        if isinstance(st, ast.MustNotRead):
            found = must_not_read(ctx, st, model)
        elif isinstance(st, ast.MayReadOnly):
            found = may_read_only(ctx, st, model)
        elif isinstance(st, ast.SlaCoverage):
            found = sla_coverage(ctx, model)
        elif isinstance(st, ast.SlaEqual):
            found = sla_equal(ctx, st, model)
        elif isinstance(st, ast.PriorityEqual):
            from auditrules.routing.parity import priority_equal

            found = priority_equal(ctx, st, model)
        else:  # pragma: no cover - lang.check admits only the statements above
            continue
        scopes = _GAP_SCOPES.get(type(st), frozenset({"all"}))
        gaps = [g for g in model.gaps if g.scope in scopes]
        findings.extend(_not_passed(f, gaps) for f in found)
    return _once(findings)


def _once(findings: list[Finding]) -> list[Finding]:
    """``findings`` without not-auditable notes that repeat: the same note from another statement of
    the rule, or a note on a routing rule the rule fails anyway."""
    failing = {getattr(f.evidence, "routing_rule", None) for f in findings if f.status is Status.FAIL}
    out: list[Finding] = []
    seen: set[str] = set()
    for f in findings:
        ev = f.evidence
        if ev.KIND == "routing-not-auditable":  # by name: its class is imported only where one is made
            if getattr(ev, "routing_rule", None) in failing or f.message in seen:
                continue
            seen.add(f.message)
        out.append(f)
    return out


def _not_passed(finding: Finding, gaps: Sequence[Gap]) -> Finding:
    """``finding`` unless it passes on evidence with gaps: then ``inconclusive``, saying what is missing."""
    if finding.status is not Status.PASS or not gaps:
        return finding
    reasons = tuple(dict.fromkeys(g.reason for g in gaps))
    base = finding.evidence
    assert isinstance(base, E.RoutingEvidence)
    evidence = E.RoutingIncomplete(base.statement, base.routing, base.format, would_pass=finding.message, gaps=reasons)
    message = f"{finding.message}, but the evidence is incomplete or not understood: {'; '.join(reasons)}"
    locations = finding.locations + tuple(g.location for g in gaps if g.location is not None)
    return Finding(finding.rule_id, finding.title, finding.severity, Status.INCONCLUSIVE, message, evidence, locations)


def _base_evidence(model: RoutingModel, statement: str) -> E.RoutingStatement:
    return E.RoutingStatement(statement, model.name, model.format)


def _routing_rules(model: RoutingModel) -> list[RoutingRule]:
    return list(model.routing_rules)


def _nothing_to_judge(ctx: RuleContext, model: RoutingModel, statement: str) -> Finding:
    inactive = sum(1 for r in model.rules if not r.active and r.routes)
    why = f" ({inactive} inactive ones are not analysed)" if inactive else ""
    evidence = _base_evidence(model, statement)
    return ctx.finding(
        Status.NOT_EVALUATED,
        f"the {model.format} export '{model.name}' holds no active routing rule to check{why}",
        evidence,
    )


def must_not_read(ctx: RuleContext, st: ast.MustNotRead, model: RoutingModel) -> list[Finding]:
    matcher, patterns, by_value = ctx.matcher(st.fields)
    tainted = taint(model, matcher)
    statement = f"routing must not read {st.fields.name}"
    findings: list[Finding] = []
    routing_rules = _routing_rules(model)
    read_names = model.read_names
    index = model.routing_reads  # each distinct read is judged once
    hits = {key for key, (rd, _at) in index.reads.items() if (tainted and key[0].lower() in tainted) or matcher(rd)}
    offenders = index.rules_reading(hits)
    for rule in offenders:
        offending = [rd for rd in rule.reads if (rd.field, rd.values) in hits]
        findings.append(_routed_on(ctx, statement, rule, offending, (tainted, matcher, by_value)))
    if model.has_opaque_reads:  # else no rule has a read to note: no list of the others to build
        failing = {rule.id for rule in offenders}
        findings.extend(not_auditable(ctx, model, statement, [r for r in routing_rules if r.id not in failing]))
    # derivations nothing reads yet
    for name, derivation in sorted(tainted.items()):
        if name in read_names:
            continue
        step = derivation.step
        assert step.write is not None
        message = (
            f"{step.rule.kind} '{step.rule.name}' derives {step.write.target} from {step.read.field}; "
            "no rule reads it yet, but any rule that does will route on it"
        )
        evidence = E.RoutingDerivation(
            statement, model.name, model.format, derived=step.write.target, chain=(step.evidence(),)
        )
        locs = [_note(step.read.location, step.read.text), _note(step.write.location, f"writes {step.write.target}")]
        findings.append(ctx.finding(Status.WARN, message, evidence, locs))
    if not any(f.status is Status.FAIL for f in findings):
        if not routing_rules:
            findings.insert(0, _nothing_to_judge(ctx, model, statement))
            return findings
        checked = E.RoutingReadsChecked(
            statement,
            model.name,
            model.format,
            routing_rules_checked=len(routing_rules),
            inactive_rules_skipped=sum(1 for r in model.rules if not r.active),
            patterns=tuple(patterns),
        )
        what = "compares a field with a value of" if by_value else "reads"
        findings.insert(
            0,
            ctx.finding(
                Status.PASS,
                f"none of {len(routing_rules)} routing rules {what} {st.fields.name}, directly or through a "
                "derived tag or field",
                checked,
            ),
        )
    return findings


def not_auditable(ctx: RuleContext, model: RoutingModel, statement: str, rules: Sequence[RoutingRule]) -> list[Finding]:
    """A ``warn`` per routing rule that decides on a value the export cannot show (``Read.opaque``):
    a Lambda's answer, a formula, Apex. Such a decision is never a silent pass."""
    out: list[Finding] = []
    if not model.has_opaque_reads:
        return out
    for rule in rules:
        opaque = [rd for rd in rule.reads if rd.opaque is not None]
        if not opaque:
            continue
        from auditrules import opaque_evidence as OE  # only some vendors' exports need its classes

        why = "; ".join(sorted({f"{rd.field}: {rd.opaque}" for rd in opaque}))
        message = (
            f"{rule.kind} '{rule.name}' decides {_effects_text(rule)} on values the export cannot show ({why}); "
            "not auditable from the file"
        )
        evidence = OE.RoutingNotAuditable(
            statement,
            model.name,
            model.format,
            routing_rule=rule.id,
            effects=tuple(E.Effect(e.kind, e.value) for e in rule.effects),
            not_auditable=tuple(OE.OpaqueRead(rd.field, rd.opaque or "") for rd in opaque),
        )
        locs = [_note(rd.location, f"{rule.name}: {rd.text or rd.field}") for rd in opaque]
        out.append(ctx.finding(Status.WARN, message, evidence, locs))
    return out


def _routed_on(
    ctx: RuleContext,
    statement: str,
    rule: RoutingRule,
    offending: list[Read],
    taint_of: tuple[dict[str, _Origin], Matcher, bool],
) -> Finding:
    tainted, matcher, by_value = taint_of
    model = ctx.model
    steps = chain(offending[0], rule, tainted, matcher)
    origin = steps[0]
    via = [s.write.target for s in steps if s.write is not None]

    def shown(rd: Read) -> str:
        return (rd.text or rd.field) if by_value and matcher(rd) is not None else rd.field

    reads_text = ", ".join(sorted({shown(rd) for rd in offending}))
    message = f"{rule.kind} '{rule.name}' routes on {reads_text}"
    if via:
        message += f", derived from {shown(origin.read)} through " + " → ".join(via)
    message += f" ({_effects_text(rule)})"
    evidence = E.RoutingChain(
        statement,
        model.name,
        model.format,
        routing_rule=rule.id,
        reads=tuple(sorted({rd.field for rd in offending})),
        effects=tuple(E.Effect(e.kind, e.value) for e in rule.effects),
        chain=tuple(s.evidence() for s in steps),
        explanation=_describe_chain(steps),
    )
    locations: list[Location] = []
    for s in steps:
        locations.append(_note(s.read.location, f"{s.rule.name}: {s.read.text or s.read.field}"))
        if s.write is not None:
            locations.append(_note(s.write.location, f"{s.rule.name}: writes {s.write.target}"))
    for rd in offending[1:]:
        locations.append(_note(rd.location, f"{rule.name}: {rd.text or rd.field}"))
    return ctx.finding(Status.FAIL, message, evidence, locations)


def _note(loc: Location, note: str) -> Location:
    return Location(loc.path, loc.line, loc.column, loc.pointer, note)


def allowed_names(model: RoutingModel, patterns: Sequence[str]) -> set[str]:
    """Names (lower-case) a routing rule may read under ``routing may read only``: those matching
    ``patterns``, and derived names every writer of which reads only allowed names (least fixed
    point: a derivation cycle is not allowed). Linear: each read of a writer is counted down once."""
    frozen = tuple(patterns)
    active = [r for r in model.rules if r.active]
    # derived name → how many reads of its writers are not yet allowed
    pending: dict[str, int] = {}
    for rule in active:
        for w in rule.writes:
            pending[w.target.lower()] = pending.get(w.target.lower(), 0) + len(rule.reads)
    dependents: dict[str, list[str]] = {}
    for rule in active:
        for w in rule.writes:
            for rd in rule.reads:
                dependents.setdefault(rd.field.lower(), []).append(w.target.lower())
    names = {rd.field.lower(): rd.field for r in active for rd in r.reads}
    seeds = {key for key, name in names.items() if _match(name, frozen) is not None}
    seeds |= {key for key, count in pending.items() if count == 0 or _match(key, frozen) is not None}
    allowed = set(seeds)
    queue: deque[str] = deque(sorted(seeds))
    while queue:
        for name in dependents.get(queue.popleft(), ()):
            pending[name] -= 1
            if pending[name] == 0 and name not in allowed:
                allowed.add(name)
                queue.append(name)
    return allowed


def may_read_only(ctx: RuleContext, st: ast.MayReadOnly, model: RoutingModel) -> list[Finding]:
    from auditrules import allowed_evidence as AE  # no bundled rule has an allow-list

    patterns = ctx.patterns(st.fields)
    statement = f"routing may read only {st.fields.name}"
    allowed = allowed_names(model, patterns)
    findings: list[Finding] = []
    routing_rules = _routing_rules(model)
    findings.extend(not_auditable(ctx, model, statement, routing_rules))
    for rule in routing_rules:
        bad = [
            rd
            for rd in rule.reads
            if rd.opaque is None and rd.field.lower() not in allowed and not matches_set(rd.field, patterns)
        ]
        if not bad:
            continue
        names = sorted({rd.field for rd in bad})
        evidence = AE.RoutingOutsideAllowed(
            statement,
            model.name,
            model.format,
            routing_rule=rule.id,
            not_allowed=tuple(names),
            allowed_patterns=tuple(patterns),
        )
        message = f"{rule.kind} '{rule.name}' reads {', '.join(names)}, outside {st.fields.name}"
        findings.append(
            ctx.finding(Status.FAIL, message, evidence, [_note(rd.location, rd.text or rd.field) for rd in bad])
        )
    if not any(f.status is Status.FAIL for f in findings):
        if not routing_rules:
            return [_nothing_to_judge(ctx, model, statement)]
        checked = AE.RoutingOnlyAllowed(
            statement,
            model.name,
            model.format,
            routing_rules_checked=len(routing_rules),
            allowed_patterns=tuple(patterns),
        )
        findings.append(
            ctx.finding(Status.PASS, f"all {len(routing_rules)} routing rules read only {st.fields.name}", checked)
        )
    return findings


def _no_sla(ctx: RuleContext, model: RoutingModel, statement: str) -> Finding | None:
    """A ``not_evaluated`` finding when the export's SLA data cannot answer ``statement``, else None."""
    evidence = _base_evidence(model, statement)
    if not model.has_sla_data:
        return ctx.finding(
            Status.NOT_EVALUATED,
            f"the {model.format} export '{model.name}' contains no SLA policies to check",
            evidence,
        )
    unfiltered = [p for p in model.sla_policies if not p.filter_known]
    if unfiltered:
        names = ", ".join(_policy_labels(model.sla_policies)[id(p)] for p in unfiltered)
        return ctx.finding(
            Status.NOT_EVALUATED,
            f"SLA policies {names} come without their filters (a warehouse copy): which channels they cover "
            "cannot be determined; export sla_policies.json from the help desk's API",
            evidence,
            [p.location for p in unfiltered],
        )
    return None


def _policy_labels(policies: Sequence[SlaPolicy]) -> dict[int, str]:
    """``'name'`` for each policy; ``'name' (id …)`` when two policies share a name."""
    counts: dict[str, int] = {}
    for p in policies:
        counts[p.name] = counts.get(p.name, 0) + 1
    out: dict[int, str] = {}
    for p in policies:
        twin = counts[p.name] > 1
        out[id(p)] = f"'{p.name}' (id {p.id or p.order})" if twin else f"'{p.name}'"
    return out


def sla_coverage(ctx: RuleContext, model: RoutingModel) -> list[Finding]:
    statement = "sla must cover every channel"
    missing = _no_sla(ctx, model, statement)
    if missing is not None:
        return [missing]
    universe = ctx.universe()
    labels = _policy_labels(model.sla_policies)
    if not universe.channels:
        evidence = _base_evidence(model, statement)
        return [ctx.finding(Status.NOT_EVALUATED, f"no channels to check coverage for ({universe.source})", evidence)]
    findings: list[Finding] = []
    covered: dict[str, list[str]] = {}
    for channel in universe.channels:
        full = [p for p in model.sla_policies if p.applies_to(channel) and not p.conditions]
        partial = [p for p in model.sla_policies if p.applies_to(channel) and p.conditions]
        if full:
            covered[channel] = [p.name for p in full]
            continue
        gap = E.SlaCoverageGap(
            statement,
            model.name,
            model.format,
            channel=channel,
            partial_policies=tuple(p.name for p in partial),
            channels=universe.channels,
            channels_source=universe.source,
        )
        if partial:
            conds = "; ".join(f"{labels[id(p)]} only where {' and '.join(p.conditions)}" for p in partial)
            message = f"channel {channel} is covered only in part: {conds}"
            locs = [p.location for p in partial]
        else:
            message = f"no SLA policy covers channel {channel}"
            locs = []
        findings.append(ctx.finding(Status.FAIL, message, gap, locs))
    if not findings:
        full_cover = E.SlaCoverage(
            statement,
            model.name,
            model.format,
            covered={c: tuple(names) for c, names in covered.items()},
            channels=universe.channels,
            channels_source=universe.source,
        )
        findings.append(
            ctx.finding(
                Status.PASS,
                f"every channel ({', '.join(universe.channels)}; from {universe.source}) has an SLA policy",
                full_cover,
            )
        )
    return findings


def _target_label(t: SlaTarget) -> str:
    label = format_duration(t.seconds)
    if t.share is not None:
        label = f"{t.share:.0%} within {label}"
    return label + (" (business hours)" if t.business_hours else "")


def _effective_targets(
    policies: Sequence[SlaPolicy], channels: Sequence[str], metric: str | None
) -> dict[str, dict[tuple[str, str], tuple[SlaTarget, SlaPolicy]]]:
    """channel → (metric, priority) → (target, policy); the first applicable policy wins. A target
    without a priority (ALL_PRIORITIES) applies to every priority named anywhere."""
    named = sorted({t.priority for p in policies for t in p.targets if t.priority != ALL_PRIORITIES})
    table: dict[str, dict[tuple[str, str], tuple[SlaTarget, SlaPolicy]]] = {c: {} for c in channels}
    for channel in channels:
        for policy in policies:
            if not policy.applies_to(channel):
                continue
            for t in policy.targets:
                if metric is not None and t.metric != metric:
                    continue
                for prio in (named or [ALL_PRIORITIES]) if t.priority == ALL_PRIORITIES else [t.priority]:
                    table[channel].setdefault((t.metric, prio), (t, policy))
    return table


def _scopes(
    policies: Sequence[SlaPolicy], channels: Sequence[str]
) -> list[tuple[str | None, list[SlaPolicy], list[str]]]:
    """(scope, its policies, its channels): unscoped policies cover the whole desk; a scope (a
    queue) is compared with itself, over the channels its own policies name."""
    out: list[tuple[str | None, list[SlaPolicy], list[str]]] = []
    if any(p.scope is None for p in policies):
        out.append((None, [p for p in policies if p.scope is None], list(channels)))
    for scope in sorted({p.scope for p in policies if p.scope is not None}):
        own = [p for p in policies if p.scope == scope]
        chans = [c for c in channels if any(p.applies_to(c) for p in own)]
        out.append((scope, [p for p in policies if p.scope in (None, scope)], chans))
    return out


def _delay_findings(ctx: RuleContext, model: RoutingModel, statement: str) -> list[Finding]:
    """Deliberate waits (TaskRouter park steps) act like a longer target for the tasks they hold."""
    out: list[Finding] = []
    for delay in model.delays:
        evidence = E.SlaDelay(
            statement, model.name, model.format, rule=delay.rule, seconds=delay.seconds, applies_to=delay.applies_to
        )
        message = (
            f"'{delay.rule}' holds {delay.applies_to} for {format_duration(delay.seconds)} before the next "
            "target is tried: a delay only those tasks get, like a longer SLA target"
        )
        out.append(ctx.finding(Status.WARN, message, evidence, [delay.location]))
    return out


def sla_equal(ctx: RuleContext, st: ast.SlaEqual, model: RoutingModel) -> list[Finding]:
    across = "channel" if st.across is None else st.across.name
    statement = f"sla targets must be equal across {across} per priority" + (f" for {st.metric}" if st.metric else "")
    delays = _delay_findings(ctx, model, statement)
    missing = _no_sla(ctx, model, statement)
    if missing is not None:
        return [missing, *delays]
    if st.across is None:
        universe = ctx.universe()
    else:
        universe = ChannelUniverse(ctx.channels(st.across), f"the policy's set '{st.across.name}'")
    channels = list(universe.channels)
    if len(channels) < 2:
        evidence = _base_evidence(model, statement)
        why = f"only {channels[0]}" if channels else "none"
        return [
            ctx.finding(
                Status.NOT_EVALUATED,
                f"nothing to compare: {why} of the channels to judge ({universe.source})",
                evidence,
            ),
            *delays,
        ]
    ordered = sorted(model.sla_policies, key=lambda p: (p.order, p.name))
    labels = _policy_labels(model.sla_policies)
    findings: list[Finding] = []
    compared = targets = 0
    for scope, policies, scope_channels in _scopes(ordered, channels):
        table = _effective_targets(policies, scope_channels, st.metric)
        keys = sorted({k for per in table.values() for k in per})
        targets += len(keys)
        for metric, priority in keys:
            for cls, chans in like_for_like(scope_channels, metric in CROSS_CLASS_METRICS):
                compared += 1
                row = {c: table[c].get((metric, priority)) for c in chans}
                values = {(v[0].seconds, v[0].business_hours, v[0].share) if v else None for v in row.values()}
                if len(values) > 1:
                    key = (scope, cls, metric, priority)
                    findings.append(_unequal(ctx, model, statement, key, row, labels, universe))
    if not findings:
        findings.append(_sla_equal_summary(ctx, model, statement, (targets, compared), universe, st.metric))
    return findings + delays


def _sla_equal_summary(
    ctx: RuleContext,
    model: RoutingModel,
    statement: str,
    counts: tuple[int, int],
    universe: ChannelUniverse,
    metric: str | None,
) -> Finding:
    targets, compared = counts
    if not targets:
        what = f" for {metric}" if metric else ""
        message = f"the SLA policies hold no target{what} to compare"
        return ctx.finding(Status.NOT_EVALUATED, message, _base_evidence(model, statement))
    if not compared:
        message = (
            f"nothing to compare like for like: no two channels of one class have SLA targets "
            f"({', '.join(universe.channels)}; from {universe.source})"
        )
        return ctx.finding(Status.NOT_EVALUATED, message, _base_evidence(model, statement))
    classes = "; ".join(f"{cls}: {', '.join(ch)}" for cls, ch in like_for_like(universe.channels))
    message = (
        f"{compared} SLA target comparisons agree: every channel has the targets of the others of its class "
        f"({classes}; from {universe.source})"
    )
    evidence = E.SlaTargetsEqual(
        statement,
        model.name,
        model.format,
        targets_compared=compared,
        channels=universe.channels,
        channels_source=universe.source,
    )
    return ctx.finding(Status.PASS, message, evidence)


def _unequal(
    ctx: RuleContext,
    model: RoutingModel,
    statement: str,
    key: tuple[str | None, str, str, str],
    row: dict[str, tuple[SlaTarget, SlaPolicy] | None],
    labels: dict[int, str],
    universe: ChannelUniverse,
) -> Finding:
    scope, cls, metric, priority = key
    locs: list[Location] = []
    groups: dict[str, list[str]] = {}
    for c, v in row.items():
        if v is None:
            groups.setdefault("none", []).append(c)
            continue
        label = _target_label(v[0])
        groups.setdefault(f"{label} by {labels[id(v[1])]}", []).append(c)
        for_prio = "every priority" if priority == ALL_PRIORITIES else priority
        locs.append(_note(v[0].location, f"{v[1].name}: {metric} {label} for {for_prio}"))
    parts = [f"{', '.join(chans)}: {label}" for label, chans in sorted(groups.items(), key=lambda kv: kv[0])]
    prio = "every priority" if priority == ALL_PRIORITIES else f"priority {priority}"
    between = "by channel" if cls == "all" else f"between {cls} channels"
    where = "" if scope is None else f" in {scope}"
    message = f"{metric} target for {prio} differs {between}{where} — " + "; ".join(parts)
    evidence = E.SlaTargets(
        statement,
        model.name,
        model.format,
        metric=metric,
        priority=priority,
        targets=tuple(_target_row(c, v) for c, v in row.items()),
        channels=universe.channels,
        channels_source=universe.source,
        channel_class=cls,
        scope=scope,
    )
    return ctx.finding(Status.FAIL, message, evidence, locs)


def _target_row(channel: str, effective: tuple[SlaTarget, SlaPolicy] | None) -> E.SlaTargetRow:
    if effective is None:
        return E.SlaTargetRow(channel, None, None, None)
    target, policy = effective
    return E.SlaTargetRow(channel, target.seconds, target.business_hours, policy.name, target.share)


__all__ = [
    "RoutingContext",
    "allowed_names",
    "chain",
    "evaluate_routing",
    "input_labels",
    "matches_set",
    "taint",
    "value_matcher",
]
