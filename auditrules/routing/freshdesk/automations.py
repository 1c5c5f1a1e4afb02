"""Freshdesk automation rules → :class:`RoutingRule`.

A rule's ``conditions`` is a list of condition sets (``match_type`` all/any, ``properties`` with
``resource_type`` ticket/contact/company, ``field_name``, ``operator``, ``value``), joined by the
rule's ``operator`` (``condition_set_1 or condition_set_2``; "and" when absent). Contact and company
fields are read as ``contact.<field>`` / ``company.<field>``, tags as ``tag:<name>``. ``source``
conditions give the rule's channel scope. ``actions`` (``field_name``, ``value``) are effects
(priority, group, agent, status, notifications) or writes (tags, custom fields, ticket type).
The ``summary`` block repeats conditions and actions as prose for the admin screen; it is
never read as logic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditrules.channels import freshdesk_channel
from auditrules.findings import Diagnostic
from auditrules.routing.freshdesk.files import Item, location
from auditrules.routing.model import Effect, Read, RoutingRule, Write

#: Automation types (the ``{type}`` of ``/api/v2/automations/{type}/rules``) → rule kind.
KINDS: dict[int, str] = {1: "ticket creation rule", 3: "hourly trigger", 4: "ticket update rule"}

#: Actions that change who serves a ticket, how fast.
EFFECTS: dict[str, str] = {
    "priority": "priority",
    "group_id": "group",
    "internal_group_id": "group",
    "responder_id": "assignee",
    "internal_agent_id": "assignee",
    "status": "status",
    "send_email_to_group": "notify",
    "send_email_to_agent": "notify",
    "add_watcher": "notify",
}

#: Actions that write a ticket field other rules may read (custom fields ``cf_*`` too).
WRITES = frozenset({"ticket_type", "product_id"})

#: Actions whose field an SLA policy's ``applicable_to`` may be restricted on, and that key.
SLA_INPUTS: dict[str, str] = {"ticket_type": "ticket_types", "product_id": "product_ids", "group_id": "group_ids"}

#: Operators that keep the listed values; operators that exclude them.
KEEP = frozenset({"is", "in", "is_any_of", "equals"})
DROP = frozenset({"is_not", "not_in", "is_none_of", "not_equals"})

#: Actions that hand the ticket to something outside the export.
OPAQUE_ACTIONS = frozenset({"trigger_webhook"})

TAG_FIELDS = frozenset({"tag_names", "tags"})
TAG_ACTIONS = frozenset({"add_tag", "add_tags"})


def render(value: Any) -> str:
    """A condition or action value as short text."""
    if isinstance(value, str):
        return value
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass
class RuleReader:
    """Reads automation rules; collects channels named by ``source`` conditions and notes."""

    diagnostics: list[Diagnostic]
    sla_inputs: set[str]
    universe: set[str]
    channels: set[str] = field(default_factory=set)

    def note(self, item: Item, suffix: str, message: str, code: str = "AR202") -> None:
        self.diagnostics.append(Diagnostic(code, "warning", message, location(item, suffix)))

    def rule(self, item: Item, order: int, default_type: int | None) -> RoutingRule:
        d = item.data
        atype = d.get("automation_type_id", default_type)
        kind = KINDS.get(atype, "automation rule") if isinstance(atype, int) else "automation rule"
        rid = f"automation:{atype}:{d.get('id', order)}"
        name = str(d.get("name") or rid)
        active = d.get("active", True) is not False
        if not active:
            self.note(item, "", f"{kind} '{name}' ({rid}) is inactive; it is reported but not analysed", "AR207")
        reads, scope = self.conditions(item, name)
        writes, effects = self.actions(item, name)
        return RoutingRule(
            id=rid,
            name=name,
            kind=kind,
            order=order,
            location=location(item),
            reads=tuple(reads),
            writes=tuple(writes),
            effects=tuple(effects),
            active=active,
            channels=scope,
        )

    # -- conditions ------------------------------------------------------------------------------

    def conditions(self, item: Item, name: str) -> tuple[list[Read], tuple[str, ...] | None]:
        sets = item.data.get("conditions")
        if sets is None:
            return [], None
        if not isinstance(sets, list):
            self.note(item, "/conditions", f"rule '{name}': conditions is not a list; read as none")
            return [], None
        reads: list[Read] = []
        scopes: list[set[str] | None] = []
        for i, cset in enumerate(sets):
            if not isinstance(cset, dict) or not isinstance(cset.get("properties"), list):
                self.note(item, f"/conditions/{i}", f"rule '{name}': condition set {i} has no properties; skipped")
                continue
            match_any = str(cset.get("match_type") or "all").lower() == "any"
            kept: list[set[str] | None] = []
            for j, prop in enumerate(cset["properties"]):
                suffix = f"/conditions/{i}/properties/{j}"
                if not isinstance(prop, dict) or not isinstance(prop.get("field_name"), str):
                    self.note(item, suffix, f"rule '{name}': condition without a field_name; skipped")
                    continue
                reads.extend(self.read(item, suffix, prop))
                kept.append(self.restriction(prop))
            scopes.append(_combine(kept, match_any))
        joined_or = " or " in f" {str(item.data.get('operator') or '').lower()} "
        scope = _combine(scopes, joined_or)
        return reads, None if scope is None else tuple(sorted(scope))

    def read(self, item: Item, suffix: str, prop: dict[str, Any]) -> list[Read]:
        resource = str(prop.get("resource_type") or "ticket").lower()
        fname = str(prop["field_name"])
        op = str(prop.get("operator") or "is")
        value = prop.get("value")
        loc = location(item, suffix)
        if resource == "ticket" and fname in TAG_FIELDS:
            text = f"{fname} {op} {render(value)}"
            return [Read(f"tag:{v}", loc, text) for v in _values(value) if isinstance(v, str)] or [
                Read("tags", loc, text)
            ]
        if resource == "ticket" and fname == "source":
            chans = [freshdesk_channel(v) or f"source {v}" for v in _values(value)]
            return [Read("source", loc, f"source {op} {render(value)} ({', '.join(chans)})")]
        qualified = fname if resource == "ticket" else f"{resource}.{fname}"
        return [Read(qualified, loc, f"{qualified} {op} {render(value)}")]

    def restriction(self, prop: dict[str, Any]) -> set[str] | None:
        """The channels a ``source`` condition keeps; None for any other condition."""
        if str(prop.get("resource_type") or "ticket").lower() != "ticket" or prop.get("field_name") != "source":
            return None
        op = str(prop.get("operator") or "is").lower()
        chans = {freshdesk_channel(v) for v in _values(prop.get("value"))}
        if None in chans or op not in KEEP | DROP:
            return None
        known = {c for c in chans if c is not None}
        self.channels.update(known)
        return known if op in KEEP else self.universe - known

    # -- actions ---------------------------------------------------------------------------------

    def actions(self, item: Item, name: str) -> tuple[list[Write], list[Effect]]:
        actions = item.data.get("actions")
        writes: list[Write] = []
        effects: list[Effect] = []
        if actions is None:
            return writes, effects
        if not isinstance(actions, list):
            self.note(item, "/actions", f"rule '{name}': actions is not a list; read as none")
            return writes, effects
        for k, act in enumerate(actions):
            suffix = f"/actions/{k}"
            if not isinstance(act, dict) or not isinstance(act.get("field_name"), str):
                self.note(item, suffix, f"rule '{name}': action without a field_name; skipped")
                continue
            fname, value = str(act["field_name"]), act.get("value")
            loc = location(item, suffix)
            if fname in OPAQUE_ACTIONS:
                self.note(
                    item,
                    suffix,
                    f"rule '{name}' calls {fname}: what the receiving service changes on the "
                    "ticket is not in the export and is not audited",
                    "AR211",
                )
                continue
            text = f"{fname} {render(value)}"
            if fname in TAG_ACTIONS:
                writes.extend(Write(f"tag:{t}", loc, text) for t in _values(value) if isinstance(t, str))
                continue
            kind = EFFECTS.get(fname)
            if kind is not None:
                effects.append(Effect(kind, render(value), loc))
            if fname in WRITES or fname.startswith("cf_"):
                writes.append(Write(fname, loc, text))
            if SLA_INPUTS.get(fname) in self.sla_inputs:
                effects.append(Effect("sla", text, loc))
        return writes, effects


def _combine(parts: Iterable[set[str] | None], union: bool) -> set[str] | None:
    """Channel scopes of conditions joined by and (intersect; unrestricted parts drop out) or
    or (union; one unrestricted part leaves the whole unrestricted)."""
    items = list(parts)
    if not items:
        return None
    if union:
        if any(p is None for p in items):
            return None
        return set().union(*(p for p in items if p is not None))
    scope: set[str] | None = None
    for p in items:
        if p is not None:
            scope = set(p) if scope is None else scope & p
    return scope


__all__ = ["KINDS", "RuleReader"]
