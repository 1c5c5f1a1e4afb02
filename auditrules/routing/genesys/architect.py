"""Genesys Cloud Architect flows exported as YAML (``archy export``) → routing rules.

A flow file has one top-level key naming its type (``inboundCall``, ``inboundChat``,
``inboundEmail``, ``inboundShortMessage``, ``inQueueCall`` …), which gives the channel of every
contact it handles. Inside, tasks, states and menus hold ``actions``: each action is a
one-key mapping (``decision``, ``switch``, ``transferToAcd``, ``updateData``,
``getParticipantData`` …). Values are ``{exp: "..."}`` expressions or ``{lit: ...}`` literals.

* a ``transferToAcd`` is a routing rule: its effects are the target queue and, when not the
  default 0, its priority (higher is served first); it reads every condition of the
  ``decision``/``switch`` branches it sits in;
* ``updateData`` and ``getParticipantData`` write flow variables from what they read (participant
  data as ``participant.<name>``), so influence is traced through them;
* a ``callData`` (data action) or ``callLambda``-style action runs outside the export: the
  variables it fills are read as ``external.<action>`` and reported, never passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditrules.documents import Document, escape_pointer_token
from auditrules.findings import Diagnostic, Location
from auditrules.routing.model import Effect, Read, RoutingRule, Write
from auditrules.routing.peek import peek

#: Flow types → the channel of the contacts they handle.
FLOW_CHANNELS: dict[str, str] = {
    "inboundCall": "phone",
    "inQueueCall": "phone",
    "inboundChat": "chat",
    "inboundEmail": "email",
    "inQueueEmail": "email",
    "inboundShortMessage": "messaging",
    "inQueueShortMessage": "messaging",
}
_PEEK = re.compile(r"^(" + "|".join(FLOW_CHANNELS) + r")\s*:", re.MULTILINE)
#: Variables and built-ins an expression reads (``Flow.IsVip``, ``Call.Ani``, ``Task.score``).
_IDENT = re.compile(r"\b(?:Flow|Task|State|Call|Chat|Email|Message|Memory|Interaction|Common)\.[A-Za-z_][\w.]*")
#: A string literal in an Architect expression (``Flow.Segment == "celebrity"``).
_STRING = re.compile(r'"([^"\\]*)"')
#: Actions whose outputs come from outside the export.
EXTERNAL_ACTIONS = frozenset({"callData", "callLambda", "callDataAction"})


def is_architect(path: str | Path) -> bool:
    """Whether ``path`` (a YAML file, or a directory holding one) is an Architect flow export."""
    p = Path(path)
    if p.is_dir():
        files = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
    else:
        files = [p] if p.suffix.lower() in (".yaml", ".yml") and p.is_file() else []
    return any(peek(f, _PEEK) for f in files)


def _expressions(value: Any) -> Iterator[str]:
    """Every ``exp`` string inside ``value`` (a condition, a value, a statement list)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "exp" and isinstance(item, str):
                yield item
            else:
                yield from _expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)
    elif isinstance(value, str):
        yield value


def _literal(value: Any) -> Any:
    """A ``{lit: x}`` literal (or a bare scalar); None for an expression or nothing."""
    if isinstance(value, dict):
        if "lit" in value:
            lit = value["lit"]
            return lit.get("name") if isinstance(lit, dict) else lit
        return value.get("name") or value.get("queueName")
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


