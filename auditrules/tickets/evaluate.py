"""Ticket evaluation: ticket rules + ticket files (+ a mapping) → one finding per requirement.

This module orchestrates; it decides nothing. Steps: resolve the files and expose them to the
engine, build the clean view from the mapping (:mod:`auditrules.tickets.plan.clean`), run the
profile (row accounting, AR302, decile edges), the aggregate queries and the order-statistic
queries for quantile intervals (:mod:`auditrules.tickets.plan.compiler`), and hand each
requirement's groups to the judge (:mod:`auditrules.tickets.judge`).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping as TMapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from auditrules.columns import KINDS
from auditrules.documents import read_text
from auditrules.errors import AuditError, fail
from auditrules.findings import Diagnostic, Finding, InputFile, Location
from auditrules.lang import ast
from auditrules.tickets import censored as C
from auditrules.tickets import judge as J
from auditrules.tickets import plan as P
from auditrules.tickets.columns_check import check_columns
from auditrules.tickets.engine_spec import EngineSpec
from auditrules.tickets.engines import Engine, make_engine
from auditrules.tickets.mapping import Mapping, load_mapping, parse_instant
from auditrules.tickets.plan.censoring import CENSORABLE
from auditrules.tickets.plan.censoring import TIMESTAMPS as CENSOR_TIMESTAMPS
from auditrules.tickets.plan.censoring import censoring as censoring_of
from auditrules.tickets.plan.join import JoinedSource, joined_relation
from auditrules.tickets.plan.twitter import TWEET_COLUMNS, VIEW_SCHEMA
from auditrules.tickets.progress import StepProgress
from auditrules.tickets.sources import InputDigests, SourceFile, resolve_sources, with_csv_options

Rules = Sequence[tuple[ast.Policy, ast.Rule]]


@dataclass(frozen=True)
class TicketResult:
    """The findings of the ticket rules, the inputs they rest on and notes about the data."""

    findings: tuple[Finding, ...]
    inputs: tuple[InputFile, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


def evaluate_tickets(
    rules: Rules,
    sources: Sequence[str],
    mapping: str | None = None,
    engine: str | EngineSpec = "duckdb",
    progress: bool = False,
    as_of: str | None = None,
    all_comparisons: bool = False,
) -> TicketResult:
    """Evaluate ticket rules on ticket files; one finding per (rule, ``require`` statement).

    ``mapping`` is a built-in name (``zendesk``, ``twitter-support``) or a YAML path; None reads
    canonical column names. ``as_of`` (ISO 8601) is when still-open tickets are censored; default:
    the mapping's ``as_of``, else the latest timestamp in the data. ``all_comparisons`` keeps every
    between-groups comparison in the evidence (k(k−1)/2 per stratum) instead of the worst few and
    the counts. Raises :class:`AuditError` for unusable input (AR001, AR301-AR313, AR320).
    """
    rules = [(p, r) for p, r in rules if r.requires]
    the_mapping = load_mapping(mapping)
    files = with_csv_options(resolve_sources(sources), the_mapping.csv)
    digests = InputDigests(files)  # hashed while the engine works
    eng = make_engine(engine)
    steps = 4 + sum(len(r.requires) for _, r in rules)
    try:
        with StepProgress(progress, steps) as prog:
            prog.step("reading ticket sources")
            findings, notes = _run(eng, rules, files, the_mapping, prog, as_of, all_comparisons)
    except AuditError as err:
        raise _with_rule_source(err) from None
    finally:
        eng.close()
    inputs = digests.result()
    if the_mapping.path and not the_mapping.path.startswith("<builtin:"):
        inputs = (*inputs, InputFile(the_mapping.path, "ticket-mapping", the_mapping.sha256))
    return TicketResult(tuple(findings), inputs, tuple(notes))


def _register(eng: Engine, files: Sequence[SourceFile], mapping: Mapping) -> dict[str, str]:
    """Expose the tickets as ``ar_raw``: the files, or the files joined to the mapping's second sources."""
    parts = [[f for f in files if fnmatch.fnmatch(os.path.basename(f.path), j.files)] for j in mapping.joins]
    joined = {f.path for part in parts for f in part}
    main = [f for f in files if f.path not in joined]
    if not any(parts):
        return eng.register(files)
    if not main:
        raise fail(
            "AR306",
            f"every ticket file matches a join pattern of the mapping ({', '.join(j.files for j in mapping.joins)})",
        )
    schema = eng.register(main, "ar_main")
    id_map = mapping.column("ticket_id")
    main_key = next((s for s in (id_map.sources if id_map else ()) if s in schema), None)
    if main_key is None:
        raise fail(
            "AR301", f"joining a second source needs the tickets' id column; the source has: {_columns_hint(schema)}"
        )
    sources = []
    for i, (join, part) in enumerate(zip(mapping.joins, parts, strict=True)):
        if not part:
            continue
        jschema = eng.register(part, f"ar_join{i}")
        key = next((k for k in join.key if k in jschema), None)
        if key is None:
            tried = " or ".join(repr(k) for k in join.key)
            raise AuditError(
                "AR301",
                f"joined source {join.files!r} has no key column {tried}; it has: {_columns_hint(jschema)}",
                join.span,
                mapping.text,
            )
        sources.append(JoinedSource(f"ar_join{i}", key, jschema))
    return eng.view(P.RAW, joined_relation("ar_main", main_key, schema, sources))


