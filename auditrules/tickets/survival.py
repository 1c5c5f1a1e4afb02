"""Censored durations: the product-limit (Kaplan–Meier) estimator, in the engine and in Python.

A ticket that was never answered still tells us something: it waited *at least* as long as it
has been open (until the data's as-of time) or until it was closed without a reply. Dropping it
would make the slowest channel look fast; treating its wait as an observed value would be just as
wrong. Such a duration is *right-censored*, and the figures of ``first_response`` or
``resolution_time`` come from the product-limit estimate of the survival function
``S(t) = P(duration > t)``:

* ``share(duration <= t)`` is ``1 − S(t)``, with the pointwise log–log ("exponential
  Greenwood") interval of ``S(t)``; where ``S(t)`` is 0 or 1 that interval collapses to a point
  (Greenwood's variance is 0 there), so :func:`survival_band` takes Wilson's score interval over
  the tickets *observed through* ``t`` instead (see :func:`survival_band`);
* the ``p``-quantile is the first time with ``S(t) <= 1 − p``; its interval is the
  Brookmeyer–Crowley construction: every time whose pointwise interval of ``S`` contains
  ``1 − p`` — in practice from the first time the band's lower curve falls to ``1 − p`` to
  the first time its upper curve does (the same inversion as lifelines' ``median_survival_times`` and R's ``survfit``
  with ``conf.type = "log-log"``);
* a quantile the curve never reaches is still bounded: ``S`` stays above ``1 − p`` at least until
  the shortest follow-up of the tickets still waiting after the last event, so the quantile
  *exceeds* that time (:attr:`CensoredQuantile.reached` is False and ``value`` is that bound);
* a mean over censored durations is not defined (the tail beyond the last follow-up is unknown).

:func:`survival_query` computes all of this inside the engine with window functions over a
life table (one row per group and distinct duration), so only a handful of figures per group
reach Python; :func:`product_limit` is the same estimator over a Python life table, used for
small inputs and as the reference the engine's figures are tested against (with lifelines as an
independent third).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from auditrules.tickets.plan.sql import all_of, lit
from auditrules.tickets.stats import wilson_bounds, z_value

#: Column names of :func:`survival_query`'s result, besides the group keys.
FIGURES: tuple[str, ...] = (
    "n",
    "events",
    "censored",
    "q_point",
    "q_low",
    "q_high",
    "last_event",
    "waiting_from",
    "s_at",
    "gw_at",
    "observed_at",
)

#: Tolerance when comparing ``S`` with ``1 − p``: the engine computes ``S`` as ``exp(Σ ln(1 − d/n))``
#: and Python as a product, so a curve that lands exactly on the level (``S = 4/40`` for a p90)
#: must count as reaching it in both.
LEVEL_TOLERANCE = 1e-9


# ---------------------------------------------------------------- Python life table and curve


@dataclass(frozen=True)
class LifeTable:
    """Per distinct duration (ascending): how many were at risk, had the event, were censored.

    ``at_risk[i]`` counts durations ``>= times[i]`` (a ticket censored at ``t`` is still at risk
    at ``t``: events are taken to happen first).
    """

    times: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    censored: tuple[int, ...]

    @classmethod
    def from_counts(cls, rows: Iterable[tuple[float, int, int]]) -> LifeTable:
        """From (duration, events, censored) rows; rows with the same duration are added up."""
        merged: dict[float, list[int]] = {}
        for t, d, c in rows:
            cell = merged.setdefault(float(t), [0, 0])
            cell[0] += int(d)
            cell[1] += int(c)
        times = sorted(merged)
        risk: list[int] = []
        remaining = sum(d + c for d, c in merged.values())
        for t in times:
            risk.append(remaining)
            remaining -= merged[t][0] + merged[t][1]
        return cls(tuple(times), tuple(risk), tuple(merged[t][0] for t in times), tuple(merged[t][1] for t in times))

    @classmethod
    def from_durations(cls, durations: Sequence[float], observed: Sequence[bool]) -> LifeTable:
        """From one duration per ticket and whether it was observed (True) or censored (False)."""
        return cls.from_counts((t, 1 if o else 0, 0 if o else 1) for t, o in zip(durations, observed, strict=True))

    @property
    def n(self) -> int:
        return self.at_risk[0] if self.at_risk else 0


@dataclass(frozen=True)
class Curve:
    """The product-limit curve at each distinct duration of a :class:`LifeTable`.

    ``survival[i]`` is ``S(times[i])`` (just after any event at that time) and ``greenwood[i]``
    the cumulative Greenwood sum ``Σ d / (n (n − d))`` up to it.
    """

    table: LifeTable
    survival: tuple[float, ...]
    greenwood: tuple[float, ...]

    @property
    def observed(self) -> tuple[int, ...]:
        """Per distinct duration ``t``: the tickets observed through ``t`` (:func:`observed_through`)."""
        out, censored_before = [], 0
        for c in self.table.censored:
            out.append(self.table.n - censored_before)
            censored_before += c
        return tuple(out)

    @property
    def last_event(self) -> float | None:
        """The longest observed (uncensored) duration; None when every duration is censored."""
        times = [t for t, d in zip(self.table.times, self.table.events, strict=True) if d > 0]
        return times[-1] if times else None

    @property
    def waiting_from(self) -> float | None:
        """The shortest follow-up of tickets still waiting at the last event (censored at or after it)."""
        last = self.last_event
        floor = -math.inf if last is None else last
        waits = [t for t, c in zip(self.table.times, self.table.censored, strict=True) if c > 0 and t >= floor]
        return waits[0] if waits else None


def product_limit(table: LifeTable) -> Curve:
    """The Kaplan–Meier estimate ``S(t) = Π (1 − d_i / n_i)`` and its Greenwood sums."""
    s, gw = 1.0, 0.0
    survival: list[float] = []
    greenwood: list[float] = []
    for n, d in zip(table.at_risk, table.events, strict=True):
        if d > 0:
            s *= 1.0 - d / n
            gw = gw + d / (n * (n - d)) if n > d else math.inf
        survival.append(s)
        greenwood.append(gw)
    return Curve(table, tuple(survival), tuple(greenwood))


def loglog_band(s: float, greenwood: float, z: float) -> tuple[float, float]:
    """The pointwise log–log interval of ``S`` (lifelines' "exponential Greenwood" bounds).

    At ``S`` = 1 or 0 the formula's limit is the point itself (Greenwood's variance is 0 there;
    its sum is infinite only at ``S`` = 0): :func:`survival_band` is the interval the engine uses.
    """
    if s >= 1.0:
        return 1.0, 1.0
    if s <= 0.0 or math.isinf(greenwood):
        return 0.0, 0.0
    v = math.log(s)
    spread = z * math.sqrt(greenwood) / v  # negative
    low = math.exp(-math.exp(math.log(-v) - spread))
    high = math.exp(-math.exp(math.log(-v) + spread))
    return low, high


def survival_band(s: float, greenwood: float, z: float, observed: int) -> tuple[float, float]:
    """The pointwise interval of ``S(t)``: log–log inside (0, 1), Wilson's at ``S(t)`` ∈ {0, 1}.

    Where the curve is 1 (no event up to ``t``) or 0 (every ticket still at risk had its event)
    Greenwood's variance is 0 and the log–log interval collapses to the point: one open ticket
    would make "100% answered within t" a certainty. There the interval is Wilson's score interval
    (Wilson 1927) of all or none of ``observed`` tickets — the tickets observed through ``t``:
    those with an event up to ``t`` plus those known to wait past it, i.e. every ticket but the
    ones censored before ``t``. That count is an effective sample size in the sense of Dorey &
    Korn (1987), "Effective sample sizes for confidence intervals for survival probabilities",
    Stat Med 6:679–687; at ``S(t)`` = 1 it is the number at risk at ``t``, Peto's effective sample
    size ``n(t)/S(t)``, and with no ticket censored before ``t`` it is the group's size, so the
    interval is then exactly the uncensored share's Wilson interval. No ticket observed: ``[0, 1]``.
    """
    if _inside(s, greenwood):
        return loglog_band(s, greenwood, z)
    if observed <= 0:
        return 0.0, 1.0
    return wilson_bounds(observed if s >= 1.0 else 0, observed, z)


def _inside(s: float, greenwood: float) -> bool:
    return 0.0 < s < 1.0 and not math.isinf(greenwood)


def survival_at(curve: Curve, t: float) -> tuple[float, float]:
    """``S(t)`` and its Greenwood sum: the curve's value at the last distinct duration ``<= t``."""
    s, gw = 1.0, 0.0
    for ti, si, gi in zip(curve.table.times, curve.survival, curve.greenwood, strict=True):
        if ti > t:
            break
        s, gw = si, gi
    return s, gw


