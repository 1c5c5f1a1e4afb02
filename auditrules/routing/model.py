"""The one routing model every adapter produces and the static analysis consumes.

Names are normalised so that analysis never sees vendor ids:

* a field read or written is its resolved name (``klout_score``, ``requester_twitter_followers_count``,
  ``customer.klout_score``); an id that cannot be resolved keeps its raw spelling;
* a tag is ``tag:<name>`` (``tag:vip``);
* channels are lower-case canonical names (``email``, ``web``, ``chat``, ``twitter``, ``facebook``,
  ``phone``, ``api``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditrules.findings import Diagnostic, InputFile, Location

#: Routing effects: what a rule may change that decides who serves a customer, how fast.
EFFECT_KINDS: frozenset[str] = frozenset(
    {"queue", "group", "assignee", "priority", "sla", "form", "notify", "worker", "timeout", "status"}
)


@dataclass(frozen=True)
class Read:
    """A rule reads ``field`` (a resolved field name or ``tag:x``) at ``location``.

    ``text`` is a short human rendering of the condition (``requester_twitter_followers_count > 5000``).
    """

    field: str
    location: Location
    text: str = ""


@dataclass(frozen=True)
class Write:
    """A rule writes a derived name: ``tag:x`` (set/add tags) or a custom field name."""

    target: str
    location: Location
    text: str = ""


@dataclass(frozen=True)
class Effect:
    """A routing effect: ``kind`` in EFFECT_KINDS, ``value`` as written in the export."""

    kind: str
    value: str
    location: Location


@dataclass(frozen=True)
class RoutingRule:
    """One trigger, automation, macro, view, TaskRouter filter/target or canonical rule.

    ``order`` is the evaluation position (first match wins in TaskRouter and canonical routing);
    ``kind`` is e.g. trigger | automation | view | macro | filter | canonical | field.
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

    @property
    def routes(self) -> bool:
        """Whether this rule changes a routing effect."""
        return bool(self.effects)


@dataclass(frozen=True)
class SlaTarget:
    """One target of an SLA policy: ``metric`` (first_response, next_reply, resolution, ...)
    for ``priority`` (low, normal, high, urgent, or the export's spelling) in seconds."""

    metric: str
    priority: str
    seconds: float
    business_hours: bool
    location: Location


@dataclass(frozen=True)
class SlaPolicy:
    """An SLA policy. ``channels`` is None when the policy applies to every channel.

    ``conditions`` describes any other restriction of its filter (``ticket_type is incident``):
    a policy with conditions covers only part of a channel's tickets.
    """

    name: str
    channels: tuple[str, ...] | None
    targets: tuple[SlaTarget, ...]
    location: Location
    conditions: tuple[str, ...] = ()
    order: int = 0


@dataclass(frozen=True)
class RoutingModel:
    """Everything the static analysis needs from one routing input (a file or a directory)."""

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

    @property
    def has_sla_data(self) -> bool:
        return self.sla_known if self.sla_known is not None else bool(self.sla_policies)
