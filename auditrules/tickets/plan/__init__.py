"""Ticket plans: a mapping, a source schema and ticket rules → sqlglot expression trees.

The room holds one module per stage; each query is built once as a sqlglot tree (values from
rules and mappings become literals, identifiers are always quoted) and rendered per engine.

* :mod:`~auditrules.tickets.plan.sql` — small sqlglot builders and the two relation names.
* :mod:`~auditrules.tickets.plan.dialects` — the one table of DuckDB/Spark differences, :func:`render`.
* :mod:`~auditrules.tickets.plan.twitter` — the twitter-support layout (tweets → tickets).
* :mod:`~auditrules.tickets.plan.clean` — the clean view: one row per ticket with canonical columns
  and the parse flags each requirement's exclusion reasons are built from.
* :mod:`~auditrules.tickets.plan.join` — second sources joined to the tickets by ticket id.
* :mod:`~auditrules.tickets.plan.censoring` — which requirements read a right-censored duration,
  and the censored duration in SQL.
* :mod:`~auditrules.tickets.plan.expressions` — rule expressions → SQL conditions; the columns a rule reads.
* :mod:`~auditrules.tickets.plan.groups` — group keys (columns, months, buckets, deciles, quartiles).
* :mod:`~auditrules.tickets.plan.compiler` — the queries, with typed handles to their result columns:
  the *profile* (rows read, AR302 parse counts, each requirement's exclusions by reason,
  quantile edges, the latest timestamp and implausible durations, in one pass), the *aggregates*
  (one query per distinct grouping, each requirement's aggregates under ``FILTER (WHERE …)``)
  and the *order statistics* for quantile intervals (a small second pass, because the ranks
  depend on each group's n).

Python sees only per-group aggregates, never rows. The room imports sqlglot, the rule AST, the
mapping and the vocabularies; never an engine, DuckDB or the judge.

May import: channels, columns, units, lang, tickets.mapping
"""

from auditrules.tickets.plan.clean import REASONS, CleanView, ParseFlags, clean_view
from auditrules.tickets.plan.compiler import (
    AggregateColumns,
    Cell,
    ParseCount,
    Profile,
    ProfilePlan,
    RequirementPlan,
    aggregate_queries,
    aggregate_query,
    order_statistic_query,
    plan_requirement,
    profile_query,
    read_order_statistics,
    scope_condition,
)
from auditrules.tickets.plan.dialects import DIALECTS, SqlDialect, render
from auditrules.tickets.plan.expressions import Unavailable, compile_expr, glob_to_like, names_in, rule_columns
from auditrules.tickets.plan.groups import EdgeKey, GroupKey, group_key
from auditrules.tickets.plan.sql import CLEAN, RAW, lit, table_ref

__all__ = [
    "CLEAN",
    "DIALECTS",
    "RAW",
    "REASONS",
    "AggregateColumns",
    "Cell",
    "CleanView",
    "EdgeKey",
    "GroupKey",
    "ParseCount",
    "ParseFlags",
    "Profile",
    "ProfilePlan",
    "RequirementPlan",
    "SqlDialect",
    "Unavailable",
    "aggregate_queries",
    "aggregate_query",
    "clean_view",
    "compile_expr",
    "glob_to_like",
    "group_key",
    "lit",
    "names_in",
    "order_statistic_query",
    "plan_requirement",
    "profile_query",
    "read_order_statistics",
    "render",
    "rule_columns",
    "scope_condition",
    "table_ref",
]