def observed_through(table: LifeTable, t: float) -> int:
    """The tickets observed through ``t``: all but those censored before ``t`` (a ticket censored
    at ``t`` was still waiting at ``t``, so it is known not to be done within ``t``)."""
    return table.n - sum(c for ti, c in zip(table.times, table.censored, strict=True) if ti < t)


@dataclass(frozen=True)
class CensoredShare:
    """``share(duration <= t) = 1 − S(t)`` with its interval (``low``, ``high``) at a confidence."""

    value: float
    low: float
    high: float


def share_within(s: float, greenwood: float, confidence: float, observed: int) -> CensoredShare:
    """The share done within ``t`` from ``S(t)``, its Greenwood sum and the tickets observed
    through ``t`` (:func:`observed_through`), with :func:`survival_band`'s interval: at ``S(t)`` ∈
    {0, 1} the share's Wilson interval itself (all or none of ``observed`` done), so with no ticket
    censored before ``t`` it is bit for bit :func:`~auditrules.tickets.stats.wilson`'s."""
    z = z_value(confidence)
    if not _inside(s, greenwood) and observed > 0:
        low, high = wilson_bounds(observed if s <= 0.0 else 0, observed, z)
        return CensoredShare(1.0 - s, low, high)
    band_low, band_high = survival_band(s, greenwood, z, observed)
    return CensoredShare(1.0 - s, 1.0 - band_high, 1.0 - band_low)


