"""A flow file → typed actions and transitions, each with the place it was written.

Reads the flow language as exported by the flow designer (``Version``, ``StartAction``,
``Actions[]``, ``Metadata``) and the output of ``aws connect describe-contact-flow``, where the same
document is a JSON string in ``ContactFlow.Content``. ``Metadata`` holds the designer's layout and
repeats names and condition values for display: it is used for display names only, never as logic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditrules.documents import Document, escape_pointer_token, load_json_document, read_text
from auditrules.errors import AuditError, Span
from auditrules.findings import Diagnostic, Location


@dataclass(frozen=True)
class Transition:
    """One way out of an action: ``kind`` is next | condition | error."""

    kind: str
    target: str
    pointer: str
    operator: str = ""
    operands: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class Action:
    """One action of a flow, as written."""

    identifier: str
    type: str
    parameters: Mapping[str, Any]
    transitions: tuple[Transition, ...]
    pointer: str


@dataclass(frozen=True)
class Flow:
    """One flow: its actions by identifier, where it starts, and how to locate a pointer in its file."""

    path: str
    name: str
    start: str
    actions: Mapping[str, Action]
    display: Mapping[str, str]
    document: Document
    #: In ``describe-contact-flow`` output the flow is a string: every place is the Content line.
    content_pointer: str | None = None

    def locate(self, pointer: str) -> Location:
        if self.content_pointer is not None:
            pos = self.document.position_of(self.content_pointer) or (1, 1)
            return Location(self.path, pos[0], pos[1], self.content_pointer)
        return Location(self.path, None, None, pointer)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return json.dumps(value, sort_keys=True)


def _transitions(raw: Any, base: str) -> tuple[Transition, ...]:
    if not isinstance(raw, dict):
        return ()
    out: list[Transition] = []
    if isinstance(raw.get("NextAction"), str):
        out.append(Transition("next", raw["NextAction"], f"{base}/NextAction"))
    for i, cond in enumerate(raw.get("Conditions") or ()):
        if not isinstance(cond, dict) or not isinstance(cond.get("NextAction"), str):
            continue
        found = cond.get("Condition")
        spec: dict[str, Any] = found if isinstance(found, dict) else {}
        operands = spec.get("Operands") or ()
        out.append(
            Transition(
                "condition",
                cond["NextAction"],
                f"{base}/Conditions/{i}",
                str(spec.get("Operator") or ""),
                tuple(_text(o) for o in operands) if isinstance(operands, list) else (_text(operands),),
            )
        )
    for i, err in enumerate(raw.get("Errors") or ()):
        if isinstance(err, dict) and isinstance(err.get("NextAction"), str):
            out.append(
                Transition("error", err["NextAction"], f"{base}/Errors/{i}", error=str(err.get("ErrorType") or ""))
            )
    return tuple(out)


def _display_names(metadata: Any) -> dict[str, str]:
    """Action id → the queue or flow name the designer shows (``Metadata.ActionMetadata``)."""
    names: dict[str, str] = {}
    actions = metadata.get("ActionMetadata") if isinstance(metadata, dict) else None
    if not isinstance(actions, dict):
        return names
    for ident, meta in actions.items():
        if not isinstance(meta, dict):
            continue
        queue = meta.get("queue")
        params = meta.get("parameters")
        if isinstance(queue, dict) and isinstance(queue.get("text"), str):
            names[ident] = queue["text"]
        elif isinstance(params, dict):
            for value in params.values():
                if isinstance(value, dict) and isinstance(value.get("displayName"), str):
                    names[ident] = value["displayName"]
                    break
    return names


def _content(doc: Document) -> tuple[Any, str | None]:
    data = doc.data
    if isinstance(data, dict):
        for key in ("ContactFlow", "ContactFlowModule"):
            wrapped = data.get(key)
            if isinstance(wrapped, dict) and isinstance(wrapped.get("Content"), str):
                pointer = f"/{key}/Content"
                try:
                    return json.loads(wrapped["Content"]), pointer
                except json.JSONDecodeError as exc:
                    span = doc.span_of(pointer)
                    raise AuditError(
                        "AR205", f"invalid JSON in {key}.Content: {exc.msg} (character {exc.pos})", span, doc.text
                    ) from None
    return data, None


def read_flow(path: Path, diagnostics: list[Diagnostic]) -> Flow:
    """Parse one flow file; AR204 when it is not a flow, AR205 when it is not JSON."""
    text, digest = read_text(path)
    doc = load_json_document(path, text, digest)
    data, content_pointer = _content(doc)
    if not isinstance(data, dict) or not isinstance(data.get("Actions"), list):
        raise AuditError(
            "AR204",
            f"{path} is not an Amazon Connect flow (expected Version, StartAction and Actions[])",
            Span(str(path), 1, 1),
            text,
        )
    actions: dict[str, Action] = {}
    for i, raw in enumerate(data["Actions"]):
        pointer = f"/Actions/{i}"
        if not isinstance(raw, dict) or not isinstance(raw.get("Identifier"), str):
            diagnostics.append(
                Diagnostic(
                    "AR202",
                    "warning",
                    f"action {i} has no Identifier; skipped",
                    Location(str(path), None, None, pointer),
                )
            )
            continue
        found = raw.get("Parameters")
        params: dict[str, Any] = found if isinstance(found, dict) else {}
        ident = raw["Identifier"]
        actions[ident] = Action(
            ident,
            str(raw.get("Type") or ""),
            params,
            _transitions(raw.get("Transitions"), f"{pointer}/Transitions"),
            pointer,
        )
    metadata = data.get("Metadata")
    name = metadata.get("name") if isinstance(metadata, dict) and isinstance(metadata.get("name"), str) else None
    if isinstance(doc.data, dict) and isinstance(doc.data.get("ContactFlow"), dict):
        name = name or doc.data["ContactFlow"].get("Name")
    return Flow(
        str(path),
        str(name or path.stem),
        str(data.get("StartAction") or ""),
        actions,
        _display_names(metadata),
        doc,
        content_pointer,
    )


def parameter_pointer(action: Action, *keys: str) -> str:
    return action.pointer + "/Parameters" + "".join("/" + escape_pointer_token(k) for k in keys)


__all__ = ["Action", "Flow", "Transition", "parameter_pointer", "read_flow"]