@dataclass
class FlowReader:
    """Reads one flow document into routing rules."""

    doc: Document
    diagnostics: list[Diagnostic]
    rules: list[RoutingRule] = field(default_factory=list)
    flow: str = ""
    channel: str = ""

    def loc(self, pointer: str) -> Location:
        return Location(self.doc.path, None, None, pointer)

    def read(self) -> list[RoutingRule]:
        data = self.doc.data
        kinds = [k for k in data if k in FLOW_CHANNELS] if isinstance(data, dict) else []
        if not kinds:
            return []
        kind = kinds[0]
        body = data[kind]
        self.flow = str(body.get("name") or kind) if isinstance(body, dict) else kind
        self.channel = FLOW_CHANNELS[kind]
        self.walk(body, f"/{kind}", ())
        return self.rules

    def reads(self, value: Any, pointer: str) -> list[Read]:
        out = []
        for text in _expressions(value):
            values = tuple(_STRING.findall(text))  # the expression's string constants, for value sets
            for name in dict.fromkeys(_IDENT.findall(text)):
                out.append(Read(name, self.loc(pointer), text.strip(), values))
        return out

    def walk(self, node: Any, pointer: str, conditions: tuple[Read, ...]) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                self.walk(item, f"{pointer}/{i}", conditions)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            ptr = f"{pointer}/{escape_pointer_token(key)}"
            if key in ("decision", "switch") and isinstance(value, dict):
                self.branch(value, ptr, conditions)
            elif key == "transferToAcd" and isinstance(value, dict):
                self.transfer(value, ptr, conditions)
            elif key in ("updateData", "getParticipantData", *EXTERNAL_ACTIONS) and isinstance(value, dict):
                self.assignment(key, value, ptr, conditions)
            else:
                self.walk(value, ptr, conditions)

    def branch(self, action: dict[str, Any], ptr: str, conditions: tuple[Read, ...]) -> None:
        """A decision or switch: every branch below it depends on its conditions."""
        own = self.reads(action.get("condition"), f"{ptr}/condition")
        cases = action.get("evaluate", {}).get("firstMatch", {}) if isinstance(action.get("evaluate"), dict) else {}
        for i, case in enumerate(cases.get("cases", []) if isinstance(cases, dict) else []):
            own += self.reads(
                case.get("case", {}).get("condition") if isinstance(case, dict) else None,
                f"{ptr}/evaluate/firstMatch/cases/{i}",
            )
        inner = conditions + tuple(own)
        for key, value in action.items():
            if key not in ("condition", "name", "trackingId"):
                self.walk(value, f"{ptr}/{escape_pointer_token(key)}", inner)

    def transfer(self, action: dict[str, Any], ptr: str, conditions: tuple[Read, ...]) -> None:
        name = str(action.get("name") or "Transfer to ACD")
        effects: list[Effect] = []
        for key in ("targetQueue", "queueName", "queue"):
            if key in action:
                queue = _literal(action[key])
                shown = str(queue) if queue is not None else "; ".join(_expressions(action[key])) or "?"
                effects.append(Effect("queue", shown, self.loc(f"{ptr}/{key}")))
                break
        if "priority" in action:
            prio = _literal(action["priority"])
            if prio is None:  # an expression: computed at run time
                text = "; ".join(_expressions(action["priority"]))
                effects.append(Effect("priority", text or "?", self.loc(f"{ptr}/priority")))
            elif str(prio).strip() not in ("0", "0.0"):  # 0 is Genesys' default priority
                effects.append(Effect("priority", str(prio), self.loc(f"{ptr}/priority")))
        self.rules.append(
            RoutingRule(
                id=f"{self.flow}:{ptr}",
                name=f"{self.flow}: {name}",
                kind="architect transfer",
                order=len(self.rules),
                location=self.loc(ptr),
                reads=conditions,
                effects=tuple(effects),
                channels=(self.channel,),
            )
        )

    def assignment(self, key: str, action: dict[str, Any], ptr: str, conditions: tuple[Read, ...]) -> None:
        """Variables written from what the action reads (participant data, expressions, outside)."""
        name = str(action.get("name") or key)
        reads = list(conditions)
        writes: list[Write] = []
        for var_ptr, var in _variables(action, ptr):
            writes.append(Write(var, self.loc(var_ptr), f"{name} sets {var}"))
        if key == "getParticipantData":
            for attr_ptr, attr in _attributes(action, ptr):
                reads.append(Read(f"participant.{attr}", self.loc(attr_ptr), f"participant data '{attr}'"))
        elif key in EXTERNAL_ACTIONS:
            reads.append(Read(f"external.{name}", self.loc(ptr), f"{key} '{name}' (runs outside the export)"))
            self.diagnostics.append(
                Diagnostic(
                    "AR211",
                    "warning",
                    f"{self.flow}: {key} '{name}' runs outside the export; what it returns is not audited",
                    self.loc(ptr),
                )
            )
        else:
            reads += self.reads(action, ptr)
        if writes:
            self.rules.append(
                RoutingRule(
                    id=f"{self.flow}:{ptr}",
                    name=f"{self.flow}: {name}",
                    kind=f"architect {key}",
                    order=len(self.rules),
                    location=self.loc(ptr),
                    reads=tuple(reads),
                    writes=tuple(writes),
                    channels=(self.channel,),
                )
            )


def _variables(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, name) of every ``variable: Flow.x`` an action writes."""
    if isinstance(node, dict):
        for key, value in node.items():
            ptr = f"{pointer}/{escape_pointer_token(key)}"
            if isinstance(value, str) and (key == "variable" or (key == "var" and "outputs" in pointer.lower())):
                yield ptr, value
            else:
                yield from _variables(value, ptr)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _variables(item, f"{pointer}/{i}")


def _attributes(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, name) of every participant attribute a getParticipantData reads."""
    if isinstance(node, dict):
        attr = node.get("attribute")
        if isinstance(attr, dict) and _literal(attr.get("name")) is not None:
            yield f"{pointer}/attribute/name", str(_literal(attr.get("name")))
            return
        for key, value in node.items():
            yield from _attributes(value, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _attributes(item, f"{pointer}/{i}")


__all__ = ["FLOW_CHANNELS", "FlowReader", "is_architect"]