@dataclass(frozen=True)
class CensoredQuantile:
    """A product-limit quantile: its value, whether the curve reached it, and its interval.

    When ``reached`` is False the quantile is known only to *exceed* ``value`` (the shortest
    follow-up of the tickets still waiting), and ``high`` is infinite. ``low``/``high`` are None
    or infinite when the band never reaches the level on that side.
    """

    value: float | None
    reached: bool
    low: float | None
    high: float


def quantile(curve: Curve, p: float, confidence: float) -> CensoredQuantile:
    """The ``p``-quantile (``p90`` → 0.9) with its Brookmeyer–Crowley interval over
    :func:`survival_band` (where the curve falls to 0 its upper band is Wilson's, not 0, so a
    small group's upper limit is not its longest wait)."""
    level = 1.0 - p + LEVEL_TOLERANCE
    z = z_value(confidence)
    point = low = None
    high = math.inf
    rows = zip(curve.table.times, curve.survival, curve.greenwood, curve.observed, strict=True)
    for t, s, gw, observed in rows:
        band_low, band_high = survival_band(s, gw, z, observed)
        if point is None and s <= level:
            point = t
        if low is None and band_low <= level:
            low = t
        if math.isinf(high) and band_high <= level:
            high = t
    if point is not None:
        return CensoredQuantile(point, True, low, high)
    return CensoredQuantile(curve.waiting_from, False, low, math.inf)


# ---------------------------------------------------------------- the same estimator in SQL


