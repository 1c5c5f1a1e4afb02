"""Ticket evidence: ticket exports (+ a mapping) and ticket rules → findings.

The public entry point is :func:`evaluate_tickets` (re-exported lazily: importing this package
loads neither DuckDB nor sqlglot; only calling it does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditrules.tickets.evaluate import TicketResult, evaluate_tickets

__all__ = ["TicketResult", "evaluate_tickets"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from auditrules.tickets import evaluate

        return getattr(evaluate, name)
    raise AttributeError(f"module 'auditrules.tickets' has no attribute {name!r}")