def _with_rule_source(err: AuditError) -> AuditError:
    """A judge's error about a rule (AR320) with the rules file's text, for the caret excerpt."""
    if err.source is not None or err.span is None or not err.span.path:
        return err
    try:
        text, _ = read_text(err.span.path)
    except AuditError:
        return err
    return err.with_source(text)


def _columns_hint(schema: dict[str, str]) -> str:
    names = sorted(schema)
    text = ", ".join(names[:30])
    return text + (f", … ({len(names)} in all)" if len(names) > 30 else "")


def _view_schema(schema: dict[str, str], mapping: Mapping) -> dict[str, str]:
    """The columns the clean view reads: the source's, or those the layout builds from it (AR301)."""
    if mapping.layout != "twitter-support":
        return schema
    absent = [c for c in TWEET_COLUMNS if c not in schema]
    if absent:
        raise fail(
            "AR301", f"the twitter-support layout needs column '{absent[0]}'; the source has: {_columns_hint(schema)}"
        )
    return dict(VIEW_SCHEMA)


def needed_columns(rules: Rules) -> set[str]:
    """The columns the rules read, and the timestamps censored durations measure the wait from."""
    needed: set[str] = set()
    for _, rule in rules:
        needed |= P.rule_columns(rule)
    if needed & set(CENSORABLE):
        needed |= set(CENSOR_TIMESTAMPS)
    return needed


def _clean_view(schema: dict[str, str], mapping: Mapping, rules: Rules) -> P.CleanView:
    """The clean view of the columns the rules read; AR301 when a strict mapping names an absent column."""
    needed = needed_columns(rules)
    view_schema = _view_schema(schema, mapping)
    check_columns(rules, view_schema)  # AR312: a typo must not read as "not evaluated"
    view = P.clean_view(mapping, view_schema, needed)
    if view.missing:
        name = view.missing[0]
        cm = mapping.column(name)
        tried = " or ".join(repr(s) for s in (cm.sources if cm else ()))
        raise AuditError(
            "AR301",
            f"mapped column {tried} (for {name}) is not in the ticket source; it has: {_columns_hint(schema)}",
            cm.span if cm else None,
            mapping.text,
        )
    return view


def _check_parsing(profile: P.Profile, mapping: Mapping) -> None:
    """AR302 when no value of a parsed column parses (a wrong format, not a few bad rows)."""
    for column, has, bad in profile.parse_counts:
        if KINDS.get(column) == "number":  # a number column of text is simply unusable, not misformatted
            continue
        if has > 0 and bad == has:
            cm = mapping.column(column)
            fmt = f" with format {cm.format!r}" if cm is not None and cm.format else ""
            what = "timestamp" if KINDS.get(column) == "timestamp" else "duration"
            src = (
                f" (source column {cm.sources[0]!r})"
                if cm is not None and cm.sources and cm.sources[0] != column
                else ""
            )
            raise AuditError(
                "AR302",
                f"no value of column '{column}'{src} parses as a {what}{fmt} ({has} values tried)",
                cm.span if cm else None,
                mapping.text,
            )


def _row_counts(profile: P.Profile, index: int) -> J.RowCounts:
    return J.RowCounts(profile.read, profile.excluded[index])


def _plans(
    rules: Rules, view: P.CleanView, edges: TMapping[P.EdgeKey, Sequence[float]]
) -> tuple[list[P.RequirementPlan], dict[int, str]]:
    """Each requirement compiled (numbered across the run); the missing column of those that cannot be."""
    plans: list[P.RequirementPlan] = []
    unavailable: dict[int, str] = {}
    index = 0
    for policy, rule in rules:
        for req in rule.requires:
            try:
                plans.append(P.plan_requirement(index, policy, rule, req, view, edges))
            except P.Unavailable as missing:
                unavailable[index] = missing.column
            index += 1
    return plans, unavailable


