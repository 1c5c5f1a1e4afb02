"""Censored durations in the plan: which requirements read a right-censored duration, and its SQL.

A ticket not yet answered has no ``first_response``, and one not yet resolved no
``resolution_time``; dropping them would make the slowest channel look fast. Such a ticket has
waited *at least* until it was closed without a reply (``resolved_at``) or, while still open,
until the data's *as-of* time: its duration is right-censored there. A requirement is censored
when it aggregates one of these durations — a quantile (``p90(first_response)``), a mean, or a
share of a simple bound (``share(first_response <= 4h)``) — and the view has ``created_at`` to
measure the wait from. Its figures then come from the product-limit estimator
(:func:`auditrules.tickets.survival.survival_query`), run in the engine over the requirement's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlglot import exp

from auditrules.lang import ast
from auditrules.tickets.plan.clean import CleanView
from auditrules.tickets.plan.sql import case, col, is_null, lit, not_null

#: Censorable duration → (the timestamp of its event, timestamps that end the wait without it).
CENSORABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "first_response": ("first_response_at", ("resolved_at",)),  # closed without a reply
    "resolution_time": ("resolved_at", ()),
}

#: Timestamps the censoring reads, to be kept in the clean view when a censorable duration is.
TIMESTAMPS: tuple[str, ...] = ("created_at", "first_response_at", "resolved_at")


def censorable(column: str, view: CleanView) -> bool:
    """Whether ``column`` is a duration whose missing values can be censored in this view."""
    return column in CENSORABLE and column in view.columns and "created_at" in view.columns


def censored_column(req: ast.Require, view: CleanView) -> tuple[str, float | None] | None:
    """(duration column, share bound in seconds or None) when a requirement reads a censored duration.

    A quantile or mean of a censorable duration, or ``share(duration <= t)`` / ``share(duration < t)``.
    """
    agg = req.aggregate
    if agg.func == "share":
        pred = agg.predicate
        if (
            isinstance(pred, ast.Compare)
            and pred.op in ("<=", "<")
            and isinstance(pred.left, ast.Name)
            and isinstance(pred.right, ast.Literal)
            and isinstance(pred.right.value, (int, float))
            and censorable(pred.left.name, view)
        ):
            return pred.left.name, float(pred.right.value)
        return None
    reads = agg.column is not None and (agg.quantile is not None or agg.func == "mean")
    if reads and agg.column is not None and censorable(agg.column.name, view):
        return agg.column.name, None
    return None


def _epoch(node: exp.Expr) -> exp.Expr:
    return exp.TimeToUnix(this=node)


def instant(as_of: datetime) -> exp.Expr:
    """An as-of time as a TIMESTAMP literal (UTC)."""
    stamp = as_of.strftime("%Y-%m-%d %H:%M:%S.%f")
    return exp.Cast(this=lit(stamp), to=exp.DataType.build("timestamp"))


def waited(column: str, view: CleanView, as_of: datetime | exp.Expr | None) -> exp.Expr:
    """How long a ticket without ``column`` has waited: until a close without the event, else ``as_of``.

    NULL when ``created_at`` is missing; never negative (an as-of time before creation waits 0).
    ``as_of`` None gives a placeholder used only to test for NULLs (the profile, before the
    as-of time is known).
    """
    _, closers = CENSORABLE[column]
    ends: list[exp.Expr] = [col(c) for c in closers if c in view.columns]
    if isinstance(as_of, datetime):
        ends.append(instant(as_of))
    else:
        ends.append(as_of if as_of is not None else instant(datetime(1970, 1, 1)))
    end = exp.Coalesce(this=ends[0], expressions=ends[1:]) if len(ends) > 1 else ends[0]
    seconds = exp.Sub(this=_epoch(end), expression=_epoch(col("created_at")))
    return case(
        [(is_null(col("created_at")), exp.null()), (exp.LT(this=seconds.copy(), expression=lit(0)), lit(0.0))],
        seconds,
    )


@dataclass(frozen=True)
class Censoring:
    """How one requirement's censored duration is read: the duration (observed or censored) and the event flag."""

    column: str
    bound: float | None  # the share's bound in seconds; None for quantiles and means
    duration: exp.Expr
    observed: exp.Expr


def censoring(req: ast.Require, view: CleanView, as_of: datetime | exp.Expr) -> Censoring | None:
    """The censoring of a requirement, or None when it reads no censored duration.

    ``as_of`` is the as-of time, or an expression giving it per row (one per partition)."""
    found = censored_column(req, view)
    if found is None:
        return None
    column, bound = found
    observed = not_null(col(column))
    duration = exp.Coalesce(this=col(column), expressions=[waited(column, view, as_of)])
    return Censoring(column, bound, duration, observed)


def censored_missing(column: str) -> exp.Expr:
    """The rows whose censored duration is still missing: no value and no creation time to wait from."""
    return exp.and_(is_null(col(column)), is_null(col("created_at")))


__all__ = ["CENSORABLE", "TIMESTAMPS", "Censoring", "censorable", "censored_column", "censored_missing", "censoring"]
