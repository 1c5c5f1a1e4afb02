"""Ticket evidence: ticket exports (+ a mapping) and ticket rules → findings.

:mod:`~auditrules.tickets.sources` resolves files, :mod:`~auditrules.tickets.mapping` reads a
column mapping, :mod:`~auditrules.tickets.plan` compiles everything to sqlglot trees,
:mod:`~auditrules.tickets.engines` runs them (DuckDB, or Spark), :mod:`~auditrules.tickets.judge`
turns per-group aggregates into verdicts with :mod:`~auditrules.tickets.stats` (intervals) and
:mod:`~auditrules.tickets.pairs` (between-groups comparisons of many groups),
:mod:`~auditrules.tickets.survival` (the product-limit estimator of censored durations, in SQL
and Python) with :mod:`~auditrules.tickets.censored` (its figures for the judge), and
:mod:`~auditrules.tickets.columns_check` refuses misspelt columns (AR312);
:mod:`~auditrules.tickets.evaluate` orchestrates those steps; :mod:`~auditrules.tickets.partitions`
runs them for many independent histories at once (the calibration benchmark). Python sees per-group aggregates,
never ticket rows. Third-party: duckdb, sqlglot, pyspark (optional), rich (progress), jsonschema.

The public entry point is :func:`evaluate_tickets` (re-exported lazily: importing this package
loads neither DuckDB nor sqlglot; only calling it does).

May import: errors, findings, evidence, ticket_evidence, columns, units, channels, documents, resources, lang
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditrules.tickets.evaluate import TicketResult, evaluate_tickets

#: The ticket engines (``--engine``): here, not in :mod:`.engine_spec`, so the CLI can offer them
#: without building :class:`~auditrules.tickets.engine_spec.EngineSpec`, which a routing check never needs.
ENGINES: tuple[str, ...] = ("duckdb", "spark")

__all__ = ["TicketResult", "evaluate_tickets"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from auditrules.tickets import evaluate

        return getattr(evaluate, name)
    raise AttributeError(f"module 'auditrules.tickets' has no attribute {name!r}")