def _q(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _num(value: float) -> exp.Expr:
    return exp.Literal.number(repr(float(value)))


def _window(agg: exp.Expr, partition: Sequence[exp.Expr], descending: bool = False) -> exp.Window:
    return exp.Window(
        this=agg,
        partition_by=[p.copy() for p in partition] or None,
        order=exp.Order(expressions=[exp.Ordered(this=_q("t"), desc=descending, nulls_first=False)]),
        spec=exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"),
    )


def _when(cond: exp.Expr, then: exp.Expr, default: exp.Expr) -> exp.Expr:
    return exp.Case(ifs=[exp.If(this=cond, true=then)], default=default)


def _filtered(agg: exp.Expr, cond: exp.Expr) -> exp.Expr:
    return exp.Filter(this=agg, expression=exp.Where(this=cond))


def _sub(name: str, query: exp.Select) -> exp.Subquery:
    return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True)))


def _band(z: exp.Expr, sign: int) -> exp.Expr:
    """One side of :func:`survival_band` over columns ``log_s``, ``gw``, ``zero`` and ``obs``
    (sign −1: lower, +1: upper): log–log inside (0, 1); at ``S`` = 0 or 1 Wilson's score bound of
    none or all of the ``obs`` tickets observed through the time, ``z²/(obs + z²)`` or
    ``obs/(obs + z²)`` (the bound of :func:`~auditrules.tickets.stats.wilson_bounds` in closed form)."""
    v = _q("log_s")
    spread = exp.Div(this=exp.Mul(this=z.copy(), expression=exp.Sqrt(this=_q("gw"))), expression=v.copy())
    inner = exp.Ln(this=exp.Neg(this=v.copy()))
    shifted = exp.Sub(this=inner, expression=spread) if sign < 0 else exp.Add(this=inner, expression=spread)
    value = exp.Exp(this=exp.Neg(this=exp.Exp(this=shifted)))
    z2 = exp.Mul(this=z.copy(), expression=z.copy())
    total = exp.paren(exp.Add(this=_q("obs"), expression=z2.copy()))
    at_zero = exp.Div(this=z2, expression=total.copy()) if sign > 0 else exp.Literal.number(0)
    at_one = exp.Div(this=_q("obs"), expression=total) if sign < 0 else exp.Literal.number(1)
    return _when(
        exp.GT(this=_q("zero"), expression=exp.Literal.number(0)),
        at_zero,
        _when(exp.EQ(this=v.copy(), expression=exp.Literal.number(0)), at_one, value),
    )


def _life_table(
    relation: exp.Expr,
    keys: Sequence[tuple[str, exp.Expr]],
    duration: exp.Expr,
    observed: exp.Expr,
    valid: exp.Expr,
    cut: float | None,
) -> exp.Select:
    """One row per group and distinct duration: events ``d`` and all tickets ``m``; with ``cut``,
    every duration past it is one row per group just after it."""
    time = duration.copy()
    if cut is not None:
        time = exp.Least(this=time, expressions=[_num(math.nextafter(cut, math.inf))])
    return (
        exp.select(
            *[exp.alias_(e.copy(), k, quoted=True) for k, e in keys],
            exp.alias_(time, "t", quoted=True),
            exp.alias_(_filtered(exp.Count(this=exp.Star()), observed.copy()), "d", quoted=True),
            exp.alias_(exp.Count(this=exp.Star()), "m", quoted=True),
        )
        .from_(relation)
        .where(exp.and_(valid.copy(), exp.not_(exp.Is(this=duration.copy(), expression=exp.null()))))
        .group_by(*[e.copy() for _, e in keys], time.copy())
    )


