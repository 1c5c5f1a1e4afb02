"""Evidence: what each finding rests on, one frozen dataclass per kind, in the report's JSON form.

Every kind has a ``KIND`` name (the ``kind`` key of its JSON form), :meth:`Evidence.to_json`, and a
JSON schema under ``$defs`` in ``schemas/report.schema.json`` (``evidence-<kind>``).
:func:`evidence_from_json` validates a JSON object against that schema — an altered or foreign
report answers with ``AR401``, never a traceback — and builds the dataclass. Renderers read
evidence only through these types.

Kinds:

=========================  ==============================================================
routing-chain              a routing rule reads an influence signal (directly or derived)
routing-derivation         a derived tag or field carries a signal that no rule reads yet
routing-reads-checked      no routing rule reads the signal
routing-outside-allowed    a routing rule reads a name outside the allowed set
routing-only-allowed       every routing rule reads only allowed names
routing-statement          a routing statement with nothing to check (no rules, no SLA data, no channels)
routing-incomplete         a statement that would pass on evidence known to be partial or not understood
routing-not-auditable      a routing rule decides on values the export cannot show (a Lambda, a formula)
sla-coverage-gap           a channel no SLA policy covers (or covers only in part)
sla-coverage               every channel has an SLA policy
sla-targets                SLA targets that differ by channel, per metric and priority
sla-targets-equal          SLA targets that are the same for every channel
routing-priorities         routing priorities that differ within a channel class (or cannot be compared)
routing-priorities-equal   every channel gets the routing priorities of its class
sla-delay                  a deliberate wait (a TaskRouter park step) only some tasks get
ticket-groups              one ticket requirement: groups, comparisons, thresholds, row counts
ticket-missing-column      a ticket requirement naming a column the data lacks
missing-evidence           a rule whose evidence (routing export or tickets) was not given
=========================  ==============================================================

Kinds a check meets only on some inputs live in modules of their own, so that a check that never
meets them does not create their classes: the ticket kinds and their parts in
:mod:`auditrules.ticket_evidence` (a routing check never meets them), ``routing may read only``'s in
:mod:`auditrules.allowed_evidence` (no bundled rule has an allow-list) and decisions the export
cannot show in :mod:`auditrules.opaque_evidence` (Lambdas, formulas, data actions: some vendors'
exports). Their producers import them where they make one; :func:`kind_class` imports the module
when one is first read, :func:`kinds` lists every kind.

A finding that a waiver or a baseline covers keeps its evidence and gains ``waiver``,
``waived_status`` (and ``baseline``) keys: :meth:`Evidence.waived`, with the note's types in
:mod:`auditrules.waived`.

This module imports :mod:`auditrules.findings`, :mod:`auditrules.errors` and (to find the schema)
:mod:`auditrules.resources`.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import cache, cached_property
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Union, cast, get_args, get_origin, get_type_hints

from auditrules.errors import AuditError
from auditrules.findings import Location, Status

if TYPE_CHECKING:
    from auditrules.waived import Waived, WaiverNote

#: Field metadata: the field is left out of the JSON form when it is None.
OMIT_NONE = {"omit_none": True}

# ---------------------------------------------------------------- parts


@dataclass(frozen=True)
class Effect:
    """What a routing rule does: ``{kind: "group", value: "VIP desk"}``."""

    kind: str
    value: str


@dataclass(frozen=True)
class ChainStep:
    """One link of a derivation chain: ``rule`` reads ``reads`` and writes ``writes`` (None at the end)."""

    rule: str
    rule_name: str
    kind: str
    reads: str
    condition: str | None
    read_at: Location
    writes: str | None
    write_at: Location | None
    matched_pattern: str | None


@dataclass(frozen=True)
class SlaTargetRow:
    """One channel's effective SLA target (None when no policy sets one)."""

    channel: str
    seconds: float | None
    business_hours: bool | None
    policy: str | None
    #: The share of work the target promises ("80% within 20 s"); omitted when every item is due.
    share: float | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class PriorityRow:
    """A priority a channel-specific routing rule sets: the vendor's ``raw`` value, its normalised
    ``rank`` (lower is served first) and ``scale`` (ranks compare within one scale); None when
    the value is decided outside the export."""

    rule: str
    rule_name: str
    kind: str
    raw: str
    rank: float | None
    scale: str | None


