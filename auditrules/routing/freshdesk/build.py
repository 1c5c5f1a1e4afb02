"""Freshdesk export → :class:`RoutingModel`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditrules.channels import VENDOR_DEFAULT_CHANNELS, freshdesk_channel
from auditrules.findings import InputFile
from auditrules.routing.exports import no_export
from auditrules.routing.freshdesk.automations import RuleReader
from auditrules.routing.freshdesk.files import Export, Item, read_export
from auditrules.routing.freshdesk.sla import PolicyReader, policy_order
from auditrules.routing.model import RoutingModel

_TYPE_IN_NAME = re.compile(r"automations?[-_]?(\d)")


def _rule_sources(rules: Sequence[Item]) -> set[str]:
    """Channels named by ``source`` conditions anywhere (the universe "is not" conditions need)."""
    out: set[str] = set()
    for item in rules:
        for cset in item.data.get("conditions") or ():
            for prop in (cset.get("properties") or ()) if isinstance(cset, dict) else ():
                if isinstance(prop, dict) and prop.get("field_name") == "source":
                    value = prop.get("value")
                    for v in value if isinstance(value, list) else [value]:
                        ch = freshdesk_channel(v)
                        if ch is not None:
                            out.add(ch)
    return out


def _file_type(path: str) -> int | None:
    m = _TYPE_IN_NAME.search(Path(path).name.lower())
    return int(m.group(1)) if m else None


def load_freshdesk(paths: Sequence[str | Path]) -> RoutingModel:
    """Read Freshdesk SLA policies and automation rules (files or directories) into one model."""
    ps = [Path(p) for p in paths]
    export: Export = read_export(ps)
    if not export.policies and not export.rules:
        raise no_export(
            ps,
            "Freshdesk export files (expected GET /api/v2/sla_policies or GET /api/v2/automations/{type}/rules JSON)",
        )
    policies_reader = PolicyReader(export.diagnostics)
    ordered = sorted(enumerate(export.policies), key=lambda t: policy_order(t[1], t[0]))
    policies = [p for p in (policies_reader.policy(item, i) for i, (_, item) in enumerate(ordered)) if p is not None]
    universe = set(VENDOR_DEFAULT_CHANNELS["freshdesk"]) | policies_reader.channels | _rule_sources(export.rules)
    reader = RuleReader(export.diagnostics, policies_reader.restricted_on, universe)
    rules = [
        reader.rule(item, i, _file_type(item.doc.path)) for i, item in enumerate(sorted(export.rules, key=_rule_order))
    ]
    inputs = sorted(
        {InputFile(doc.path, _input_kind(export, doc.path), doc.sha256) for doc in export.documents.values()},
        key=lambda f: f.path,
    )
    return RoutingModel(
        format="freshdesk",
        name=ps[0].name if ps[0].is_dir() else ps[0].stem,
        channels=tuple(sorted(universe | reader.channels)),
        rules=tuple(rules),
        sla_policies=tuple(policies),
        inputs=tuple(inputs),
        diagnostics=tuple(export.diagnostics),
        sla_known=bool(export.policies),
        priority_known=bool(export.rules) or None,
        documents=export.documents,
    )


def _rule_order(item: Item) -> tuple[Any, ...]:
    d = item.data
    atype = d.get("automation_type_id")
    pos = d.get("position")
    return (
        atype if isinstance(atype, int) else _file_type(item.doc.path) or 0,
        pos if isinstance(pos, (int, float)) and not isinstance(pos, bool) else 0,
        item.doc.path,
        item.pointer,
    )


def _input_kind(export: Export, path: str) -> str:
    kinds = sorted(
        {"sla_policies" for i in export.policies if i.doc.path == path}
        | {"automations" for i in export.rules if i.doc.path == path}
    )
    return "freshdesk:" + "+".join(kinds)


__all__ = ["load_freshdesk"]
