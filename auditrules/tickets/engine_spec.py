"""Which ticket engine to run and how (imports nothing heavy: the CLI builds it before any data stack loads)."""

from __future__ import annotations

from dataclasses import dataclass

from auditrules.tickets import ENGINES


@dataclass(frozen=True)
class EngineSpec:
    """Which engine to run and how: ``name`` in ENGINES; ``master`` is a Spark master URL
    (``spark://host:7077``, ``local[4]``; None: ``AUDITRULES_SPARK_MASTER`` or ``local[*]``);
    ``verbose`` lets Spark's own logging and progress bars through."""

    name: str = "duckdb"
    master: str | None = None
    verbose: bool = False


__all__ = ["ENGINES", "EngineSpec"]