def survival_query(
    relation: exp.Expr,
    keys: Sequence[tuple[str, exp.Expr]],
    duration: exp.Expr,
    observed: exp.Expr,
    valid: exp.Expr,
    p: float | None,
    z: float | GroupZ,
    at: float | None = None,
) -> exp.Select:
    """Per group: counts, the ``p``-quantile with its interval, and ``S(at)`` with its Greenwood sum.

    ``keys`` are (alias, expression) pairs; ``duration`` is the observed or censored duration and
    ``observed`` True for an event, False for a censoring; rows where ``valid`` is false are left
    out. ``z`` is the normal quantile of the interval: one for every group, or per group
    (:class:`GroupZ`, joined to the curve as a small ``VALUES`` relation, so no per-row ``CASE``
    over the groups is evaluated). The band is computed only when ``p`` is set (a share's
    interval comes from ``S(at)`` and its Greenwood sum). For a share alone (``p`` None) the
    durations past ``at`` are merged into one life-table row per group just after ``at``: ``S(at)``
    needs only how many are still at risk beyond it, so the window sums run over the distinct
    durations up to ``at`` (at most 14,401 per group for ``<= 4h`` in whole seconds) instead of all
    of them; ``last_event`` and ``waiting_from`` (which only quantiles read) are then NULL. The
    result has the key aliases and
    :data:`FIGURES`; ``q_*`` are NULL when ``p`` is None and ``s_at``/``gw_at``/``observed_at``
    (the tickets observed through ``at``, :func:`observed_through`) when ``at`` is.
    The life table, at-risk counts (a descending running sum), ``log S`` (a running sum of
    ``ln(1 − d/n)``) and the Greenwood sum are window functions, so the whole estimate is one
    query with no row leaving the engine.
    """
    names = [k for k, _ in keys]
    part = [_q(k) for k in names]
    life = _life_table(relation, keys, duration, observed, valid, at if p is None else None)
    # the counts are summed as DOUBLE: exact (whole numbers below 2**53) and every figure derived
    # from them the same to the bit, but about half the cost of a running integer sum, which
    # DuckDB widens to 128 bits
    counts = exp.Cast(this=_q("m"), to=exp.DataType.build("double"))
    risk = exp.select(
        *part, _q("t"), _q("d"), _q("m"), exp.alias_(_window(exp.Sum(this=counts), part, True), "r", quoted=True)
    ).from_(_sub("lt", life))
    curve = _curve(part, risk, banded=p is not None)
    d = _q("d")
    s = _when(
        exp.GT(this=_q("zero"), expression=exp.Literal.number(0)), exp.Literal.number(0), exp.Exp(this=_q("log_s"))
    )
    columns: list[exp.Expr] = [
        *part,
        _q("t"),
        d.copy(),
        _q("m"),
        *([_q("obs")] if p is not None else []),
        _q("gw"),
        _q("last_t"),
        exp.alias_(s, "s", quoted=True),
    ]
    banded = exp.select(*columns).from_(_sub("km", curve))
    if p is not None:
        zexpr = _num(z) if isinstance(z, (int, float)) else z.value(names)
        banded = banded.select(
            exp.alias_(_band(zexpr, -1), "lo", quoted=True), exp.alias_(_band(zexpr, +1), "hi", quoted=True)
        )
        if isinstance(z, GroupZ) and z.needs_join(names):
            banded = z.join(banded, names)
    return _figures(banded, part, p, at)


