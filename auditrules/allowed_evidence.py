"""Evidence of ``routing may read only SET`` (an allow-list): the ``routing-outside-allowed`` and
``routing-only-allowed`` kinds.

They are kinds of :class:`auditrules.evidence.Evidence` like the other routing ones, kept in their
own module because no bundled rule has an allow-list: a check with the standard pack does not
create these classes. The routing analysis imports this module where it makes one;
:func:`auditrules.evidence.evidence_from_json` when it first reads one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from auditrules.evidence import RoutingEvidence


@dataclass(frozen=True)
class RoutingOutsideAllowed(RoutingEvidence):
    """A routing rule reads names outside the allowed set."""

    KIND: ClassVar[str] = "routing-outside-allowed"

    routing_rule: str
    not_allowed: tuple[str, ...]
    allowed_patterns: tuple[str, ...]


@dataclass(frozen=True)
class RoutingOnlyAllowed(RoutingEvidence):
    """Every routing rule reads only allowed names."""

    KIND: ClassVar[str] = "routing-only-allowed"

    routing_rules_checked: int
    allowed_patterns: tuple[str, ...]


__all__ = ["RoutingOnlyAllowed", "RoutingOutsideAllowed"]
