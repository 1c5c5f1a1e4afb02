"""How each finding status is shown: the one table of labels, symbols, emoji and terminal styles.

Every renderer takes its status words from here, so ``NOT EVALUATED`` and its symbol read the
same in the terminal, Markdown and HTML. The statuses themselves (and their worst-first order)
are :class:`auditrules.findings.Status` and :data:`auditrules.findings.STATUS_ORDER`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from auditrules.findings import FAILING, STATUS_ORDER, Status


@dataclass(frozen=True, repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class StatusLook:
    """A status as people see it. The label and symbol carry the meaning without colour (print, greyscale)."""

    key: str
    label: str
    symbol: str
    emoji: str
    style: str  # rich style in the terminal


LOOKS: Final[Mapping[Status, StatusLook]] = MappingProxyType(
    {
        Status.FAIL: StatusLook("fail", "FAIL", "✗", "❌", "bold red"),
        Status.ERROR: StatusLook("error", "ERROR", "!", "❗", "bold red"),
        Status.INCONCLUSIVE: StatusLook("inconclusive", "INCONCLUSIVE", "?", "❔", "bold yellow"),
        Status.INSUFFICIENT_DATA: StatusLook("insufficient_data", "INSUFFICIENT DATA", "…", "⏳", "yellow"),
        Status.WARN: StatusLook("warn", "WARNING", "⚠", "⚠️", "bold yellow"),
        Status.NOT_EVALUATED: StatusLook("not_evaluated", "NOT EVALUATED", "–", "➖", "dim"),
        Status.WAIVED: StatusLook("waived", "WAIVED", "~", "🔕", "cyan"),
        Status.PASS: StatusLook("pass", "PASS", "✓", "✅", "bold green"),
    }
)

#: Status values in summary order, worst first.
ORDER: Final[tuple[str, ...]] = tuple(s.value for s in STATUS_ORDER)

#: Status values that fail a rule.
FAILING_VALUES: Final[frozenset[str]] = frozenset(s.value for s in FAILING)


def look(status: str) -> StatusLook:
    """The look of a status value; a value this version does not know is shown upper-cased with ``•``."""
    try:
        return LOOKS[Status(status)]
    except ValueError:
        return StatusLook("unknown", status.replace("_", " ").upper(), "•", "•", "")


__all__ = ["FAILING_VALUES", "LOOKS", "ORDER", "StatusLook", "look"]