@dataclass(frozen=True)
class ChannelPriorities:
    """The priorities channel-specific rules give one channel (empty: not set by channel)."""

    channel: str
    priorities: tuple[PriorityRow, ...]


# ---------------------------------------------------------------- the evidence kinds


# The two bases below are never made themselves: every kind is a dataclass of its own, which builds
# its own __init__, __repr__ and __eq__ (and __hash__) from all its fields, the bases' included (a
# test checks it). The bases build none, so that no start pays for methods nothing calls.
@dataclass(frozen=True, init=False, repr=False, eq=False)
class Evidence(Mapping[str, Any]):
    """Base of every evidence kind. Reads like its JSON form (``evidence["rows"]``)."""

    KIND: ClassVar[str] = ""

    waiver: Waived | None = field(default=None, kw_only=True)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.KIND}
        for name, _omit_none in _field_plan(type(self)):
            if name != "waiver":
                out[name] = _encode(getattr(self, name))
        if self.waiver is not None:
            out.update(_encode(self.waiver))
        return out

    def waived(self, note: WaiverNote, status: Status, baseline: str | None = None) -> Evidence:
        """This evidence for a finding a waiver (or a baseline) covers; ``status`` is the finding's own."""
        from auditrules.waived import Waived, WaivedStatus

        return replace(self, waiver=Waived(note, cast(WaivedStatus, status.value), baseline))

    @cached_property
    def _json(self) -> dict[str, Any]:
        return self.to_json()

    def __getitem__(self, key: str) -> Any:
        return self._json[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._json)

    def __len__(self) -> int:
        return len(self._json)


@dataclass(frozen=True, init=False, repr=False, eq=False)  # a base: see Evidence
class RoutingEvidence(Evidence):
    """What every routing finding carries: the statement and the routing export it was checked on."""

    statement: str
    routing: str
    format: str


@dataclass(frozen=True)
class RoutingStatement(RoutingEvidence):
    """A routing statement with nothing to check (no rules, no SLA data, no channels)."""

    KIND: ClassVar[str] = "routing-statement"


@dataclass(frozen=True)
class RoutingIncomplete(RoutingEvidence):
    """``would_pass`` is the verdict the evidence seen gives; ``gaps`` why it is not complete."""

    KIND: ClassVar[str] = "routing-incomplete"

    would_pass: str
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class RoutingChain(RoutingEvidence):
    """A routing rule reads an influence signal, directly or through the derivation ``chain``."""

    KIND: ClassVar[str] = "routing-chain"

    routing_rule: str
    reads: tuple[str, ...]
    effects: tuple[Effect, ...]
    chain: tuple[ChainStep, ...]
    explanation: str


@dataclass(frozen=True)
class RoutingDerivation(RoutingEvidence):
    """A derived tag or field carries a signal that no routing rule reads yet."""

    KIND: ClassVar[str] = "routing-derivation"

    derived: str
    chain: tuple[ChainStep, ...]


@dataclass(frozen=True)
class RoutingReadsChecked(RoutingEvidence):
    """No routing rule reads the signal: how many rules were checked against which patterns."""

    KIND: ClassVar[str] = "routing-reads-checked"

    routing_rules_checked: int
    inactive_rules_skipped: int
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class SlaCoverageGap(RoutingEvidence):
    """A channel no SLA policy covers (or covers only in part)."""

    KIND: ClassVar[str] = "sla-coverage-gap"

    channel: str
    partial_policies: tuple[str, ...]
    channels: tuple[str, ...]
    channels_source: str


@dataclass(frozen=True)
class SlaCoverage(RoutingEvidence):
    """Every channel has an SLA policy: the policies covering each."""

    KIND: ClassVar[str] = "sla-coverage"

    covered: Mapping[str, tuple[str, ...]]
    channels: tuple[str, ...]
    channels_source: str