def _curve(part: Sequence[exp.Expr], risk: exp.Select, banded: bool) -> exp.Select:
    """Over the life table with its at-risk counts ``r``: the running sums of ``log S`` and
    Greenwood's terms, whether the curve has hit 0 (``zero``), the group's last event (``last_t``)
    and, for the band (``banded``), the tickets observed through each time (``obs``)."""
    d, r = _q("d"), _q("r")
    partial = exp.LT(this=d.copy(), expression=r.copy())
    ratio = exp.Div(this=d.copy(), expression=r.copy())
    step = _when(partial, exp.Ln(this=exp.Sub(this=exp.Literal.number(1), expression=ratio)), exp.Literal.number(0))
    gw_step = _when(
        partial,
        exp.Div(
            this=d.copy(),
            expression=exp.paren(
                exp.Mul(this=r.copy(), expression=exp.paren(exp.Sub(this=r.copy(), expression=d.copy())))
            ),
        ),
        exp.Literal.number(0),
    )
    # the curve is 0 from the first time every ticket still at risk has the event; the durations are
    # distinct within a group, so "from that time on" is a comparison with the group's earliest such
    # time (a window over the group, no running aggregate)
    wiped_at = exp.Window(
        this=exp.Min(
            this=_when(
                exp.and_(
                    exp.EQ(this=d.copy(), expression=r.copy()), exp.GT(this=d.copy(), expression=exp.Literal.number(0))
                ),
                _q("t"),
                exp.null(),
            )
        ),
        partition_by=[x.copy() for x in part] or None,
    )
    wiped = _when(exp.GTE(this=_q("t"), expression=wiped_at), exp.Literal.number(1), exp.Literal.number(0))
    last = exp.Window(
        this=exp.Max(this=_when(exp.GT(this=d.copy(), expression=exp.Literal.number(0)), _q("t"), exp.null())),
        partition_by=[x.copy() for x in part] or None,
    )
    # observed through t (the band's Wilson bounds at S = 0 or 1, quantiles only): at risk at t plus
    # the events before it, i.e. every ticket not censored before t (counts summed as DOUBLE, as r)
    events = _window(exp.Sum(this=exp.Cast(this=d.copy(), to=exp.DataType.build("double"))), part)
    seen = exp.Sub(this=exp.Add(this=r.copy(), expression=events), expression=d.copy())
    band_inputs = [exp.alias_(seen, "obs", quoted=True)] if banded else []
    return exp.select(
        *part,
        _q("t"),
        d.copy(),
        _q("m"),
        *band_inputs,
        exp.alias_(_window(exp.Sum(this=step), part), "log_s", quoted=True),
        exp.alias_(_window(exp.Sum(this=gw_step), part), "gw", quoted=True),
        exp.alias_(wiped, "zero", quoted=True),
        exp.alias_(last, "last_t", quoted=True),
    ).from_(_sub("rk", risk))


@dataclass(frozen=True)
class GroupZ:
    """Normal quantiles per group: (key values, z) pairs, and ``default`` for the groups not listed.

    ``complete`` says the list names every group whose figures are read, so when they all share
    one z (the usual case: one confidence per requirement) it is a literal and nothing is joined.
    """

    groups: tuple[tuple[tuple[Any, ...], float], ...]
    default: float
    complete: bool = False

    def _shared(self) -> float | None:
        zs = {z for _, z in self.groups}
        return zs.pop() if self.complete and len(zs) == 1 else None

    def needs_join(self, names: Sequence[str]) -> bool:
        return bool(self.groups) and bool(names) and self._shared() is None

    def value(self, names: Sequence[str]) -> exp.Expr:
        """The group's z: from the relation :meth:`join` adds, else the default (a literal when no
        group is listed, there are no keys, or every group shares one)."""
        shared = self._shared()
        if shared is not None:
            return _num(shared)
        if not self.groups or not names:
            return _num(self.groups[0][1] if self.groups else self.default)
        return exp.Coalesce(this=exp.column("zv", "zt", quoted=True), expressions=[_num(self.default)])

    def join(self, banded: exp.Select, names: Sequence[str]) -> exp.Select:
        """``banded`` (over the curve ``km``) left-joined to the groups' z as a ``VALUES`` relation."""
        zcols = [f"z_{n}" for n in names]
        values = exp.Values(
            expressions=[exp.Tuple(expressions=[*(lit(v) for v in keys), _num(z)]) for keys, z in self.groups],
            alias=exp.TableAlias(
                this=exp.to_identifier("zt", quoted=True),
                columns=[exp.to_identifier(c, quoted=True) for c in (*zcols, "zv")],
            ),
        )
        on = all_of(
            exp.column(n, "km", quoted=True).eq(exp.column(c, "zt", quoted=True))
            for n, c in zip(names, zcols, strict=True)
        )
        return banded.join(values, on=on, join_type="LEFT")


