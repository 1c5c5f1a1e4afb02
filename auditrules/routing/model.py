"""The one routing model every adapter produces and the static analysis consumes.

Names are normalised so that analysis never sees vendor ids:

* a field read or written is its resolved name (``klout_score``, ``requester_twitter_followers_count``,
  ``customer.klout_score``); an id that cannot be resolved keeps its raw spelling;
* a tag is ``tag:<name>`` (``tag:vip``);
* channels are canonical names from :mod:`auditrules.channels` (``email``, ``web``, ``chat``,
  ``twitter``, ``facebook``, ``phone``, ``api``, ...);
* priorities are normalised once, here: a :class:`Priority` has a ``rank`` where lower is always
  served first, whatever the vendor's direction (TaskRouter: higher first; Salesforce
  ``routingPriority`` and Amazon Connect ``QueuePriority``: lower first; Zendesk and Freshdesk
  names: urgent > high > normal/medium > low), and keeps the vendor's ``raw`` value for display.

What an adapter could not read completely is recorded, not dropped: ``RoutingModel.gaps`` (missing
pages, files or expressions not understood, unnamed custom fields) keep the analysis from passing a
statement on partial evidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from auditrules.findings import Diagnostic, Finding, InputFile, Location, set_field

if TYPE_CHECKING:
    from auditrules.documents import Document

#: Routing effects: what a rule may change that decides who serves a customer, how fast.
EFFECT_KINDS: frozenset[str] = frozenset(
    {"queue", "group", "assignee", "priority", "sla", "form", "notify", "worker", "timeout", "status"}
)


#: Named priority levels (every vendor that names them) → rank; lower is served first.
NAMED_PRIORITIES: Final[Mapping[str, int]] = MappingProxyType(
    {"urgent": 0, "high": 1, "normal": 2, "medium": 2, "low": 3}
)

#: The scale of named priorities: ranks of named values compare across vendors.
NAMED_SCALE = "named"


@dataclass(frozen=True, repr=False)
class Priority:
    """A routing priority normalised once: a lower ``rank`` is always served first.

    ``raw`` is the vendor's value as written (for display); ``scale`` says which ranks compare:
    two priorities compare only when their scales are equal (``named`` for urgent/high/normal/low,
    else the vendor's numeric scale, e.g. ``taskrouter``).
    """

    rank: float
    raw: str
    scale: str

    def comparable(self, other: Priority) -> bool:
        return self.scale == other.scale

    def served_before(self, other: Priority) -> bool:
        """Whether work at this priority is served before work at ``other`` (same scale only)."""
        return self.comparable(other) and self.rank < other.rank


@dataclass(frozen=True, repr=False)
class PriorityScale:
    """How one vendor writes priorities.

    ``higher_first``: numeric values where a larger number is served first (TaskRouter, Freshdesk
    codes); ``codes``: numeric codes that stand for named levels (Freshdesk 1..4 → low..urgent).
    Names in :data:`NAMED_PRIORITIES` are always read as named levels.
    """

    name: str
    higher_first: bool = False
    codes: Mapping[str, str] = field(default_factory=dict)

    def normalise(self, raw: object) -> Priority | None:
        """``raw`` as a :class:`Priority`; None when it is no priority this scale understands
        (empty, a placeholder, an expression computed elsewhere)."""
        if raw is None or isinstance(raw, (bool, dict, list)):
            return None
        text = str(raw).strip()
        key = text.lower()
        key = self.codes.get(key, key)
        if key in NAMED_PRIORITIES:
            return Priority(float(NAMED_PRIORITIES[key]), text, NAMED_SCALE)
        try:
            number = float(text)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return Priority(-number if self.higher_first else number, text, self.name)

    def describe(self, raw: str) -> str:
        """``raw`` for display: a numeric code with the level it stands for (Freshdesk ``4 (urgent)``)."""
        name = self.codes.get(raw.strip().lower())
        return raw if name is None else f"{raw} ({name})"


#: Each format's priority scale (by :attr:`RoutingModel.format`). Canonical ``route.priority``:
#: integers where 1 is served first, or urgent/high/normal/low.
PRIORITY_SCALES: Final[Mapping[str, PriorityScale]] = MappingProxyType(
    {
        "canonical": PriorityScale("canonical"),
        "zendesk": PriorityScale("zendesk"),
        "taskrouter": PriorityScale("taskrouter", higher_first=True),
        "salesforce": PriorityScale("salesforce"),
        "connect": PriorityScale("connect"),
        "freshdesk": PriorityScale(
            "freshdesk",
            higher_first=True,
            codes=MappingProxyType({"1": "low", "2": "medium", "3": "high", "4": "urgent"}),
        ),
        "genesys": PriorityScale("genesys", higher_first=True),
    }
)


@dataclass(frozen=True, init=False, repr=False)
class Read:
    """A rule reads ``field`` (a resolved field name or ``tag:x``) at ``location``.

    ``text`` is a short human rendering of the condition (``requester_twitter_followers_count > 5000``);
    ``values`` the constants the condition compares the field with (``"VIP"``, each item of an
    ``IN`` list; a tag condition's tag name), as written, for value sets.
    ``opaque`` says why the value read cannot be audited from the export (a Lambda's answer, a
    formula, Apex); None when it can. A decision on an opaque read is reported, never passed.

    Reads, writes, effects and rules are made by the thousand from a large export: their
    ``__init__`` is written out (see :data:`~auditrules.findings.set_field`).
    """

    field: str
    location: Location
    text: str = ""
    values: tuple[str, ...] = ()
    opaque: str | None = None

    def __init__(
        self, field: str, location: Location, text: str = "", values: tuple[str, ...] = (), opaque: str | None = None
    ) -> None:
        set_field(self, "field", field)
        set_field(self, "location", location)
        set_field(self, "text", text)
        set_field(self, "values", values)
        set_field(self, "opaque", opaque)


@dataclass(frozen=True, init=False, repr=False)
class Write:
    """A rule writes a derived name: ``tag:x`` (set/add tags) or a custom field name."""

    target: str
    location: Location
    text: str = ""

    def __init__(self, target: str, location: Location, text: str = "") -> None:
        set_field(self, "target", target)
        set_field(self, "location", location)
        set_field(self, "text", text)


@dataclass(frozen=True, init=False, repr=False)
class Effect:
    """A routing effect: ``kind`` in EFFECT_KINDS, ``value`` as written in the export.

    ``priority`` (kind ``priority`` only) is the normalised priority when the adapter computed it;
    otherwise :meth:`RoutingModel.priority_of` normalises ``value`` with the format's scale.
    """

    kind: str
    value: str
    location: Location
    priority: Priority | None = None

    def __init__(self, kind: str, value: str, location: Location, priority: Priority | None = None) -> None:
        set_field(self, "kind", kind)
        set_field(self, "value", value)
        set_field(self, "location", location)
        set_field(self, "priority", priority)


@dataclass(frozen=True, init=False, repr=False)
class RoutingRule:
    """One trigger, automation, macro, view, TaskRouter filter/target or canonical rule.

    ``order`` is the evaluation position (first match wins in TaskRouter and canonical routing);
    ``kind`` is e.g. trigger | automation | view | macro | filter | canonical | field | queue.
    ``channels`` is the rule's channel scope: the canonical channels whose work its conditions
    can match (``("twitter",)`` for "via is Twitter"); None when its conditions do not restrict
    the channel (or the adapter cannot tell — then a channel field appears in ``reads``).
    """

    id: str
    name: str
    kind: str
    order: int
    location: Location
    reads: tuple[Read, ...] = ()
    writes: tuple[Write, ...] = ()
    effects: tuple[Effect, ...] = ()
    active: bool = True
    channels: tuple[str, ...] | None = None

    def __init__(
        self,
        id: str,
        name: str,
        kind: str,
        order: int,
        location: Location,
        reads: tuple[Read, ...] = (),
        writes: tuple[Write, ...] = (),
        effects: tuple[Effect, ...] = (),
        active: bool = True,
        channels: tuple[str, ...] | None = None,
    ) -> None:
        set_field(self, "id", id)
        set_field(self, "name", name)
        set_field(self, "kind", kind)
        set_field(self, "order", order)
        set_field(self, "location", location)
        set_field(self, "reads", reads)
        set_field(self, "writes", writes)
        set_field(self, "effects", effects)
        set_field(self, "active", active)
        set_field(self, "channels", channels)

    @property
    def routes(self) -> bool:
        """Whether this rule changes a routing effect."""
        return bool(self.effects)


@dataclass(frozen=True, init=False, repr=False)
class SlaTarget:
    """One target of an SLA policy: ``metric`` (first_response, next_reply, resolution, ...)
    for ``priority`` (low, normal, high, urgent, or the export's spelling) in seconds."""

    metric: str
    priority: str
    seconds: float
    business_hours: bool
    location: Location
    #: The share of work the target promises (Genesys ``serviceLevel.percentage``, 0.8 for
    #: "80% within 20 s"); None when the target is a deadline for every item.
    share: float | None = None

    def __init__(
        self,
        metric: str,
        priority: str,
        seconds: float,
        business_hours: bool,
        location: Location,
        share: float | None = None,
    ) -> None:
        set_field(self, "metric", metric)
        set_field(self, "priority", priority)
        set_field(self, "seconds", seconds)
        set_field(self, "business_hours", business_hours)
        set_field(self, "location", location)
        set_field(self, "share", share)


@dataclass(frozen=True, repr=False)
class SlaPolicy:
    """An SLA policy. ``channels`` is None when the policy applies to every channel but those in
    ``excluded`` (a ``via_id is_not`` filter).

    ``conditions`` describes any other restriction of its filter (``ticket_type is incident``):
    a policy with conditions covers only part of a channel's tickets. ``filter_known`` is False
    when the export holds the targets without the filter (a warehouse copy): which channels the
    policy covers is then unknown. ``id`` is the export's id, shown when two policies share a name.
    """

    name: str
    channels: tuple[str, ...] | None
    targets: tuple[SlaTarget, ...]
    location: Location
    conditions: tuple[str, ...] = ()
    order: int = 0
    #: Where the policy's promise holds when it is one of several side by side (a Genesys queue:
    #: ``queue 'Support'``); parity compares channels within each scope. None: the whole desk.
    scope: str | None = None
    excluded: tuple[str, ...] = ()
    filter_known: bool = True
    id: str = ""

    def applies_to(self, channel: str) -> bool:
        """Whether the policy's channel filter lets ``channel`` through."""
        if self.channels is None:
            return channel not in self.excluded
        return channel in self.channels


@dataclass(frozen=True, repr=False)
class Gap:
    """Evidence known to be partial or not understood: ``scope`` is ``rules`` (routing rules may be
    missing or unreadable), ``sla`` (SLA policies) or ``all``. A statement whose scope has a gap is
    never passed."""

    scope: str
    reason: str
    location: Location | None = None


@dataclass(frozen=True, repr=False)
class Delay:
    """A deliberate wait in routing (a TaskRouter target that can never match, with a timeout):
    the tasks ``applies_to`` describes wait ``seconds`` before the next target is tried."""

    rule: str
    seconds: float
    applies_to: str
    location: Location


#: What a statement's set can tell of a read without its place: the field read and the values compared.
ReadKey = tuple[str, tuple[str, ...]]


@dataclass(frozen=True, repr=False)
class ReadIndex:
    """The distinct reads of some rules: (field, values) → one such read and the positions (in the
    rules indexed) of the rules that make it. A statement judges each distinct read once, then
    visits only the rules that make the reads it matched."""

    rules: tuple[RoutingRule, ...]
    reads: Mapping[ReadKey, tuple[Read, tuple[int, ...]]]
    #: Whether one of the reads is opaque (:attr:`Read.opaque`).
    opaque: bool = False

    @classmethod
    def of(cls, rules: tuple[RoutingRule, ...]) -> ReadIndex:
        found: dict[ReadKey, tuple[Read, list[int]]] = {}
        opaque = False
        for n, rule in enumerate(rules):
            for rd in rule.reads:
                entry = found.get((rd.field, rd.values))
                if entry is None:
                    found[rd.field, rd.values] = (rd, [n])
                elif entry[1][-1] != n:
                    entry[1].append(n)
                if rd.opaque is not None:
                    opaque = True
        return cls(rules, {key: (rd, tuple(at)) for key, (rd, at) in found.items()}, opaque)

    def rules_reading(self, keys: set[ReadKey]) -> list[RoutingRule]:
        """The rules that make a read of ``keys``, in order."""
        at = sorted({n for key in keys for n in self.reads[key][1]})
        return [self.rules[n] for n in at]


@dataclass(frozen=True, repr=False)
class RoutingModel:
    """Everything the static analysis needs from one routing input (a file or a directory).

    ``channels`` are the channels the export names (in conditions and filters); they are not the
    channels the help desk serves: that universe is declared (``declared_channels`` when the
    export itself declares it, as the canonical ``channels:`` key does) or a vendor default (see
    :mod:`auditrules.routing.universe`). ``gaps`` say what is known to be partial or not
    understood; ``delays`` are deliberate waits that act like channel-specific SLA targets.
    """

    format: str
    name: str
    channels: tuple[str, ...]
    rules: tuple[RoutingRule, ...]
    sla_policies: tuple[SlaPolicy, ...] = ()
    inputs: tuple[InputFile, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    field_names: dict[str, str] = field(default_factory=dict, compare=False)
    #: Whether the export contained SLA data at all (None: infer from ``sla_policies``). A model
    #: without SLA data makes SLA statements ``not_evaluated``, never passed.
    sla_known: bool | None = None
    #: Whether the export can carry routing priorities at all (None: infer from priority
    #: effects). False (e.g. Genesys queues, whose priorities live in Architect flows) makes
    #: priority statements ``not_evaluated``.
    priority_known: bool | None = None
    declared_channels: tuple[str, ...] | None = None
    gaps: tuple[Gap, ...] = ()
    delays: tuple[Delay, ...] = ()

    #: Parsed input documents by path. Adapters for large exports may leave a location's line
    #: unset (pointer only); :meth:`resolve` looks it up here when the location is reported.
    documents: Mapping[str, Document] = field(default_factory=dict, compare=False, repr=False)

    # What the static analysis asks of every statement, computed once per model (kept in the
    # instance's __dict__ by cached_property; fields, equality and copies are unaffected).

    @cached_property
    def rules_in_order(self) -> tuple[RoutingRule, ...]:
        """The rules in evaluation order (``order``; ties keep the export's order)."""
        return tuple(sorted(self.rules, key=lambda r: r.order))

    @cached_property
    def routing_rules(self) -> tuple[RoutingRule, ...]:
        """Active rules that change a routing effect, in order."""
        return tuple(r for r in self.rules_in_order if r.active and r.routes)

    @cached_property
    def deriving_rules(self) -> tuple[RoutingRule, ...]:
        """Active rules that write a derived name (a tag, a field), in order."""
        return tuple(r for r in self.rules_in_order if r.active and r.writes)

    @cached_property
    def deriving_readers(self) -> Mapping[str, tuple[tuple[RoutingRule, Read], ...]]:
        """Name (lower-case) → the (rule, read) pairs of :attr:`deriving_rules` that read it."""
        readers: dict[str, list[tuple[RoutingRule, Read]]] = {}
        for rule in self.deriving_rules:
            for rd in rule.reads:
                readers.setdefault(rd.field.lower(), []).append((rule, rd))
        return MappingProxyType({name: tuple(pairs) for name, pairs in readers.items()})

    @cached_property
    def routing_reads(self) -> ReadIndex:
        """The distinct reads of :attr:`routing_rules`."""
        return ReadIndex.of(self.routing_rules)

    @cached_property
    def deriving_reads(self) -> ReadIndex:
        """The distinct reads of :attr:`deriving_rules`."""
        return ReadIndex.of(self.deriving_rules)

    @cached_property
    def has_opaque_reads(self) -> bool:
        """Whether a routing rule reads a value the export cannot show (:attr:`Read.opaque`)."""
        return self.routing_reads.opaque

    @cached_property
    def read_names(self) -> frozenset[str]:
        """The names (lower-case) that active rules read."""
        return frozenset(map(str.lower, {rd.field for r in self.rules if r.active for rd in r.reads}))

    @property
    def has_sla_data(self) -> bool:
        return self.sla_known if self.sla_known is not None else bool(self.sla_policies)

    @property
    def has_priority_data(self) -> bool:
        if self.priority_known is not None:
            return self.priority_known
        return any(e.kind == "priority" for r in self.rules for e in r.effects)

    @property
    def priority_scale(self) -> PriorityScale:
        """This format's priority scale (lower first, named levels understood, when unknown)."""
        return PRIORITY_SCALES.get(self.format) or PriorityScale(self.format)

    def priority_of(self, effect: Effect) -> Priority | None:
        """The normalised priority a ``priority`` effect sets (None for other kinds, or a value
        that is no priority, e.g. one computed outside the export)."""
        if effect.kind != "priority":
            return None
        return effect.priority if effect.priority is not None else self.priority_scale.normalise(effect.value)

    def with_name(self, name: str) -> RoutingModel:
        return replace(self, name=name)

    def with_notes(self, notes: tuple[Diagnostic, ...] | list[Diagnostic]) -> RoutingModel:
        """A copy with more diagnostics; error-level ones (a file not understood) are gaps too."""
        gaps = tuple(Gap("all", d.message, d.location) for d in notes if d.level == "error")
        return replace(self, diagnostics=self.diagnostics + tuple(notes), gaps=self.gaps + gaps)

    def resolve(self, loc: Location) -> Location:
        """``loc`` with its line and column filled in from its document's JSON pointer, if missing."""
        if loc.line is not None or loc.pointer is None:
            return loc
        doc = self.documents.get(loc.path)
        pos = doc.position_of(loc.pointer) if doc is not None else None
        # made directly: dataclasses.replace looks every field up again, once per finding's location
        return loc if pos is None else Location(loc.path, pos[0], pos[1], loc.pointer, loc.note)

    def resolve_finding(self, finding: Finding) -> Finding:
        """``finding`` with every location resolved (see :meth:`resolve`)."""
        if all(loc.line is not None or loc.pointer is None for loc in finding.locations):
            return finding
        f = finding  # made directly, as above
        locations = tuple(self.resolve(loc) for loc in f.locations)
        return Finding(f.rule_id, f.title, f.severity, f.status, f.message, f.evidence, locations)

    def resolved(self) -> RoutingModel:
        """A copy with every location's line resolved (for golden files and debugging; costs a scan)."""
        r = self.resolve
        rules = tuple(
            replace(
                rule,
                location=r(rule.location),
                reads=tuple(replace(x, location=r(x.location)) for x in rule.reads),
                writes=tuple(replace(x, location=r(x.location)) for x in rule.writes),
                effects=tuple(replace(x, location=r(x.location)) for x in rule.effects),
            )
            for rule in self.rules
        )
        policies = tuple(
            replace(p, location=r(p.location), targets=tuple(replace(t, location=r(t.location)) for t in p.targets))
            for p in self.sla_policies
        )
        diagnostics = tuple(self.resolve_diagnostic(d) for d in self.diagnostics)
        return replace(self, rules=rules, sla_policies=policies, diagnostics=diagnostics)

    def resolve_diagnostic(self, diag: Diagnostic) -> Diagnostic:
        return diag if diag.location is None else replace(diag, location=self.resolve(diag.location))