@dataclass(frozen=True)
class SlaTargets(RoutingEvidence):
    """SLA targets that differ by channel, for one metric and priority."""

    KIND: ClassVar[str] = "sla-targets"

    metric: str
    priority: str
    targets: tuple[SlaTargetRow, ...]
    channels: tuple[str, ...]
    channels_source: str
    #: The channel class compared (live, async; ``all`` for metrics compared across classes); None
    #: in reports written before channels were compared like for like.
    channel_class: str | None = field(default=None, metadata=OMIT_NONE)
    #: The scope the targets hold in (a Genesys queue); None for the whole desk.
    scope: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class SlaTargetsEqual(RoutingEvidence):
    """SLA targets that are the same for every channel."""

    KIND: ClassVar[str] = "sla-targets-equal"

    targets_compared: int
    channels: tuple[str, ...]
    channels_source: str


@dataclass(frozen=True)
class RoutingPriorities(RoutingEvidence):
    """Routing priorities that differ between channels of one class (or that cannot be compared:
    decided outside the export, or set by rules whose channel scope is not understood)."""

    KIND: ClassVar[str] = "routing-priorities"

    channel_class: str
    channels: tuple[ChannelPriorities, ...]
    channels_source: str
    unresolved_rules: tuple[str, ...]


@dataclass(frozen=True)
class RoutingPrioritiesEqual(RoutingEvidence):
    """Every channel gets the routing priorities of the others of its class."""

    KIND: ClassVar[str] = "routing-priorities-equal"

    classes: Mapping[str, tuple[str, ...]]
    priorities_set: int
    channels_source: str


@dataclass(frozen=True)
class SlaDelay(RoutingEvidence):
    """Tasks matching ``applies_to`` wait ``seconds`` in ``rule`` before the next target is tried."""

    KIND: ClassVar[str] = "sla-delay"

    rule: str
    seconds: float
    applies_to: str


@dataclass(frozen=True)
class MissingEvidence(Evidence):
    """A rule whose evidence (a routing export or tickets) was not given."""

    KIND: ClassVar[str] = "missing-evidence"

    needs: Literal["routing", "tickets"]


#: The evidence kinds of this module by their ``kind`` name.
_HERE: dict[str, type[Evidence]] = {
    cls.KIND: cls
    for cls in (
        RoutingStatement,
        RoutingIncomplete,
        RoutingChain,
        RoutingDerivation,
        RoutingReadsChecked,
        SlaCoverageGap,
        SlaCoverage,
        SlaTargets,
        SlaTargetsEqual,
        RoutingPriorities,
        RoutingPrioritiesEqual,
        SlaDelay,
        MissingEvidence,
    )
}
#: The kinds of ticket evidence (defined in :mod:`auditrules.ticket_evidence`).
TICKET_KINDS: frozenset[str] = frozenset({"ticket-groups", "ticket-missing-column"})
#: Evidence kinds defined in other modules (imported when one is first made or read): kind → module.
ELSEWHERE: dict[str, str] = {
    **{kind: "auditrules.ticket_evidence" for kind in sorted(TICKET_KINDS)},
    "routing-outside-allowed": "auditrules.allowed_evidence",
    "routing-only-allowed": "auditrules.allowed_evidence",
    "routing-not-auditable": "auditrules.opaque_evidence",
}


def kind_class(kind: str) -> type[Evidence]:
    """The evidence class of ``kind`` (KeyError for an unknown kind); a kind defined in another
    module imports that module."""
    found = _HERE.get(kind) or _IMPORTED.get(kind)
    if found is None:
        module = import_module(ELSEWHERE[kind])
        found = next(
            c for c in vars(module).values() if isinstance(c, type) and issubclass(c, Evidence) and kind == c.KIND
        )
        _IMPORTED[kind] = found
    return found


_IMPORTED: dict[str, type[Evidence]] = {}


def kinds() -> dict[str, type[Evidence]]:
    """Every evidence kind by its ``kind`` name (imports the modules of those defined elsewhere)."""
    return {kind: kind_class(kind) for kind in (*_HERE, *ELSEWHERE)}


# ---------------------------------------------------------------- JSON form


@cache
def _field_plan(cls: type) -> tuple[tuple[str, bool], ...]:
    """The fields of a dataclass in order, each with whether a None value is left out (OMIT_NONE)."""
    return tuple((f.name, bool(f.metadata.get("omit_none"))) for f in fields(cls))


