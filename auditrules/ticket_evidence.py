"""Ticket evidence: what a ticket requirement's finding rests on — the ``ticket-groups`` and
``ticket-missing-column`` kinds and their parts (groups, comparisons, thresholds, row counts).

They are kinds of :class:`auditrules.evidence.Evidence` like the routing ones, kept in their own
module so that a routing check, which never meets them, does not create their classes:
:func:`auditrules.evidence.evidence_from_json` imports this module when it first reads one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from auditrules.evidence import OMIT_NONE, Evidence


@dataclass(frozen=True)
class Threshold:
    """A requirement's threshold: the operator, the bound(s) and the text as written."""

    op: str
    value: float | str | None
    high: float | None
    text: str


@dataclass(frozen=True)
class RowAccounting:
    """Rows read, rows that reached the requirement's groups, and why the others did not."""

    read: int
    evaluated: int
    excluded: Mapping[str, int]
    #: Evaluated rows whose duration is right-censored (still waiting at the as-of time); None
    #: when the requirement reads no censored duration.
    censored: int | None = field(default=None, metadata=OMIT_NONE)


Stratum = Mapping[str, str]
Interval = tuple[float | None, float | None]


@dataclass(frozen=True)
class GroupFigure:
    """One group's figure: its size, value, interval and whether it was large enough to judge."""

    group: str
    stratum: Stratum | None
    n: int
    value: float | None
    interval: Interval | None
    interval_confidence: float | None
    eligible: bool
    #: Censored tickets in the group (None: no censored duration read) and, for a quantile,
    #: whether the product-limit curve reached it (False: ``value`` is a lower bound).
    censored: int | None = field(default=None, metadata=OMIT_NONE)
    reached: bool | None = field(default=None, metadata=OMIT_NONE)
    #: Under ``at P% confidence``, the tickets the group would need for its figure to get an
    #: interval (Cochran's rule for means, the order-statistic minimum for quantiles); omitted
    #: when it has one.
    needs: int | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class SmallGroup:
    """A group below the rule's minimum size."""

    group: str
    stratum: Stratum | None
    n: int


@dataclass(frozen=True)
class Comparison:
    """One judged figure: a group against the threshold, or a group against a reference group."""

    group: str
    reference: str | None
    stratum: Stratum | None
    value: float | None
    interval: Interval | None
    verdict: Literal["pass", "fail", "inconclusive", "insufficient_data"]


@dataclass(frozen=True)
class ComparisonCounts:
    """Every comparison a requirement made (``total``), how many fail or are inconclusive, and how
    many the evidence lists (``shown``: the worst per stratum, or all with ``--all-comparisons``)."""

    total: int
    failing: int
    inconclusive: int
    shown: int


@dataclass(frozen=True)
class PooledComparison:
    """A Mantel–Haenszel estimate pooled over the strata in which both groups appear."""

    group: str
    reference: str
    strata: int
    value: float | None
    interval: Interval | None


@dataclass(frozen=True)
class Censoring:
    """How censored durations entered a requirement's figures."""

    column: str
    as_of: str
    censored: int
    method: str


@dataclass(frozen=True)
class TicketGroups(Evidence):
    """One ticket requirement judged: ``comparisons`` are the judged figures (per group against the
    threshold for ``each``/``overall``, group against reference for ``across``); ``pooled`` are the
    Mantel–Haenszel estimates of a stratified share comparison (None otherwise)."""

    KIND: ClassVar[str] = "ticket-groups"

    requirement: str
    mode: Literal["overall", "each", "across"]
    measure: Literal["ratio", "difference"] | None
    aggregate: str
    unit: Literal["duration", "fraction", "count", "number"]
    threshold: Threshold
    confidence: float | None
    minimum: int | None
    group_by: str | None
    strata: tuple[str, ...]
    rows: RowAccounting
    sql: str
    groups: tuple[GroupFigure, ...]
    insufficient: tuple[SmallGroup, ...]
    comparisons: tuple[Comparison, ...] = ()
    reference: str | None = None
    skipped_strata: tuple[str, ...] = ()
    pooled: tuple[PooledComparison, ...] | None = None
    censoring: Censoring | None = field(default=None, metadata=OMIT_NONE)
    comparison_counts: ComparisonCounts | None = field(default=None, metadata=OMIT_NONE)

    def worst_first(self) -> tuple[Comparison, ...]:
        """The comparisons, failing ones first, then inconclusive, then passing; within each, the
        figure farthest beyond (or nearest to) the threshold first. Missing figures go last."""
        verdict_rank = {"fail": 0, "inconclusive": 1, "pass": 2}

        def beyond(c: Comparison) -> float:
            v = c.value
            if v is None or not math.isfinite(v):
                return math.inf
            if self.threshold.op in (">=", ">"):
                return v
            if self.threshold.op == "between":
                return -abs(math.log(v)) if v > 0 else -math.inf
            return -v

        return tuple(sorted(self.comparisons, key=lambda c: (verdict_rank.get(c.verdict, 3), beyond(c))))


@dataclass(frozen=True)
class TicketMissingColumn(Evidence):
    """A ticket requirement naming a column the data lacks: the columns it has, the rows read."""

    KIND: ClassVar[str] = "ticket-missing-column"

    requirement: str
    missing_column: str
    columns: tuple[str, ...]
    rows: RowAccounting


__all__ = [
    "Censoring",
    "Comparison",
    "ComparisonCounts",
    "GroupFigure",
    "Interval",
    "PooledComparison",
    "RowAccounting",
    "SmallGroup",
    "Stratum",
    "Threshold",
    "TicketGroups",
    "TicketMissingColumn",
]
