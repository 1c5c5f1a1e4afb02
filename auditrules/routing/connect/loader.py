"""Amazon Connect flows → RoutingModel.

* Every action that routes (``UpdateContactRoutingBehavior`` → priority, ``UpdateContactTargetQueue``
  and ``TransferContactToQueue`` → queue, ``TransferParticipantToThirdParty`` → a transfer to a phone
  number that bypasses the queues, ``TransferToFlow`` ...) is a rule with its effects; a parameter
  taken from ``$.…`` is a read. ``QueuePriority``: lower is served first.
* Every branch of a decision (``Compare`` on ``$.Attributes.*``, ``$.External.*``, ``$.Channel`` ...)
  is a rule that reads the compared value, and whose effects and writes are those of the actions
  that branch reaches and not every branch does.
* ``UpdateContactAttributes`` writes ``Attributes.<key>``, so influence carried through a contact
  attribute is traced.
* A value under ``$.External`` is what a Lambda function returned (``InvokeLambdaFunction``): it is
  decided outside the file, so a decision on it is an opaque read, reported as not auditable. So
  is an attribute copied from it.

Flow language values are strings (``"QueuePriority": "1"``); another type is noted.
The file holds no SLA targets: SLA statements are ``not_evaluated`` on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditrules.channels import VENDOR_DEFAULT_CHANNELS, canonical_channel
from auditrules.errors import AuditError, Span
from auditrules.findings import Diagnostic, InputFile
from auditrules.routing.connect.detect import flow_files
from auditrules.routing.connect.flow import Action, Flow, parameter_pointer, read_flow
from auditrules.routing.connect.graph import Branch, exclusive, upstream
from auditrules.routing.model import Effect, Read, RoutingModel, RoutingRule, Write

LAMBDA = "InvokeLambdaFunction"
_PHONE = "phone {value} (bypasses the queues)"
#: Routing actions → (parameter, effect kind, how its value is shown). ``QueuePriority``: lower is
#: served first; ``QueueTimeAdjustmentSeconds`` moves a contact by age, not by priority rank.
ROUTING_PARAMETERS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "UpdateContactRoutingBehavior": (
        ("QueuePriority", "priority", "{value}"),
        ("QueueTimeAdjustmentSeconds", "priority", "queue age +{value}s"),
    ),
    "UpdateContactTargetQueue": (("QueueId", "queue", "{value}"), ("AgentId", "assignee", "agent {value}")),
    "DequeueContactAndTransferToQueue": (("QueueId", "queue", "{value}"), ("AgentId", "assignee", "agent {value}")),
    "TransferParticipantToThirdParty": (("ThirdPartyPhoneNumber", "assignee", _PHONE),),
    "TransferToPhoneNumber": (("ThirdPartyPhoneNumber", "assignee", _PHONE), ("PhoneNumber", "assignee", _PHONE)),
    "TransferToFlow": (("ContactFlowId", "queue", "flow {value}"),),
}
#: Routing actions whose effect needs no parameter (or whose parameter is missing).
FIXED_EFFECTS: dict[str, tuple[str, str]] = {
    "TransferContactToQueue": ("queue", "transfer to the working queue"),
    "TransferContactToAgent": ("assignee", "transfer to the working agent"),
    "TransferParticipantToThirdParty": ("assignee", "phone transfer (bypasses the queues)"),
    "TransferToPhoneNumber": ("assignee", "phone transfer (bypasses the queues)"),
}
#: Decisions other than Compare → the name of what they read.
DECISION_FIELDS: dict[str, str] = {
    "GetParticipantInput": "participant_input",
    "ConnectParticipantWithLexBot": "lex_intent",
    "CheckHoursOfOperation": "hours_of_operation",
    "CheckStaffing": "staffing",
    "DistributeByPercentage": "random_percentage",
}


_BRACKET = re.compile(r"""\.?\[\s*(['"])(.*?)\1\s*\]""")


def field_name(path: str) -> str:
    """``$.Attributes.Tier`` → ``Attributes.Tier``; ``$.Attributes['Klout Score']`` →
    ``Attributes.Klout Score``; ``$.Channel`` → ``channel``."""
    name = _BRACKET.sub(lambda m: "." + m.group(2), path.strip())
    name = name[2:] if name.startswith("$.") else name
    return "channel" if name.lower() == "channel" else name


def _is_ref(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$.")


@dataclass
class _Loader:
    flow: Flow
    diagnostics: list[Diagnostic]
    channels: set[str] = field(default_factory=set)
    opaque_attributes: dict[str, str] = field(default_factory=dict)
    decisions: frozenset[str] = frozenset()
    _lambdas: dict[str, str] = field(default_factory=dict)

    def lambda_note(self, ident: str) -> str:
        if ident not in self._lambdas:
            names = [f"'{a.identifier}'" for a in upstream(self.flow, ident, LAMBDA)]
            self._lambdas[ident] = (
                f"returned by {LAMBDA} {', '.join(names)}"
                if names
                else f"no {LAMBDA} in this flow sets it (an earlier flow or module does)"
            )
        return self._lambdas[ident]

    def opaque(self, name: str, ident: str) -> str | None:
        if name.startswith("External."):
            return self.lambda_note(ident)
        return self.opaque_attributes.get(name)

    def string(self, action: Action, key: str, value: Any) -> str:
        if not isinstance(value, str):
            self.diagnostics.append(
                Diagnostic(
                    "AR202",
                    "warning",
                    f"{action.type} '{action.identifier}': {key} is {value!r}, but flow language values are strings",
                    self.flow.locate(parameter_pointer(action, key)),
                )
            )
        return str(value)

    def ref_read(self, action: Action, key: str, value: str) -> Read:
        name = field_name(value)
        loc = self.flow.locate(parameter_pointer(action, key))
        return Read(name, loc, f"{action.type} {key} = {value}", opaque=self.opaque(name, action.identifier))

    def display(self, action: Action, value: str) -> str:
        if _is_ref(value):
            return value
        return self.flow.display.get(action.identifier) or value.rsplit("/", 1)[-1]

    def semantics(self, action: Action) -> tuple[list[Read], list[Write], list[Effect]]:
        """What one action reads (``$.`` parameters), writes (attributes) and changes (routing effects)."""
        if action.type == "UpdateContactAttributes":
            return self.attributes(action)
        reads: list[Read] = []
        effects: list[Effect] = []
        for key, kind, shown in ROUTING_PARAMETERS.get(action.type, ()):
            if key not in action.parameters:
                continue
            value = self.string(action, key, action.parameters[key])
            where = self.flow.locate(parameter_pointer(action, key))
            effects.append(Effect(kind, shown.format(value=self.display(action, value)), where))
            if _is_ref(value):
                reads.append(self.ref_read(action, key, value))
        fixed = FIXED_EFFECTS.get(action.type)
        if fixed is not None and not effects:
            effects.append(Effect(fixed[0], fixed[1], self.flow.locate(action.pointer)))
        return reads, [], effects

    def attributes(self, action: Action) -> tuple[list[Read], list[Write], list[Effect]]:
        """``UpdateContactAttributes``: a write per attribute, a read per value taken from ``$.…``."""
        reads: list[Read] = []
        writes: list[Write] = []
        attrs = action.parameters.get("Attributes")
        for key, value in sorted(attrs.items()) if isinstance(attrs, dict) else ():
            text = self.string(action, f"Attributes/{key}", value)
            where = self.flow.locate(parameter_pointer(action, "Attributes", key))
            writes.append(Write(f"Attributes.{key}", where, f"set {key} = {text}"))
            if _is_ref(text):
                name = field_name(text)
                reads.append(Read(name, where, f"set {key} = {text}", opaque=self.opaque(name, action.identifier)))
        return reads, writes, []

    def decision(self, action: Action) -> tuple[str, str] | None:
        """(field read, the JSONPath or type it came from) for a decision action; None if it decides nothing."""
        if not any(t.kind == "condition" for t in action.transitions):
            return None
        if action.type == "Compare":
            value = action.parameters.get("ComparisonValue")
            if isinstance(value, str) and value:
                return field_name(value), value
            return "comparison", "ComparisonValue"
        if action.type == "CheckMetricData":
            metric = str(action.parameters.get("MetricType") or "metric")
            return f"metric.{metric}", action.type
        return DECISION_FIELDS.get(action.type, action.type), action.type

    def branch_text(self, source: str, branch: Branch, every: list[Branch]) -> str:
        t = branch.condition
        if t is not None:
            return f"{source} {t.operator} {', '.join(t.operands)}".rstrip()
        shown = "; ".join(
            f"{b.condition.operator} {', '.join(b.condition.operands)}" for b in every if b.condition is not None
        )
        return f"{source} matches none of: {shown}"

    def scope(self, name: str, branch: Branch, every: list[Branch]) -> tuple[str, ...] | None:
        """The channels a branch on ``$.Channel`` keeps (the default keeps the others); None otherwise."""
        if name != "channel":
            return None

        def named(b: Branch) -> set[str]:
            operands = b.condition.operands if b.condition is not None else ()
            return {ch for ch in (canonical_channel(o) for o in operands) if ch is not None}

        self.channels.update(*(named(b) for b in every))
        if branch.condition is not None:
            return tuple(sorted(named(branch)))
        universe = self.channels | set(VENDOR_DEFAULT_CHANNELS["connect"])
        return tuple(sorted(universe - set().union(*(named(b) for b in every))))

    def copy_opacity(self) -> None:
        """Attributes copied from a Lambda's answer (or from such an attribute) are opaque too."""
        changed = True
        while changed:
            changed = False
            for action in self.flow.actions.values():
                attrs = action.parameters.get("Attributes") if action.type == "UpdateContactAttributes" else None
                for key, value in attrs.items() if isinstance(attrs, dict) else ():
                    target = f"Attributes.{key}"
                    if target in self.opaque_attributes or not _is_ref(value):
                        continue
                    why = self.opaque(field_name(value), action.identifier)
                    if why is not None:
                        self.opaque_attributes[target] = f"copied from {value}, {why}"
                        changed = True


_Semantics = dict[str, tuple[list[Read], list[Write], list[Effect]]]


def _branch_rules(
    loader: _Loader, action: Action, decision: tuple[str, str], sem: _Semantics, start: int
) -> list[RoutingRule]:
    """A rule per branch of a decision that alone reaches some effect or write.

    The default branch ("none of the above") reads the same field; it carries the compared values
    and the opacity only when no condition branch routes, so one decision is reported once.
    """
    flow = loader.flow
    name, source = decision
    index = {ident: i for i, ident in enumerate(flow.actions)}
    found = exclusive(flow, action, loader.decisions)
    every = [b for b, _ in found]
    rules: list[RoutingRule] = []
    for k, (branch, reached) in enumerate(found):
        scope = loader.scope(name, branch, every)
        ordered = sorted(reached, key=index.__getitem__)
        b_writes = tuple(w for a in ordered for w in sem[a][1])
        b_effects = tuple(e for a in ordered for e in sem[a][2])
        if not b_writes and not b_effects:
            continue
        text = loader.branch_text(source, branch, every)
        label = "default" if branch.condition is None else f"condition {k + 1}"
        if branch.condition is not None:
            compared, opaque = branch.condition.operands, loader.opaque(name, action.identifier)
        elif not rules:
            compared = tuple(o for b in every if b.condition is not None for o in b.condition.operands)
            opaque = loader.opaque(name, action.identifier)
        else:
            compared, opaque = (), None
        read = Read(name, flow.locate(branch.pointer), text, compared, opaque=opaque)
        rules.append(
            RoutingRule(
                f"{flow.name}:{action.identifier}#{label.replace(' ', '')}",
                f"{action.identifier} {label}",
                "branch",
                start + len(rules),
                flow.locate(branch.pointer),
                (read,),
                b_writes,
                b_effects,
                channels=scope,
            )
        )
    return rules


def _flow_rules(loader: _Loader, start: int) -> list[RoutingRule]:
    flow = loader.flow
    loader.copy_opacity()
    sem = {ident: loader.semantics(a) for ident, a in flow.actions.items()}
    loader.decisions = frozenset(ident for ident, a in flow.actions.items() if loader.decision(a) is not None)
    rules: list[RoutingRule] = []
    for action in flow.actions.values():
        reads, writes, effects = sem[action.identifier]
        if effects or (writes and reads):
            rules.append(
                RoutingRule(
                    f"{flow.name}:{action.identifier}",
                    f"{action.type} '{action.identifier}'",
                    "action",
                    start + len(rules),
                    flow.locate(action.pointer),
                    tuple(reads),
                    tuple(writes),
                    tuple(effects),
                )
            )
        decision = loader.decision(action)
        if decision is None:
            continue
        rules.extend(_branch_rules(loader, action, decision, sem, start + len(rules)))
    return rules


def load_connect(path: str | Path) -> RoutingModel:
    """Read an Amazon Connect flow export (a flow file, or a directory of them) into a RoutingModel."""
    p = Path(path)
    files = flow_files(p)
    if not files:
        raise AuditError(
            "AR204",
            f"no Amazon Connect flow in {p} (expected flow language JSON with Version, StartAction and Actions[])",
            Span(str(p), 1, 1),
        )
    diagnostics: list[Diagnostic] = []
    rules: list[RoutingRule] = []
    channels: set[str] = set()
    inputs: list[InputFile] = []
    documents = {}
    for file in files:
        flow = read_flow(file, diagnostics)
        loader = _Loader(flow, diagnostics)
        rules.extend(_flow_rules(loader, len(rules)))
        channels |= loader.channels
        inputs.append(InputFile(flow.path, "connect:flow", flow.document.sha256))
        documents[flow.path] = flow.document
        if flow.start not in flow.actions:
            diagnostics.append(
                Diagnostic(
                    "AR202",
                    "warning",
                    f"flow '{flow.name}': StartAction '{flow.start}' is not one of its actions",
                    flow.locate("/StartAction"),
                )
            )
    name = p.name if p.is_dir() else (files[0].stem if len(files) == 1 else p.name)
    return RoutingModel(
        format="connect",
        name=name,
        channels=tuple(sorted(channels | set(VENDOR_DEFAULT_CHANNELS["connect"]))),
        rules=tuple(rules),
        inputs=tuple(inputs),
        diagnostics=tuple(diagnostics),
        sla_known=False,
        documents=documents,
    )


__all__ = ["field_name", "load_connect"]