def _aggregate(eng: Engine, plans: Sequence[P.RequirementPlan], prog: StepProgress) -> dict[int, list[P.Cell]]:
    """Every requirement's cells, one query per distinct grouping."""
    cells: dict[int, list[P.Cell]] = {p.index: [] for p in plans}
    for batch, query in P.aggregate_queries(plans):
        prog.step(f"aggregating {', '.join(sorted({b.rule.id for b in batch}))}")
        rows = eng.query(query)
        for rp in batch:
            cells[rp.index] = [c for c in (rp.read(row) for row in rows) if c is not None]
    return cells


def _judge(
    eng: Engine,
    rp: P.RequirementPlan,
    cells: list[P.Cell],
    rows: J.RowCounts,
    view: P.CleanView,
    as_of: datetime | None,
    all_comparisons: bool = False,
) -> Finding:
    sql = P.render(rp.standalone(), eng.dialect)
    j = J.judgement(rp, cells, rows, view.columns, sql, all_comparisons)
    censoring = censoring_of(rp.require, view, as_of) if as_of is not None else None
    censored = None
    overrides: dict[tuple[Any, ...], Any] = {}
    if censoring is not None and as_of is not None:
        censored = C.read(j, censoring, as_of, eng.query(C.query(j, censoring)))
        adjusted, overrides = C.apply(j, censored)
        j = J.judgement(rp, adjusted, rows, view.columns, sql, all_comparisons)
    ranks = [r for r in J.quantile_ranks(j) if r[0] not in overrides]
    order_stats = P.read_order_statistics(rp, eng.query(P.order_statistic_query(rp, ranks))) if ranks else {}
    finding = J.judge(j, order_stats, overrides)
    return C.annotate(finding, j, censored) if censored is not None else finding


def _as_of(given: str | None, mapping: Mapping, profile: P.Profile) -> datetime | None:
    """When open tickets are censored: ``--as-of``, the mapping's ``as_of``, else the latest timestamp."""
    if given is not None:
        return parse_instant(given)
    if mapping.as_of is not None:
        return mapping.as_of
    latest = profile.latest
    if latest is None:
        return None
    return latest if latest.tzinfo is not None else latest.replace(tzinfo=timezone.utc)


def _run(
    eng: Engine,
    rules: Rules,
    files: Sequence[SourceFile],
    mapping: Mapping,
    prog: StepProgress,
    as_of: str | None = None,
    all_comparisons: bool = False,
) -> tuple[list[Finding], list[Diagnostic]]:
    schema = _register(eng, files, mapping)
    view = _clean_view(schema, mapping, rules)
    prog.step("parsing and cleaning tickets")
    eng.define(P.CLEAN, view.select)
    prog.step("profiling rows")
    profile_plan = P.profile_query(rules, view)
    profile = profile_plan.read(eng.query(profile_plan.select)[0])
    _check_parsing(profile, mapping)
    instant = _as_of(as_of, mapping, profile)
    plans, unavailable = _plans(rules, view, profile.edges)
    cells = _aggregate(eng, plans, prog)
    by_index = {p.index: p for p in plans}
    findings: list[Finding] = []
    index = 0
    for _policy, rule in rules:
        for req in rule.requires:
            if index in unavailable:
                findings.append(J.not_evaluated(rule, req, unavailable[index], schema, profile.read))
            else:
                prog.step(f"judging {rule.id}")
                rows = _row_counts(profile, index)
                findings.append(_judge(eng, by_index[index], cells[index], rows, view, instant, all_comparisons))
            index += 1
    return findings, implausible_durations(profile, mapping, view)


def implausible_durations(profile: P.Profile, mapping: Mapping, view: P.CleanView) -> list[Diagnostic]:
    """AR313 warnings: durations beyond 365 days, naming the column and where the mapping reads it."""
    notes = []
    for column, (count, longest) in sorted(profile.implausible.items()):
        sources = view.depends.get(column, (column,))
        spans = [cm.span for cm in (mapping.column(c) for c in sources) if cm is not None and cm.span is not None]
        where = f" (from {' - '.join(sources)})" if column in view.depends else ""
        location = Location(spans[0].path, spans[0].line, spans[0].column) if spans and mapping.path else None
        notes.append(
            Diagnostic(
                "AR313",
                "warning",
                f"{count} value(s) of '{column}'{where} exceed the plausible 365 days (longest "
                f"{longest / 86400:,.0f} days): check which source column each timestamp is mapped to",
                location,
            )
        )
    return notes
