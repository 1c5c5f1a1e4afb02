"""Evidence of routing decisions the export cannot show: the ``routing-not-auditable`` kind and its
part :class:`OpaqueRead` (a value returned by a Lambda, a formula or a data action).

They are kinds of :class:`auditrules.evidence.Evidence` like the other routing ones, kept in their
own module because only some vendors' exports (Amazon Connect, Salesforce, Genesys Architect) hold
such decisions: a check of any other export does not create these classes. The routing analysis
imports this module where it makes one; :func:`auditrules.evidence.evidence_from_json` when it
first reads one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from auditrules.evidence import Effect, RoutingEvidence


@dataclass(frozen=True)
class OpaqueRead:
    """A value a routing rule reads that the export cannot show, and why (``returned by a Lambda``)."""

    field: str
    why: str


@dataclass(frozen=True)
class RoutingNotAuditable(RoutingEvidence):
    """A routing rule whose decision rests on values computed outside the export."""

    KIND: ClassVar[str] = "routing-not-auditable"

    routing_rule: str
    effects: tuple[Effect, ...]
    not_auditable: tuple[OpaqueRead, ...]


__all__ = ["OpaqueRead", "RoutingNotAuditable"]