#: Values that are their own JSON form.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _encode(value: Any) -> Any:
    if value.__class__ in _SCALARS:
        return value
    if isinstance(value, Location):
        return value.to_json()
    if is_dataclass(value) and not isinstance(value, type):
        return {
            name: _encode(getattr(value, name))
            for name, omit_none in _field_plan(type(value))
            if not (omit_none and getattr(value, name) is None)
        }
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(tp: Any, value: Any) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if value is None or len(options) != 1:
            return value
        return _decode(options[0], value)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in value)
        return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))
    if origin in (dict, Mapping):
        item = get_args(tp)[1]
        return {k: _decode(item, v) for k, v in value.items()}
    if tp is Location:
        return Location(value["path"], value["line"], value.get("column"), value["pointer"], value.get("note"))
    if isinstance(tp, type) and is_dataclass(tp):
        return _decode_dataclass(tp, value)
    return value


def _decode_dataclass(cls: type[Any], data: Mapping[str, Any]) -> Any:
    hints = field_types(cls)
    skip = "waiver" if issubclass(cls, Evidence) else ""  # the overlay is decoded by evidence_from_json
    values = {f.name: _decode(hints[f.name], data[f.name]) for f in fields(cls) if f.name in data and f.name != skip}
    return cls(**values)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def field_types(cls: type[Any]) -> dict[str, Any]:
    """The resolved type of each field of an evidence class or part (``typing.get_type_hints``, with
    the ``waiver`` field's type, which this module names only for type checkers)."""
    if cls not in _HINTS:
        from auditrules import waived

        _HINTS[cls] = get_type_hints(cls, localns=dict(vars(waived)))
    return _HINTS[cls]


@cache
def _validator() -> Any:
    import jsonschema

    from auditrules.resources import schema_path

    schema = json.loads(schema_path("report.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/evidence"})


#: Set (by :func:`validated_upstream`) while rendering a report that was validated as a whole
#: (``load_report``) or built by this process (``Report.to_json``): each evidence is then decoded
#: without validating it again, so rendering a routing check never imports jsonschema.
_VALIDATED_UPSTREAM: ContextVar[bool] = ContextVar("auditrules_evidence_validated_upstream", default=False)


@contextmanager
def validated_upstream() -> Iterator[None]:
    """Within this block, :func:`evidence_from_json` trusts its input (see ``_VALIDATED_UPSTREAM``)."""
    token = _VALIDATED_UPSTREAM.set(True)
    try:
        yield
    finally:
        _VALIDATED_UPSTREAM.reset(token)


def trusted() -> bool:
    """Whether evidence is trusted here (inside :func:`validated_upstream`): a renderer that shows
    nothing of a kind may then skip decoding it."""
    return _VALIDATED_UPSTREAM.get()


def evidence_from_json(data: Any, where: str = "evidence") -> Evidence:
    """Validate a JSON evidence object against its kind's schema and build it; AR401 when it does not fit.

    Inside :func:`validated_upstream` the validation is skipped (the whole report was validated).
    """
    if _VALIDATED_UPSTREAM.get():
        return _build(data)
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        err = errors[-1]
        at = "/".join(str(p) for p in err.absolute_path)
        raise AuditError("AR401", f"not a valid auditrules report at {where}{'/' + at if at else ''}: {err.message}")
    return _build(data)


def _build(data: Mapping[str, Any]) -> Evidence:
    evidence: Evidence = _decode_dataclass(kind_class(data["kind"]), data)
    if "waiver" in data:
        from auditrules.waived import WaiverNote

        note = _decode(WaiverNote, data["waiver"])
        evidence = evidence.waived(note, Status(data["waived_status"]), data.get("baseline"))
    return evidence


__all__ = [
    "ELSEWHERE",
    "OMIT_NONE",
    "TICKET_KINDS",
    "ChainStep",
    "ChannelPriorities",
    "Effect",
    "Evidence",
    "MissingEvidence",
    "PriorityRow",
    "RoutingChain",
    "RoutingDerivation",
    "RoutingEvidence",
    "RoutingIncomplete",
    "RoutingPriorities",
    "RoutingPrioritiesEqual",
    "RoutingReadsChecked",
    "RoutingStatement",
    "SlaCoverage",
    "SlaCoverageGap",
    "SlaDelay",
    "SlaTargetRow",
    "SlaTargets",
    "SlaTargetsEqual",
    "evidence_from_json",
    "field_types",
    "kind_class",
    "kinds",
    "trusted",
    "validated_upstream",
]
