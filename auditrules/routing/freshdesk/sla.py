"""Freshdesk SLA policies → :class:`SlaPolicy`.

A policy's ``applicable_to`` restricts it: ``sources`` (numeric ticket sources → channels),
``group_ids``, ``company_ids``, ``ticket_types``, ``product_ids``, ``contact_segments`` and
``company_segments``. An empty or missing list means "all". Any restriction other than the source
makes the policy cover only part of a channel's tickets. Freshdesk applies the first matching
policy by ``position``; the default policy (``is_default``) catches everything else, so it comes last.
Inactive policies are noted (AR207) and not judged.
"""

from __future__ import annotations

from typing import Any

from auditrules.channels import freshdesk_channel
from auditrules.findings import Diagnostic
from auditrules.routing.freshdesk.files import Item, location
from auditrules.routing.model import SlaPolicy, SlaTarget

#: ``sla_target`` keys → the priority they hold (Freshdesk priority codes 1..4).
PRIORITY_KEYS: dict[str, str] = {
    "priority_1": "low",
    "priority_2": "medium",
    "priority_3": "high",
    "priority_4": "urgent",
}

#: Target fields (seconds) → metric.
METRICS: dict[str, str] = {
    "respond_within": "first_response",
    "next_respond_within": "next_reply",
    "resolve_within": "resolution",
}

#: ``applicable_to`` keys that restrict a policy to part of a channel's tickets, with their wording.
RESTRICTIONS: dict[str, str] = {
    "group_ids": "group",
    "company_ids": "company",
    "ticket_types": "ticket type",
    "product_ids": "product",
    "contact_segments": "contact segment",
    "company_segments": "company segment",
}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def policy_order(item: Item, index: int) -> tuple[int, float, int]:
    """Evaluation order: by ``position``, the default policy last."""
    pos = item.data.get("position")
    return (
        1 if item.data.get("is_default") else 0,
        float(pos) if isinstance(pos, (int, float)) else float(index),
        index,
    )


class PolicyReader:
    """Reads policies, collecting the channels they name and notes about what it skipped."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        self.channels: set[str] = set()
        #: ``applicable_to`` keys some active policy restricts on (``group_ids`` ...).
        self.restricted_on: set[str] = set()

    def note(self, item: Item, suffix: str, message: str, code: str = "AR202") -> None:
        self.diagnostics.append(Diagnostic(code, "warning", message, location(item, suffix)))

    def policy(self, item: Item, order: int) -> SlaPolicy | None:
        d = item.data
        name = str(d.get("name") or d.get("id") or f"policy {order}")
        if d.get("active") is False:
            self.note(item, "", f"SLA policy '{name}' is inactive; it is reported but not judged", "AR207")
            return None
        applicable = d.get("applicable_to")
        if applicable is None:
            applicable = {}
        if not isinstance(applicable, dict):
            self.note(item, "/applicable_to", f"SLA policy '{name}': applicable_to is not an object; read as all")
            applicable = {}
        channels = self.sources(item, name, applicable.get("sources"))
        conditions: list[str] = []
        for key, label in RESTRICTIONS.items():
            values = applicable.get(key)
            if isinstance(values, list) and values:
                self.restricted_on.add(key)
                conditions.append(f"{label} in [{', '.join(str(v) for v in values)}]")
        return SlaPolicy(
            name=name,
            channels=channels,
            targets=tuple(self.targets(item, name)),
            location=location(item),
            conditions=tuple(conditions),
            order=order,
        )

    def sources(self, item: Item, name: str, sources: Any) -> tuple[str, ...] | None:
        if sources is None or sources == []:
            return None
        if not isinstance(sources, list):
            self.note(item, "/applicable_to/sources", f"SLA policy '{name}': sources is not a list; read as all")
            return None
        chans: set[str] = set()
        for i, src in enumerate(sources):
            ch = freshdesk_channel(src)
            if ch is None:
                self.note(
                    item,
                    f"/applicable_to/sources/{i}",
                    f"SLA policy '{name}': ticket source {src!r} is not a Freshdesk source auditrules knows; "
                    "that part of the policy is not checked",
                )
                continue
            chans.add(ch)
        self.channels.update(chans)
        return tuple(sorted(chans))

    def targets(self, item: Item, name: str) -> list[SlaTarget]:
        raw = item.data.get("sla_target")
        if not isinstance(raw, dict):
            self.note(item, "/sla_target", f"SLA policy '{name}' has no sla_target object; it promises nothing")
            return []
        out: list[SlaTarget] = []
        for key, target in sorted(raw.items()):
            priority = PRIORITY_KEYS.get(key)
            if priority is None or not isinstance(target, dict):
                self.note(item, f"/sla_target/{key}", f"SLA policy '{name}': unknown target '{key}'; skipped")
                continue
            business = target.get("business_hours") is True
            for field, metric in METRICS.items():
                seconds = target.get(field)
                if seconds is None:
                    continue
                if not _is_number(seconds) or seconds < 0:
                    self.note(
                        item,
                        f"/sla_target/{key}/{field}",
                        f"SLA policy '{name}': {key}.{field} is not a number of seconds; skipped",
                    )
                    continue
                loc = location(item, f"/sla_target/{key}/{field}")
                out.append(SlaTarget(metric, priority, float(seconds), business, loc))
        return out


__all__ = ["PolicyReader", "policy_order"]