def _figures(banded: exp.Select, part: Sequence[exp.Expr], p: float | None, at: float | None) -> exp.Select:
    t, d, m = _q("t"), _q("d"), _q("m")
    null = exp.null()

    def first_time(column: str) -> exp.Expr:
        if p is None:
            return null.copy()
        return _filtered(exp.Min(this=t.copy()), exp.LTE(this=_q(column), expression=_num(1.0 - p + LEVEL_TOLERANCE)))

    waiting = _filtered(
        exp.Min(this=t.copy()),
        exp.and_(
            exp.GT(this=m.copy(), expression=d.copy()),
            exp.or_(exp.Is(this=_q("last_t"), expression=exp.null()), exp.GTE(this=t.copy(), expression=_q("last_t"))),
        ),
    )
    upto = exp.LTE(this=t.copy(), expression=_num(at)) if at is not None else None
    s_at = exp.Coalesce(this=_filtered(exp.Min(this=_q("s")), upto), expressions=[_num(1.0)]) if upto else null.copy()
    gw_at = exp.Coalesce(this=_filtered(exp.Max(this=_q("gw")), upto.copy()), expressions=[_num(0.0)]) if upto else null
    observed_at: exp.Expr = null.copy()
    if at is not None:  # every ticket but those censored before ``at``
        before = _filtered(
            exp.Sum(this=exp.Sub(this=m.copy(), expression=d.copy())), exp.LT(this=t.copy(), expression=_num(at))
        )
        observed_at = exp.Sub(
            this=exp.Sum(this=m.copy()), expression=exp.Coalesce(this=before, expressions=[_num(0.0)])
        )
    columns = {
        "n": exp.Sum(this=m.copy()),
        "events": exp.Sum(this=d.copy()),
        "censored": exp.Sum(this=exp.Sub(this=m.copy(), expression=d.copy())),
        "q_point": first_time("s"),
        "q_low": first_time("lo"),
        "q_high": first_time("hi"),
        "last_event": exp.Max(this=_q("last_t")) if p is not None or at is None else null.copy(),
        "waiting_from": waiting if p is not None or at is None else null.copy(),
        "s_at": s_at,
        "gw_at": gw_at,
        "observed_at": observed_at,
    }
    select = exp.select(
        *[x.copy() for x in part], *[exp.alias_(columns[name], name, quoted=True) for name in FIGURES]
    ).from_(_sub("b", banded))
    if part:
        select = select.group_by(*[x.copy() for x in part])
    return select


@dataclass(frozen=True)
class GroupSurvival:
    """One group's row of :func:`survival_query`, read back."""

    n: int
    events: int
    censored: int
    quantile: CensoredQuantile | None
    s_at: float | None
    greenwood_at: float | None
    observed_at: int | None


def read_row(row: dict[str, Any], p: float | None) -> GroupSurvival:
    """A result row of :func:`survival_query` → :class:`GroupSurvival`."""

    def num(name: str) -> float | None:
        v = row.get(name)
        return None if v is None else float(v)

    q: CensoredQuantile | None = None
    if p is not None:
        point, high = num("q_point"), num("q_high")
        if point is not None:
            q = CensoredQuantile(point, True, num("q_low"), math.inf if high is None else high)
        else:
            q = CensoredQuantile(num("waiting_from"), False, num("q_low"), math.inf)
    observed = num("observed_at")
    return GroupSurvival(
        int(row["n"] or 0),
        int(row["events"] or 0),
        int(row["censored"] or 0),
        q,
        num("s_at"),
        num("gw_at"),
        None if observed is None else round(observed),
    )


__all__ = [
    "FIGURES",
    "CensoredQuantile",
    "CensoredShare",
    "Curve",
    "GroupSurvival",
    "GroupZ",
    "LifeTable",
    "loglog_band",
    "observed_through",
    "product_limit",
    "quantile",
    "read_row",
    "share_within",
    "survival_at",
    "survival_band",
    "survival_query",
]
